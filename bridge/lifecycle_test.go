package bridge_test

import (
	"context"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"

	"github.com/tracebridge/tracebridge/bridge"
)

func TestEndIsIdempotent(t *testing.T) {
	h := newHarness(t)
	ctx, msg := h.client.Conversation(bridge.ConversationInfo{ID: "c"}).Message(context.Background(), "hi")
	_, gen := msg.Generation(ctx, "hi")
	h.clock.at(100)
	gen.End("first", bridge.Usage(1, 2))
	h.clock.at(200)
	gen.End("second", bridge.Usage(9, 9))
	gen.Update(bridge.Failure("too late"))

	var ends int
	for _, s := range h.rec.Ended() {
		if s.Name() == "chat" {
			ends++
		}
	}
	if ends != 1 {
		t.Fatalf("the generation ended %d times", ends)
	}
	s := h.ended()["chat"]
	a := attrs(s)
	if got := a["tracebridge.output"].AsString(); got != "first" {
		t.Errorf("output %q: only the first End counts", got)
	}
	if a["gen_ai.usage.input_tokens"].AsInt64() != 1 || !s.EndTime().Equal(t0.Add(100e6)) {
		t.Errorf("second End changed the span: usage %v, end %v", a["gen_ai.usage.input_tokens"], s.EndTime())
	}
	if s.Status().Code != codes.Unset {
		t.Errorf("Update after End changed the status: %v", s.Status())
	}
}

func TestEndingParentEndsOpenChildren(t *testing.T) {
	h := newHarness(t)
	ctx, msg := h.client.Conversation(bridge.ConversationInfo{ID: "c"}).Message(context.Background(), "plan a trip")
	actx, agent := msg.Agent(ctx, "plan", bridge.Name("planner"))
	_, tool := agent.Tool(actx, `{"city":"Paris"}`, bridge.Name("weather"))
	_, done := agent.Tool(actx, `{}`, bridge.Name("clock"))
	h.clock.at(10)
	done.End("12:00")
	_, gen := msg.Generation(ctx, "summarise")
	h.clock.at(500)
	msg.End("Pack an umbrella.")

	spans := h.ended()
	for _, name := range []string{"message", "invoke_agent planner", "execute_tool weather", "chat"} {
		s, ok := spans[name]
		if !ok {
			t.Fatalf("%s did not end with its parent", name)
		}
		if !s.EndTime().Equal(t0.Add(500e6)) {
			t.Errorf("%s ended at %v, want the message's end", name, s.EndTime())
		}
	}
	if !spans["execute_tool clock"].EndTime().Equal(t0.Add(10e6)) {
		t.Errorf("a child ended before its parent keeps its own end")
	}
	// Children end before their parent: the recorder sees them first.
	order := map[string]int{}
	for i, s := range h.rec.Ended() {
		order[s.Name()] = i
	}
	if !(order["execute_tool weather"] < order["invoke_agent planner"] && order["invoke_agent planner"] < order["message"] && order["chat"] < order["message"]) {
		t.Errorf("end order %v: children must end before their parent", order)
	}
	// Ending a child the parent already ended does nothing.
	tool.End("sunny")
	gen.End("late")
	if n := len(h.rec.Ended()); n != 5 {
		t.Errorf("%d spans ended, want 5", n)
	}
	if _, ok := attrs(spans["execute_tool weather"])["gen_ai.tool.call.result"]; ok {
		t.Errorf("a child ended by its parent has no output")
	}
}

func TestUpdate(t *testing.T) {
	h := newHarness(t)
	ctx, msg := h.client.Conversation(bridge.ConversationInfo{ID: "c", Tags: []string{"beta"}}).Message(context.Background(), "hi", bridge.Tags("vip"))
	_, gen := msg.Generation(ctx, "hi", bridge.Model("gpt-4o"), bridge.Tags("a"))
	gen.Update(bridge.Tags("b"), bridge.Usage(10, 3), bridge.ResponseModel("gpt-4o-2024-08-06"), bridge.Failure("rate limited"))
	gen.Update(bridge.Success(), bridge.Attributes(attribute.Float64("gen_ai.request.temperature", 0.2)))
	gen.End("hello")
	msg.End("hello")

	s := h.ended()["chat gpt-4o"]
	a := attrs(s)
	if got := a["tag.tags"].AsStringSlice(); len(got) != 2 || got[0] != "a" || got[1] != "b" {
		t.Errorf("tags %v: Update adds to the step's tags", got)
	}
	if a["gen_ai.usage.output_tokens"].AsInt64() != 3 || a["gen_ai.response.model"].AsString() != "gpt-4o-2024-08-06" || a["gen_ai.request.temperature"].AsFloat64() != 0.2 {
		t.Errorf("updated attributes missing: %v", a)
	}
	if s.Status().Code != codes.Ok {
		t.Errorf("status %v: the last Update's status wins", s.Status())
	}
	if got := attrs(h.ended()["message"])["tag.tags"].AsStringSlice(); len(got) != 2 || got[0] != "beta" || got[1] != "vip" {
		t.Errorf("message tags %v: the conversation's, then its own", got)
	}
	recs := byTask(h.records())
	if tags, _ := recs["generation"].Metadata["tags"].([]string); len(tags) != 2 {
		t.Errorf("record tags %v", recs["generation"].Metadata["tags"])
	}
}

func TestInstantStepsAndTheirChildren(t *testing.T) {
	h := newHarness(t)
	ctx, msg := h.client.Conversation(bridge.ConversationInfo{ID: "c"}).Message(context.Background(), "refund?")
	h.clock.at(5)
	rctx, router := msg.Router(ctx, "refund?", bridge.Output("billing"))
	h.clock.at(6)
	_, ret := router.Retrieval(rctx, "refund policy")
	h.clock.at(9)
	ret.End("30 days")
	router.End("ignored")
	_, sys := msg.System(ctx, "You are terse.")
	_, ev := msg.Event(ctx, "cache hit")
	msg.End("30 days")

	spans := h.ended()
	for _, name := range []string{"router", "system", "event"} {
		s := spans[name]
		if s == nil || !s.StartTime().Equal(s.EndTime()) {
			t.Fatalf("%s: recorded at once, start = end: %v", name, s)
		}
	}
	if !spans["router"].StartTime().Equal(t0.Add(5e6)) || attrs(spans["router"])["output.value"].AsString() != "billing" {
		t.Errorf("router: %v %v", spans["router"].StartTime(), attrs(spans["router"]))
	}
	if spans["retrieval"].Parent().SpanID() != router.SpanContext().SpanID() {
		t.Errorf("the retrieval started from the router must be its child")
	}
	if sys.Kind() != bridge.KindSystem || ev.Kind() != bridge.KindEvent {
		t.Errorf("kinds %s %s", sys.Kind(), ev.Kind())
	}
	recs := byTask(h.records())
	if r := recs["retrieval"]; r.ParentID != recs["router"].TraceID || r.Output != "30 days" {
		t.Errorf("retrieval record %+v: under the router", r)
	}
	if r := recs["router"]; r.Output != "billing" || r.StartTimestamp != r.EndTimestamp {
		t.Errorf("router record %+v", r)
	}
}

func TestErrorsAreFailures(t *testing.T) {
	h := newHarness(t)
	ctx, msg := h.client.Conversation(bridge.ConversationInfo{ID: "c"}).Message(context.Background(), "hi")
	_, tool := msg.Tool(ctx, `{"q":1}`, bridge.Name("search"))
	tool.End("", bridge.Error(context.DeadlineExceeded))
	_, gen := msg.Generation(ctx, "hi")
	gen.End("", bridge.Failure("content filtered"))
	msg.End("", bridge.Error(nil)) // a nil error records nothing

	spans := h.ended()
	s := spans["execute_tool search"]
	if s.Status().Code != codes.Error || s.Status().Description != "context deadline exceeded" {
		t.Errorf("tool status %v", s.Status())
	}
	if len(s.Events()) != 1 || s.Events()[0].Name != "exception" {
		t.Errorf("the error must be recorded as an exception event: %v", s.Events())
	}
	if attrs(s)["error.type"].AsString() != "context.deadlineExceededError" {
		t.Errorf("error.type %v", attrs(s)["error.type"])
	}
	if st := spans["chat"].Status(); st.Code != codes.Error || st.Description != "content filtered" {
		t.Errorf("generation status %v", st)
	}
	if spans["message"].Status().Code != codes.Unset {
		t.Errorf("message status %v", spans["message"].Status())
	}
	recs := byTask(h.records())
	if m := recs["tool"].Metadata; m["status"] != "error" || m["error"] != "context deadline exceeded" {
		t.Errorf("tool record metadata %v", m)
	}
	if m := recs["generation"].Metadata; m["status"] != "error" || m["error"] != "content filtered" {
		t.Errorf("generation record metadata %v", m)
	}
}
