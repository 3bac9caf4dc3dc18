package tracebridgeexporter

import (
	"context"
	"encoding/json"
	"net"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/collector/internal/chatturn"
	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/semconv"
	"github.com/tracebridge/tracebridge/traceapi"
)

// startAPI runs the local trace API in-process on a free loopback port.
func startAPI(t *testing.T, token string) *traceapi.Running {
	t.Helper()
	srv, err := traceapi.Start(context.Background(), "127.0.0.1:0", traceapi.Config{Token: token})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = srv.Close() })
	return srv
}

// newPush returns a started exporter posting to url; change adjusts its configuration.
func newPush(t *testing.T, url string, change func(*Config)) *tbExporter {
	t.Helper()
	cfg := createDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = url
	if change != nil {
		change(cfg)
	}
	if err := cfg.Validate(); err != nil {
		t.Fatal(err)
	}
	e, err := newExporter(cfg, exportertest.NewNopSettings(componentType))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.start(context.Background(), componenttest.NewNopHost()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = e.shutdown(context.Background()) })
	return e
}

func records(t *testing.T, srv *traceapi.Running, tid pcommon.TraceID) []record.Record {
	t.Helper()
	raws, err := srv.Server().Records(context.Background(), traceapi.Filter{InteractionID: semconv.InteractionID(trace.TraceID(tid))})
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

// count returns the number of lanes.
func (ls *lanes) count() int {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	return len(ls.byKey)
}

func stats(t *testing.T, srv *traceapi.Running) traceapi.Stats {
	t.Helper()
	s, err := srv.Server().Stats(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// checkTurn asserts the final records of chatTrace: one message, the retrieval and the
// generation under it, nothing provisional.
func checkTurn(t *testing.T, recs []record.Record, tid pcommon.TraceID) {
	t.Helper()
	msgID := semconv.MessageID(trace.TraceID(tid))
	tasks := map[record.Task]int{}
	for _, r := range recs {
		tasks[r.Task]++
		if r.Metadata[record.MetaProvisional] != nil {
			t.Errorf("%s record %s is still provisional", r.Task, r.TraceID)
		}
		switch {
		case r.Task == record.TaskMessage && (r.TraceID != msgID || r.ParentID != ""):
			t.Errorf("message: id %s parent %q, want id %s and no parent", r.TraceID, r.ParentID, msgID)
		case r.Task != record.TaskMessage && r.ParentID != msgID:
			t.Errorf("%s parent = %q, want the message %s", r.Task, r.ParentID, msgID)
		}
	}
	if len(recs) != 3 || tasks[record.TaskMessage] != 1 || tasks[record.TaskRetrieval] != 1 || tasks[record.TaskGeneration] != 1 {
		t.Errorf("records by task: %v (%d records), want one message, retrieval and generation", tasks, len(recs))
	}
}

func TestPushWholeTraceAndRetry(t *testing.T) {
	srv := startAPI(t, "")
	e := newPush(t, srv.URL(), nil)
	tid := pcommon.TraceID{0xa1, 1}
	td := chatturn.Trace(tid, chatturn.Root, chatturn.Retrieval, chatturn.Chat)
	if err := e.pushTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	checkTurn(t, records(t, srv, tid), tid)
	before := stats(t, srv).Received

	// exporterhelper gives a batch again after a failure: what was delivered is not re-sent.
	if err := e.pushTraces(context.Background(), td); err != nil {
		t.Fatal(err)
	}
	if got := stats(t, srv).Received; got != before {
		t.Errorf("the same batch again posted %d more records, want none", got-before)
	}
}

// With capture_content off, the records arrive whole but for what people wrote and read.
func TestCaptureContentOff(t *testing.T) {
	srv := startAPI(t, "")
	e := newPush(t, srv.URL(), func(c *Config) { c.CaptureContent = false })
	tid := pcommon.TraceID{0xa1, 7}
	if err := e.pushTraces(context.Background(), chatturn.Trace(tid, chatturn.Root, chatturn.Retrieval, chatturn.Chat)); err != nil {
		t.Fatal(err)
	}
	recs := records(t, srv, tid)
	checkTurn(t, recs, tid)
	for _, r := range recs {
		if r.Input != "" || r.Output != "" || r.Custom != "" || r.FeedbackText != "" {
			t.Errorf("%s record carries content: input %q output %q", r.Task, r.Input, r.Output)
		}
		if r.Task == record.TaskGeneration && r.Metadata[record.MetaModel] == nil {
			t.Errorf("generation lost its model: %v", r.Metadata)
		}
	}
}

func TestPushTraceInPieces(t *testing.T) {
	srv := startAPI(t, "")
	e := newPush(t, srv.URL(), nil)
	tid := pcommon.TraceID{0xa2, 2}
	// Children end first and often come in an earlier batch than their root.
	if err := e.pushTraces(context.Background(), chatturn.Trace(tid, chatturn.Chat, chatturn.Retrieval)); err != nil {
		t.Fatal(err)
	}
	// The message stands in for the root not seen yet, so that the steps have a parent.
	first := records(t, srv, tid)
	provisional := 0
	for _, r := range first {
		if r.Task == record.TaskMessage && r.Metadata[record.MetaProvisional] == true {
			provisional++
		}
	}
	if len(first) != 3 || provisional != 1 {
		t.Fatalf("first batch: want a provisional message and the two steps, got %d records (%d provisional messages)", len(first), provisional)
	}
	if err := e.pushTraces(context.Background(), chatturn.Trace(tid, chatturn.Root)); err != nil {
		t.Fatal(err)
	}
	checkTurn(t, records(t, srv, tid), tid)
	if s := stats(t, srv); s.Duplicates == 0 {
		t.Errorf("the root's batch re-sent nothing: %+v", s)
	}
}

func TestPushErrors(t *testing.T) {
	srv := startAPI(t, testKey)
	tid := pcommon.TraceID{0xa3, 3}
	td := chatturn.Trace(tid, chatturn.Root, chatturn.Chat)

	err := newPush(t, srv.URL(), func(c *Config) { c.APIKey = "wrong" }).pushTraces(context.Background(), td)
	if !consumererror.IsPermanent(err) || !strings.Contains(err.Error(), "401") {
		t.Errorf("wrong key: err = %v, want a permanent 401", err)
	}

	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	down := "http://" + ln.Addr().String()
	ln.Close()
	err = newPush(t, down, func(c *Config) { c.APIKey = testKey }).pushTraces(context.Background(), td)
	if err == nil || consumererror.IsPermanent(err) {
		t.Errorf("API down: err = %v, want a retryable error", err)
	}
	if err != nil && strings.Contains(err.Error(), testKey) {
		t.Errorf("the error shows the API key: %v", err)
	}
}

func TestAPIKeyFromMetadata(t *testing.T) {
	const tenantA = "tenant-a:0123456789abcdef"
	srv := startAPI(t, tenantA)
	e := newPush(t, srv.URL(), func(c *Config) { c.APIKeyFromMetadata = "X-API-Key"; c.APIKey = "fallback" })
	withKey := func(key string) context.Context {
		return client.NewContext(context.Background(), client.Info{Metadata: client.NewMetadata(map[string][]string{"x-api-key": {key}})})
	}

	a := pcommon.TraceID{0xa4, 4}
	if err := e.pushTraces(withKey(tenantA), chatturn.Trace(a, chatturn.Root, chatturn.Chat)); err != nil {
		t.Fatalf("tenant A: %v", err)
	}
	if n := len(records(t, srv, a)); n != 2 {
		t.Errorf("tenant A: %d records stored, want 2", n)
	}
	for name, ctx := range map[string]context.Context{
		"another tenant's key": withKey("tenant-b:fedcba9876543210"),
		"no key: the fallback": context.Background(),
	} {
		b := pcommon.TraceID{0xb4, byte(len(name))}
		err := e.pushTraces(ctx, chatturn.Trace(b, chatturn.Root, chatturn.Chat))
		if !consumererror.IsPermanent(err) {
			t.Errorf("%s: err = %v, want permanent (401)", name, err)
		}
		if n := len(records(t, srv, b)); n != 0 {
			t.Errorf("%s: %d records stored", name, n)
		}
	}
	err := e.pushTraces(withKey("bad\x01key"), chatturn.Trace(pcommon.TraceID{0xc4}, chatturn.Root, chatturn.Chat))
	if !consumererror.IsPermanent(err) || strings.Contains(err.Error(), "bad\x01key") {
		t.Errorf("invalid key: err = %v, want permanent, without the value", err)
	}
	if n := e.lanes.count(); n != 3 {
		t.Errorf("%d lanes, want one per key used (3)", n)
	}
	// Once their traces' linger is over, idle lanes are dropped.
	e.lanes.sweep(time.Now().Add(3 * e.linger()))
	if n := e.lanes.count(); n != 0 {
		t.Errorf("%d lanes after the sweep, want 0", n)
	}
}
