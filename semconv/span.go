package semconv

import (
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// Span is the neutral form of one ended OpenTelemetry span: what the mapping needs and
// nothing SDK- or Collector-specific.
type Span struct {
	TraceID      trace.TraceID
	SpanID       trace.SpanID
	ParentSpanID trace.SpanID // invalid at a trace's root
	ParentRemote bool         // the parent lives in another process: this span is a local root
	Name         string
	Kind         trace.SpanKind
	Start, End   time.Time
	StatusCode   codes.Code
	StatusDesc   string
	Attributes   []attribute.KeyValue
	Events       []Event
	Resource     []attribute.KeyValue
	// DroppedAttributes counts attributes the SDK discarded at its per-span limit.
	DroppedAttributes int
	// Open marks a snapshot of a span that has not ended yet (End is the snapshot's time):
	// its records are provisional.
	Open bool
}

// Event is a span event.
type Event struct {
	Name       string
	Time       time.Time
	Attributes []attribute.KeyValue
}

// IsLocalRoot reports whether s starts the trace in its process: it has no parent, or its
// parent is remote.
func (s *Span) IsLocalRoot() bool { return !s.ParentSpanID.IsValid() || s.ParentRemote }

// attrs is a lookup view over a span's attributes.
type attrs map[attribute.Key]attribute.Value

func newAttrs(kvs []attribute.KeyValue) attrs {
	m := make(attrs, len(kvs))
	for _, kv := range kvs {
		m[kv.Key] = kv.Value
	}
	return m
}

// str returns the first non-empty value of keys as a string.
func (a attrs) str(keys ...attribute.Key) string {
	for _, k := range keys {
		if v, ok := a[k]; ok {
			if s := valueString(v); s != "" {
				return s
			}
		}
	}
	return ""
}

// int returns the first value of keys that parses as an integer.
func (a attrs) int(keys ...attribute.Key) (int64, bool) {
	for _, k := range keys {
		if v, ok := a[k]; ok {
			if n, ok := valueInt(v); ok {
				return n, true
			}
		}
	}
	return 0, false
}

// strings returns the value of k as a string slice, accepting a single string or JSON array.
func (a attrs) strings(k attribute.Key) []string {
	v, ok := a[k]
	if !ok {
		return nil
	}
	switch v.Type() {
	case attribute.STRINGSLICE:
		return v.AsStringSlice()
	case attribute.STRING:
		s := v.AsString()
		if list, ok := parseStringList(s); ok {
			return list
		}
		if s != "" {
			return []string{s}
		}
	}
	return nil
}
