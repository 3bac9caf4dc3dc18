package integration_test

import (
	"context"
	"encoding/json"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/tracebridge/tracebridge/bridge"
	"github.com/tracebridge/tracebridge/exporter"
	"github.com/tracebridge/tracebridge/internal/destination"
	"github.com/tracebridge/tracebridge/semconv"
	"github.com/tracebridge/tracebridge/traceapi"
)

// seedClock is a clock the seed flow moves by hand.
type seedClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *seedClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *seedClock) set(base time.Time, ms int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = base.Add(time.Duration(ms) * time.Millisecond)
}

// seedIDs are the record ids of the seed flow's steps.
type seedIDs struct {
	interaction, message, generation, evaluation, router, retrieval, agent, agentEval, feedback string
}

// runSeedFlow plays the seed flow of the vendors' SDKs through the bridge — trace → message
// → generation (evaluated, with a score), router → retrieval → agent (evaluated, with a
// pass label) → end, and a minute later the user's feedback — into d at srv.
func runSeedFlow(t *testing.T, srv *serve, d exporter.Destination) seedIDs {
	t.Helper()
	exp := newExporter(t, srv.URL, exporter.WithDestination(d), exporter.WithAPIKey(destToken))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(exporter.NewProcessor(exp)))
	base := time.Date(2026, 11, 29, 11, 0, 0, 0, time.UTC)
	clk := &seedClock{now: base}
	client := bridge.New(tp, bridge.WithClock(clk.Now))
	info := bridge.ConversationInfo{
		ID: "conv-bridge-1", SessionID: "sess-1", ChannelID: "web",
		User:     bridge.User{ID: "u-42", Email: "ada@example.com"},
		Metadata: bridge.Metadata{Timezone: "Europe/Madrid"},
		Custom:   map[string]string{"tenant": "acme"},
	}
	rec := func(s *bridge.Step) string {
		return semconv.RecordID(s.SpanContext().TraceID(), s.SpanContext().SpanID())
	}
	score := 0.8
	var ids seedIDs
	ctx, msg := client.Conversation(info).Message(context.Background(), "How long do I have to return shoes?")
	clk.set(base, 100)
	gctx, gen := msg.Generation(ctx, "How long do I have to return shoes?", bridge.Model("gpt-4o-mini"), bridge.Provider("openai"))
	clk.set(base, 400)
	gen.End("Within 30 days of delivery.", bridge.Usage(84, 19))
	_, ev := gen.Evaluation(gctx, bridge.Evaluation{Name: "faithfulness", Score: &score, Label: "pass", Explanation: "quotes the policy"})
	clk.set(base, 450)
	rctx, router := msg.Router(ctx, "How long do I have to return shoes?")
	clk.set(base, 500)
	rctx, ret := router.Retrieval(rctx, "shoe return window")
	clk.set(base, 650)
	ret.End(`[{"chunk":"Unworn shoes can be returned within 30 days."}]`)
	clk.set(base, 700)
	actx, agent := ret.Agent(rctx, "Summarise the policy", bridge.Name("summariser"))
	clk.set(base, 850)
	agent.End("30 days from delivery.")
	_, aev := agent.Evaluation(actx, bridge.Evaluation{Name: "concise", Label: "pass"})
	clk.set(base, 900)
	msg.End("Within 30 days of delivery.")
	turn := msg.Interaction()
	if err := tp.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	clk.set(base, 60_000)
	_, fb := client.Conversation(info).Feedback(context.Background(), turn.InteractionID, bridge.FeedbackPositive, "Clear answer")
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := exp.Stats(); st.Sent != 8 || st.Failed != 0 {
		t.Errorf("%s: stats %+v, want the 8 records sent", d.Name(), st)
	}
	ids = seedIDs{
		interaction: turn.InteractionID, message: semconv.MessageIDOf(turn.InteractionID),
		generation: rec(gen), evaluation: rec(ev), router: rec(router), retrieval: rec(ret), agent: rec(agent), agentEval: rec(aev), feedback: rec(fb),
	}
	return ids
}

// field reads a dotted path of a JSON payload as text ("" when absent). Keys may hold dots
// themselves ("custom_metadata.evaluation.faithfulness.label"): the longest key that exists
// is taken at each level.
func field(payload json.RawMessage, path string) string {
	var v any
	if json.Unmarshal(payload, &v) != nil {
		return ""
	}
	parts := strings.Split(path, ".")
	for len(parts) > 0 {
		m, ok := v.(map[string]any)
		if !ok {
			return ""
		}
		n := len(parts)
		for ; n > 1; n-- {
			if _, ok := m[strings.Join(parts[:n], ".")]; ok {
				break
			}
		}
		v = m[strings.Join(parts[:n], ".")]
		parts = parts[n:]
	}
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// seedRow is what a destination holds for one step: the item's kind, its parent (by step
// name) and chosen fields of its payload.
type seedRow struct {
	kind, parent string
	fields       map[string]string
}

func checkSeed(t *testing.T, got []traceapi.Item, ids seedIDs, want map[string]seedRow) {
	t.Helper()
	name := map[string]string{"": "", ids.interaction: "interaction", ids.message: "message", ids.generation: "generation",
		ids.evaluation: "evaluation", ids.router: "router", ids.retrieval: "retrieval", ids.agent: "agent", ids.agentEval: "agentEval",
		ids.feedback: "feedback"}
	seen := map[string]bool{}
	var listed []string
	for _, it := range got {
		step := name[it.ID]
		key := it.Kind + " " + step
		listed = append(listed, key)
		w, ok := want[key]
		if !ok || step == "" {
			t.Errorf("unexpected %s %s: %s", it.Kind, it.ID, it.Payload)
			continue
		}
		seen[key] = true
		if p := name[it.ParentID]; p != w.parent {
			t.Errorf("%s: parent %s (%s), want %s", key, p, it.ParentID, w.parent)
		}
		if it.InteractionID != ids.interaction {
			t.Errorf("%s: interaction %s", key, it.InteractionID)
		}
		for path, v := range w.fields {
			if g := field(it.Payload, path); g != v {
				t.Errorf("%s: %s = %s, want %s", key, path, g, v)
			}
		}
	}
	sort.Strings(listed)
	for key := range want {
		if !seen[key] {
			t.Errorf("no %s stored (stored: %v)", key, listed)
		}
	}
}

func TestBridgeSeedFlowToNeuralTrustBatch(t *testing.T) {
	srv := startServe(t, "--token", destToken)
	ids := runSeedFlow(t, srv, exporter.NeuralTrustBatch())
	span := func(parent, kind, task string, more ...string) seedRow {
		f := map[string]string{"kind": kind, "attributes.task": task, "status": "ok", "attributes.channel_id": "web", "attributes.custom": `{"tenant":"acme"}`,
			"attributes.timezone": "Europe/Madrid"}
		for i := 0; i+1 < len(more); i += 2 {
			f[more[i]] = more[i+1]
		}
		return seedRow{"span", parent, f}
	}
	checkSeed(t, srv.items(t, "contract=neuraltrust-batch"), ids, map[string]seedRow{
		"trace interaction": {"trace", "", map[string]string{"group_id": "conv-bridge-1", "workflow_name": "message",
			"attributes.session_id": "sess-1", "attributes.user_id": "u-42", "attributes.user_email": "ada@example.com",
			"attributes.channel_id": "web", "started_at": "1795950000", "ended_at": "1795950000.9"}},
		"span message": span("", "workflow", "message", "attributes.input", "How long do I have to return shoes?",
			"attributes.output", "Within 30 days of delivery.", "attributes.input_tokens", "84", "started_at", "1795950000", "ended_at", "1795950000.9"),
		"span generation": span("message", "llm", "generation", "attributes.model", "gpt-4o-mini", "attributes.provider", "openai",
			"attributes.output_tokens", "19", "started_at", "1795950000.1", "ended_at", "1795950000.4"),
		"span evaluation": span("generation", "internal", "event", "attributes.evaluation_name", "faithfulness",
			"attributes.evaluation_score", "0.8", "attributes.evaluation_label", "pass"),
		"span router": span("message", "internal", "router", "attributes.input", "How long do I have to return shoes?"),
		"span retrieval": span("router", "internal", "retrieval", "attributes.input", "shoe return window",
			"attributes.output", `[{"chunk":"Unworn shoes can be returned within 30 days."}]`),
		"span agent":     span("retrieval", "agent", "agent", "attributes.agent_name", "summariser", "attributes.output", "30 days from delivery."),
		"span agentEval": span("agent", "internal", "event", "attributes.evaluation_name", "concise", "attributes.evaluation_label", "pass"),
		"span feedback":  span("message", "internal", "feedback", "attributes.feedback_tag", "positive", "attributes.feedback_text", "Clear answer"),
	})
}

func TestBridgeSeedFlowToAdaline(t *testing.T) {
	srv := startServe(t, "--token", destToken)
	ids := runSeedFlow(t, srv, exporter.Adaline(adalineProject))
	span := func(parent, ctype, task string, more ...string) seedRow {
		f := map[string]string{"content.type": ctype, "attributes.task": task, "status": "success", "sessionId": "sess-1", "attributes.channel_id": "web"}
		for i := 0; i+1 < len(more); i += 2 {
			f[more[i]] = more[i+1]
		}
		return seedRow{"span", parent, f}
	}
	checkSeed(t, srv.items(t, "contract=adaline"), ids, map[string]seedRow{
		"trace interaction": {"trace", "", map[string]string{"referenceId": ids.interaction, "name": "message", "status": "success",
			"sessionId": "sess-1", "startedAt": "1795950000000", "endedAt": "1795950000900",
			"attributes.conversation_id": "conv-bridge-1", "attributes.user_id": "u-42", "attributes.timezone": "Europe/Madrid",
			"attributes.custom": `{"tenant":"acme"}`}},
		"span message": span("", "Other", "message", "content.input", `"How long do I have to return shoes?"`,
			"content.output", `"Within 30 days of delivery."`, "attributes.input_tokens", "84"),
		"span generation": span("message", "Model", "generation", "content.provider", "openai", "content.model", "gpt-4o-mini",
			"content.input", `"How long do I have to return shoes?"`, "content.output", `"Within 30 days of delivery."`,
			"startedAt", "1795950000100", "endedAt", "1795950000400"),
		// Instants last 1 ms.
		"span evaluation": span("generation", "Other", "event", "attributes.evaluation_score", "0.8", "startedAt", "1795950000400", "endedAt", "1795950000401"),
		"span router":     span("message", "Other", "router", "startedAt", "1795950000450", "endedAt", "1795950000451"),
		"span retrieval": span("router", "Retrieval", "retrieval", "content.input", `"shoe return window"`,
			"content.output", `[{"chunk":"Unworn shoes can be returned within 30 days."}]`),
		"span agent":     span("retrieval", "Other", "agent", "content.output", `"30 days from delivery."`, "attributes.agent_name", "summariser"),
		"span agentEval": span("agent", "Other", "event", "attributes.evaluation_label", "pass", "startedAt", "1795950000850", "endedAt", "1795950000851"),
		"span feedback": span("message", "Other", "feedback", "traceReferenceId", ids.interaction,
			"content.output", `{"feedback_tag":"positive","feedback_text":"Clear answer"}`),
	})
}

func TestBridgeSeedFlowToFreeplay(t *testing.T) {
	srv := startServe(t, "--token", destToken)
	ids := runSeedFlow(t, srv, exporter.Freeplay(freeplayProject))
	trace := func(parent, task string, more ...string) seedRow {
		f := map[string]string{"custom_metadata.task": task, "custom_metadata.session_id": "sess-1", "custom_metadata.user_email": "ada@example.com",
			"custom_metadata.channel_id": "web", "custom_metadata.timezone": "Europe/Madrid"}
		for i := 0; i+1 < len(more); i += 2 {
			f[more[i]] = more[i+1]
		}
		return seedRow{"trace", parent, f}
	}
	got := srv.items(t, "contract=freeplay")
	checkSeed(t, got, ids, map[string]seedRow{
		"trace message": trace("", "message", "input", "How long do I have to return shoes?", "output", "Within 30 days of delivery.",
			"start_time", "2026-11-29T11:00:00.000Z", "end_time", "2026-11-29T11:00:00.900Z", "kind", ""),
		"completion generation": {"completion", "message", map[string]string{
			"messages":             `[{"content":"How long do I have to return shoes?","role":"user"},{"content":"Within 30 days of delivery.","role":"assistant"}]`,
			"call_info.model":      "gpt-4o-mini",
			"call_info.provider":   "openai",
			"call_info.usage":      `{"completion_tokens":19,"prompt_tokens":84}`,
			"call_info.start_time": "1795950000.1",
			"call_info.end_time":   "1795950000.4",
			"eval_results":         `{"faithfulness":0.8}`,
			"custom_metadata.evaluation.faithfulness.label": "pass",
			"session_info.custom_metadata.user_id":          "u-42",
		}},
		"trace router":    trace("message", "router", "input", "How long do I have to return shoes?", "kind", ""),
		"trace retrieval": trace("router", "retrieval", "output", `[{"chunk":"Unworn shoes can be returned within 30 days."}]`),
		"trace agent":     trace("retrieval", "agent", "kind", "agent", "agent_name", "summariser", "output", "30 days from delivery."),
		// The agent's evaluation has no score: its pass label is a boolean eval result, in an
		// update of the agent's trace (a re-sent trace would not erase it).
		"trace_update agent": {"trace_update", "retrieval", map[string]string{
			"eval_results": `{"concise":true}`, "metadata": `{"evaluation.concise.label":"pass"}`}},
		"trace_feedback message": {"trace_feedback", "", map[string]string{"freeplay_feedback": "positive",
			"feedback_tag": "positive", "feedback_text": "Clear answer"}},
	})
	for _, it := range got {
		if it.SessionID != destination.UUIDFor("sess-1") {
			t.Errorf("%s %s: session %s, want the UUID of sess-1", it.Kind, it.ID, it.SessionID)
		}
	}
}
