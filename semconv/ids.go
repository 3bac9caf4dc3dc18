package semconv

import (
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/internal/uuid"
)

// Record ids are name-based (version 5) UUIDs in tracebridge's namespace (uuid.Namespace).

// RecordID is the record id of a span: derived from its trace and span ids, so the same span
// always yields the same record id.
func RecordID(t trace.TraceID, s trace.SpanID) string {
	var name [1 + 16 + 8]byte
	name[0] = 's'
	copy(name[1:], t[:])
	copy(name[17:], s[:])
	return uuid.V5(uuid.Namespace, name[:]).String()
}

// MessageID is the id of the message record of a trace: derived from the trace's
// interaction id alone, so that any record of the trace can name it as its parent without
// knowing the root span.
func MessageID(t trace.TraceID) string { return MessageIDOf(InteractionID(t)) }

// MessageIDOf is the id of the message record of an interaction. Records that target an
// interaction recorded in another trace (feedback given later, by tracebridge.interaction.id)
// name it as their parent knowing only the interaction id.
func MessageIDOf(interactionID string) string {
	return uuid.V5(uuid.Namespace, append([]byte{'m'}, interactionID...)).String()
}

// InteractionID is the interaction id of a trace: one OTel trace is one interaction.
func InteractionID(t trace.TraceID) string {
	var name [1 + 16]byte
	name[0] = 'i'
	copy(name[1:], t[:])
	return uuid.V5(uuid.Namespace, name[:]).String()
}
