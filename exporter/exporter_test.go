package exporter_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"io"
	"log"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/tracebridge/tracebridge/exporter"
	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/traceapi"
)

const testKey = "0f8e2c1a-9d3b-4c5e-8f7a-6b5c4d3e2f1a:" + "5e1f0b3d8a7c6e9f2b4d1a0c3e5f7b9d2a4c6e8f0b1d3f5a7c9e1b3d5f7a9c1e"

// api is a real trace API server (package traceapi) on a loopback port, optionally behind a
// middleware that injects faults in front of it.
type api struct {
	srv *traceapi.Server
	ts  *httptest.Server
}

func newAPI(t *testing.T, cfg traceapi.Config, wrap func(http.Handler) http.Handler, setup ...func(*http.Server)) *api {
	t.Helper()
	srv, err := traceapi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	var h http.Handler = srv
	if wrap != nil {
		h = wrap(h)
	}
	ts := httptest.NewUnstartedServer(h)
	for _, f := range setup {
		f(ts.Config)
	}
	ts.Start()
	t.Cleanup(ts.Close)
	return &api{srv: srv, ts: ts}
}

func (a *api) records(t *testing.T) []record.Record {
	t.Helper()
	raws, err := a.srv.Records(context.Background(), traceapi.Filter{})
	if err != nil {
		t.Fatal(err)
	}
	out := make([]record.Record, len(raws))
	for i, raw := range raws {
		if err := json.Unmarshal(raw, &out[i]); err != nil {
			t.Fatal(err)
		}
	}
	return out
}

// chatSpans returns n ended root chat spans (each its own trace: message + generation).
func chatSpans(n int) []sdktrace.ReadOnlySpan {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	for i := 0; i < n; i++ {
		_, s := tp.Tracer("t").Start(context.Background(), "chat m")
		s.SetAttributes(attribute.String("gen_ai.operation.name", "chat"), attribute.String("gen_ai.request.model", "m"))
		s.End()
	}
	return rec.Ended()
}

func newExporter(t testing.TB, opts ...exporter.Option) *exporter.Exporter {
	t.Helper()
	quiet := exporter.WithLogger(slog.New(slog.DiscardHandler))
	exp, err := exporter.New(context.Background(), append([]exporter.Option{quiet}, opts...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = exp.Shutdown(context.Background()) })
	return exp
}

func fastRetry(budget time.Duration) exporter.Option {
	return exporter.WithRetry(exporter.RetryConfig{Enabled: true, InitialInterval: 5 * time.Millisecond, MaxInterval: 20 * time.Millisecond, MaxElapsedTime: budget})
}

func TestExportDeliversWithToken(t *testing.T) {
	a := newAPI(t, traceapi.Config{Token: testKey}, nil)
	exp := newExporter(t, exporter.WithEndpoint(a.ts.URL+"/v1/"), exporter.WithAPIKey(testKey))
	if err := exp.ExportSpans(context.Background(), chatSpans(3)); err != nil {
		t.Fatal(err)
	}
	got := a.records(t)
	if len(got) != 6 {
		t.Fatalf("want 3 messages + 3 generations, got %d", len(got))
	}
	if st := exp.Stats(); st.Sent != 6 || st.Failed != 0 || st.Records != 6 {
		t.Errorf("stats %+v", st)
	}
}

func TestWrongKeyIsPermanentAndNeverShown(t *testing.T) {
	var calls atomic.Int64
	a := newAPI(t, traceapi.Config{Token: "the-right-token"}, func(h http.Handler) http.Handler { return countRequests(h, &calls) })
	var logs bytes.Buffer
	exp := newExporter(t, exporter.WithEndpoint(a.ts.URL), exporter.WithAPIKey(testKey),
		exporter.WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))), fastRetry(time.Second))
	err := exp.ExportSpans(context.Background(), chatSpans(1))
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(err.Error(), "2 of 2 records not delivered") {
		t.Fatalf("want a 401 error counting both records, got %v", err)
	}
	if calls.Load() != 2 {
		t.Errorf("a 401 must not be retried: %d requests for 2 records", calls.Load())
	}
	secret := strings.SplitN(testKey, ":", 2)[1]
	for _, out := range []string{err.Error(), logs.String()} {
		if strings.Contains(out, secret) || strings.Contains(out, testKey[:36]) {
			t.Fatalf("API key leaked: %s", out)
		}
	}
	if exp.Stats().Failed != 2 {
		t.Errorf("stats %+v", exp.Stats())
	}
}

func countRequests(h http.Handler, n *atomic.Int64) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		h.ServeHTTP(w, r)
	})
}

// failFirst answers code to the first n POSTs, then passes requests to the real server.
func failFirst(n int64, code int, retryAfter string) func(http.Handler) http.Handler {
	var seen atomic.Int64
	return func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && seen.Add(1) <= n {
				if retryAfter != "" {
					w.Header().Set("Retry-After", retryAfter)
				}
				http.Error(w, "injected failure", code)
				return
			}
			h.ServeHTTP(w, r)
		})
	}
}

func TestTransientFailuresAreRetried(t *testing.T) {
	for _, code := range []int{429, 500, 502, 503, 504} {
		t.Run(http.StatusText(code), func(t *testing.T) {
			a := newAPI(t, traceapi.Config{}, failFirst(3, code, "0"))
			exp := newExporter(t, exporter.WithEndpoint(a.ts.URL), exporter.WithConcurrency(1), fastRetry(10*time.Second))
			if err := exp.ExportSpans(context.Background(), chatSpans(1)); err != nil {
				t.Fatal(err)
			}
			if n := len(a.records(t)); n != 2 {
				t.Errorf("got %d records", n)
			}
		})
	}
}

func TestRetryStopsAtBudget(t *testing.T) {
	a := newAPI(t, traceapi.Config{}, failFirst(1<<40, http.StatusServiceUnavailable, ""))
	exp := newExporter(t, exporter.WithEndpoint(a.ts.URL), fastRetry(200*time.Millisecond))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	err := exp.ExportSpans(ctx, chatSpans(1))
	if err == nil || !strings.Contains(err.Error(), "503") || !strings.Contains(err.Error(), "attempts") {
		t.Fatalf("want the final 503 with its attempt count, got %v", err)
	}
	if ctx.Err() != nil {
		t.Fatal("the retry budget did not stop the retries before the context's deadline")
	}
}

func TestOneBadRecordDoesNotStopTheRest(t *testing.T) {
	a := newAPI(t, traceapi.Config{}, nil)
	exp := newExporter(t, exporter.WithEndpoint(a.ts.URL))
	good := func(id string) record.Record {
		return record.Record{TraceID: id, ConversationID: "c", InteractionID: "i", Task: record.TaskMessage}
	}
	bad := record.Record{TraceID: "bad", InteractionID: "i", Task: record.TaskMessage} // no conversation_id
	err := exp.Send(context.Background(), []record.Record{good("a"), bad, good("b")})
	if err == nil || !strings.Contains(err.Error(), "1 of 3") || !strings.Contains(err.Error(), "conversation_id") {
		t.Fatalf("want one failure naming conversation_id, got %v", err)
	}
	if n := len(a.records(t)); n != 2 {
		t.Errorf("the two good records must arrive, got %d", n)
	}
}

func TestConcurrencyIsBoundedAndConnectionsReused(t *testing.T) {
	var inflight, peak, conns atomic.Int64
	a := newAPI(t, traceapi.Config{}, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			n := inflight.Add(1)
			for {
				p := peak.Load()
				if n <= p || peak.CompareAndSwap(p, n) {
					break
				}
			}
			time.Sleep(2 * time.Millisecond)
			h.ServeHTTP(w, r)
			inflight.Add(-1)
		})
	}, func(s *http.Server) {
		s.ConnState = func(_ net.Conn, s http.ConnState) {
			if s == http.StateNew {
				conns.Add(1)
			}
		}
	})
	exp := newExporter(t, exporter.WithEndpoint(a.ts.URL), exporter.WithConcurrency(4))
	var wg sync.WaitGroup
	for i := 0; i < 4; i++ { // concurrent exports share the same bound
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := exp.ExportSpans(context.Background(), chatSpans(25)); err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if n := len(a.records(t)); n != 200 {
		t.Fatalf("got %d records", n)
	}
	if peak.Load() > 4 || peak.Load() < 2 {
		t.Errorf("peak concurrency %d, want 2..4", peak.Load())
	}
	// A connection goes back to the pool just after its worker's slot is freed, so the next
	// request may dial one more now and then; without keep-alive it would be ~200.
	if conns.Load() > 8 {
		t.Errorf("%d connections for 200 requests at concurrency 4: keep-alive is not working", conns.Load())
	}
}

func TestShutdown(t *testing.T) {
	var calls atomic.Int64
	a := newAPI(t, traceapi.Config{}, func(h http.Handler) http.Handler { return countRequests(h, &calls) })
	exp := newExporter(t, exporter.WithEndpoint(a.ts.URL))
	if err := exp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if err := exp.Shutdown(context.Background()); err != nil {
		t.Fatal("second Shutdown:", err)
	}
	if err := exp.ExportSpans(context.Background(), chatSpans(1)); !errors.Is(err, exporter.ErrShutdown) {
		t.Fatalf("export after shutdown: %v", err)
	}
	if calls.Load() != 0 {
		t.Errorf("export after shutdown sent %d requests", calls.Load())
	}
}

func TestShutdownWaitsForExportInFlight(t *testing.T) {
	release := make(chan struct{})
	a := newAPI(t, traceapi.Config{}, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			<-release
			h.ServeHTTP(w, r)
		})
	})
	exp := newExporter(t, exporter.WithEndpoint(a.ts.URL))
	done := make(chan error, 1)
	go func() { done <- exp.ExportSpans(context.Background(), chatSpans(1)) }()
	time.Sleep(20 * time.Millisecond)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	if err := exp.Shutdown(ctx); err == nil {
		t.Fatal("Shutdown returned before the export in flight finished")
	}
	close(release)
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if err := exp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if n := len(a.records(t)); n != 2 {
		t.Errorf("got %d records", n)
	}
}

func TestTLS(t *testing.T) {
	srv, err := traceapi.New(traceapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewUnstartedServer(srv)
	ts.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is expected
	ts.StartTLS()
	defer ts.Close()

	// Unknown CA: refused at once, not retried until the budget runs out.
	exp := newExporter(t, exporter.WithEndpoint(ts.URL), fastRetry(time.Minute))
	err = exp.ExportSpans(context.Background(), chatSpans(1))
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Fatalf("want a certificate error, got %v", err)
	}

	pool := x509.NewCertPool()
	pool.AddCert(ts.Certificate())
	exp = newExporter(t, exporter.WithEndpoint(ts.URL), exporter.WithTLSClientConfig(&tls.Config{RootCAs: pool}))
	if err := exp.ExportSpans(context.Background(), chatSpans(1)); err != nil {
		t.Fatal(err)
	}
	// A user's client keeps its own TLS settings.
	exp = newExporter(t, exporter.WithEndpoint(ts.URL), exporter.WithHTTPClient(ts.Client()))
	if err := exp.ExportSpans(context.Background(), chatSpans(1)); err != nil {
		t.Fatal(err)
	}
}

func TestEnvironmentAndOptions(t *testing.T) {
	var team atomic.Value
	a := newAPI(t, traceapi.Config{Token: testKey}, func(h http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			team.Store(r.Header.Get("x-team"))
			h.ServeHTTP(w, r)
		})
	})
	t.Setenv("NEURALTRUST_API_KEY", testKey)
	t.Setenv("NEURALTRUST_BASE_URL", a.ts.URL+"/v1")
	t.Setenv("TRACEBRIDGE_HEADERS", "x-team=llm%20apps")
	exp := newExporter(t)
	if err := exp.ExportSpans(context.Background(), chatSpans(1)); err != nil {
		t.Fatal(err)
	}
	if team.Load() != "llm apps" {
		t.Errorf("header from TRACEBRIDGE_HEADERS: %v", team.Load())
	}
	// Options win over the environment.
	exp = newExporter(t, exporter.WithAPIKey("wrong"))
	if err := exp.ExportSpans(context.Background(), chatSpans(1)); err == nil || !strings.Contains(err.Error(), "401") {
		t.Fatalf("WithAPIKey must win over NEURALTRUST_API_KEY: %v", err)
	}
}

func TestInvalidConfiguration(t *testing.T) {
	cases := []struct {
		env, val string
		opt      exporter.Option
		want     string
	}{
		{"NEURALTRUST_BASE_URL", "ftp://x", nil, "base URL"},
		{"TRACEBRIDGE_TIMEOUT", "soon", nil, "TRACEBRIDGE_TIMEOUT"},
		{"TRACEBRIDGE_CONCURRENCY", "-1", nil, "TRACEBRIDGE_CONCURRENCY"},
		{"TRACEBRIDGE_CERTIFICATE", "/nonexistent/ca.pem", nil, "TRACEBRIDGE_CERTIFICATE"},
		{"", "", exporter.WithConcurrency(0), "concurrency"},
		{"", "", exporter.WithEndpoint("localhost:8400"), "base URL"},
		{"", "", exporter.WithRetry(exporter.RetryConfig{Enabled: true}), "retry"},
	}
	for _, c := range cases {
		if c.env != "" {
			t.Setenv(c.env, c.val)
		}
		var opts []exporter.Option
		if c.opt != nil {
			opts = append(opts, c.opt)
		}
		_, err := exporter.New(context.Background(), opts...)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s=%s: want an error naming %q, got %v", c.env, c.val, c.want, err)
		}
		if c.env != "" {
			t.Setenv(c.env, "")
		}
	}
}

func TestContextCancelStopsExport(t *testing.T) {
	a := newAPI(t, traceapi.Config{}, failFirst(1<<40, http.StatusServiceUnavailable, "1"))
	exp := newExporter(t, exporter.WithEndpoint(a.ts.URL))
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	err := exp.ExportSpans(ctx, chatSpans(2))
	if err == nil || !strings.Contains(err.Error(), "4 of 4") {
		t.Fatalf("want every record failed when the context ends, got %v", err)
	}
}
