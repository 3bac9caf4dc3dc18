package bridge

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"

	"github.com/tracebridge/tracebridge/record"
)

// Message is one chat message of a generation's or agent's conversation.
type Message struct {
	Role         string     // system, user, assistant or tool
	Content      string     // the text; for a tool message, the tool's result
	ToolCalls    []ToolCall // the tool calls an assistant message asks for
	ToolCallID   string     // the call a tool message answers
	FinishReason string     // why the model stopped, on output messages
}

// ToolCall is a tool call asked for by a model.
type ToolCall struct {
	ID        string
	Name      string
	Arguments string // JSON text
}

// Document is one document a retrieval found.
type Document struct {
	ID      string   `json:"id,omitempty"`
	Score   *float64 `json:"score,omitempty"`
	Content string   `json:"content,omitempty"`
}

// The shapes of gen_ai.input.messages / gen_ai.output.messages (GenAI ≥1.37): a message is
// {role, parts, finish_reason?}, a part {type: text | tool_call | tool_call_response, …}.
type genaiMessage struct {
	Role         string      `json:"role"`
	Parts        []genaiPart `json:"parts"`
	FinishReason string      `json:"finish_reason,omitempty"`
}

type genaiPart struct {
	Type      string `json:"type"`
	Content   string `json:"content,omitempty"`
	ID        string `json:"id,omitempty"`
	Name      string `json:"name,omitempty"`
	Arguments any    `json:"arguments,omitempty"`
	Response  string `json:"response,omitempty"`
}

// textMessage is a one-message conversation holding text, written without reflection and
// usually in one allocation: it is on every generation's path.
func textMessage(role, text string) string {
	var sb strings.Builder
	sb.Grow(len(role) + len(text) + 64)
	sb.WriteString(`[{"role":"`)
	sb.WriteString(role)
	sb.WriteString(`","parts":[{"type":"text","content":`)
	writeJSONString(&sb, text)
	sb.WriteString(`}]}]`)
	return sb.String()
}

// textParts is system instructions as GenAI writes them: a list of text parts.
func textParts(text string) string {
	var sb strings.Builder
	sb.Grow(len(text) + 32)
	sb.WriteString(`[{"type":"text","content":`)
	writeJSONString(&sb, text)
	sb.WriteString(`}]`)
	return sb.String()
}

// writeJSONString writes text as a JSON string: as it is between quotes when nothing in it
// needs escaping (the usual case), else escaped as the record encoder does.
func writeJSONString(sb *strings.Builder, text string) {
	if !needsEscape(text) {
		sb.WriteByte('"')
		sb.WriteString(text)
		sb.WriteByte('"')
		return
	}
	sb.Write(record.AppendString(nil, text))
}

func needsEscape(s string) bool {
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c < 0x20 || c == '"' || c == '\\' {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if (r == utf8.RuneError && size == 1) || r == '\u2028' || r == '\u2029' {
			return true
		}
		i += size
	}
	return false
}

func encodeMessages(msgs []Message) string {
	out := make([]genaiMessage, 0, len(msgs))
	for _, m := range msgs {
		g := genaiMessage{Role: m.Role, Parts: []genaiPart{}, FinishReason: m.FinishReason}
		switch {
		case m.ToolCallID != "":
			g.Parts = append(g.Parts, genaiPart{Type: "tool_call_response", ID: m.ToolCallID, Response: m.Content})
		case m.Content != "":
			g.Parts = append(g.Parts, genaiPart{Type: "text", Content: m.Content})
		}
		for _, tc := range m.ToolCalls {
			var args any = tc.Arguments
			if json.Valid([]byte(tc.Arguments)) {
				args = json.RawMessage(tc.Arguments)
			}
			g.Parts = append(g.Parts, genaiPart{Type: "tool_call", ID: tc.ID, Name: tc.Name, Arguments: args})
		}
		out = append(out, g)
	}
	return jsonText(out)
}

func encodeDocuments(docs []Document) string {
	if docs == nil {
		docs = []Document{}
	}
	return jsonText(docs)
}

// jsonText is v as compact JSON, HTML characters left as they are.
func jsonText(v any) string {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(buf.String(), "\n")
}
