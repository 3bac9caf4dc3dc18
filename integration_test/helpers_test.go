package integration_test

import (
	"context"
	"encoding/json"
	"log/slog"
	"reflect"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/exporter"
)

// fixedIDs hands out a known trace id and span ids 1, 2, 3, … so expected records can be
// written down.
type fixedIDs struct {
	mu      sync.Mutex
	traceID trace.TraceID
	next    byte
}

func (g *fixedIDs) NewIDs(context.Context) (trace.TraceID, trace.SpanID) {
	return g.traceID, g.NewSpanID(context.Background(), g.traceID)
}

func (g *fixedIDs) NewSpanID(context.Context, trace.TraceID) trace.SpanID {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.next++
	return trace.SpanID{0, 0, 0, 0, 0, 0, 0, g.next}
}

func spanID(n byte) trace.SpanID { return trace.SpanID{0, 0, 0, 0, 0, 0, 0, n} }

// at is base plus ms milliseconds, as a span start or end option.
func at(base time.Time, ms int) time.Time { return base.Add(time.Duration(ms) * time.Millisecond) }

func str(k, v string) attribute.KeyValue { return attribute.String(k, v) }

func newExporter(t *testing.T, url string, opts ...exporter.Option) *exporter.Exporter {
	t.Helper()
	opts = append([]exporter.Option{exporter.WithEndpoint(url), exporter.WithLogger(slog.New(slog.DiscardHandler))}, opts...)
	exp, err := exporter.New(context.Background(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	return exp
}

// assertJSONEqual compares two JSON documents as values: every field, its presence and its
// null-ness count, key order does not.
func assertJSONEqual(t *testing.T, name string, got json.RawMessage, want string) {
	t.Helper()
	var g, w any
	if err := json.Unmarshal(got, &g); err != nil {
		t.Fatalf("%s: received invalid JSON: %v", name, err)
	}
	if err := json.Unmarshal([]byte(want), &w); err != nil {
		t.Fatalf("%s: expected JSON is invalid: %v", name, err)
	}
	if !reflect.DeepEqual(g, w) {
		gi, _ := json.MarshalIndent(g, "", "  ")
		wi, _ := json.MarshalIndent(w, "", "  ")
		t.Errorf("%s differs\n got %s\nwant %s", name, gi, wi)
	}
}

// seqIDs hands out the trace ids listed, one per root span (the last one repeating), and
// span ids 1, 2, 3, … across all of them.
type seqIDs struct {
	fixedIDs
	traces []trace.TraceID
	n      int
}

func (g *seqIDs) NewIDs(ctx context.Context) (trace.TraceID, trace.SpanID) {
	g.mu.Lock()
	tid := g.traces[min(g.n, len(g.traces)-1)]
	g.n++
	g.mu.Unlock()
	return tid, g.NewSpanID(ctx, tid)
}
