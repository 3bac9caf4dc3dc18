package destination

import (
	"crypto/sha1"
	"encoding/hex"
	"strings"
)

// namespace is tracebridge's UUID namespace, the v5 UUID of "tracebridge.dev" in the RFC
// 9562 DNS namespace: the one semconv derives record ids in.
var namespace = uuid5([16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}, []byte("tracebridge.dev"))

// UUIDFor is the UUID an id is known by where an API wants UUIDs (Freeplay's paths): the id
// itself when it is a UUID (tracebridge's record ids are), in lower case, else the v5 UUID of
// "id:"+id in tracebridge's namespace. The same id always gives the same UUID, so re-sends
// land on the same item and a child names its parent without looking it up.
func UUIDFor(id string) string {
	if u, ok := parseUUID(id); ok {
		return formatUUID(u)
	}
	return formatUUID(uuid5(namespace, []byte("id:"+id)))
}

// IsUUID reports whether s is a UUID in its canonical 8-4-4-4-12 hex form.
func IsUUID(s string) bool {
	_, ok := parseUUID(s)
	return ok
}

func parseUUID(s string) ([16]byte, bool) {
	var u [16]byte
	if len(s) != 36 || s[8] != '-' || s[13] != '-' || s[18] != '-' || s[23] != '-' {
		return u, false
	}
	h := strings.ReplaceAll(s, "-", "")
	if len(h) != 32 {
		return u, false
	}
	if _, err := hex.Decode(u[:], []byte(h)); err != nil {
		return u, false
	}
	return u, true
}

func uuid5(ns [16]byte, name []byte) [16]byte {
	h := sha1.New()
	h.Write(ns[:])
	h.Write(name)
	var sum [sha1.Size]byte
	h.Sum(sum[:0])
	var u [16]byte
	copy(u[:], sum[:16])
	u[6] = u[6]&0x0f | 0x50 // version 5
	u[8] = u[8]&0x3f | 0x80 // RFC 9562 variant
	return u
}

func formatUUID(u [16]byte) string {
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
