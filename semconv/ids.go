package semconv

import (
	"crypto/sha1"

	"go.opentelemetry.io/otel/trace"
)

// namespace is the UUID namespace of tracebridge's name-based (version 5) record ids.
// It is itself the v5 UUID of "tracebridge.dev" in the RFC 9562 DNS namespace.
var namespace = uuid5([16]byte{0x6b, 0xa7, 0xb8, 0x10, 0x9d, 0xad, 0x11, 0xd1, 0x80, 0xb4, 0x00, 0xc0, 0x4f, 0xd4, 0x30, 0xc8}, []byte("tracebridge.dev"))

// RecordID is the record id of a span: derived from its trace and span ids, so the same span
// always yields the same record id.
func RecordID(t trace.TraceID, s trace.SpanID) string {
	var name [1 + 16 + 8]byte
	name[0] = 's'
	copy(name[1:], t[:])
	copy(name[17:], s[:])
	return formatUUID(uuid5(namespace, name[:]))
}

// MessageID is the id of the message record of a trace: derived from the trace's
// interaction id alone, so that any record of the trace can name it as its parent without
// knowing the root span.
func MessageID(t trace.TraceID) string { return MessageIDOf(InteractionID(t)) }

// MessageIDOf is the id of the message record of an interaction. Records that target an
// interaction recorded in another trace (feedback given later, by tracebridge.interaction.id)
// name it as their parent knowing only the interaction id.
func MessageIDOf(interactionID string) string {
	return formatUUID(uuid5(namespace, append([]byte{'m'}, interactionID...)))
}

// InteractionID is the interaction id of a trace: one OTel trace is one interaction.
func InteractionID(t trace.TraceID) string {
	var name [1 + 16]byte
	name[0] = 'i'
	copy(name[1:], t[:])
	return formatUUID(uuid5(namespace, name[:]))
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
	const hexdigits = "0123456789abcdef"
	var b [36]byte
	j := 0
	for i, c := range u {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			b[j] = '-'
			j++
		}
		b[j] = hexdigits[c>>4]
		b[j+1] = hexdigits[c&0xf]
		j += 2
	}
	return string(b[:])
}
