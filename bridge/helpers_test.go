package bridge_test

import (
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/tracebridge/tracebridge/bridge"
	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/semconv"
)

// t0 is when the test clock starts.
var t0 = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

// clock is a test clock that moves only when told.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// at sets the clock to ms milliseconds after t0.
func (c *clock) at(ms int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t0.Add(time.Duration(ms) * time.Millisecond)
}

// harness is a bridge client on a TracerProvider that records ended spans.
type harness struct {
	rec    *tracetest.SpanRecorder
	tp     *sdktrace.TracerProvider
	clock  *clock
	client *bridge.Client
}

func newHarness(t testing.TB) *harness {
	h := &harness{rec: tracetest.NewSpanRecorder(), clock: &clock{now: t0}}
	h.tp = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(h.rec))
	t.Cleanup(func() { _ = h.tp.Shutdown(t.Context()) })
	h.client = bridge.New(h.tp, bridge.WithClock(h.clock.Now))
	return h
}

// ended returns the spans ended so far, by name (the last one of each name).
func (h *harness) ended() map[string]sdktrace.ReadOnlySpan {
	out := map[string]sdktrace.ReadOnlySpan{}
	for _, s := range h.rec.Ended() {
		out[s.Name()] = s
	}
	return out
}

// records maps the ended spans as tracebridge's exporter does.
func (h *harness) records() []record.Record {
	var spans []semconv.Span
	for _, s := range h.rec.Ended() {
		spans = append(spans, toSemconv(s))
	}
	return semconv.Map(spans, semconv.Options{})
}

// toSemconv copies an SDK span the way the exporter does.
func toSemconv(s sdktrace.ReadOnlySpan) semconv.Span {
	sc, parent, st := s.SpanContext(), s.Parent(), s.Status()
	out := semconv.Span{
		TraceID: sc.TraceID(), SpanID: sc.SpanID(), ParentSpanID: parent.SpanID(), ParentRemote: parent.IsRemote(),
		Name: s.Name(), Kind: s.SpanKind(), Start: s.StartTime(), End: s.EndTime(),
		StatusCode: st.Code, StatusDesc: st.Description, Attributes: s.Attributes(),
	}
	for _, ev := range s.Events() {
		out.Events = append(out.Events, semconv.Event{Name: ev.Name, Time: ev.Time, Attributes: ev.Attributes})
	}
	return out
}

// attrs is a span's attributes by key.
func attrs(s sdktrace.ReadOnlySpan) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range s.Attributes() {
		m[kv.Key] = kv.Value
	}
	return m
}

func byTask(recs []record.Record) map[record.Task]record.Record {
	m := map[record.Task]record.Record{}
	for _, r := range recs {
		m[r.Task] = r
	}
	return m
}
