// Package uuid holds the RFC 9562 UUIDs tracebridge makes: name-based (version 5) ids in
// tracebridge's namespace, random (version 4) ids, their canonical text, and parsing.
package uuid

import (
	"crypto/rand"
	"crypto/sha1"
	"encoding/hex"
)

// UUID is a 16-byte UUID.
type UUID [16]byte

// dns is the RFC 9562 DNS namespace.
var dns = UUID{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}

// Namespace is tracebridge's namespace: the v5 UUID of "tracebridge.dev" in the DNS
// namespace. Record ids and the ids derived for APIs that want UUIDs are in it.
var Namespace = V5(dns, []byte("tracebridge.dev"))

// V5 is the name-based (SHA-1) UUID of name in ns.
func V5(ns UUID, name []byte) UUID {
	h := sha1.New()
	h.Write(ns[:])
	h.Write(name)
	var sum [sha1.Size]byte
	h.Sum(sum[:0])
	var u UUID
	copy(u[:], sum[:16])
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	return u
}

// V4 is a random UUID.
func V4() UUID {
	var u UUID
	_, _ = rand.Read(u[:])  // never fails (crypto/rand crashes the program instead)
	u[6] = u[6]&0x0f | 0x40 // version 4
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	return u
}

// String is the canonical 8-4-4-4-12 lower-case hex form.
func (u UUID) String() string {
	var b [36]byte
	hex.Encode(b[0:8], u[0:4])
	b[8] = '-'
	hex.Encode(b[9:13], u[4:6])
	b[13] = '-'
	hex.Encode(b[14:18], u[6:8])
	b[18] = '-'
	hex.Encode(b[19:23], u[8:10])
	b[23] = '-'
	hex.Encode(b[24:], u[10:])
	return string(b[:])
}

// Parse reads the canonical form (either case).
func Parse(s string) (UUID, bool) {
	var u UUID
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	for i, part := range [][2]int{{0, 8}, {9, 13}, {14, 18}, {19, 23}, {24, 36}} {
		off := [...]int{0, 4, 6, 8, 10}[i]
		if _, err := hex.Decode(u[off:], []byte(s[part[0]:part[1]])); err != nil {
			return u, false
		}
	}
	return u, true
}
