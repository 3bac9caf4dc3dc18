package bridge_test

import (
	"context"
	"encoding/json"
	"reflect"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/bridge"
)

// plain renders attributes as comparable Go values.
func plain(a map[attribute.Key]attribute.Value) map[string]any {
	out := map[string]any{}
	for k, v := range a {
		out[string(k)] = v.AsInterface()
	}
	return out
}

func assertAttrs(t *testing.T, name string, got map[attribute.Key]attribute.Value, want map[string]any) {
	t.Helper()
	g := plain(got)
	if !reflect.DeepEqual(g, want) {
		gj, _ := json.MarshalIndent(g, "", "  ")
		wj, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("%s attributes\n got %s\nwant %s", name, gj, wj)
	}
}

// TestAttributes pins every attribute the bridge sets, kind by kind.
func TestAttributes(t *testing.T) {
	h := newHarness(t)
	conv := h.client.Conversation(bridge.ConversationInfo{
		ID: "conv-1", SessionID: "sess-1", ChannelID: "web",
		User:     bridge.User{ID: "u-1", Email: "ada@example.com", Phone: "+34 600", Extra: map[string]string{"plan": "pro"}},
		Metadata: bridge.Metadata{UserAgent: "Mozilla/5.0", Timezone: "Europe/Madrid", Locale: "es-ES", OS: "macos", Extra: map[string]string{"app_version": "2.3"}},
		Custom:   map[string]any{"tenant": "acme", "html": "<b>"},
		Tags:     []string{"beta"},
	})
	ctx, msg := conv.Message(context.Background(), "What is the refund window?")
	gctx, gen := msg.Generation(ctx, "What is the refund window?", bridge.Model("gpt-4o"), bridge.Provider("openai"),
		bridge.SystemInstructions("Be brief."))
	gen.End("30 days.", bridge.Usage(12, 4), bridge.ResponseModel("gpt-4o-2024-08-06"), bridge.FinishReasons("stop"))
	_, tool := msg.Tool(ctx, `"Paris"`, bridge.Name("weather"), bridge.ToolCallID("call_1"))
	tool.End(`{"temp_c":18}`)
	_, ret := msg.Retrieval(ctx, "refund window", bridge.DataSource("policies"))
	ret.End("one policy", bridge.Documents(bridge.Document{ID: "p#2", Score: new(0.91), Content: "30 days"}))
	_, agent := msg.Agent(ctx, "", bridge.Name("planner"), bridge.InputMessages(
		bridge.Message{Role: "user", Content: "plan"},
		bridge.Message{Role: "assistant", ToolCalls: []bridge.ToolCall{{ID: "c1", Name: "search", Arguments: `{"q":"x"}`}}},
		bridge.Message{Role: "tool", ToolCallID: "c1", Content: "found"}))
	agent.End("")
	_, _ = gen.Evaluation(gctx, bridge.Evaluation{Name: "relevance", Score: new(0.8), Label: "relevant", Explanation: "on topic"})
	_, _ = gen.Feedback(gctx, bridge.FeedbackPositive, "thanks")
	msg.End("30 days.")
	spans := h.ended()
	interaction := msg.Interaction().InteractionID

	assertAttrs(t, "message", attrs(spans["message"]), map[string]any{
		"tracebridge.task": "message", "gen_ai.conversation.id": "conv-1", "session.id": "sess-1",
		"tracebridge.channel.id": "web", "user.id": "u-1", "user.email": "ada@example.com",
		"tracebridge.user.phone": "+34 600", "tracebridge.user.plan": "pro",
		"user_agent.original": "Mozilla/5.0", "tracebridge.metadata.timezone": "Europe/Madrid",
		"tracebridge.metadata.locale": "es-ES", "tracebridge.metadata.os": "macos", "tracebridge.metadata.app_version": "2.3",
		"tracebridge.custom": `{"html":"<b>","tenant":"acme"}`, "tag.tags": []string{"beta"},
		"input.value": "What is the refund window?", "input.mime_type": "text/plain",
		"output.value": "30 days.", "output.mime_type": "text/plain",
	})
	assertAttrs(t, "generation", attrs(spans["chat gpt-4o"]), map[string]any{
		"gen_ai.operation.name": "chat", "gen_ai.conversation.id": "conv-1",
		"gen_ai.request.model": "gpt-4o", "gen_ai.provider.name": "openai",
		"gen_ai.system_instructions": `[{"type":"text","content":"Be brief."}]`,
		"gen_ai.input.messages":      `[{"role":"user","parts":[{"type":"text","content":"What is the refund window?"}]}]`,
		"tracebridge.input":          "What is the refund window?",
		"gen_ai.output.messages":     `[{"role":"assistant","parts":[{"type":"text","content":"30 days."}]}]`,
		"tracebridge.output":         "30 days.",
		"gen_ai.usage.input_tokens":  int64(12), "gen_ai.usage.output_tokens": int64(4),
		"gen_ai.response.model": "gpt-4o-2024-08-06", "gen_ai.response.finish_reasons": []string{"stop"},
	})
	if k := spans["chat gpt-4o"].SpanKind(); k != trace.SpanKindClient {
		t.Errorf("generation span kind %v", k)
	}
	assertAttrs(t, "tool", attrs(spans["execute_tool weather"]), map[string]any{
		"gen_ai.operation.name": "execute_tool", "gen_ai.tool.name": "weather", "gen_ai.tool.call.id": "call_1",
		"gen_ai.tool.call.arguments": `"Paris"`, "tracebridge.input": `"Paris"`, // a JSON string literal: mappers unquote it
		"gen_ai.tool.call.result": `{"temp_c":18}`,
	})
	assertAttrs(t, "retrieval", attrs(spans["retrieval policies"]), map[string]any{
		"gen_ai.operation.name": "retrieval", "gen_ai.data_source.id": "policies", "gen_ai.retrieval.query.text": "refund window",
		"gen_ai.retrieval.documents": `[{"id":"p#2","score":0.91,"content":"30 days"}]`,
		"output.value":               "one policy", "output.mime_type": "text/plain", "tracebridge.output": "one policy",
	})
	assertAttrs(t, "agent", attrs(spans["invoke_agent planner"]), map[string]any{
		"gen_ai.operation.name": "invoke_agent", "gen_ai.agent.name": "planner", "gen_ai.conversation.id": "conv-1",
		"gen_ai.input.messages": `[{"role":"user","parts":[{"type":"text","content":"plan"}]},` +
			`{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"search","arguments":{"q":"x"}}]},` +
			`{"role":"tool","parts":[{"type":"tool_call_response","id":"c1","response":"found"}]}]`,
	})
	assertAttrs(t, "evaluation", attrs(spans["evaluation relevance"]), map[string]any{
		"gen_ai.evaluation.name": "relevance", "gen_ai.evaluation.score.value": 0.8,
		"gen_ai.evaluation.score.label": "relevant", "gen_ai.evaluation.explanation": "on topic",
	})
	assertAttrs(t, "feedback", attrs(spans["feedback"]), map[string]any{
		"tracebridge.task": "feedback", "tracebridge.interaction.id": interaction,
		"tracebridge.feedback.tag": "positive", "tracebridge.feedback.text": "thanks",
	})
}
