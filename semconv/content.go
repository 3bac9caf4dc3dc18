package semconv

import (
	"bytes"
	"encoding/json"
	"strings"
)

// Message is one chat message in the form tracebridge sends as a generation's input or
// output: the widely read {role, content} chat shape, with tool calls kept.
type Message struct {
	Role         string     `json:"role"`
	Content      string     `json:"content,omitempty"`
	Name         string     `json:"name,omitempty"`
	ToolCalls    []ToolCall `json:"tool_calls,omitempty"`
	ToolCallID   string     `json:"tool_call_id,omitempty"`
	FinishReason string     `json:"finish_reason,omitempty"`
}

// ToolCall is a tool call requested by a model. Arguments is JSON text.
type ToolCall struct {
	ID        string          `json:"id,omitempty"`
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments,omitempty"`
}

// Document is one retrieved document.
type Document struct {
	ID      string   `json:"id,omitempty"`
	Score   *float64 `json:"score,omitempty"`
	Content string   `json:"content,omitempty"`
}

// rawMessage accepts both message shapes seen on spans: {role, parts:[...]} (GenAI ≥1.37)
// and {role, content} where content is a string or a list of content parts.
type rawMessage struct {
	Role         string          `json:"role"`
	Name         string          `json:"name"`
	Parts        []rawPart       `json:"parts"`
	Content      json.RawMessage `json:"content"`
	ToolCalls    []rawToolCall   `json:"tool_calls"`
	ToolCallID   string          `json:"tool_call_id"`
	FinishReason string          `json:"finish_reason"`
}

type rawPart struct {
	Type      string          `json:"type"`
	Content   json.RawMessage `json:"content"`
	Text      string          `json:"text"`
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
	Response  json.RawMessage `json:"response"`
	Result    json.RawMessage `json:"result"`
}

type rawToolCall struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Function *struct {
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
	} `json:"function"`
	Arguments json.RawMessage `json:"arguments"`
}

// ParseMessages reads a JSON list of messages in any shape the dialects use. ok is false
// when text is not such a list; the caller then keeps the text as it is.
func ParseMessages(text string) (msgs []Message, ok bool) {
	var raw []rawMessage
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return nil, false
	}
	msgs = make([]Message, 0, len(raw))
	for _, r := range raw {
		msgs = append(msgs, r.normalize())
	}
	return msgs, true
}

func (r rawMessage) normalize() Message {
	m := Message{Role: r.Role, Name: r.Name, ToolCallID: r.ToolCallID, FinishReason: r.FinishReason}
	var text []string
	for _, p := range r.Parts {
		switch p.Type {
		case "text", "reasoning", "":
			if s := jsonText(p.Content); s != "" {
				text = append(text, s)
			} else if p.Text != "" {
				text = append(text, p.Text)
			}
		case "tool_call":
			m.ToolCalls = append(m.ToolCalls, ToolCall{ID: p.ID, Name: p.Name, Arguments: compactJSON(p.Arguments)})
		case "tool_call_response":
			if m.ToolCallID == "" {
				m.ToolCallID = p.ID
			}
			res := p.Response
			if len(res) == 0 {
				res = p.Result
			}
			if s := jsonText(res); s != "" {
				text = append(text, s)
			}
		default:
			// Media parts (blob, uri, file) carry no readable text; name them so the reader
			// sees that something was there.
			text = append(text, "["+p.Type+"]")
		}
	}
	if c := contentText(r.Content); c != "" {
		text = append(text, c)
	}
	for _, tc := range r.ToolCalls {
		call := ToolCall{ID: tc.ID, Name: tc.Name, Arguments: compactJSON(tc.Arguments)}
		if tc.Function != nil {
			call.Name = tc.Function.Name
			call.Arguments = compactJSON(tc.Function.Arguments)
		}
		m.ToolCalls = append(m.ToolCalls, call)
	}
	m.Content = strings.Join(text, "\n")
	return m
}

// contentText reads a message content that is a string, or a list of content parts
// ({type:"text", text} or {type:"text", content}).
func contentText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if raw[0] == '"' {
		return jsonText(raw)
	}
	if raw[0] == '[' {
		var parts []rawPart
		if json.Unmarshal(raw, &parts) == nil {
			var text []string
			for _, p := range parts {
				if p.Text != "" {
					text = append(text, p.Text)
				} else if s := jsonText(p.Content); s != "" {
					text = append(text, s)
				}
			}
			return strings.Join(text, "\n")
		}
	}
	return string(raw)
}

// jsonText returns a JSON string's value, or other JSON as compact text.
func jsonText(raw json.RawMessage) string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	if raw[0] == '"' {
		var s string
		if json.Unmarshal(raw, &s) == nil {
			return s
		}
	}
	return string(compactJSON(raw))
}

// compactJSON returns raw without insignificant space. A JSON string holding JSON (the
// OpenAI form of tool arguments) is kept as the string it is.
func compactJSON(raw json.RawMessage) json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return nil
	}
	return buf.Bytes()
}

// systemMessages reads gen_ai.system_instructions: a JSON list of parts, a list of
// messages, or a plain string (as some SDKs send it).
func systemMessages(text string) []Message {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	if strings.HasPrefix(text, "[") {
		var parts []rawPart
		if json.Unmarshal([]byte(text), &parts) == nil {
			m := rawMessage{Role: "system", Parts: parts}
			// A list of messages rather than parts has roles; read it as messages.
			if msgs, ok := ParseMessages(text); ok && len(msgs) > 0 && msgs[0].Role != "" {
				return msgs
			}
			return []Message{m.normalize()}
		}
	}
	return []Message{{Role: "system", Content: text}}
}

// EncodeMessages renders messages as compact JSON text.
func EncodeMessages(msgs []Message) string {
	if len(msgs) == 0 {
		return ""
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(msgs); err != nil {
		return ""
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

// lastText returns the content of the last message with one of roles.
func lastText(msgs []Message, roles ...string) string {
	for i := len(msgs) - 1; i >= 0; i-- {
		for _, r := range roles {
			if msgs[i].Role == r && msgs[i].Content != "" {
				return msgs[i].Content
			}
		}
	}
	return ""
}

type rawDocument struct {
	ID       json.RawMessage `json:"id"`
	Score    *float64        `json:"score"`
	Content  json.RawMessage `json:"content"`
	Text     string          `json:"text"`
	Document *rawDocument    `json:"document"`
}

// ParseDocuments reads a JSON list of retrieved documents ({id, score, content}).
func ParseDocuments(text string) ([]Document, bool) {
	var raw []rawDocument
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return nil, false
	}
	docs := make([]Document, 0, len(raw))
	for _, r := range raw {
		if r.Document != nil {
			r = *r.Document
		}
		d := Document{ID: jsonText(r.ID), Score: r.Score, Content: jsonText(r.Content)}
		if d.Content == "" {
			d.Content = r.Text
		}
		docs = append(docs, d)
	}
	return docs, true
}

// EncodeDocuments renders documents as compact JSON text.
func EncodeDocuments(docs []Document) string {
	if len(docs) == 0 {
		return ""
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(docs); err != nil {
		return ""
	}
	return strings.TrimSuffix(buf.String(), "\n")
}
