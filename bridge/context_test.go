package bridge_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/bridge"
	"github.com/tracebridge/tracebridge/record"
)

// TestAutoInstrumentedChildNests starts plain OTel spans from the contexts the bridge
// returns, as an instrumented model client would: they are children of the step whose
// context they were started from, and their records hang under that step's record.
func TestAutoInstrumentedChildNests(t *testing.T) {
	h := newHarness(t)
	tracer := h.tp.Tracer("openai-instrumentation")
	ctx, msg := h.client.Conversation(bridge.ConversationInfo{ID: "c"}).Message(context.Background(), "plan it")
	actx, agent := msg.Agent(ctx, "plan", bridge.Name("planner"))
	_, chat := tracer.Start(actx, "chat gpt-4o-mini", trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("gen_ai.operation.name", "chat"), attribute.String("gen_ai.request.model", "gpt-4o-mini"),
		attribute.Int("gen_ai.usage.input_tokens", 40), attribute.Int("gen_ai.usage.output_tokens", 8)))
	chat.End()
	agent.End("planned")
	msg.End("done")

	if p := h.ended()["chat gpt-4o-mini"].Parent(); p.SpanID() != agent.SpanContext().SpanID() {
		t.Fatalf("the library's span is a child of %v, want the agent's span", p.SpanID())
	}
	recs := h.records()
	tasks := byTask(recs)
	if len(recs) != 3 {
		t.Fatalf("want message, agent, generation: %+v", recs)
	}
	gen, ag, m := tasks[record.TaskGeneration], tasks[record.TaskAgent], tasks[record.TaskMessage]
	if gen.ParentID != ag.TraceID || ag.ParentID != m.TraceID {
		t.Errorf("parents: generation→%s agent→%s, want generation→agent→message", gen.ParentID, ag.ParentID)
	}
	if gen.Metadata["model"] != "gpt-4o-mini" || m.Metadata["total_tokens"] != int64(48) {
		t.Errorf("the library's generation is counted: %v / %v", gen.Metadata, m.Metadata)
	}
}

// TestMessageUnderARequestSpan starts the message under an HTTP server span: the message
// is the interaction's message, the server span is not a record.
func TestMessageUnderARequestSpan(t *testing.T) {
	h := newHarness(t)
	reqCtx, req := h.tp.Tracer("http").Start(context.Background(), "POST /chat", trace.WithSpanKind(trace.SpanKindServer))
	ctx, msg := h.client.Conversation(bridge.ConversationInfo{ID: "c"}).Message(reqCtx, "hi")
	if msg.SpanContext().TraceID() != req.SpanContext().TraceID() {
		t.Fatal("the message must join the request's trace")
	}
	_, gen := msg.Generation(ctx, "hi")
	gen.End("hello")
	msg.End("hello")
	req.End()
	recs := h.records()
	if len(recs) != 2 || recs[0].Task != record.TaskMessage || recs[0].Input != "hi" || recs[0].Metadata["span_name"] != "message" {
		t.Errorf("want the message (from the bridge's span) and the generation: %+v", recs)
	}
}

// TestMessageFromAnEarlierMessageContext passes an earlier turn's context on to the next
// turn, a common slip: the new message still starts an interaction of its own, linked to
// the earlier one.
func TestMessageFromAnEarlierMessageContext(t *testing.T) {
	h := newHarness(t)
	conv := h.client.Conversation(bridge.ConversationInfo{ID: "c"})
	ctx, first := conv.Message(context.Background(), "one")
	first.End("1")
	_, second := conv.Message(ctx, "two")
	second.End("2")
	if second.SpanContext().TraceID() == first.SpanContext().TraceID() {
		t.Fatal("the second message joined the first one's trace")
	}
	if second.Interaction() == first.Interaction() {
		t.Error("two messages share an interaction")
	}
	s := h.ended()["message"] // the last one ended: the second
	if len(s.Links()) != 1 || s.Links()[0].SpanContext.SpanID() != first.SpanContext().SpanID() || s.Parent().IsValid() {
		t.Errorf("the second message must be a root linked to the first: parent %v links %v", s.Parent(), s.Links())
	}
}
