package semconv

// The reflection-based reading of content that the hand-written decoder of content.go
// replaced. It stays, exact by construction, for the JSON the decoder leaves to
// encoding/json (errUnsure: keys that match only case-insensitively, fields given twice),
// and as the reference the differential and fuzz tests hold the decoder to.

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
)

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

// parseMessagesSlow is ParseMessages by reflection: it reads a JSON list of messages in any
// shape the dialects use. ok is false when text is not such a list.
func parseMessagesSlow(text string) (msgs []Message, ok bool) {
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
	text = addContentSlow(&m, r.Content, text)
	for _, tc := range r.ToolCalls {
		m.ToolCalls = append(m.ToolCalls, tc.toolCall())
	}
	m.Content = strings.Join(text, "\n")
	return m
}

// addContentSlow reads a message content that is a string, a list of content parts, or other
// JSON (kept as compact text), into m.
func addContentSlow(m *Message, raw json.RawMessage, text []string) []string {
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
	if s := jsonTextSlow(raw); s != "" {
		text = append(text, s)
	}
	return text
}

// addTo adds the part to m: text to the returned text, tool calls and results to m.
func (p rawPart) addTo(m *Message, text []string) []string {
	switch p.Type {
	case "text", "reasoning", "input_text", "output_text", "":
		if s := jsonTextSlow(p.Content); s != "" {
			text = append(text, s)
		} else if p.Text != "" {
			text = append(text, p.Text)
		}
	case "tool_call", "tool-call", "tool_use":
		m.ToolCalls = append(m.ToolCalls, ToolCall{
			ID:        first(p.ID, p.ToolCallID),
			Name:      first(p.Name, p.ToolName),
			Arguments: compactJSONSlow(firstRawSlow(p.Arguments, p.Args, p.Input)),
		})
	case "tool_call_response", "tool-result", "tool_result":
		if m.ToolCallID == "" {
			m.ToolCallID = first(p.ID, p.ToolCallID, p.ToolUseID)
		}
		var s string
		switch {
		case len(p.Response) > 0:
			s = jsonTextSlow(p.Response)
		case len(p.Result) > 0:
			s = jsonTextSlow(p.Result)
		case len(p.Output) > 0:
			s = toolOutputTextSlow(p.Output)
		default:
			s = contentTextSlow(p.Content)
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

// toolOutputTextSlow reads a Vercel AI SDK 5 tool output {type, value}, or any JSON.
func toolOutputTextSlow(raw json.RawMessage) string {
	var o struct {
		Type  string          `json:"type"`
		Value json.RawMessage `json:"value"`
	}
	if json.Unmarshal(raw, &o) == nil && o.Type != "" && len(o.Value) > 0 {
		return jsonTextSlow(o.Value)
	}
	return jsonTextSlow(raw)
}

func (tc rawToolCall) toolCall() ToolCall {
	call := ToolCall{
		ID:        first(tc.ID, tc.ToolCallID),
		Name:      first(tc.Name, tc.ToolName),
		Arguments: compactJSONSlow(firstRawSlow(tc.Arguments, tc.Args, tc.Input)),
	}
	if tc.Function != nil {
		call.Name = first(tc.Function.Name, call.Name)
		if args := compactJSONSlow(tc.Function.Arguments); args != nil {
			call.Arguments = args
		}
	}
	return call
}

// parseToolCallsSlow reads a JSON list of tool calls in any of the shapes rawToolCall accepts.
func parseToolCallsSlow(text string) ([]ToolCall, bool) {
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

// contentTextSlow reads a message content that is a string, or a list of content parts, as text.
func contentTextSlow(raw json.RawMessage) string {
	var m Message
	return strings.Join(addContentSlow(&m, raw, nil), "\n")
}

// textOrPartsSlow reads content that arrives as a plain attribute string: prose as it is, a
// JSON list of parts (as some SDKs flatten multimodal content) as their text.
func textOrPartsSlow(s string) string {
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

// jsonTextSlow returns a JSON string's value, or other JSON as compact text.
func jsonTextSlow(raw json.RawMessage) string {
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
	return string(compactJSONSlow(raw))
}

// compactJSONSlow returns raw without insignificant space. A JSON string holding JSON (the
// OpenAI form of tool arguments) is kept as the string it is.
func compactJSONSlow(raw json.RawMessage) json.RawMessage {
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

func firstRawSlow(r ...json.RawMessage) json.RawMessage {
	for _, v := range r {
		if v = bytes.TrimSpace(v); len(v) > 0 && string(v) != "null" {
			return v
		}
	}
	return nil
}

// systemMessagesSlow reads gen_ai.system_instructions: a JSON list of parts, a list of
// messages, or a plain string (as some SDKs send it).
func systemMessagesSlow(text string) []Message {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	if strings.HasPrefix(text, "[") {
		var parts []rawPart
		if json.Unmarshal([]byte(text), &parts) == nil {
			// A list of messages rather than parts has roles; read it as messages.
			if msgs, ok := parseMessagesSlow(text); ok && len(msgs) > 0 && msgs[0].Role != "" {
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

// parsePromptObjectSlow reads a promptObject as messages: system first, then the messages or
// the prompt as a user message.
func parsePromptObjectSlow(text string) ([]Message, bool) {
	t := strings.TrimSpace(text)
	if !strings.HasPrefix(t, "{") {
		return nil, false
	}
	var p promptObject
	if json.Unmarshal([]byte(t), &p) != nil {
		return nil, false
	}
	var msgs []Message
	if s := contentTextSlow(p.System); s != "" {
		msgs = append(msgs, Message{Role: "system", Content: s})
	}
	if m, ok := parseMessagesSlow(string(p.Messages)); ok {
		msgs = append(msgs, m...)
	}
	if prompt := bytes.TrimSpace(p.Prompt); len(prompt) > 0 {
		if m, ok := parseMessagesSlow(string(prompt)); ok && len(m) > 0 && m[0].Role != "" {
			msgs = append(msgs, m...)
		} else if s := contentTextSlow(prompt); s != "" {
			msgs = append(msgs, Message{Role: "user", Content: s})
		}
	}
	return msgs, len(msgs) > 0
}

// parseChoicesObjectSlow reads an OpenAI chat response ({choices:[{message, finish_reason}]}), as
// OpenInference records it in output.value, as messages.
func parseChoicesObjectSlow(text string) ([]Message, bool) {
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

type rawDocument struct {
	ID       json.RawMessage `json:"id"`
	Score    json.RawMessage `json:"score"`
	Content  json.RawMessage `json:"content"`
	Text     string          `json:"text"`
	Document *rawDocument    `json:"document"`
}

// parseDocumentsSlow is ParseDocuments by reflection: it reads a JSON list of retrieved
// documents ({id, score, content}, or the same under "document"). A score that is not a
// number (nor a numeric string) is left out.
func parseDocumentsSlow(text string) ([]Document, bool) {
	var raw []rawDocument
	if err := json.Unmarshal([]byte(text), &raw); err != nil {
		return nil, false
	}
	docs := make([]Document, 0, len(raw))
	for _, r := range raw {
		if r.Document != nil {
			r = *r.Document
		}
		d := Document{ID: jsonTextSlow(r.ID), Score: jsonScoreSlow(r.Score)}
		d.Content = jsonTextSlow(r.Content)
		if d.Content == "" {
			d.Content = r.Text
		}
		docs = append(docs, d)
	}
	return docs, true
}

func jsonScoreSlow(raw json.RawMessage) *float64 {
	s := jsonTextSlow(raw)
	if s == "" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}
