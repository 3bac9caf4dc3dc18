package semconv

import (
	"encoding/json"
	"strings"
)

// Vercel AI SDK content. The inner doGenerate/doStream span has the provider-level prompt
// (ai.prompt.messages); the outer span has the caller's (ai.prompt: {system, prompt|messages}).

func vercelPromptIn(st *step) conv {
	if c := messagesOrRaw(st.a.str(AIPromptMessages)); !c.empty() {
		return c
	}
	return flexibleMessages(st.a.str(AIPrompt))
}

// vercelResponseOut reads ai.response.text, ai.response.toolCalls (≤4: {toolCallId,
// toolName, args}; 5+: {toolCallId, toolName, input}) and ai.response.object as one assistant
// message with ai.response.finishReason.
func vercelResponseOut(st *step) conv {
	text := st.a.str(AIResponseText)
	if text == "" {
		text = st.a.str(AIResponseObject)
	}
	m := Message{Role: "assistant", Content: text}
	if tc := st.a.str(AIResponseToolCalls); tc != "" {
		if calls, ok := parseToolCalls(tc); ok {
			m.ToolCalls = calls
		} else if m.Content == "" {
			m.Content = tc // unreadable: keep it
		}
	}
	if m.Content == "" && len(m.ToolCalls) == 0 {
		return conv{}
	}
	m.FinishReason = st.a.str(AIResponseFinishReason)
	return conv{msgs: []Message{m}}
}

// vercelEmbedIn reads ai.values (each a JSON value) or ai.value as the user messages of an
// embeddings call.
func vercelEmbedIn(st *step) conv {
	vals := st.a.strings(AIValues)
	if len(vals) == 0 {
		if v := st.a.str(AIValue); v != "" {
			vals = []string{v}
		}
	}
	texts := make([]string, 0, len(vals))
	for _, v := range vals {
		texts = append(texts, jsonValueText(v))
	}
	return textsAsUser(texts)
}

// jsonValueText renders a JSON value as text: a string unquoted, other JSON compact, and
// text that is not JSON as it is.
func jsonValueText(s string) string {
	if t := strings.TrimSpace(s); json.Valid([]byte(t)) {
		return jsonText(json.RawMessage(t))
	}
	return s
}

func vercelToolArgs(st *step) conv { return rawOf(AIToolCallArgs)(st) }

func vercelToolResult(st *step) conv {
	if c := rawOf(AIToolCallResult)(st); !c.empty() {
		return c
	}
	return rawOf(AIToolCallOutput)(st)
}
