package bridge_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/bridge"
	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/semconv"
)

// TestFeedbackLandsOnItsTarget answers a turn in one request, then records the user's
// feedback in a later request — another trace, under that request's span — and checks that
// the feedback record lands on the first turn's interaction, under its message.
func TestFeedbackLandsOnItsTarget(t *testing.T) {
	h := newHarness(t)
	info := bridge.ConversationInfo{ID: "conv-1", SessionID: "s-1", User: bridge.User{ID: "u-1"}}
	ctx, msg := h.client.Conversation(info).Message(context.Background(), "refund window?")
	_, gen := msg.Generation(ctx, "refund window?")
	gen.End("30 days")
	msg.End("30 days")
	turn := msg.Interaction()
	if turn.ConversationID != "conv-1" || turn.InteractionID != semconv.InteractionID(msg.SpanContext().TraceID()) {
		t.Fatalf("interaction %+v", turn)
	}

	// Later, another request: its own trace.
	reqCtx, req := h.tp.Tracer("http").Start(context.Background(), "POST /feedback", trace.WithSpanKind(trace.SpanKindServer))
	h.clock.at(60_000)
	conv := h.client.Conversation(bridge.ConversationInfo{ID: turn.ConversationID, SessionID: "s-1", User: bridge.User{ID: "u-1"}})
	_, fb := conv.Feedback(reqCtx, turn.InteractionID, bridge.FeedbackPositive, "clear answer")
	req.End()
	if fb.Kind() != bridge.KindFeedback || fb.SpanContext().TraceID() == msg.SpanContext().TraceID() {
		t.Fatalf("the later feedback is a step of the later request's trace")
	}
	if fb.Interaction() != turn {
		t.Errorf("feedback interaction %+v, want %+v", fb.Interaction(), turn)
	}

	var fbRecs, msgs []record.Record
	for _, r := range h.records() {
		switch r.Task {
		case record.TaskFeedback:
			fbRecs = append(fbRecs, r)
		case record.TaskMessage:
			msgs = append(msgs, r)
		}
	}
	if len(msgs) != 1 || len(fbRecs) != 1 {
		t.Fatalf("want the first turn's message only and one feedback, got %d messages, %d feedback", len(msgs), len(fbRecs))
	}
	f, m := fbRecs[0], msgs[0]
	if f.InteractionID != m.InteractionID || f.ConversationID != "conv-1" || f.ParentID != m.TraceID {
		t.Errorf("feedback %+v\nmust land on message %+v", f, m)
	}
	if f.FeedbackTag != "positive" || f.FeedbackText != "clear answer" || f.SessionID != "s-1" || f.User.ID != "u-1" {
		t.Errorf("feedback fields %+v", f)
	}
	if f.StartTimestamp != t0.UnixMilli()+60_000 || f.EndTimestamp != f.StartTimestamp {
		t.Errorf("feedback times %d %d", f.StartTimestamp, f.EndTimestamp)
	}
}

// TestFeedbackOnAStep records feedback on a generation in the same trace: it hangs under
// that generation, as the SDK's generation.feedback(...) does.
func TestFeedbackOnAStep(t *testing.T) {
	h := newHarness(t)
	ctx, msg := h.client.Conversation(bridge.ConversationInfo{ID: "c"}).Message(context.Background(), "hi", bridge.InteractionID("turn-9"))
	gctx, gen := msg.Generation(ctx, "hi")
	gen.End("hello")
	_, fb := gen.Feedback(gctx, bridge.FeedbackNegative, "")
	msg.End("hello")
	if fb.Interaction().InteractionID != "turn-9" {
		t.Errorf("feedback interaction %+v", fb.Interaction())
	}
	recs := byTask(h.records())
	f, g, m := recs["feedback"], recs["generation"], recs["message"]
	if m.InteractionID != "turn-9" || m.TraceID != semconv.MessageIDOf("turn-9") {
		t.Errorf("message of an explicit interaction: %+v", m)
	}
	if f.ParentID != g.TraceID || f.InteractionID != "turn-9" || f.FeedbackTag != "negative" || f.FeedbackText != "" {
		t.Errorf("feedback %+v: under the generation", f)
	}
}
