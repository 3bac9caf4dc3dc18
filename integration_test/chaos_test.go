package integration_test

import (
	"context"
	"fmt"
	"net"
	"runtime"
	"strconv"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/exporter"
	"github.com/tracebridge/tracebridge/semconv"
)

// oneTurn plays a small agent turn: root → retrieval, chat, tool, chat (5 records), and
// returns the ids of the records it must produce.
func oneTurn(tracer trace.Tracer, i int) []string {
	ctx, root := tracer.Start(context.Background(), "POST /chat", trace.WithAttributes(attribute.String("session.id", "s"+strconv.Itoa(i%50))))
	ids := []string{semconv.MessageID(root.SpanContext().TraceID())}
	step := func(name string, kv ...attribute.KeyValue) {
		_, s := tracer.Start(ctx, name, trace.WithAttributes(kv...))
		ids = append(ids, semconv.RecordID(s.SpanContext().TraceID(), s.SpanContext().SpanID()))
		s.End()
	}
	step("retrieval kb", attribute.String("gen_ai.operation.name", "retrieval"), attribute.String("gen_ai.retrieval.query.text", "q"+strconv.Itoa(i)))
	step("chat m", attribute.String("gen_ai.operation.name", "chat"), attribute.Int("gen_ai.usage.input_tokens", 10), attribute.Int("gen_ai.usage.output_tokens", 5))
	step("execute_tool t", attribute.String("gen_ai.operation.name", "execute_tool"), attribute.String("gen_ai.tool.name", "t"))
	step("chat m", attribute.String("gen_ai.operation.name", "chat"), attribute.String("gen_ai.output.messages", `[{"role":"assistant","content":"done `+strconv.Itoa(i)+`"}]`))
	root.End()
	return ids
}

// TestChaos sends 20,000 records through the processor and exporter to a server that fails
// 20% of requests with 503, resets 5% of connections (half after storing the record, so
// duplicates really happen), adds random latency, and opens 1-second rate-limit windows
// (429, Retry-After: 1) every 4 seconds. Every record must arrive.
func TestChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("chaos run skipped in -short mode")
	}
	srv := startServe(t, "--fail-rate", "0.2", "--reset-rate", "0.05", "--latency", "1ms", "--latency-jitter", "8ms",
		"--throttle-every", "4s", "--throttle-window", "1s", "--retry-after", "1s", "--seed", "20261129")
	exp := newExporter(t, srv.URL, exporter.WithConcurrency(64),
		exporter.WithRetry(exporter.RetryConfig{Enabled: true, InitialInterval: 50 * time.Millisecond, MaxInterval: 2 * time.Second, MaxElapsedTime: 2 * time.Minute}))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(exporter.NewProcessor(exp)))
	tracer := tp.Tracer("chaos")

	const turns = 4000 // × 5 records
	want := map[string]bool{}
	start := time.Now()
	for i := 0; i < turns; i++ {
		for _, id := range oneTurn(tracer, i) {
			want[id] = true
		}
		if i%500 == 499 {
			time.Sleep(100 * time.Millisecond) // traffic spread over time, as from an app
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), 4*time.Minute)
	defer cancel()
	if err := tp.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	elapsed := time.Since(start)

	got := srv.ids(t)
	missing := 0
	for id := range want {
		if !got[id] {
			missing++
		}
	}
	st := serveStats(t, srv)
	es := exp.Stats()
	t.Logf("chaos: %d records expected, %d unique received, %d missing; %d POSTs stored incl. %d duplicates sent (replaced on the server); exporter %+v; faults %v; %v",
		len(want), len(got), missing, st["received"], st["duplicates"], es, faults(t, srv), elapsed.Round(time.Millisecond))
	if len(want) != 20000 || missing != 0 || len(got) != len(want) {
		t.Fatalf("records lost: %d of %d missing, %d unexpected", missing, len(want), len(got)-(len(want)-missing))
	}
	if es.Failed != 0 {
		t.Errorf("the exporter counted %d failures although every record arrived", es.Failed)
	}
}

func faults(t *testing.T, srv *serve) string {
	t.Helper()
	var st struct {
		Faults map[string]int64 `json:"faults"`
	}
	srv.getJSON(t, "/v1/stats", &st)
	return fmt.Sprint(st.Faults)
}

// TestDeadAPI keeps spans coming while the API is down: span.End never blocks, memory stays
// within the configured bounds, and every record the API never received is counted: as a
// record that failed delivery, or within a trace dropped at the memory bound.
func TestDeadAPI(t *testing.T) {
	if testing.Short() {
		t.Skip("dead-API run skipped in -short mode")
	}
	// A port with nothing listening: connections are refused until serve starts on it.
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()

	exp := newExporter(t, "http://"+addr, exporter.WithConcurrency(16),
		exporter.WithRetry(exporter.RetryConfig{Enabled: true, InitialInterval: 20 * time.Millisecond, MaxInterval: 200 * time.Millisecond, MaxElapsedTime: 500 * time.Millisecond}))
	const maxSpans, maxBytes = 5000, 8 << 20
	proc := exporter.NewProcessor(exp, exporter.WithMaxBufferedSpans(maxSpans), exporter.WithMaxBufferedBytes(maxBytes))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(proc))
	tracer := tp.Tracer("dead")

	runtime.GC()
	var base runtime.MemStats
	runtime.ReadMemStats(&base)
	payload := string(make([]byte, 4000)) // 4 KB of content per span
	want := map[string]bool{}
	var slowest time.Duration
	var peakHeap uint64
	const traces = 30_000 // 120 MB of span content offered
	for i := 0; i < traces; i++ {
		ctx, root := tracer.Start(context.Background(), "POST /chat")
		_, s := tracer.Start(ctx, "chat m", trace.WithAttributes(attribute.String("gen_ai.operation.name", "chat"), attribute.String("gen_ai.input.messages", payload)))
		t0 := time.Now()
		s.End()
		root.End()
		if d := time.Since(t0); d > slowest {
			slowest = d
		}
		want[semconv.MessageID(root.SpanContext().TraceID())] = true
		want[semconv.RecordID(s.SpanContext().TraceID(), s.SpanContext().SpanID())] = true
		if i%5000 == 0 {
			runtime.GC()
			var m runtime.MemStats
			runtime.ReadMemStats(&m)
			peakHeap = max(peakHeap, m.HeapAlloc)
			if st := proc.Stats(); st.HeldSpans > maxSpans*3/2 || st.HeldBytes > maxBytes*3/2 {
				t.Errorf("held %d spans, %d bytes: over 1.5 × the bounds", st.HeldSpans, st.HeldBytes)
			}
		}
	}
	// The API stays down until some delivery has run out of its retry budget: offering the
	// spans can take less time than that budget on a fast run.
	for deadline := time.Now().Add(20 * time.Second); exp.Stats().Failed == 0 && time.Now().Before(deadline); {
		time.Sleep(20 * time.Millisecond)
	}
	// The API comes back: what is still held, and what comes from now on, arrives.
	srv := startServe(t, "--listen", addr)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if err := tp.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}

	got := srv.ids(t)
	missing := 0
	for id := range want {
		if !got[id] {
			missing++
		}
	}
	ps, es := proc.Stats(), exp.Stats()
	growth := int64(peakHeap) - int64(base.HeapAlloc)
	t.Logf("dead API: slowest span.End %v; heap growth %d MiB (bounds: %d spans, %d MiB); processor %+v; exporter %+v; %d of %d records received, %d missing",
		slowest, growth>>20, maxSpans, maxBytes>>20, ps, es, len(got), len(want), missing)
	if slowest > time.Second {
		t.Errorf("span.End blocked for %v", slowest)
	}
	// 1.5 × the byte bound for held spans, plus the records of a delivery round in flight.
	if growth > 64<<20 {
		t.Errorf("heap grew by %d MiB with a 8 MiB buffer bound", growth>>20)
	}
	if ps.DroppedTraces == 0 || es.Failed == 0 || len(got) == 0 {
		t.Errorf("the run must exercise drops, failures and recovery: %+v %+v", ps, es)
	}
	// Each trace is two records; a dropped trace loses both, a failed record itself.
	if counted := int(es.Failed) + 2*int(ps.DroppedTraces); counted != missing {
		t.Errorf("%d records never arrived but %d were counted (%d failed + 2 × %d traces dropped)", missing, counted, es.Failed, ps.DroppedTraces)
	}
}
