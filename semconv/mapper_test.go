package semconv_test

import (
	"encoding/json"
	"regexp"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/semconv"
)

var (
	tid   = trace.TraceID{0x4b, 0xf9, 0x2f, 0x35, 0x77, 0xb3, 0x4d, 0xa6, 0xa3, 0xce, 0x92, 0x9d, 0x0e, 0x0e, 0x47, 0x36}
	t0    = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	uuidV = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)
)

func sid(n byte) trace.SpanID { return trace.SpanID{0, 0, 0, 0, 0, 0, 0, n} }

func span(id, parent byte, name string, startMs, endMs int, kv ...attribute.KeyValue) semconv.Span {
	s := semconv.Span{
		TraceID: tid, SpanID: sid(id), Name: name,
		Start:      t0.Add(time.Duration(startMs) * time.Millisecond),
		End:        t0.Add(time.Duration(endMs) * time.Millisecond),
		Attributes: kv,
	}
	if parent != 0 {
		s.ParentSpanID = sid(parent)
	}
	return s
}

// ragTrace is an HTTP server span with a retrieval and a chat below a handler span, and an
// HTTP client span under the chat: the shape of the quickstart.
func ragTrace() []semconv.Span {
	return []semconv.Span{
		span(3, 2, "retrieval kb", 10, 40,
			attribute.String("gen_ai.operation.name", "retrieval"),
			attribute.String("gen_ai.data_source.id", "kb"),
			attribute.String("gen_ai.retrieval.query.text", "What is the refund window?"),
			attribute.String("gen_ai.retrieval.documents", `[{"id":"doc-7","score":0.92,"content":"Refunds within 30 days."}]`),
		),
		span(5, 4, "POST /v1/chat/completions", 55, 300, attribute.String("http.request.method", "POST")),
		span(4, 2, "chat gpt-4o-mini", 50, 310,
			attribute.String("gen_ai.operation.name", "chat"),
			attribute.String("gen_ai.provider.name", "openai"),
			attribute.String("gen_ai.request.model", "gpt-4o-mini"),
			attribute.String("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
			attribute.Int("gen_ai.usage.input_tokens", 120),
			attribute.String("gen_ai.usage.output_tokens", "18"), // OTLP/JSON sends int64 as text
			attribute.StringSlice("gen_ai.response.finish_reasons", []string{"stop"}),
			attribute.String("gen_ai.system_instructions", `[{"type":"text","content":"Be brief."}]`),
			attribute.String("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"What is the refund window?"}]}]`),
			attribute.String("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"30 days."}],"finish_reason":"stop"}]`),
			attribute.String("gen_ai.conversation.id", "conv-42"),
		),
		span(2, 1, "handler", 5, 320),
		span(1, 0, "POST /chat", 0, 330,
			attribute.String("http.request.method", "POST"),
			attribute.String("session.id", "sess-1"),
			attribute.String("user.id", "u-9"),
		),
	}
}

func TestMapTraceRAG(t *testing.T) {
	recs := semconv.MapTrace(ragTrace(), semconv.Options{})
	if len(recs) != 3 {
		t.Fatalf("got %d records, want message, retrieval, generation: %+v", len(recs), recs)
	}
	msg, ret, gen := recs[0], recs[1], recs[2]
	msgID := semconv.MessageID(tid)
	for _, r := range recs {
		if !uuidV.MatchString(r.TraceID) || !uuidV.MatchString(r.InteractionID) {
			t.Errorf("%s: ids %q / %q are not v5 UUIDs", r.Task, r.TraceID, r.InteractionID)
		}
		if r.ConversationID != "conv-42" || r.SessionID != "sess-1" || r.User == nil || r.User.ID != "u-9" {
			t.Errorf("%s: identity not shared across the trace: conv=%q session=%q user=%+v", r.Task, r.ConversationID, r.SessionID, r.User)
		}
		if r.InteractionID != semconv.InteractionID(tid) {
			t.Errorf("%s: interaction %q", r.Task, r.InteractionID)
		}
	}
	if msg.Task != record.TaskMessage || msg.TraceID != msgID || msg.ParentID != "" {
		t.Errorf("message: %+v", msg)
	}
	if msg.Input != "What is the refund window?" || msg.Output != "30 days." {
		t.Errorf("message content from generations: in=%q out=%q", msg.Input, msg.Output)
	}
	if msg.Latency != 330 || msg.StartTimestamp != t0.UnixMilli() || msg.EndTimestamp != t0.UnixMilli()+330 {
		t.Errorf("message times: %d %d %d", msg.StartTimestamp, msg.EndTimestamp, msg.Latency)
	}
	if msg.Metadata["total_tokens"] != int64(138) || msg.Metadata["span_name"] != "POST /chat" {
		t.Errorf("message metadata: %v", msg.Metadata)
	}
	if ret.Task != record.TaskRetrieval || ret.ParentID != msgID || ret.TraceID != semconv.RecordID(tid, sid(3)) {
		t.Errorf("retrieval: %+v", ret)
	}
	if ret.Input != "What is the refund window?" || ret.Output != `[{"id":"doc-7","score":0.92,"content":"Refunds within 30 days."}]` {
		t.Errorf("retrieval content: %q -> %q", ret.Input, ret.Output)
	}
	if gen.Task != record.TaskGeneration || gen.ParentID != msgID || gen.Latency != 260 {
		t.Errorf("generation: %+v", gen)
	}
	wantIn := `[{"role":"system","content":"Be brief."},{"role":"user","content":"What is the refund window?"}]`
	wantOut := `[{"role":"assistant","content":"30 days.","finish_reason":"stop"}]`
	if gen.Input != wantIn || gen.Output != wantOut {
		t.Errorf("generation content:\n in  %s\nwant %s\n out %s\nwant %s", gen.Input, wantIn, gen.Output, wantOut)
	}
	wantMeta := map[string]any{
		"span_name": "chat gpt-4o-mini", "otel_trace_id": tid.String(), "otel_span_id": sid(4).String(),
		"otel_parent_span_id": sid(2).String(), "operation": "chat", "model": "gpt-4o-mini-2024-07-18",
		"provider": "openai", "input_tokens": int64(120), "output_tokens": int64(18), "total_tokens": int64(138),
		"finish_reason": "stop", "status": "ok",
	}
	if !equalJSON(t, gen.Metadata, wantMeta) {
		t.Errorf("generation metadata\n got %v\nwant %v", gen.Metadata, wantMeta)
	}
}

func TestMapTraceIsDeterministic(t *testing.T) {
	a := semconv.MapTrace(ragTrace(), semconv.Options{})
	spans := ragTrace()
	spans[0], spans[4] = spans[4], spans[0] // order of arrival does not matter
	b := semconv.MapTrace(spans, semconv.Options{})
	if !equalJSON(t, a, b) {
		t.Errorf("same spans, different records:\n%v\n%v", a, b)
	}
}

func TestMapTracePartialHangsFromMessage(t *testing.T) {
	// The chat ends in one batch, its agent parent and the root in a later one.
	chat := span(3, 2, "chat m", 10, 20, attribute.String("gen_ai.operation.name", "chat"))
	first := semconv.MapTrace([]semconv.Span{chat}, semconv.Options{})
	if len(first) != 2 || first[1].ParentID != semconv.MessageID(tid) {
		t.Fatalf("partial trace: %+v", first)
	}
	if first[0].Task != record.TaskMessage || first[0].TraceID != semconv.MessageID(tid) || first[0].Metadata["provisional"] != true {
		t.Fatalf("a provisional message must stand in for the root not yet seen: %+v", first[0])
	}
	all := semconv.MapTrace([]semconv.Span{
		chat,
		span(2, 1, "invoke_agent helper", 5, 25, attribute.String("gen_ai.operation.name", "invoke_agent"), attribute.String("gen_ai.agent.name", "helper")),
		span(1, 0, "root", 0, 30),
	}, semconv.Options{})
	if len(all) != 3 || all[2].Task != record.TaskGeneration || all[2].ParentID != semconv.RecordID(tid, sid(2)) {
		t.Fatalf("whole trace: %+v", all)
	}
	if _, ok := all[0].Metadata["provisional"]; ok {
		t.Errorf("the message of a whole trace is final: %v", all[0].Metadata)
	}
	if all[2].TraceID != first[1].TraceID {
		t.Errorf("a step's id changed when more of its trace became known")
	}
}

func TestMapTraceErrors(t *testing.T) {
	s := span(1, 0, "chat m", 0, 5, attribute.String("gen_ai.operation.name", "chat"))
	s.StatusCode, s.StatusDesc = codes.Error, "rate limited by provider"
	s2 := span(2, 1, "execute_tool lookup", 1, 2, attribute.String("gen_ai.operation.name", "execute_tool"), attribute.String("error.type", "timeout"))
	recs := semconv.MapTrace([]semconv.Span{s, s2}, semconv.Options{})
	if len(recs) != 3 {
		t.Fatalf("want message, generation (the root is both) and tool: %+v", recs)
	}
	if recs[0].Metadata["status"] != "error" || recs[1].Metadata["error"] != "rate limited by provider" {
		t.Errorf("root error: %v / %v", recs[0].Metadata, recs[1].Metadata)
	}
	if recs[1].ParentID != semconv.MessageID(tid) || recs[2].ParentID != semconv.RecordID(tid, sid(1)) {
		t.Errorf("parents: %q %q", recs[1].ParentID, recs[2].ParentID)
	}
	if recs[2].Metadata["status"] != "error" || recs[2].Metadata["error"] != "timeout" {
		t.Errorf("tool error: %v", recs[2].Metadata)
	}
}

func TestMapTraceWithoutLLMGivesNothing(t *testing.T) {
	health := []semconv.Span{span(1, 0, "GET /health", 0, 2), span(2, 1, "SELECT 1", 0, 1)}
	if recs := semconv.MapTrace(health, semconv.Options{}); len(recs) != 0 {
		t.Errorf("a trace with no LLM step gives no record, got %+v", recs)
	}
	recs := semconv.MapTrace(health, semconv.Options{KeepAllSpans: true})
	if len(recs) != 2 || recs[0].Task != record.TaskMessage || recs[1].Task != record.TaskEvent || recs[1].ParentID != recs[0].TraceID {
		t.Errorf("KeepAllSpans: %+v", recs)
	}
}

func TestOuterGenerationIsNotASecondGeneration(t *testing.T) {
	// A framework's LLM span wraps the provider client's span; both say "chat".
	recs := semconv.MapTrace([]semconv.Span{
		span(1, 0, "agent run", 0, 100),
		span(2, 1, "ChatModel.invoke", 5, 95, attribute.String("gen_ai.operation.name", "chat"), attribute.Int("gen_ai.usage.input_tokens", 10), attribute.Int("gen_ai.usage.output_tokens", 5)),
		span(3, 2, "chat gpt", 10, 90, attribute.String("gen_ai.operation.name", "chat"), attribute.Int("gen_ai.usage.input_tokens", 10), attribute.Int("gen_ai.usage.output_tokens", 5)),
	}, semconv.Options{})
	if len(recs) != 2 || recs[1].TraceID != semconv.RecordID(tid, sid(3)) || recs[1].ParentID != semconv.MessageID(tid) {
		t.Fatalf("want the message and the inner generation only: %+v", recs)
	}
	if recs[0].Metadata["total_tokens"] != int64(15) {
		t.Errorf("usage counted once: %v", recs[0].Metadata)
	}
}

func TestDistributedLocalRootHangsUnderMessage(t *testing.T) {
	// This process holds a service's part of the trace: its local root has a remote parent.
	remote := span(1, 9, "POST /agent", 0, 50, attribute.String("gen_ai.operation.name", "invoke_agent"))
	remote.ParentRemote = true
	recs := semconv.MapTrace([]semconv.Span{remote, span(2, 1, "chat m", 5, 45, attribute.String("gen_ai.operation.name", "chat"))}, semconv.Options{})
	if len(recs) != 3 {
		t.Fatalf("%+v", recs)
	}
	if recs[0].TraceID != semconv.MessageID(tid) || recs[0].Metadata["provisional"] != true {
		t.Errorf("the message of a remote-parented root is provisional (the true root's replaces it): %+v", recs[0])
	}
	if recs[1].ParentID != semconv.MessageID(tid) || recs[2].ParentID != semconv.RecordID(tid, sid(1)) {
		t.Errorf("parents: agent→%s chat→%s", recs[1].ParentID, recs[2].ParentID)
	}
}

func TestOpenRootSnapshotIsProvisional(t *testing.T) {
	root := span(1, 0, "POST /chat", 0, 20)
	root.Open = true
	recs := semconv.MapTrace([]semconv.Span{root, span(2, 1, "chat m", 5, 15, attribute.String("gen_ai.operation.name", "chat"))}, semconv.Options{})
	if len(recs) != 2 || recs[0].Metadata["provisional"] != true || recs[0].Metadata["span_name"] != "POST /chat" {
		t.Fatalf("%+v", recs)
	}
	if _, ok := recs[1].Metadata["provisional"]; ok {
		t.Errorf("an ended step is final: %v", recs[1].Metadata)
	}
}

func TestMapGroupsByTrace(t *testing.T) {
	a := span(1, 0, "chat a", 0, 1, attribute.String("gen_ai.operation.name", "chat"))
	b := a
	b.TraceID = trace.TraceID{1}
	recs := semconv.Map([]semconv.Span{a, b}, semconv.Options{})
	if len(recs) != 4 || recs[0].InteractionID == recs[2].InteractionID {
		t.Fatalf("two traces must give two interactions: %+v", recs)
	}
}

func TestIDs(t *testing.T) {
	if semconv.RecordID(tid, sid(1)) == semconv.RecordID(tid, sid(2)) ||
		semconv.MessageID(tid) == semconv.InteractionID(tid) ||
		semconv.RecordID(tid, sid(1)) != semconv.RecordID(tid, sid(1)) {
		t.Fatal("ids must be distinct per span and stable")
	}
	for _, id := range []string{semconv.RecordID(tid, sid(1)), semconv.MessageID(tid), semconv.InteractionID(tid)} {
		if !uuidV.MatchString(id) {
			t.Errorf("%q is not an RFC 9562 v5 UUID", id)
		}
	}
}

func equalJSON(t *testing.T, a, b any) bool {
	t.Helper()
	ja, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	jb, err := json.Marshal(b)
	if err != nil {
		t.Fatal(err)
	}
	return string(ja) == string(jb)
}
