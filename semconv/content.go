package semconv

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
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

// rawMessage accepts every message shape seen on spans: {role, parts:[...]} (GenAI ≥1.37)
// and {role, content} where content is a string or a list of content parts (OpenAI,
// Anthropic, Vercel AI SDK).
type rawMessage struct {
	Role         string          `json:"role"`
	Name         string          `json:"name"`
	Parts        []rawPart       `json:"parts"`
	Content      json.RawMessage `json:"content"`
	ToolCalls    []rawToolCall   `json:"tool_calls"`
	ToolCallID   string          `json:"tool_call_id"`
	FinishReason string          `json:"finish_reason"`
}

// rawPart is one content part of any dialect. GenAI: text {content}, tool_call {id, name,
// arguments}, tool_call_response {id, response|result}. Vercel: tool-call {toolCallId,
// toolName, args (≤4) | input (5+)}, tool-result {toolCallId, result (≤4) | output (5+)}.
// Anthropic: tool_use {id, name, input}, tool_result {tool_use_id, content}.
type rawPart struct {
	Type       string          `json:"type"`
	Content    json.RawMessage `json:"content"`
	Text       string          `json:"text"`
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	Arguments  json.RawMessage `json:"arguments"`
	Response   json.RawMessage `json:"response"`
	Result     json.RawMessage `json:"result"`
	ToolCallID string          `json:"toolCallId"`
	ToolName   string          `json:"toolName"`
	Args       json.RawMessage `json:"args"`
	Input      json.RawMessage `json:"input"`
	Output     json.RawMessage `json:"output"`
	ToolUseID  string          `json:"tool_use_id"`
}

// rawToolCall is a tool call in the OpenAI shape {id, function:{name, arguments}}, the flat
// {id, name, arguments} one, or Vercel's {toolCallId, toolName, args|input}.
type rawToolCall struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Function *struct {
		Name      string          `json:"name"`
		Arguments json.RawMessage `json:"arguments"`
	} `json:"function"`
	Arguments  json.RawMessage `json:"arguments"`
	ToolCallID string          `json:"toolCallId"`
	ToolName   string          `json:"toolName"`
	Args       json.RawMessage `json:"args"`
	Input      json.RawMessage `json:"input"`
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
		text = p.addTo(&m, text)
	}
	text = addContent(&m, r.Content, text)
	for _, tc := range r.ToolCalls {
		m.ToolCalls = append(m.ToolCalls, tc.toolCall())
	}
	m.Content = strings.Join(text, "\n")
	return m
}

// addContent reads a message content that is a string, a list of content parts, or other
// JSON (kept as compact text), into m.
func addContent(m *Message, raw json.RawMessage, text []string) []string {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 || string(raw) == "null" {
		return text
	}
	if raw[0] == '[' {
		var parts []rawPart
		if json.Unmarshal(raw, &parts) == nil {
			for _, p := range parts {
				text = p.addTo(m, text)
			}
			return text
		}
	}
	if s := jsonText(raw); s != "" {
		text = append(text, s)
	}
	return text
}

// addTo adds the part to m: text to the returned text, tool calls and results to m.
func (p rawPart) addTo(m *Message, text []string) []string {
	switch p.Type {
	case "text", "reasoning", "input_text", "output_text", "":
		if s := jsonText(p.Content); s != "" {
			text = append(text, s)
		} else if p.Text != "" {
			text = append(text, p.Text)
		}
	case "tool_call", "tool-call", "tool_use":
		m.ToolCalls = append(m.ToolCalls, ToolCall{
			ID:        first(p.ID, p.ToolCallID),
			Name:      first(p.Name, p.ToolName),
			Arguments: compactJSON(firstRaw(p.Arguments, p.Args, p.Input)),
		})
	case "tool_call_response", "tool-result", "tool_result":
		if m.ToolCallID == "" {
			m.ToolCallID = first(p.ID, p.ToolCallID, p.ToolUseID)
		}
		var s string
		switch {
		case len(p.Response) > 0:
			s = jsonText(p.Response)
		case len(p.Result) > 0:
			s = jsonText(p.Result)
		case len(p.Output) > 0:
			s = toolOutputText(p.Output)
		default:
			s = contentText(p.Content)
		}
		if s != "" {
			text = append(text, s)
		}
	default:
		// Media parts (blob, uri, file, image) carry no readable text; name them so the
		// reader sees that something was there.
		text = append(text, "["+p.Type+"]")
	}
	return text
}

// toolOutputText reads a Vercel AI SDK 5 tool output {type, value}, or any JSON.
func toolOutputText(raw json.RawMessage) string {
	var o struct {
		Type  string          `json:"type"`
		Value json.RawMessage `json:"value"`
	}
	if json.Unmarshal(raw, &o) == nil && o.Type != "" && len(o.Value) > 0 {
		return jsonText(o.Value)
	}
	return jsonText(raw)
}

func (tc rawToolCall) toolCall() ToolCall {
	call := ToolCall{
		ID:        first(tc.ID, tc.ToolCallID),
		Name:      first(tc.Name, tc.ToolName),
		Arguments: compactJSON(firstRaw(tc.Arguments, tc.Args, tc.Input)),
	}
	if tc.Function != nil {
		call.Name = first(tc.Function.Name, call.Name)
		if args := compactJSON(tc.Function.Arguments); args != nil {
			call.Arguments = args
		}
	}
	return call
}

// parseToolCalls reads a JSON list of tool calls in any of the shapes rawToolCall accepts.
func parseToolCalls(text string) ([]ToolCall, bool) {
	var raw []rawToolCall
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return nil, false
	}
	calls := make([]ToolCall, 0, len(raw))
	for _, tc := range raw {
		calls = append(calls, tc.toolCall())
	}
	return calls, true
}

// argsJSON turns tool arguments read from a flattened attribute into JSON text: valid JSON
// as it is, anything else as a JSON string so that it is kept, not lost.
func argsJSON(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	if json.Valid([]byte(s)) {
		return compactJSON(json.RawMessage(s))
	}
	b, _ := json.Marshal(s)
	return b
}

// contentText reads a message content that is a string, or a list of content parts, as text.
func contentText(raw json.RawMessage) string {
	var m Message
	return strings.Join(addContent(&m, raw, nil), "\n")
}

// textOrParts reads content that arrives as a plain attribute string: prose as it is, a
// JSON list of parts (as some SDKs flatten multimodal content) as their text.
func textOrParts(s string) string {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "[") {
		return s
	}
	var parts []rawPart
	if json.Unmarshal([]byte(t), &parts) != nil {
		return s
	}
	var m Message
	var text []string
	for _, p := range parts {
		text = p.addTo(&m, text)
	}
	if len(text) == 0 {
		return s // no readable part: keep what was sent
	}
	return strings.Join(text, "\n")
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
	if len(raw) == 0 || string(raw) == "null" {
		return nil
	}
	var buf bytes.Buffer
	if json.Compact(&buf, raw) != nil {
		return nil
	}
	return buf.Bytes()
}

func first(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

func firstRaw(r ...json.RawMessage) json.RawMessage {
	for _, v := range r {
		if v = bytes.TrimSpace(v); len(v) > 0 && string(v) != "null" {
			return v
		}
	}
	return nil
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
			// A list of messages rather than parts has roles; read it as messages.
			if msgs, ok := ParseMessages(text); ok && len(msgs) > 0 && msgs[0].Role != "" {
				return msgs
			}
			m := rawMessage{Role: "system", Parts: parts}
			return []Message{m.normalize()}
		}
	}
	return []Message{{Role: "system", Content: text}}
}

// promptObject is a request body that holds a conversation: the Vercel AI SDK's ai.prompt
// ({system, prompt | messages}), or an OpenAI/Anthropic request in OpenInference's
// input.value ({model, messages, system?}).
type promptObject struct {
	System   json.RawMessage `json:"system"`
	Prompt   json.RawMessage `json:"prompt"`
	Messages json.RawMessage `json:"messages"`
}

// parsePromptObject reads a promptObject as messages: system first, then the messages or
// the prompt as a user message.
func parsePromptObject(text string) ([]Message, bool) {
	t := strings.TrimSpace(text)
	if !strings.HasPrefix(t, "{") {
		return nil, false
	}
	var p promptObject
	if json.Unmarshal([]byte(t), &p) != nil {
		return nil, false
	}
	var msgs []Message
	if s := contentText(p.System); s != "" {
		msgs = append(msgs, Message{Role: "system", Content: s})
	}
	if m, ok := ParseMessages(string(p.Messages)); ok {
		msgs = append(msgs, m...)
	}
	if prompt := bytes.TrimSpace(p.Prompt); len(prompt) > 0 {
		if m, ok := ParseMessages(string(prompt)); ok && len(m) > 0 && m[0].Role != "" {
			msgs = append(msgs, m...)
		} else if s := contentText(prompt); s != "" {
			msgs = append(msgs, Message{Role: "user", Content: s})
		}
	}
	return msgs, len(msgs) > 0
}

// parseChoicesObject reads an OpenAI chat response ({choices:[{message, finish_reason}]}), as
// OpenInference records it in output.value, as messages.
func parseChoicesObject(text string) ([]Message, bool) {
	t := strings.TrimSpace(text)
	if !strings.HasPrefix(t, "{") {
		return nil, false
	}
	var resp struct {
		Choices []struct {
			Message      *rawMessage `json:"message"`
			Text         string      `json:"text"`
			FinishReason string      `json:"finish_reason"`
		} `json:"choices"`
	}
	if json.Unmarshal([]byte(t), &resp) != nil || len(resp.Choices) == 0 {
		return nil, false
	}
	msgs := make([]Message, 0, len(resp.Choices))
	for _, c := range resp.Choices {
		m := Message{Role: "assistant", Content: c.Text}
		if c.Message != nil {
			m = c.Message.normalize()
			if m.Role == "" {
				m.Role = "assistant"
			}
		}
		if m.FinishReason == "" {
			m.FinishReason = c.FinishReason
		}
		msgs = append(msgs, m)
	}
	return msgs, true
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
	Score    json.RawMessage `json:"score"`
	Content  json.RawMessage `json:"content"`
	Text     string          `json:"text"`
	Document *rawDocument    `json:"document"`
}

// ParseDocuments reads a JSON list of retrieved documents ({id, score, content}, or the same
// under "document"). A score that is not a number (nor a numeric string) is left out.
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
		d := Document{ID: jsonText(r.ID), Score: jsonScore(r.Score), Content: jsonText(r.Content)}
		if d.Content == "" {
			d.Content = r.Text
		}
		docs = append(docs, d)
	}
	return docs, true
}

func jsonScore(raw json.RawMessage) *float64 {
	s := jsonText(raw)
	if s == "" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
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
