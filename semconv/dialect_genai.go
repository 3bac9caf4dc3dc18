package semconv

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
)

// OTel GenAI content, newest era first.

// genaiAttrIn reads ≥1.37 span attributes: gen_ai.input.messages with
// gen_ai.system_instructions kept as a leading system message.
func genaiAttrIn(st *step) conv {
	return genaiMessages(st.a.str(GenAIInputMessages), st.a.str(GenAISystemInstructions))
}

func genaiAttrOut(st *step) conv { return messagesOrRaw(st.a.str(GenAIOutputMessages)) }

func genaiMessages(in, sys string) conv {
	if in == "" && sys == "" {
		return conv{}
	}
	c := messagesOrRaw(in)
	if c.raw != "" {
		return c
	}
	c.msgs = append(systemMessages(sys), c.msgs...)
	return c
}

// genaiDetailsIn and genaiDetailsOut read the same attributes on the
// gen_ai.client.inference.operation.details event (≥1.37, when content goes to an event).
func genaiDetailsIn(st *step) conv {
	if ev := findEvent(st.span, GenAIEventOperationDetails); ev != nil {
		return genaiMessages(eventStr(ev, GenAIInputMessages), eventStr(ev, GenAISystemInstructions))
	}
	return conv{}
}

func genaiDetailsOut(st *step) conv {
	if ev := findEvent(st.span, GenAIEventOperationDetails); ev != nil {
		return messagesOrRaw(eventStr(ev, GenAIOutputMessages))
	}
	return conv{}
}

func findEvent(s *Span, name string) *Event {
	for i := range s.Events {
		if s.Events[i].Name == name {
			return &s.Events[i]
		}
	}
	return nil
}

// genaiMessageEventsIn reads the 1.28–1.36 events gen_ai.{system,user,assistant,tool}.message
// in their order on the span; their body fields arrive as attributes (content, tool_calls, id).
func genaiMessageEventsIn(st *step) conv {
	var msgs []Message
	for i := range st.span.Events {
		ev := &st.span.Events[i]
		var role string
		switch ev.Name {
		case GenAIEventSystemMessage:
			role = "system"
		case GenAIEventUserMessage:
			role = "user"
		case GenAIEventAssistantMessage:
			role = "assistant"
		case GenAIEventToolMessage:
			role = "tool"
		default:
			continue
		}
		m := Message{Role: first(eventStr(ev, "role"), role), Name: eventStr(ev, "name"), Content: textOrParts(eventStr(ev, "content"))}
		if calls, ok := parseToolCalls(eventStr(ev, "tool_calls")); ok {
			m.ToolCalls = calls
		}
		if role == "tool" {
			m.ToolCallID = first(eventStr(ev, "id"), eventStr(ev, "tool_call_id"))
		}
		msgs = append(msgs, m)
	}
	return conv{msgs: msgs}
}

// genaiChoiceEventsOut reads gen_ai.choice events (1.28–1.36): {index, finish_reason,
// message:{role?, content, tool_calls}}, in index order.
func genaiChoiceEventsOut(st *step) conv {
	type choice struct {
		index int64
		m     Message
	}
	var choices []choice
	for i := range st.span.Events {
		ev := &st.span.Events[i]
		if ev.Name != GenAIEventChoice {
			continue
		}
		c := choice{}
		if v, ok := eventValue(ev, "index"); ok {
			c.index, _ = valueInt(v)
		}
		if raw := eventStr(ev, "message"); strings.HasPrefix(strings.TrimSpace(raw), "{") {
			if m, ok := parseMessageObject(raw); ok {
				c.m = m
			} else {
				c.m.Content = raw
			}
		} else {
			c.m = Message{Content: textOrParts(first(raw, eventStr(ev, "message.content"), eventStr(ev, "content")))}
			if calls, ok := parseToolCalls(first(eventStr(ev, "message.tool_calls"), eventStr(ev, "tool_calls"))); ok {
				c.m.ToolCalls = calls
			}
		}
		c.m.Role = first(c.m.Role, eventStr(ev, "message.role"), "assistant")
		c.m.FinishReason = first(eventStr(ev, "finish_reason"), c.m.FinishReason)
		choices = append(choices, c)
	}
	sort.SliceStable(choices, func(i, j int) bool { return choices[i].index < choices[j].index })
	msgs := make([]Message, 0, len(choices))
	for _, c := range choices {
		msgs = append(msgs, c.m)
	}
	return conv{msgs: msgs}
}

// genaiContentEventIn reads the ≤1.27 gen_ai.content.prompt event (attribute gen_ai.prompt,
// JSON), else a gen_ai.prompt span attribute holding the same JSON.
func genaiContentEventIn(st *step) conv {
	if ev := findEvent(st.span, GenAIEventContentPrompt); ev != nil {
		if c := flexibleMessages(eventStr(ev, GenAIPrompt)); !c.empty() {
			return c
		}
	}
	return flexibleMessages(st.a.str(GenAIPrompt))
}

func genaiContentEventOut(st *step) conv {
	if ev := findEvent(st.span, GenAIEventContentCompletion); ev != nil {
		if c := flexibleMessages(eventStr(ev, GenAICompletion)); !c.empty() {
			return c
		}
	}
	return flexibleMessages(st.a.str(GenAICompletion))
}

// genaiRetrievalDocs reads gen_ai.retrieval.documents ([{id, score, content?}]).
func genaiRetrievalDocs(st *step) conv { return documentsOrRaw(st.a.str(GenAIRetrievalDocuments)) }

func documentsOrRaw(text string) conv {
	if text == "" {
		return conv{}
	}
	if docs, ok := ParseDocuments(text); ok {
		if len(docs) == 0 {
			return conv{}
		}
		if c := docsConv(docs); !c.empty() {
			return c
		}
	}
	return conv{raw: text} // not documents: kept as it is
}

// docsConv renders documents, or nothing when none has an id, content or score (a list of
// something else, or fragments of a cut list).
func docsConv(docs []Document) conv {
	for _, d := range docs {
		if d.ID != "" || d.Content != "" || d.Score != nil {
			return conv{raw: EncodeDocuments(docs)}
		}
	}
	return conv{}
}

// genaiEvaluation is the summary of gen_ai.evaluation.* as the output of an event record.
func genaiEvaluation(st *step) conv {
	name, label, expl := st.a.str(GenAIEvaluationName), st.a.str(GenAIEvaluationScoreLabel), st.a.str(GenAIEvaluationExplanation)
	var score *float64
	if v, ok := st.a.get(GenAIEvaluationScoreValue); ok {
		if f, ok := valueFloat(v); ok {
			score = &f
		}
	}
	if name == "" && label == "" && expl == "" && score == nil {
		return conv{}
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	err := enc.Encode(struct {
		Name        string   `json:"name,omitempty"`
		Score       *float64 `json:"score,omitempty"`
		Label       string   `json:"label,omitempty"`
		Explanation string   `json:"explanation,omitempty"`
	}{name, score, label, expl})
	if err != nil {
		return conv{}
	}
	return conv{raw: strings.TrimSuffix(buf.String(), "\n")}
}
