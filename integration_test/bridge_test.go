package integration_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/bridge"
	"github.com/tracebridge/tracebridge/exporter"
	"github.com/tracebridge/tracebridge/record"
)

// testClock is a clock the test moves, so that the records' timestamps can be written down.
type testClock struct {
	mu   sync.Mutex
	base time.Time
	now  time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) at(ms int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.base.Add(time.Duration(ms) * time.Millisecond)
}

// sdkRecord is a record as NeuralTrust's Python SDK (≤1.4) sends it, written by hand from
// its behaviour (CONTRACTS.md §1), normalised as that section says: JSON text instead of
// Python reprs, real milliseconds; latency (the SDK leaves it null outside send()) is
// end − start, as the contract defines it. Ids are positions: the record's own, its
// parent's (-1: none, the message).
type sdkRecord struct {
	parent int
	body   string // the body without trace_id, parent_id and interaction_id
	// tracebridge adds what the v1 body has no field for into metadata; these are the keys it
	// adds to this record, beside the SDK's metadata object.
	added map[string]any
}

// TestBridgeSeedFlowMatchesSDK runs the seed flow of NeuralTrust's SDK — trace → message →
// generation, router → retrieval → agent → end, and the user's feedback in a later request —
// through the bridge, an OTel TracerProvider with tracebridge's processor, the exporter, and
// HTTP to the `tracebridge serve` binary, and compares every field of every record the
// server received with the records the SDK sends for the same calls.
func TestBridgeSeedFlowMatchesSDK(t *testing.T) {
	srv := startServe(t)
	exp := newExporter(t, srv.URL)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(exporter.NewProcessor(exp)))
	base := time.Date(2026, 11, 29, 11, 0, 0, 0, time.UTC)
	clk := &testClock{base: base, now: base}
	client := bridge.New(tp, bridge.WithClock(clk.Now))
	tracer := tp.Tracer("net/http") // the web framework's own instrumentation

	// client.trace(conversation_id, session_id, channel_id, user, metadata, custom)
	info := bridge.ConversationInfo{
		ID: "conv-bridge-1", SessionID: "sess-1", ChannelID: "web",
		User:     bridge.User{ID: "u-42", Email: "ada@example.com", Phone: "+34 600 000 000", Extra: map[string]string{"plan": "pro"}},
		Metadata: bridge.Metadata{UserAgent: "Mozilla/5.0", Timezone: "Europe/Madrid", Locale: "es-ES", Extra: map[string]string{"app_version": "2.3.1"}},
		Custom:   map[string]string{"tenant": "acme"},
	}
	const (
		question = "How long do I have to return a pair of shoes?"
		answer   = "You can return unworn shoes within 30 days of delivery."
		chunks   = `[{"chunk":"Unworn shoes can be returned within 30 days of delivery."}]`
		summary  = "Unworn shoes: 30 days from delivery."
	)

	// The user's turn, in an HTTP request.
	reqCtx, req := tracer.Start(context.Background(), "POST /chat", trace.WithTimestamp(base), trace.WithSpanKind(trace.SpanKindServer))
	ctx, msg := client.Conversation(info).Message(reqCtx, question) // message = trace.message(input)
	clk.at(100)
	_, gen := msg.Generation(ctx, question, bridge.Model("gpt-4o-mini"), bridge.Provider("openai")) // message.generation(input)
	clk.at(400)
	gen.End(answer, bridge.Usage(84, 19)) // generation.end(output)
	clk.at(450)
	rctx, router := msg.Router(ctx, question) // router = message.router(input): posted at once
	clk.at(500)
	rctx, ret := router.Retrieval(rctx, "shoe return window") // retrieval = router.retrieval(input)
	clk.at(650)
	ret.End(chunks) // retrieval.end([{"chunk": ...}])
	clk.at(700)
	_, agent := ret.Agent(rctx, "Summarise the return policy", bridge.Name("summariser")) // agent = retrieval.agent(input)
	clk.at(850)
	agent.End(summary)
	clk.at(900)
	msg.End(answer) // message.end(output)
	req.End(trace.WithTimestamp(base.Add(910 * time.Millisecond)))
	turn := msg.Interaction()

	// A minute later, another request: the user's feedback on that answer.
	clk.at(60_000)
	fbReqCtx, fbReq := tracer.Start(context.Background(), "POST /feedback", trace.WithTimestamp(clk.Now()), trace.WithSpanKind(trace.SpanKindServer))
	_, fb := client.Conversation(info).Feedback(fbReqCtx, turn.InteractionID, bridge.FeedbackPositive, "Clear answer")
	fbReq.End(trace.WithTimestamp(clk.Now().Add(5 * time.Millisecond)))
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	ms := func(off int) int64 { return base.UnixMilli() + int64(off) }
	shared := `"conversation_id":"conv-bridge-1","session_id":"sess-1","type":"traces","channel_id":"web",
		"custom":"{\"tenant\":\"acme\"}",
		"user":{"user_id":"u-42","user_email":"ada@example.com","user_phone":"+34 600 000 000","plan":"pro"},
		"metadata":{"user_agent":"Mozilla/5.0","timezone":"Europe/Madrid","locale":"es-ES","app_version":"2.3.1"}`
	body := func(task, input, output string, start, end int, feedback ...string) string {
		q := func(s string) string {
			if s == "" {
				return "null"
			}
			b, _ := json.Marshal(s)
			return string(b)
		}
		tag, text := "", ""
		if len(feedback) == 2 {
			tag, text = feedback[0], feedback[1]
		}
		return fmt.Sprintf(`{"task":%q,"input":%s,"output":%s,"feedback_tag":%s,"feedback_text":%s,
			"start_timestamp":%d,"end_timestamp":%d,"latency":%d,%s}`,
			task, q(input), q(output), q(tag), q(text), ms(start), ms(end), end-start, shared)
	}
	otel := func(s *bridge.Step, parent trace.SpanID) map[string]any {
		m := map[string]any{"otel_trace_id": s.SpanContext().TraceID().String(), "otel_span_id": s.SpanContext().SpanID().String(),
			"otel_parent_span_id": parent.String(), "span_name": "", "status": "ok"}
		return m
	}
	with := func(m map[string]any, kv ...any) map[string]any {
		for i := 0; i < len(kv); i += 2 {
			m[kv[i].(string)] = kv[i+1]
		}
		return m
	}
	sid := func(s *bridge.Step) trace.SpanID { return s.SpanContext().SpanID() }
	want := []sdkRecord{
		{-1, body("message", question, answer, 0, 900), with(otel(msg, req.SpanContext().SpanID()), "span_name", "message",
			"input_tokens", 84, "output_tokens", 19, "total_tokens", 103)},
		{0, body("generation", question, answer, 100, 400), with(otel(gen, sid(msg)), "span_name", "chat gpt-4o-mini",
			"operation", "chat", "model", "gpt-4o-mini", "provider", "openai", "input_tokens", 84, "output_tokens", 19, "total_tokens", 103)},
		{0, body("router", question, "", 450, 450), with(otel(router, sid(msg)), "span_name", "router")},
		{2, body("retrieval", "shoe return window", chunks, 500, 650), with(otel(ret, sid(router)), "span_name", "retrieval", "operation", "retrieval")},
		{3, body("agent", "Summarise the return policy", summary, 700, 850), with(otel(agent, sid(ret)), "span_name", "invoke_agent summariser",
			"operation", "invoke_agent", "agent_name", "summariser")},
		{0, body("feedback", "", "", 60_000, 60_000, "positive", "Clear answer"), with(otel(fb, fbReq.SpanContext().SpanID()), "span_name", "feedback")},
	}

	raws := srv.raw(t, "interaction_id="+url.QueryEscape(turn.InteractionID))
	got := matchByTask(t, raws, []string{"message", "generation", "router", "retrieval", "agent", "feedback"})
	ids := make([]string, len(got))
	for i, r := range got {
		ids[i] = r["trace_id"].(string)
	}
	for i, w := range want {
		r := got[i]
		task := r["task"]
		// Structure: the parent is the record at the expected position; ids are shared.
		switch {
		case w.parent < 0 && r["parent_id"] != nil:
			t.Errorf("%s: parent_id %v, want null", task, r["parent_id"])
		case w.parent >= 0 && r["parent_id"] != ids[w.parent]:
			t.Errorf("%s: parent_id %v, want the %s's trace_id %s", task, r["parent_id"], got[w.parent]["task"], ids[w.parent])
		}
		if r["interaction_id"] != turn.InteractionID {
			t.Errorf("%s: interaction_id %v, want %s", task, r["interaction_id"], turn.InteractionID)
		}
		// Every other field, exactly.
		delete(r, "trace_id")
		delete(r, "parent_id")
		delete(r, "interaction_id")
		var expect map[string]any
		if err := json.Unmarshal([]byte(w.body), &expect); err != nil {
			t.Fatalf("%s: expected body: %v", task, err)
		}
		md := expect["metadata"].(map[string]any)
		for k, v := range w.added {
			md[k] = v
		}
		b, _ := json.Marshal(expect)
		rb, _ := json.Marshal(r)
		assertJSONEqual(t, fmt.Sprint(task), rb, string(b))
	}
	if st := serveStats(t, srv); st["received"] != 6 || st["duplicates"] != 0 {
		t.Errorf("each record is sent once: server stats %v", st)
	}
}

// matchByTask orders the received records as tasks lists them (one record per task).
func matchByTask(t *testing.T, raws []json.RawMessage, tasks []string) []map[string]any {
	t.Helper()
	byTask := map[string]map[string]any{}
	for _, raw := range raws {
		var m map[string]any
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatal(err)
		}
		task, _ := m["task"].(string)
		if _, dup := byTask[task]; dup {
			t.Fatalf("two %s records: %s", task, raws)
		}
		byTask[task] = m
	}
	if len(raws) != len(tasks) {
		t.Fatalf("want %d records (%v), the server holds %d:\n%s", len(tasks), tasks, len(raws), raws)
	}
	out := make([]map[string]any, len(tasks))
	for i, task := range tasks {
		if out[i] = byTask[task]; out[i] == nil {
			t.Fatalf("no %s record among %s", task, raws)
		}
	}
	return out
}

// TestBridgeAutoInstrumentedChild calls an instrumented model client inside a bridge
// agent: its plain OTel span, started from the agent's context, becomes a generation
// record under the agent's record, and its usage counts in the message's.
func TestBridgeAutoInstrumentedChild(t *testing.T) {
	srv := startServe(t)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(exporter.NewProcessor(newExporter(t, srv.URL))))
	client := bridge.New(tp)
	openai := tp.Tracer("go.opentelemetry.io/contrib/instrumentation/openai") // stands in for an instrumented client

	ctx, msg := client.Conversation(bridge.ConversationInfo{ID: "conv-auto"}).Message(context.Background(), "Plan a day in Paris")
	actx, agent := msg.Agent(ctx, "Plan a day in Paris", bridge.Name("planner"))
	_, chat := openai.Start(actx, "chat gpt-4o-mini", trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("gen_ai.operation.name", "chat"), attribute.String("gen_ai.provider.name", "openai"),
		attribute.String("gen_ai.request.model", "gpt-4o-mini"),
		attribute.String("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"Plan a day in Paris"}]}]`),
		attribute.String("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"Louvre, then lunch."}],"finish_reason":"stop"}]`),
		attribute.Int("gen_ai.usage.input_tokens", 40), attribute.Int("gen_ai.usage.output_tokens", 8)))
	chat.End()
	agent.End("Louvre, then lunch.")
	msg.End("Louvre, then lunch.")
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	recs := srv.records(t, "interaction_id="+url.QueryEscape(msg.Interaction().InteractionID))
	byTask := map[record.Task]record.Record{}
	for _, r := range recs {
		byTask[r.Task] = r
	}
	m, a, g := byTask[record.TaskMessage], byTask[record.TaskAgent], byTask[record.TaskGeneration]
	if len(recs) != 3 || m.TraceID == "" || a.TraceID == "" || g.TraceID == "" {
		t.Fatalf("want message, agent, generation: %+v", recs)
	}
	if g.ParentID != a.TraceID || a.ParentID != m.TraceID || m.ParentID != "" {
		t.Errorf("parentage: generation→%s agent→%s message→%q; want generation→agent→message", g.ParentID, a.ParentID, m.ParentID)
	}
	if g.Metadata["otel_parent_span_id"] != agent.SpanContext().SpanID().String() || g.Metadata["model"] != "gpt-4o-mini" {
		t.Errorf("generation metadata %v", g.Metadata)
	}
	if g.Output != `[{"role":"assistant","content":"Louvre, then lunch.","finish_reason":"stop"}]` || m.Metadata["total_tokens"] != int64(48) {
		t.Errorf("generation output %q, message usage %v", g.Output, m.Metadata["total_tokens"])
	}
	if a.Input != "Plan a day in Paris" || a.Output != "Louvre, then lunch." || a.Metadata["agent_name"] != "planner" {
		t.Errorf("agent %+v", a)
	}
}
