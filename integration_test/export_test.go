package integration_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/exporter"
	"github.com/tracebridge/tracebridge/semconv"
)

// TestExportToServe drives a real TracerProvider with the batch span processor and the
// exporter against `tracebridge serve` over HTTP, and asserts every field of every record the
// server stored: message → retrieval, generation; no record for the HTTP and handler spans.
func TestExportToServe(t *testing.T) {
	const token = "3f2b8c4e-1a6d-4e9f-b7c2-5d8e0a1f3b6c:9c1e4a7b2d5f8e0a3c6b9d2f5a8c1e4b7d0a3f6c9e2b5d8a1f4c7e0b3d6a9f2c"
	srv := startServe(t, "--token", token)
	exp := newExporter(t, srv.URL, exporter.WithAPIKey(token))

	tid := trace.TraceID{0x0a, 0xf7, 0x65, 0x19, 0x16, 0xcd, 0x43, 0xdd, 0x84, 0x48, 0xeb, 0x21, 0x1c, 0x80, 0x31, 0x9c}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithIDGenerator(&fixedIDs{traceID: tid}))
	tracer := tp.Tracer("it")
	base := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

	ctx, root := tracer.Start(context.Background(), "POST /chat", trace.WithTimestamp(base), trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(str("http.request.method", "POST"), str("session.id", "sess-1"), str("user.id", "u-9")))
	hctx, handler := tracer.Start(ctx, "handler", trace.WithTimestamp(at(base, 5)))
	_, ret := tracer.Start(hctx, "retrieval kb", trace.WithTimestamp(at(base, 10)), trace.WithAttributes(
		str("gen_ai.operation.name", "retrieval"), str("gen_ai.data_source.id", "kb"),
		str("gen_ai.retrieval.query.text", "What is the refund window?"),
		str("gen_ai.retrieval.documents", `[{"id":"doc-7","score":0.92,"content":"Refunds within 30 days."}]`)))
	ret.End(trace.WithTimestamp(at(base, 40)))
	cctx, chat := tracer.Start(hctx, "chat gpt-4o-mini", trace.WithTimestamp(at(base, 50)), trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		str("gen_ai.operation.name", "chat"), str("gen_ai.provider.name", "openai"), str("gen_ai.request.model", "gpt-4o-mini"),
		str("gen_ai.conversation.id", "conv-42"),
		str("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"What is the refund window?"}]}]`)))
	_, httpc := tracer.Start(cctx, "POST", trace.WithTimestamp(at(base, 55)), trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(str("http.request.method", "POST"), str("server.address", "api.openai.com")))
	httpc.End(trace.WithTimestamp(at(base, 300)))
	chat.SetAttributes(str("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
		attribute.Int("gen_ai.usage.input_tokens", 120), attribute.Int("gen_ai.usage.output_tokens", 18),
		attribute.StringSlice("gen_ai.response.finish_reasons", []string{"stop"}),
		str("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"30 days."}],"finish_reason":"stop"}]`))
	chat.End(trace.WithTimestamp(at(base, 310)))
	handler.End(trace.WithTimestamp(at(base, 320)))
	root.End(trace.WithTimestamp(at(base, 330)))
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	interaction := semconv.InteractionID(tid)
	raws := srv.raw(t, "interaction_id="+url.QueryEscape(interaction))
	if len(raws) != 3 {
		t.Fatalf("want 3 records (message, retrieval, generation), got %d:\n%s", len(raws), raws)
	}
	byTask := map[string]string{}
	for _, r := range srv.records(t, "interaction_id="+url.QueryEscape(interaction)) {
		byTask[string(r.Task)] = r.TraceID
	}
	ms := base.UnixMilli()
	msg, retID, genID := semconv.MessageID(tid), semconv.RecordID(tid, spanID(3)), semconv.RecordID(tid, spanID(4))
	common := fmt.Sprintf(`"conversation_id":"conv-42","interaction_id":%q,"session_id":"sess-1","type":"traces","channel_id":null,
		"feedback_tag":null,"feedback_text":null,"custom":null,"user":{"user_id":"u-9"}`, interaction)
	want := map[string]string{
		"message": fmt.Sprintf(`{"trace_id":%q,"parent_id":null,"task":"message",%s,
			"input":"What is the refund window?","output":"30 days.",
			"start_timestamp":%d,"end_timestamp":%d,"latency":330,
			"metadata":{"span_name":"POST /chat","otel_trace_id":%q,"otel_span_id":"0000000000000001","status":"ok",
				"input_tokens":120,"output_tokens":18,"total_tokens":138}}`, msg, common, ms, ms+330, tid.String()),
		"retrieval": fmt.Sprintf(`{"trace_id":%q,"parent_id":%q,"task":"retrieval",%s,
			"input":"What is the refund window?","output":"[{\"id\":\"doc-7\",\"score\":0.92,\"content\":\"Refunds within 30 days.\"}]",
			"start_timestamp":%d,"end_timestamp":%d,"latency":30,
			"metadata":{"span_name":"retrieval kb","otel_trace_id":%q,"otel_span_id":"0000000000000003","otel_parent_span_id":"0000000000000002",
				"operation":"retrieval","status":"ok"}}`, retID, msg, common, ms+10, ms+40, tid.String()),
		"generation": fmt.Sprintf(`{"trace_id":%q,"parent_id":%q,"task":"generation",%s,
			"input":"[{\"role\":\"user\",\"content\":\"What is the refund window?\"}]",
			"output":"[{\"role\":\"assistant\",\"content\":\"30 days.\",\"finish_reason\":\"stop\"}]",
			"start_timestamp":%d,"end_timestamp":%d,"latency":260,
			"metadata":{"span_name":"chat gpt-4o-mini","otel_trace_id":%q,"otel_span_id":"0000000000000004","otel_parent_span_id":"0000000000000002",
				"operation":"chat","model":"gpt-4o-mini-2024-07-18","provider":"openai","finish_reason":"stop",
				"input_tokens":120,"output_tokens":18,"total_tokens":138,"status":"ok"}}`, genID, msg, common, ms+50, ms+310, tid.String()),
	}
	for task, id := range byTask {
		raw := srv.raw(t, "trace_id="+url.QueryEscape(id))
		if len(raw) != 1 {
			t.Fatalf("%s: %d records under %s", task, len(raw), id)
		}
		w, ok := want[task]
		if !ok {
			t.Errorf("unexpected %s record: %s", task, raw[0])
			continue
		}
		assertJSONEqual(t, task, raw[0], w)
		delete(want, task)
	}
	for task := range want {
		t.Errorf("no %s record arrived", task)
	}
	if st := exp.Stats(); st.Sent != 3 || st.Failed != 0 {
		t.Errorf("exporter stats %+v", st)
	}
}

// TestServeRejectsMissingConversationID checks the contract's required field at the real
// server: 400 naming the field.
func TestServeRejectsMissingConversationID(t *testing.T) {
	srv := startServe(t)
	code, body := srv.post(t, `{"trace_id":"a","interaction_id":"i","type":"traces","task":"message"}`)
	if code != 400 || !strings.Contains(body, "conversation_id") {
		t.Fatalf("got %d %s", code, body)
	}
	if n := len(srv.raw(t, "")); n != 0 {
		t.Errorf("a rejected record was stored")
	}
}
