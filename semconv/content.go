package semconv

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"sync"

	"github.com/tracebridge/tracebridge/internal/jsontext"
	"github.com/tracebridge/tracebridge/record"
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

// Content is read by the decoder of json.go, straight into these types, in exactly the
// shapes (and with exactly the results) of the encoding/json structs of json_reflect.go:
// rawMessage, rawPart, rawToolCall, promptObject, the choices object and rawDocument. Each
// function below reads what one json.Unmarshal read there, and falls back to that
// reflection-based code when the decoder is unsure (errUnsure).

// messageFields are rawMessage's keys: every message shape seen on spans, {role,
// parts:[...]} (GenAI ≥1.37) and {role, content} where content is a string or a list of
// content parts (OpenAI, Anthropic, Vercel AI SDK).
var messageFields = []string{"role", "name", "tool_call_id", "finish_reason",
	"parts", "content", "tool_calls"}

// ParseMessages reads a JSON list of messages in any shape the dialects use. ok is false
// when text is not such a list; the caller then keeps the text as it is.
func ParseMessages(text string) (msgs []Message, ok bool) {
	d := decoder{s: text}
	var space [4]Message // most lists are short: one allocation, of the exact size, below
	list := space[:0]
	for more := d.openList(); more; more = d.nextElem() {
		list = append(list, d.message())
	}
	d.end()
	switch d.err {
	case nil:
		return append(make([]Message, 0, len(list)), list...), true
	case errUnsure:
		return parseMessagesSlow(text)
	}
	return nil, false
}

// parseMessageObject reads one JSON message object, as ParseMessages reads each of a list's
// (and as json.Unmarshal into a rawMessage, then normalize, does). ok is false when text is
// not one.
func parseMessageObject(text string) (Message, bool) {
	d := decoder{s: text}
	m := d.message()
	d.end()
	switch d.err {
	case nil:
		return m, true
	case errUnsure:
		var rm rawMessage
		if json.Unmarshal([]byte(text), &rm) != nil {
			return Message{}, false
		}
		return rm.normalize(), true
	}
	return Message{}, false
}

// message reads the message at d (an object, or null: an empty message) as
// rawMessage.normalize does: parts first, then content, then tool calls.
func (d *decoder) message() Message {
	var v [7]string
	d.fields(messageFields, v[:])
	m := Message{Role: d.text(v[0]), Name: d.text(v[1])}
	m.ToolCallID, m.FinishReason = d.text(v[2]), d.text(v[3])
	if d.err != nil {
		return Message{}
	}
	text := d.addParts(&m, v[4], texts{})
	text = addContent(&m, v[5], text)
	m.ToolCalls = d.appendToolCalls(m.ToolCalls, v[6])
	m.Content = text.join()
	return m
}

// partFields are rawPart's keys: a content part of any dialect. GenAI: text {content},
// tool_call {id, name, arguments}, tool_call_response {id, response|result}. Vercel:
// tool-call {toolCallId, toolName, args (≤4) | input (5+)}, tool-result {toolCallId, result
// (≤4) | output (5+)}. Anthropic: tool_use {id, name, input}, tool_result {tool_use_id,
// content}.
var partFields = []string{"type", "text", "id", "name", "toolCallId", "toolName", "tool_use_id",
	"content", "arguments", "response", "result", "args", "input", "output"}

// part is a rawPart as the decoder reads it: the strings unquoted, the other fields the
// raw text of their JSON value ("" when absent).
type part struct {
	typ, text, id, name, toolCallID, toolName, toolUseID      string
	content, arguments, response, result, args, input, output string
}

// part reads the part at d (an object, or null: an empty part).
func (d *decoder) part() part {
	var v [14]string
	d.fields(partFields, v[:])
	return part{
		typ: d.text(v[0]), text: d.text(v[1]), id: d.text(v[2]), name: d.text(v[3]),
		toolCallID: d.text(v[4]), toolName: d.text(v[5]), toolUseID: d.text(v[6]),
		content: v[7], arguments: v[8], response: v[9], result: v[10],
		args: v[11], input: v[12], output: v[13],
	}
}

// parts reads the list of parts at d into m and text (see part.addTo).
func (d *decoder) parts(m *Message, text texts) texts {
	for more := d.openList(); more; more = d.nextElem() {
		p := d.part()
		if d.err != nil {
			break
		}
		text = p.addTo(m, text)
	}
	return text
}

// addParts reads the list of parts in raw, a field's raw value, into m and text.
func (d *decoder) addParts(m *Message, raw string, text texts) texts {
	if raw == "" {
		return text
	}
	sub := decoder{s: raw}
	text = sub.parts(m, text)
	d.fail(sub.err)
	return text
}

// addTo adds the part to m: text to the returned text, tool calls and results to m.
func (p *part) addTo(m *Message, text texts) texts {
	switch p.typ {
	case "text", "reasoning", "input_text", "output_text", "":
		if s := textOf(p.content); s != "" {
			text = text.add(s)
		} else if p.text != "" {
			text = text.add(p.text)
		}
	case "tool_call", "tool-call", "tool_use":
		m.ToolCalls = append(m.ToolCalls, ToolCall{
			ID:        first(p.id, p.toolCallID),
			Name:      first(p.name, p.toolName),
			Arguments: compactRaw(firstRaw(p.arguments, p.args, p.input)),
		})
	case "tool_call_response", "tool-result", "tool_result":
		if m.ToolCallID == "" {
			m.ToolCallID = first(p.id, p.toolCallID, p.toolUseID)
		}
		// A field present, even null, is the one read (as len(json.RawMessage) > 0).
		var s string
		switch {
		case p.response != "":
			s = textOf(p.response)
		case p.result != "":
			s = textOf(p.result)
		case p.output != "":
			s = toolOutputText(p.output)
		default:
			s = contentText(p.content)
		}
		if s != "" {
			text = text.add(s)
		}
	default:
		// Media parts (blob, uri, file, image) carry no readable text; name them so the
		// reader sees that something was there.
		text = text.add("[" + p.typ + "]")
	}
	return text
}

// addContent reads a message content (raw JSON text) that is a string, a list of content
// parts, or other JSON (kept as compact text), into m.
func addContent(m *Message, raw string, text texts) texts {
	if raw == "" || raw == "null" {
		return text
	}
	if raw[0] == '[' {
		calls, id := m.ToolCalls, m.ToolCallID
		d := decoder{s: raw}
		out := d.parts(m, text)
		if d.err == nil {
			return out
		}
		// Not a list of parts after all: undo what its first parts added.
		m.ToolCalls, m.ToolCallID = calls, id
		if d.err == errUnsure {
			for _, s := range addContentSlow(m, json.RawMessage(raw), nil) {
				text = text.add(s)
			}
			return text
		}
	}
	if s := textOf(raw); s != "" {
		text = text.add(s)
	}
	return text
}

// texts gathers the text of a message's parts, to be joined by newlines. Most messages have
// one, held as it is: no slice, no join. It is a value, as a slice is, so that a caller can
// keep a copy to go back to.
type texts struct {
	n    int
	one  string   // the first
	more []string // all of them, once there are two
}

func (t texts) add(s string) texts {
	switch t.n {
	case 0:
		t.one = s
	case 1:
		t.more = append(make([]string, 0, 4), t.one, s)
	default:
		t.more = append(t.more, s)
	}
	t.n++
	return t
}

func (t texts) join() string {
	if t.n <= 1 {
		return t.one
	}
	return strings.Join(t.more, "\n")
}

// contentText reads a message content that is a string, or a list of content parts, as text.
func contentText(raw string) string {
	var m Message
	return addContent(&m, raw, texts{}).join()
}

var outputFields = []string{"type", "value"}

// toolOutputText reads a Vercel AI SDK 5 tool output {type, value}, or any JSON.
func toolOutputText(raw string) string {
	d := decoder{s: raw}
	var v [2]string
	d.fields(outputFields, v[:])
	typ := d.text(v[0])
	switch {
	case d.err == errUnsure:
		return toolOutputTextSlow(json.RawMessage(raw))
	case d.err == nil && typ != "" && v[1] != "":
		return textOf(v[1])
	}
	return textOf(raw)
}

// toolCallFields are rawToolCall's keys: a tool call in the OpenAI shape {id, function:{name,
// arguments}}, the flat {id, name, arguments} one, or Vercel's {toolCallId, toolName,
// args|input}.
var (
	toolCallFields = []string{"id", "name", "toolCallId", "toolName",
		"function", "arguments", "args", "input"}
	functionFields = []string{"name", "arguments"}
)

// toolCall reads the tool call at d (an object, or null: an empty call).
func (d *decoder) toolCall() ToolCall {
	var v [8]string
	d.fields(toolCallFields, v[:])
	call := ToolCall{ID: first(d.text(v[0]), d.text(v[2])), Name: first(d.text(v[1]), d.text(v[3]))}
	args := firstRaw(v[5], v[6], v[7])
	if v[4] != "" {
		fn := decoder{s: v[4]}
		var f [2]string
		if fn.fields(functionFields, f[:]) { // an object, not null
			call.Name = first(fn.text(f[0]), call.Name)
			if a := f[1]; a != "" && a != "null" {
				args = a
			}
		}
		d.fail(fn.err)
	}
	call.Arguments = compactRaw(args)
	return call
}

// appendToolCalls reads the list of tool calls in raw, a field's raw value, onto calls.
func (d *decoder) appendToolCalls(calls []ToolCall, raw string) []ToolCall {
	if raw == "" {
		return calls
	}
	sub := decoder{s: raw}
	for more := sub.openList(); more; more = sub.nextElem() {
		tc := sub.toolCall()
		if sub.err != nil {
			break
		}
		calls = append(calls, tc)
	}
	d.fail(sub.err)
	return calls
}

// parseToolCalls reads a JSON list of tool calls in any of the shapes toolCall accepts.
func parseToolCalls(text string) ([]ToolCall, bool) {
	d := decoder{s: text}
	calls := []ToolCall{}
	for more := d.openList(); more; more = d.nextElem() {
		calls = append(calls, d.toolCall())
	}
	d.end()
	switch d.err {
	case nil:
		return calls, true
	case errUnsure:
		return parseToolCallsSlow(text)
	}
	return nil, false
}

// argsJSON turns tool arguments read from a flattened attribute into JSON text: valid JSON
// as it is, anything else as a JSON string so that it is kept, not lost.
func argsJSON(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	if jsontext.Valid(s) {
		// Trimmed of the JSON white space around the value (all that valid JSON has).
		return compactRaw(strings.TrimSpace(s))
	}
	b, _ := json.Marshal(s)
	return b
}

// textOrParts reads content that arrives as a plain attribute string: prose as it is, a
// JSON list of parts (as some SDKs flatten multimodal content) as their text.
func textOrParts(s string) string {
	t := strings.TrimSpace(s)
	if !strings.HasPrefix(t, "[") {
		return s
	}
	var m Message
	d := decoder{s: t}
	text := d.parts(&m, texts{})
	d.end()
	switch {
	case d.err == errUnsure:
		return textOrPartsSlow(s)
	case d.err != nil || text.n == 0:
		return s // not parts, or no readable part: keep what was sent
	}
	return text.join()
}

// jsonText returns a JSON string's value, or other JSON as compact text; "" for null or for
// text that is not JSON.
func jsonText(raw json.RawMessage) string {
	t := strings.TrimSpace(string(raw))
	if !jsontext.Valid(t) {
		return ""
	}
	return textOf(t)
}

// compactRaw is textOf's compact JSON as a json.RawMessage: nil for nothing or null. A JSON
// string holding JSON (the OpenAI form of tool arguments) is kept as the string it is.
func compactRaw(raw string) json.RawMessage {
	if raw == "" || raw == "null" {
		return nil
	}
	return jsontext.AppendCompact(make([]byte, 0, len(raw)), raw)
}

func first(s ...string) string {
	for _, v := range s {
		if v != "" {
			return v
		}
	}
	return ""
}

// firstRaw returns the first raw value given that is neither absent nor null.
func firstRaw(r ...string) string {
	for _, v := range r {
		if v != "" && v != "null" {
			return v
		}
	}
	return ""
}

// systemMessages reads gen_ai.system_instructions: a JSON list of parts, a list of
// messages, or a plain string (as some SDKs send it).
func systemMessages(text string) []Message {
	text = strings.TrimSpace(text)
	if text == "" {
		return nil
	}
	if strings.HasPrefix(text, "[") {
		m := Message{Role: "system"}
		d := decoder{s: text}
		parts := d.parts(&m, texts{})
		d.end()
		switch d.err {
		case nil:
			// A list of messages rather than parts has roles; read it as messages.
			if msgs, ok := ParseMessages(text); ok && len(msgs) > 0 && msgs[0].Role != "" {
				return msgs
			}
			m.Content = parts.join()
			return []Message{m}
		case errUnsure:
			return systemMessagesSlow(text)
		}
	}
	return []Message{{Role: "system", Content: text}}
}

// promptFields are the keys of a request body that holds a conversation: the Vercel AI
// SDK's ai.prompt ({system, prompt | messages}), or an OpenAI/Anthropic request in
// OpenInference's input.value ({model, messages, system?}).
var promptFields = []string{"system", "prompt", "messages"}

// parsePromptObject reads a request body as messages: system first, then the messages or
// the prompt as a user message.
func parsePromptObject(text string) ([]Message, bool) {
	t := strings.TrimSpace(text)
	if !strings.HasPrefix(t, "{") {
		return nil, false
	}
	d := decoder{s: t}
	var v [3]string
	d.fields(promptFields, v[:])
	d.end()
	switch d.err {
	case nil:
	case errUnsure:
		return parsePromptObjectSlow(text)
	default:
		return nil, false
	}
	system, prompt, messages := v[0], v[1], v[2]
	var msgs []Message
	if s := contentText(system); s != "" {
		msgs = append(msgs, Message{Role: "system", Content: s})
	}
	if m, ok := ParseMessages(messages); ok {
		msgs = append(msgs, m...)
	}
	if prompt != "" {
		if m, ok := ParseMessages(prompt); ok && len(m) > 0 && m[0].Role != "" {
			msgs = append(msgs, m...)
		} else if s := contentText(prompt); s != "" {
			msgs = append(msgs, Message{Role: "user", Content: s})
		}
	}
	return msgs, len(msgs) > 0
}

var (
	responseFields = []string{"choices"}
	choiceFields   = []string{"message", "text", "finish_reason"}
)

// parseChoicesObject reads an OpenAI chat response ({choices:[{message, finish_reason}]}), as
// OpenInference records it in output.value, as messages.
func parseChoicesObject(text string) ([]Message, bool) {
	t := strings.TrimSpace(text)
	if !strings.HasPrefix(t, "{") {
		return nil, false
	}
	d := decoder{s: t}
	var v [1]string
	d.fields(responseFields, v[:])
	d.end()
	var msgs []Message
	if d.err == nil && v[0] != "" {
		sub := decoder{s: v[0]}
		msgs = sub.choices()
		d.fail(sub.err)
	}
	switch {
	case d.err == errUnsure:
		return parseChoicesObjectSlow(text)
	case d.err != nil || len(msgs) == 0:
		return nil, false
	}
	return msgs, true
}

// choices reads the list of choices at d, each as an assistant message.
func (d *decoder) choices() []Message {
	var msgs []Message
	for more := d.openList(); more; more = d.nextElem() {
		var v [3]string
		d.fields(choiceFields, v[:])
		m := Message{Role: "assistant", Content: d.text(v[1])}
		finish := d.text(v[2])
		if raw := v[0]; raw != "" && raw != "null" {
			sub := decoder{s: raw}
			m = sub.message()
			d.fail(sub.err)
			if m.Role == "" {
				m.Role = "assistant"
			}
		}
		if m.FinishReason == "" {
			m.FinishReason = finish
		}
		msgs = append(msgs, m)
	}
	return msgs
}

// EncodeMessages renders messages as compact JSON text, as json.Encoder does with HTML
// left unescaped; "" when there are none (or an argument is not JSON).
func EncodeMessages(msgs []Message) string { return encodeList(msgs, appendMessage) }

// encodeList renders items as a JSON array in a pooled buffer: the returned string is its
// one allocation. "" when items is empty or one cannot be encoded.
func encodeList[T any](items []T, appendItem func([]byte, *T) ([]byte, bool)) string {
	if len(items) == 0 {
		return ""
	}
	buf := getBuffer()
	defer putBuffer(buf)
	b := append(*buf, '[')
	for i := range items {
		if i > 0 {
			b = append(b, ',')
		}
		var ok bool
		if b, ok = appendItem(b, &items[i]); !ok {
			return ""
		}
	}
	*buf = append(b, ']')
	return string(*buf)
}

// buffers keeps the buffers EncodeMessages and EncodeDocuments build their text in, so that
// the text they return is their one allocation.
var buffers = sync.Pool{New: func() any { return new([]byte) }}

func getBuffer() *[]byte { return buffers.Get().(*[]byte) }

func putBuffer(b *[]byte) {
	if cap(*b) > 64<<10 {
		return // a rare large text: let it go rather than hold it
	}
	*b = (*b)[:0]
	buffers.Put(b)
}

// appendMessage appends m as a JSON object, in Message's field order with its omitempty.
func appendMessage(b []byte, m *Message) ([]byte, bool) {
	b = append(b, `{"role":`...)
	b = record.AppendString(b, m.Role)
	b = appendNonEmpty(b, `,"content":`, m.Content)
	b = appendNonEmpty(b, `,"name":`, m.Name)
	if len(m.ToolCalls) > 0 {
		b = append(b, `,"tool_calls":[`...)
		for i := range m.ToolCalls {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendToolCall(b, &m.ToolCalls[i]); !ok {
				return b, false
			}
		}
		b = append(b, ']')
	}
	b = appendNonEmpty(b, `,"tool_call_id":`, m.ToolCallID)
	b = appendNonEmpty(b, `,"finish_reason":`, m.FinishReason)
	return append(b, '}'), true
}

// appendToolCall appends tc as a JSON object. Its arguments go through json.Compact, as
// json.Encoder passes a json.RawMessage: checked (ok is false if not JSON) and compacted.
func appendToolCall(b []byte, tc *ToolCall) ([]byte, bool) {
	b = append(b, '{')
	if tc.ID != "" {
		b = append(b, `"id":`...)
		b = record.AppendString(b, tc.ID)
		b = append(b, ',')
	}
	b = append(b, `"name":`...)
	b = record.AppendString(b, tc.Name)
	if len(tc.Arguments) > 0 {
		b = append(b, `,"arguments":`...)
		buf := bytes.NewBuffer(b)
		if json.Compact(buf, tc.Arguments) != nil {
			return b, false
		}
		b = buf.Bytes()
	}
	return append(b, '}'), true
}

// appendNonEmpty appends key and s as a JSON string, unless s is empty (omitempty).
func appendNonEmpty(b []byte, key, s string) []byte {
	if s == "" {
		return b
	}
	return record.AppendString(append(b, key...), s)
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

// documentFields are rawDocument's keys: a retrieved document {id, score, content} (or
// text), or the same under "document".
var documentFields = []string{"id", "score", "content", "text", "document"}

// docFields are the fields of a rawDocument that a Document is made of: raw id, score and
// content, and text.
type docFields struct{ id, score, content, text string }

// ParseDocuments reads a JSON list of retrieved documents ({id, score, content}, or the same
// under "document"). A score that is not a number (nor a numeric string) is left out.
func ParseDocuments(text string) ([]Document, bool) {
	d := decoder{s: text}
	var space [8]Document // as ParseMessages: one allocation, of the exact size, below
	docs := space[:0]
	for more := d.openList(); more; more = d.nextElem() {
		f := d.document()
		doc := Document{ID: textOf(f.id), Score: jsonScore(f.score), Content: textOf(f.content)}
		if doc.Content == "" {
			doc.Content = f.text
		}
		docs = append(docs, doc)
	}
	d.end()
	switch d.err {
	case nil:
		return append(make([]Document, 0, len(docs)), docs...), true
	case errUnsure:
		return parseDocumentsSlow(text)
	}
	return nil, false
}

// document reads the rawDocument at d (an object, or null: nothing) and returns the fields
// it stands for: those of the document under its "document" key when that is an object
// (not the ones under that one's own), else its own. The nested document is read in place,
// not as a raw value read again, so that a chain of them is read once.
func (d *decoder) document() docFields {
	own, nested, ok := d.documentFields()
	if ok {
		return nested
	}
	return own
}

// documentFields reads the rawDocument at d: its own fields, and those of the document
// under its "document" key, ok if that is an object.
func (d *decoder) documentFields() (own, nested docFields, ok bool) {
	var seen [5]bool
	if !d.isObject() {
		return
	}
	for more := d.openObject(); more; more = d.nextMember() {
		i := d.field(documentFields)
		if i < 0 {
			d.value()
			continue
		}
		if seen[i] {
			d.fail(errUnsure) // encoding/json lets the last win, or merges: leave it that
		}
		seen[i] = true
		switch i {
		case 0:
			own.id = d.value()
		case 1:
			own.score = d.value()
		case 2:
			own.content = d.value()
		case 3:
			own.text = d.text(d.value())
		case 4:
			ok = d.peek() == '{' // null leaves the pointer nil
			nested, _, _ = d.documentFields()
		}
	}
	return
}

func jsonScore(raw string) *float64 {
	s := textOf(raw)
	if s == "" {
		return nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return nil
	}
	return &f
}

// EncodeDocuments renders documents as compact JSON text, as json.Encoder does with HTML
// left unescaped; "" when there are none (or a score is not finite).
func EncodeDocuments(docs []Document) string { return encodeList(docs, appendDocument) }

// appendDocument appends doc as a JSON object, in Document's field order with its
// omitempty; ok is false for a score JSON cannot hold (NaN, ±Inf).
func appendDocument(b []byte, doc *Document) ([]byte, bool) {
	b = append(b, '{')
	sep := ""
	if doc.ID != "" {
		b = record.AppendString(append(b, `"id":`...), doc.ID)
		sep = ","
	}
	if doc.Score != nil {
		f := *doc.Score
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return b, false
		}
		b = appendFloat(append(append(b, sep...), `"score":`...), f)
		sep = ","
	}
	if doc.Content != "" {
		b = record.AppendString(append(append(b, sep...), `"content":`...), doc.Content)
	}
	return append(b, '}'), true
}

// appendFloat appends f as encoding/json writes a float64: like ES6, %f between 1e-6 and
// 1e21, else %e with the exponent unpadded.
func appendFloat(b []byte, f float64) []byte {
	format := byte('f')
	if abs := math.Abs(f); abs != 0 && (abs < 1e-6 || abs >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		// e-09 → e-9
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b
}
