package tracebridgeexporter

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/component/componenttest"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter/exportertest"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/semconv"
)

// The spans of a turn whose content comes as log records: an HTTP root and two chats
// without any content on them.
var (
	askRoot  = pcommon.SpanID{7: 1}
	askChat  = pcommon.SpanID{7: 2}
	askChat2 = pcommon.SpanID{7: 3}
)

func askTrace(tid pcommon.TraceID) ptrace.Traces {
	td := ptrace.NewTraces()
	spans := td.ResourceSpans().AppendEmpty().ScopeSpans().AppendEmpty().Spans()
	add := func(id, parent pcommon.SpanID, name string, start, end int) ptrace.Span {
		sp := spans.AppendEmpty()
		sp.SetTraceID(tid)
		sp.SetSpanID(id)
		sp.SetParentSpanID(parent)
		sp.SetName(name)
		sp.SetStartTimestamp(pcommon.NewTimestampFromTime(logBase.Add(time.Duration(start) * time.Millisecond)))
		sp.SetEndTimestamp(pcommon.NewTimestampFromTime(logBase.Add(time.Duration(end) * time.Millisecond)))
		return sp
	}
	add(askRoot, pcommon.SpanID{}, "POST /ask", 0, 400).SetKind(ptrace.SpanKindServer)
	for _, c := range []struct {
		id         pcommon.SpanID
		start, end int
	}{{askChat, 10, 200}, {askChat2, 210, 390}} {
		sp := add(c.id, askRoot, "chat gpt-4o", c.start, c.end)
		sp.SetKind(ptrace.SpanKindClient)
		sp.Attributes().PutStr("gen_ai.operation.name", "chat")
		sp.Attributes().PutStr("gen_ai.system", "openai")
		sp.Attributes().PutStr("gen_ai.request.model", "gpt-4o")
	}
	return td
}

// askLogs builds the GenAI events of the turn as an OpenAI instrumentation following
// semantic conventions 1.28–1.36 logs them: the prompt of the first chat and its choice,
// the second chat's question, and a log record that is not a GenAI event. late is the
// second chat's choice alone.
func askLogs(tid pcommon.TraceID, late bool) plog.Logs {
	ld := plog.NewLogs()
	sl := ld.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty()
	event := func(sid pcommon.SpanID, ms int, name string) pcommon.Map {
		lr := logAt(sl, tid, sid, ms)
		lr.SetEventName(name)
		lr.Attributes().PutStr("gen_ai.system", "openai")
		return lr.Body().SetEmptyMap()
	}
	if late {
		choice := event(askChat2, 380, "gen_ai.choice")
		choice.PutInt("index", 0)
		choice.PutStr("finish_reason", "stop")
		choice.PutEmptyMap("message").PutStr("content", "56.")
		return ld
	}
	event(askChat, 20, "gen_ai.system.message").PutStr("content", "You are terse.")
	event(askChat, 21, "gen_ai.user.message").PutStr("content", "What is 6 × 7?")
	call := event(askChat, 22, "gen_ai.assistant.message").PutEmptySlice("tool_calls").AppendEmpty().SetEmptyMap()
	call.PutStr("id", "call_1")
	call.PutStr("type", "function")
	fn := call.PutEmptyMap("function")
	fn.PutStr("name", "multiply")
	fn.PutStr("arguments", `{"a":6,"b":7}`)
	tool := event(askChat, 23, "gen_ai.tool.message")
	tool.PutStr("content", "42")
	tool.PutStr("id", "call_1")
	choice := event(askChat, 190, "gen_ai.choice")
	choice.PutInt("index", 0)
	choice.PutStr("finish_reason", "stop")
	choice.PutEmptyMap("message").PutStr("content", "42.")
	event(askChat2, 220, "gen_ai.user.message").PutStr("content", "And 7 × 8?")
	audit := logAt(sl, tid, askRoot, 30)
	audit.SetEventName("app.audit")
	audit.Body().SetStr("not a GenAI event: ignored")
	return ld
}

const (
	askInput = `[{"role":"system","content":"You are terse."},{"role":"user","content":"What is 6 × 7?"},` +
		`{"role":"assistant","tool_calls":[{"id":"call_1","name":"multiply","arguments":"{\"a\":6,\"b\":7}"}]},` +
		`{"role":"tool","content":"42","tool_call_id":"call_1"}]`
	askOutput  = `[{"role":"assistant","content":"42.","finish_reason":"stop"}]`
	askOutput2 = `[{"role":"assistant","content":"56.","finish_reason":"stop"}]`
)

func byRecordID(recs []record.Record) map[string]record.Record {
	m := map[string]record.Record{}
	for _, r := range recs {
		m[r.TraceID] = r
	}
	return m
}

// TestPushLogsJoinSpans: GenAI events logged before their spans wait for them, events logged
// after their span was sent re-send its record, a retried logs batch adds nothing twice, and
// other log records are ignored.
func TestPushLogsJoinSpans(t *testing.T) {
	srv := startAPI(t, "")
	e := newPush(t, srv.URL(), nil)
	tid := pcommon.TraceID{0xd1, 1}
	ctx := context.Background()

	if err := e.pushLogs(ctx, askLogs(tid, false)); err != nil {
		t.Fatal(err)
	}
	if recs := records(t, srv, tid); len(recs) != 0 {
		t.Fatalf("events whose spans are not here yet change no record: %+v", recs)
	}
	if err := e.pushTraces(ctx, askTrace(tid)); err != nil {
		t.Fatal(err)
	}
	id := func(sid pcommon.SpanID) string { return semconv.RecordID(trace.TraceID(tid), trace.SpanID(sid)) }
	byID := byRecordID(records(t, srv, tid))
	if len(byID) != 3 {
		t.Fatalf("want the message and two generations, got %+v", byID)
	}
	if g := byID[id(askChat)]; g.Input != askInput || g.Output != askOutput {
		t.Errorf("generation:\n in %s\nwant %s\nout %s\nwant %s", g.Input, askInput, g.Output, askOutput)
	}
	if g := byID[id(askChat2)]; g.Input != `[{"role":"user","content":"And 7 × 8?"}]` || g.Output != "" {
		t.Errorf("second generation before its choice: in %s out %s", g.Input, g.Output)
	}

	// The second chat's choice after the trace was sent: its record and the message change.
	if err := e.pushLogs(ctx, askLogs(tid, true)); err != nil {
		t.Fatal(err)
	}
	byID = byRecordID(records(t, srv, tid))
	if g := byID[id(askChat2)]; g.Output != askOutput2 {
		t.Errorf("an event after its span was sent must update the record: output %s", g.Output)
	}
	if m := byID[semconv.MessageID(trace.TraceID(tid))]; m.Input != "What is 6 × 7?" || m.Output != "56." {
		t.Errorf("message: in %q out %q", m.Input, m.Output)
	}
	received := stats(t, srv).Received

	// exporterhelper gives a batch again after a failure: nothing is added twice.
	if err := e.pushLogs(ctx, askLogs(tid, true)); err != nil {
		t.Fatal(err)
	}
	if err := e.pushLogs(ctx, askLogs(tid, false)); err != nil {
		t.Fatal(err)
	}
	if got := stats(t, srv).Received; got != received {
		t.Errorf("the same logs again posted %d records, want none", got-received)
	}
	if g := byRecordID(records(t, srv, tid))[id(askChat)]; g.Input != askInput {
		t.Errorf("after the retries: %s", g.Input)
	}

	// Log records that are not GenAI events are not the exporter's: no error even with an
	// invalid tenant key, nothing sent.
	plain := plog.NewLogs()
	logAt(plain.ResourceLogs().AppendEmpty().ScopeLogs().AppendEmpty(), tid, askRoot, 0).Body().SetStr("GET /health 200")
	bad := client.NewContext(ctx, client.Info{Metadata: client.NewMetadata(map[string][]string{"x-api-key": {"bad\x01key"}})})
	if err := e.pushLogs(bad, plain); err != nil {
		t.Errorf("plain logs: %v", err)
	}
	if got := stats(t, srv).Received; got != received {
		t.Errorf("plain logs posted %d records", got-received)
	}
}

// TestPushLogsKeyAndOrphans: a GenAI event needs a valid key like a span; an event whose
// span never comes keeps its lane until its trace is forgotten.
func TestPushLogsKeyAndOrphans(t *testing.T) {
	srv := startAPI(t, "")
	e := newPush(t, srv.URL(), func(c *Config) { c.APIKeyFromMetadata = "x-api-key" })
	bad := client.NewContext(context.Background(), client.Info{Metadata: client.NewMetadata(map[string][]string{"x-api-key": {"bad\x01key"}})})
	if err := e.pushLogs(bad, askLogs(pcommon.TraceID{0xd2}, true)); !consumererror.IsPermanent(err) {
		t.Errorf("invalid key: err = %v, want permanent", err)
	}

	if err := e.pushLogs(context.Background(), askLogs(pcommon.TraceID{0xd3}, true)); err != nil {
		t.Fatal(err)
	}
	e.lanes.sweep(time.Now())
	if n := e.lanes.count(); n != 1 {
		t.Fatalf("a lane holding only events waiting for their span was dropped (%d lanes)", n)
	}
	e.lanes.sweep(time.Now().Add(3 * e.linger()))
	if n := e.lanes.count(); n != 0 {
		t.Errorf("%d lanes once the orphan's trace was forgotten, want 0", n)
	}
}

// TestPushLogsAPIDown: events that change a record that cannot be delivered fail the logs
// batch with a retryable error, so that the queue keeps it.
func TestPushLogsAPIDown(t *testing.T) {
	e := newPush(t, "http://127.0.0.1:1", nil)
	tid := pcommon.TraceID{0xd4}
	if err := e.pushTraces(context.Background(), askTrace(tid)); err == nil {
		t.Fatal("API down: the traces batch must fail")
	}
	err := e.pushLogs(context.Background(), askLogs(tid, true))
	if err == nil || consumererror.IsPermanent(err) {
		t.Errorf("API down: logs err = %v, want a retryable error", err)
	}
}

// TestTracesAndLogsShareTheExporter: the traces and logs exporters the Collector creates from
// one configuration use the same lanes, started once and shut down with the last.
func TestTracesAndLogsShareTheExporter(t *testing.T) {
	f := NewFactory()
	cfg := f.CreateDefaultConfig().(*Config)
	cfg.ClientConfig.Endpoint = "http://127.0.0.1:8400"
	set := exportertest.NewNopSettings(componentType)
	ctx := context.Background()
	te, err := f.CreateTraces(ctx, set, cfg)
	if err != nil {
		t.Fatal(err)
	}
	le, err := f.CreateLogs(ctx, set, cfg)
	if err != nil {
		t.Fatal(err)
	}
	other := f.CreateDefaultConfig().(*Config)
	other.ClientConfig.Endpoint = "http://127.0.0.1:8401"
	oe, err := f.CreateTraces(ctx, set, other)
	if err != nil {
		t.Fatal(err)
	}
	exporters.mu.Lock()
	s, o := exporters.byCfg[cfg], exporters.byCfg[other]
	exporters.mu.Unlock()
	if s == nil || o == nil || s == o || s.refs != 2 || o.refs != 1 {
		t.Fatalf("want one exporter per configuration, shared by its signals: %+v %+v", s, o)
	}
	host := componenttest.NewNopHost()
	if err := te.Start(ctx, host); err != nil {
		t.Fatal(err)
	}
	if err := le.Start(ctx, host); err != nil {
		t.Fatal(err)
	}
	if err := oe.Start(ctx, host); err != nil {
		t.Fatal(err)
	}
	if err := te.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	select {
	case <-s.stop:
		t.Fatal("shut down while its logs side still runs")
	default:
	}
	if err := le.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	<-s.stop
	if err := oe.Shutdown(ctx); err != nil {
		t.Fatal(err)
	}
	exporters.mu.Lock()
	defer exporters.mu.Unlock()
	if len(exporters.byCfg) != 0 {
		t.Errorf("%d exporters left after every shutdown", len(exporters.byCfg))
	}
}
