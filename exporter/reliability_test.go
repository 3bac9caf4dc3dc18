package exporter_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/tracebridge/tracebridge/exporter"
	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/traceapi"
)

// contentSpans returns one trace (message + generation) whose content holds s everywhere a
// user's data can be: messages, system instructions, and the root's attributes.
func contentSpans(s string) []sdktrace.ReadOnlySpan {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	_, span := tp.Tracer("t").Start(context.Background(), "chat m")
	span.SetAttributes(attribute.String("gen_ai.operation.name", "chat"), attribute.String("gen_ai.request.model", "m"),
		attribute.String("gen_ai.system_instructions", "Never reveal "+s),
		attribute.String("gen_ai.input.messages", `[{"role":"user","content":"my secret is `+s+`"}]`),
		attribute.String("gen_ai.output.messages", `[{"role":"assistant","content":"you said `+s+`"}]`))
	span.End()
	return rec.Ended()
}

// allBodies returns every stored record exactly as the server received it.
func allBodies(t *testing.T, a *api) string {
	t.Helper()
	raws, err := a.srv.Records(context.Background(), traceapi.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, r := range raws {
		b.Write(r)
	}
	return b.String()
}

func TestCaptureContentOffKeepsContentInProcess(t *testing.T) {
	const sentinel = "SENTINEL-7f3a9c"
	a := newAPI(t, traceapi.Config{}, nil)
	exp := newExporter(t, exporter.WithEndpoint(a.ts.URL), exporter.WithCaptureContent(false))
	if err := exp.ExportSpans(context.Background(), contentSpans(sentinel)); err != nil {
		t.Fatal(err)
	}
	wire := allBodies(t, a)
	if len(a.records(t)) != 2 {
		t.Fatalf("records must still be sent, without content: %s", wire)
	}
	if strings.Contains(wire, sentinel) {
		t.Fatalf("content left the process with capture off: %s", wire)
	}
	if !strings.Contains(wire, `"model":"m"`) {
		t.Errorf("metadata must still go: %s", wire)
	}
}

func TestCaptureContentFromEnvironment(t *testing.T) {
	const sentinel = "SENTINEL-env-41"
	t.Setenv("TRACEBRIDGE_CAPTURE_CONTENT", "false")
	a := newAPI(t, traceapi.Config{}, nil)
	exp := newExporter(t, exporter.WithEndpoint(a.ts.URL))
	if err := exp.ExportSpans(context.Background(), contentSpans(sentinel)); err != nil {
		t.Fatal(err)
	}
	if wire := allBodies(t, a); strings.Contains(wire, sentinel) || wire == "" {
		t.Fatalf("TRACEBRIDGE_CAPTURE_CONTENT=false not honoured: %s", wire)
	}
}

func TestRedactHook(t *testing.T) {
	const sentinel = "SENTINEL-redact-9"
	a := newAPI(t, traceapi.Config{}, nil)
	exp := newExporter(t, exporter.WithEndpoint(a.ts.URL), exporter.WithRedact(func(r *record.Record) {
		r.Input = strings.ReplaceAll(r.Input, sentinel, "[masked]")
		r.Output = strings.ReplaceAll(r.Output, sentinel, "[masked]")
	}))
	if err := exp.ExportSpans(context.Background(), contentSpans(sentinel)); err != nil {
		t.Fatal(err)
	}
	wire := allBodies(t, a)
	if strings.Contains(wire, sentinel) || !strings.Contains(wire, "[masked]") {
		t.Fatalf("redaction not applied before encoding: %s", wire)
	}
}

// TestPermanentErrors checks each answer that is final: the error the user sees, one
// attempt per record, and the API key nowhere in errors or logs.
func TestPermanentErrors(t *testing.T) {
	forbid := func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, `{"status":403,"error":"key not allowed for this project"}`, http.StatusForbidden)
		})
	}
	cases := []struct {
		name  string
		cfg   traceapi.Config
		wrap  func(http.Handler) http.Handler
		opts  []exporter.Option
		spans []sdktrace.ReadOnlySpan
		want  []string
	}{
		{"400", traceapi.Config{}, nil,
			[]exporter.Option{exporter.WithRedact(func(r *record.Record) { r.ConversationID = "" })}, chatSpans(1),
			[]string{"HTTP 400 Bad Request", "conversation_id: must not be null"}},
		{"401", traceapi.Config{Token: "the-right-token"}, nil, nil, chatSpans(1),
			[]string{"HTTP 401 Unauthorized", "invalid or missing token"}},
		{"403", traceapi.Config{}, forbid, nil, chatSpans(1),
			[]string{"HTTP 403 Forbidden", "key not allowed"}},
		{"413", traceapi.Config{MaxBodyBytes: 1500}, nil, nil, contentSpans(strings.Repeat("x", 100_000)),
			[]string{"HTTP 413 Request Entity Too Large", "larger than the limit of 1500 bytes"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var calls atomic.Int64
			wrap := func(h http.Handler) http.Handler {
				if c.wrap != nil {
					h = c.wrap(h)
				}
				return countRequests(h, &calls)
			}
			a := newAPI(t, c.cfg, wrap)
			var logs bytes.Buffer
			opts := append([]exporter.Option{exporter.WithEndpoint(a.ts.URL), exporter.WithAPIKey(testKey),
				exporter.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))),
				fastRetry(5 * time.Second)}, c.opts...)
			exp := newExporter(t, opts...)
			err := exp.ExportSpans(context.Background(), c.spans)
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("the error must say %q: %v", w, err)
				}
			}
			maxCalls := int64(2) // one request per record
			if c.name == "413" {
				maxCalls = 4 // and one more, shrunk, per record
			}
			if calls.Load() > maxCalls {
				t.Errorf("a final answer must not be retried: %d requests", calls.Load())
			}
			assertNoKey(t, err.Error(), logs.String())
		})
	}
}

func assertNoKey(t *testing.T, outputs ...string) {
	t.Helper()
	secret := strings.SplitN(testKey, ":", 2)[1]
	for _, out := range outputs {
		if strings.Contains(out, secret) || strings.Contains(out, testKey[:36]) {
			t.Fatalf("API key leaked in: %s", out)
		}
	}
}

func TestOversizedRecordIsShrunkNotLost(t *testing.T) {
	a := newAPI(t, traceapi.Config{MaxBodyBytes: 40_000}, nil)
	exp := newExporter(t, exporter.WithEndpoint(a.ts.URL))
	if err := exp.ExportSpans(context.Background(), contentSpans(strings.Repeat("y", 100_000))); err != nil {
		t.Fatal(err)
	}
	recs := a.records(t)
	if len(recs) != 2 {
		t.Fatalf("got %d records", len(recs))
	}
	for _, r := range recs {
		if r.Task == record.TaskGeneration && (!strings.Contains(r.Input, "…[truncated ") || r.Metadata["truncated"] != true) {
			t.Errorf("the shrunk record must show the cut: %q…, %v", r.Input[:40], r.Metadata)
		}
	}
}

func TestMaxRecordBytesShrinksBeforeSending(t *testing.T) {
	var largest atomic.Int64
	a := newAPI(t, traceapi.Config{}, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.ContentLength > largest.Load() {
				largest.Store(r.ContentLength)
			}
			h.ServeHTTP(w, r)
		})
	})
	exp := newExporter(t, exporter.WithEndpoint(a.ts.URL), exporter.WithMaxRecordBytes(8192))
	if err := exp.ExportSpans(context.Background(), contentSpans(strings.Repeat("z", 50_000))); err != nil {
		t.Fatal(err)
	}
	if largest.Load() > 8192 {
		t.Errorf("a body of %d bytes went out with a limit of 8192", largest.Load())
	}
}

// TestThrottlePausesAllWorkers: one 429 with Retry-After holds back every request, not only
// the one that got it.
func TestThrottlePausesAllWorkers(t *testing.T) {
	var (
		mu       sync.Mutex
		throttle time.Time // when the 429 was sent
		arrivals []time.Time
	)
	a := newAPI(t, traceapi.Config{}, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			first := throttle.IsZero()
			if first {
				throttle = time.Now()
			} else {
				arrivals = append(arrivals, time.Now())
			}
			mu.Unlock()
			if first {
				w.Header().Set("Retry-After", "1")
				http.Error(w, "slow down", http.StatusTooManyRequests)
				return
			}
			h.ServeHTTP(w, r)
		})
	})
	exp := newExporter(t, exporter.WithEndpoint(a.ts.URL), exporter.WithConcurrency(8),
		exporter.WithRetry(exporter.RetryConfig{Enabled: true, InitialInterval: 5 * time.Millisecond, MaxInterval: 5 * time.Second, MaxElapsedTime: 10 * time.Second}))
	one := record.Record{TraceID: "first", ConversationID: "c", InteractionID: "i", Task: record.TaskMessage}
	done := make(chan error, 1)
	go func() { done <- exp.Send(context.Background(), []record.Record{one}) }()
	// Other workers start while the first waits out its Retry-After.
	time.Sleep(100 * time.Millisecond)
	if err := exp.ExportSpans(context.Background(), chatSpans(4)); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if n := len(a.records(t)); n != 9 {
		t.Fatalf("got %d records", n)
	}
	mu.Lock()
	defer mu.Unlock()
	if len(arrivals) != 9 {
		t.Fatalf("%d requests after the 429", len(arrivals))
	}
	for _, at := range arrivals {
		if d := at.Sub(throttle); d < 900*time.Millisecond {
			t.Fatalf("a request arrived %v after the 429 with Retry-After: 1", d)
		}
	}
}

func TestMetrics(t *testing.T) {
	reader := sdkmetric.NewManualReader()
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(reader))
	a := newAPI(t, traceapi.Config{Token: "right"}, failFirst(1, http.StatusServiceUnavailable, "0"))
	exp := newExporter(t, exporter.WithEndpoint(a.ts.URL), exporter.WithAPIKey("right"), exporter.WithMeterProvider(mp),
		exporter.WithConcurrency(1), fastRetry(5*time.Second))
	if err := exp.ExportSpans(context.Background(), chatSpans(2)); err != nil {
		t.Fatal(err)
	}
	bad := newExporter(t, exporter.WithEndpoint(a.ts.URL), exporter.WithAPIKey(testKey), exporter.WithMeterProvider(mp))
	_ = bad.ExportSpans(context.Background(), chatSpans(1))

	var rm metricdata.ResourceMetrics
	if err := reader.Collect(context.Background(), &rm); err != nil {
		t.Fatal(err)
	}
	sums := map[string]int64{}
	durations := uint64(0)
	dump, _ := json.Marshal(rm)
	assertNoKey(t, string(dump))
	for _, sm := range rm.ScopeMetrics {
		for _, m := range sm.Metrics {
			switch d := m.Data.(type) {
			case metricdata.Sum[int64]:
				for _, p := range d.DataPoints {
					key := m.Name
					if r, ok := p.Attributes.Value("reason"); ok {
						key += "{" + r.AsString() + "}"
					}
					sums[key] += p.Value
				}
			case metricdata.Histogram[float64]:
				for _, p := range d.DataPoints {
					durations += p.Count
				}
			}
		}
	}
	want := map[string]int64{
		"tracebridge.records.sent":             4,
		"tracebridge.requests.retried":         1,
		"tracebridge.records.failed{rejected}": 2,
	}
	for k, v := range want {
		if sums[k] != v {
			t.Errorf("%s = %d, want %d (all: %v)", k, sums[k], v, sums)
		}
	}
	if durations != 7 { // 4 accepted + 1 retried 503 + 2 refused
		t.Errorf("request durations recorded: %d, want 7", durations)
	}
}

func TestPlainHTTPToRemoteHostIsRefused(t *testing.T) {
	_, err := exporter.New(context.Background(), exporter.WithEndpoint("http://api.example.com"), exporter.WithAPIKey(testKey))
	if err == nil || !strings.Contains(err.Error(), "unencrypted") {
		t.Fatalf("want a refusal, got %v", err)
	}
	assertNoKey(t, err.Error())
	for _, ok := range []string{"http://127.0.0.1:8400", "http://localhost:8400", "http://[::1]:8400"} {
		if _, err := exporter.New(context.Background(), exporter.WithEndpoint(ok)); err != nil {
			t.Errorf("%s: loopback must be allowed: %v", ok, err)
		}
	}
	if _, err := exporter.New(context.Background(), exporter.WithEndpoint("http://api.example.com"), exporter.WithInsecure(true)); err != nil {
		t.Errorf("WithInsecure must allow it: %v", err)
	}
}

func TestShutdownUnderLoadCountsWhatIsLeft(t *testing.T) {
	a := newAPI(t, traceapi.Config{}, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			time.Sleep(50 * time.Millisecond)
			h.ServeHTTP(w, r)
		})
	})
	exp := newExporter(t, exporter.WithEndpoint(a.ts.URL), exporter.WithConcurrency(2))
	proc := exporter.NewProcessor(exp)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(proc))
	for i := 0; i < 100; i++ {
		_, s := tp.Tracer("t").Start(context.Background(), fmt.Sprintf("chat %d", i))
		s.SetAttributes(attribute.String("gen_ai.operation.name", "chat"))
		s.End()
	}
	ctx, cancel := context.WithTimeout(context.Background(), 300*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := tp.Shutdown(ctx)
	if err == nil {
		t.Fatal("200 records at 2 × 20/s cannot all go in 300ms: Shutdown must report it")
	}
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("Shutdown took %v past its deadline", took)
	}
	time.Sleep(200 * time.Millisecond) // anything still running would land now
	st := exp.Stats()
	got := int64(len(a.records(t)))
	if st.Sent+st.Failed != st.Records || st.Failed == 0 {
		t.Errorf("every record counted once: %+v", st)
	}
	// A request cut off by the deadline may have been stored before its answer was lost:
	// at most one per worker is counted as failed yet received.
	if got < st.Sent || got > st.Sent+2 {
		t.Errorf("the server holds %d records, the exporter counted %d sent", got, st.Sent)
	}
}

func TestSecretNeverFormats(t *testing.T) {
	// A panic or a debug print of the options must not show the key.
	opt := exporter.WithAPIKey(testKey)
	for _, s := range []string{fmt.Sprintf("%v", opt), fmt.Sprintf("%+v", opt), fmt.Sprintf("%#v", opt)} {
		assertNoKey(t, s)
	}
}
