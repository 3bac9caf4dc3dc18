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

// attrs is a lookup view over a span's attributes. The mapping asks for many keys that a
// span does not have (every dialect's), and an LLM span has a dozen attributes or so: a
// scan that compares lengths first answers such a miss faster than hashing the key, and
// costs nothing to build. Spans with many attributes get a map.
type attrs struct {
	kvs []attribute.KeyValue
	m   map[attribute.Key]attribute.Value // when len(kvs) > scanMax
}

// scanMax is the most attributes looked up by scanning.
const scanMax = 24

func newAttrs(kvs []attribute.KeyValue) attrs {
	if len(kvs) <= scanMax {
		return attrs{kvs: kvs}
	}
	m := make(map[attribute.Key]attribute.Value, len(kvs))
	for _, kv := range kvs {
		m[kv.Key] = kv.Value
	}
	return attrs{m: m}
}

// get returns the value of k; of several, the last, as a map built in order would.
func (a attrs) get(k attribute.Key) (attribute.Value, bool) {
	if a.m != nil {
		v, ok := a.m[k]
		return v, ok
	}
	for i := len(a.kvs) - 1; i >= 0; i-- {
		if kv := &a.kvs[i]; len(kv.Key) == len(k) && kv.Key == k {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

// has reports whether k is set.
func (a attrs) has(k attribute.Key) bool {
	_, ok := a.get(k)
	return ok
}

// str returns the first non-empty value of keys as a string.
func (a attrs) str(keys ...attribute.Key) string {
	for _, k := range keys {
		if v, ok := a.get(k); ok {
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
		if v, ok := a.get(k); ok {
			if n, ok := valueInt(v); ok {
				return n, true
			}
		}
	}
	return 0, false
}

// strings returns the value of k as a string slice, accepting a single string or JSON array.
func (a attrs) strings(k attribute.Key) []string {
	v, ok := a.get(k)
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
