// Package record holds the NeuralTrust v1 trace record: the neutral unit that the mapping
// produces and every destination encodes. Its JSON form is the v1 wire body
// (POST {base}/v1/trace): snake_case, every field present, unset optional fields as null,
// exactly as the vendor SDK sends them.
package record

import (
	"bytes"
	"encoding/json"
	"math"
	"slices"
	"sort"
	"strconv"
	"unicode/utf8"

	"github.com/tracebridge/tracebridge/internal/jsontext"
)

// Type is the value of the "type" field of every v1 record.
const Type = "traces"

// Task is the kind of step a record describes (TraceTask in the vendor SDK).
type Task string

// The tasks of the v1 API. Event is sent by the vendor SDK for custom events.
const (
	TaskMessage    Task = "message"
	TaskGeneration Task = "generation"
	TaskRouter     Task = "router"
	TaskRetrieval  Task = "retrieval"
	TaskAgent      Task = "agent"
	TaskTool       Task = "tool"
	TaskEvent      Task = "event"
	TaskSystem     Task = "system"
	TaskFeedback   Task = "feedback"
)

// Tasks lists every valid task, in the order of the contract.
var Tasks = []Task{TaskMessage, TaskTool, TaskAgent, TaskRetrieval, TaskGeneration, TaskFeedback, TaskRouter, TaskSystem, TaskEvent}

// Valid reports whether t is one of the API's tasks.
func (t Task) Valid() bool {
	for _, v := range Tasks {
		if t == v {
			return true
		}
	}
	return false
}

// Feedback tags accepted by the API.
const (
	FeedbackPositive = "positive"
	FeedbackNegative = "negative"
	FeedbackNeutral  = "neutral"
)

// ValidFeedbackTag reports whether tag is one of the API's feedback tags.
func ValidFeedbackTag(tag string) bool {
	return tag == FeedbackPositive || tag == FeedbackNegative || tag == FeedbackNeutral
}

// Metadata keys that tracebridge sets. The v1 body has no field for these, so they travel in
// the record's metadata object; values are JSON strings, integers or booleans.
const (
	MetaSpanName          = "span_name"           // OTel span name
	MetaOTelTraceID       = "otel_trace_id"       // 32 hex digits
	MetaOTelSpanID        = "otel_span_id"        // 16 hex digits
	MetaOTelParentSpanID  = "otel_parent_span_id" // 16 hex digits, absent at the root
	MetaOperation         = "operation"           // gen_ai.operation.name or the dialect's equivalent
	MetaModel             = "model"               // response model, else request model
	MetaProvider          = "provider"            // gen_ai.provider.name or equivalent
	MetaInputTokens       = "input_tokens"        // integer
	MetaOutputTokens      = "output_tokens"       // integer
	MetaTotalTokens       = "total_tokens"        // integer: explicit total, else input + output
	MetaFinishReason      = "finish_reason"       // first finish reason
	MetaStatus            = "status"              // "ok" or "error"
	MetaError             = "error"               // status description, error.type or exception message
	MetaDroppedAttributes = "dropped_attributes"  // integer: attributes the SDK dropped at its limit
	MetaToolName          = "tool_name"           // gen_ai.tool.name on tool records
	MetaAgentName         = "agent_name"          // gen_ai.agent.name
	MetaProvisional       = "provisional"         // true: sent before its span ended or its root was seen; replaced later
)

// User is the v1 "user" object. Extra holds any further keys.
type User struct {
	ID    string            `json:"user_id,omitempty"`
	Email string            `json:"user_email,omitempty"`
	Phone string            `json:"user_phone,omitempty"`
	Extra map[string]string `json:"-"`
}

// IsZero reports whether u carries nothing.
func (u *User) IsZero() bool {
	return u == nil || (u.ID == "" && u.Email == "" && u.Phone == "" && len(u.Extra) == 0)
}

// Record is one v1 trace record. Empty strings and nil objects are sent as null.
type Record struct {
	TraceID        string
	ConversationID string
	InteractionID  string
	ParentID       string
	SessionID      string
	Task           Task
	ChannelID      string
	Input          string
	Output         string
	FeedbackTag    string
	FeedbackText   string
	StartTimestamp int64 // epoch milliseconds
	EndTimestamp   int64 // epoch milliseconds
	Latency        int64 // milliseconds
	Custom         string
	User           *User
	Metadata       map[string]any
}

// MarshalJSON encodes r as the v1 wire body.
func (r *Record) MarshalJSON() ([]byte, error) { return r.AppendJSON(nil), nil }

// AppendJSON appends the v1 wire body of r to b. Field order is fixed and map keys are
// sorted, so the same record always encodes to the same bytes.
func (r *Record) AppendJSON(b []byte) []byte {
	b = append(b, `{"trace_id":`...)
	b = appendNullString(b, r.TraceID)
	b = append(b, `,"conversation_id":`...)
	b = appendNullString(b, r.ConversationID)
	b = append(b, `,"interaction_id":`...)
	b = appendNullString(b, r.InteractionID)
	b = append(b, `,"parent_id":`...)
	b = appendNullString(b, r.ParentID)
	b = append(b, `,"session_id":`...)
	b = appendNullString(b, r.SessionID)
	b = append(b, `,"type":"traces","task":`...)
	b = appendNullString(b, string(r.Task))
	b = append(b, `,"channel_id":`...)
	b = appendNullString(b, r.ChannelID)
	b = append(b, `,"input":`...)
	b = appendNullString(b, r.Input)
	b = append(b, `,"output":`...)
	b = appendNullString(b, r.Output)
	b = append(b, `,"feedback_tag":`...)
	b = appendNullString(b, r.FeedbackTag)
	b = append(b, `,"feedback_text":`...)
	b = appendNullString(b, r.FeedbackText)
	b = append(b, `,"start_timestamp":`...)
	b = strconv.AppendInt(b, r.StartTimestamp, 10)
	b = append(b, `,"end_timestamp":`...)
	b = strconv.AppendInt(b, r.EndTimestamp, 10)
	b = append(b, `,"latency":`...)
	b = strconv.AppendInt(b, r.Latency, 10)
	b = append(b, `,"custom":`...)
	b = appendNullString(b, r.Custom)
	b = append(b, `,"user":`...)
	if r.User.IsZero() {
		b = append(b, "null"...)
	} else {
		b = r.User.appendJSON(b)
	}
	b = append(b, `,"metadata":`...)
	if len(r.Metadata) == 0 {
		b = append(b, "null"...)
	} else {
		b = appendObject(b, r.Metadata)
	}
	return append(b, '}')
}

func (u *User) appendJSON(b []byte) []byte {
	b = append(b, '{')
	first := true
	field := func(k, v string) {
		if v == "" {
			return
		}
		if !first {
			b = append(b, ',')
		}
		first = false
		b = AppendString(b, k)
		b = append(b, ':')
		b = AppendString(b, v)
	}
	field("user_id", u.ID)
	field("user_email", u.Email)
	field("user_phone", u.Phone)
	for _, k := range sortedKeys(u.Extra) {
		if k == "user_id" || k == "user_email" || k == "user_phone" {
			continue
		}
		field(k, u.Extra[k])
	}
	return append(b, '}')
}

// UnmarshalJSON decodes a v1 body, null fields becoming zero values. Extra user keys are
// kept; metadata values are decoded as encoding/json does (numbers as float64), except that
// integral numbers become int64.
func (r *Record) UnmarshalJSON(data []byte) error {
	var w struct {
		TraceID        *string          `json:"trace_id"`
		ConversationID *string          `json:"conversation_id"`
		InteractionID  *string          `json:"interaction_id"`
		ParentID       *string          `json:"parent_id"`
		SessionID      *string          `json:"session_id"`
		Task           *string          `json:"task"`
		ChannelID      *string          `json:"channel_id"`
		Input          *string          `json:"input"`
		Output         *string          `json:"output"`
		FeedbackTag    *string          `json:"feedback_tag"`
		FeedbackText   *string          `json:"feedback_text"`
		StartTimestamp *int64           `json:"start_timestamp"`
		EndTimestamp   *int64           `json:"end_timestamp"`
		Latency        *int64           `json:"latency"`
		Custom         *string          `json:"custom"`
		User           map[string]any   `json:"user"`
		Metadata       *json.RawMessage `json:"metadata"`
	}
	if err := json.Unmarshal(data, &w); err != nil {
		return err
	}
	s := func(p *string) string {
		if p == nil {
			return ""
		}
		return *p
	}
	n := func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	}
	*r = Record{
		TraceID: s(w.TraceID), ConversationID: s(w.ConversationID), InteractionID: s(w.InteractionID),
		ParentID: s(w.ParentID), SessionID: s(w.SessionID), Task: Task(s(w.Task)), ChannelID: s(w.ChannelID),
		Input: s(w.Input), Output: s(w.Output), FeedbackTag: s(w.FeedbackTag), FeedbackText: s(w.FeedbackText),
		StartTimestamp: n(w.StartTimestamp), EndTimestamp: n(w.EndTimestamp), Latency: n(w.Latency),
		Custom: s(w.Custom),
	}
	if w.User != nil {
		u := &User{}
		for k, v := range w.User {
			str, _ := v.(string)
			switch k {
			case "user_id":
				u.ID = str
			case "user_email":
				u.Email = str
			case "user_phone":
				u.Phone = str
			default:
				if u.Extra == nil {
					u.Extra = map[string]string{}
				}
				u.Extra[k] = str
			}
		}
		r.User = u
	}
	if w.Metadata != nil && string(*w.Metadata) != "null" {
		dec := json.NewDecoder(bytes.NewReader(*w.Metadata))
		dec.UseNumber()
		var m map[string]any
		if err := dec.Decode(&m); err != nil {
			return err
		}
		for k, v := range m {
			if num, ok := v.(json.Number); ok {
				if i, err := num.Int64(); err == nil {
					m[k] = i
				} else if f, err := num.Float64(); err == nil {
					m[k] = f
				}
			}
		}
		r.Metadata = m
	}
	return nil
}

// DropContent clears the fields that carry what people wrote and read: input, output,
// custom data and feedback text. Ids, tasks, times, model, usage and status stay.
func (r *Record) DropContent() {
	r.Input, r.Output, r.Custom, r.FeedbackText = "", "", "", ""
}

func appendNullString(b []byte, s string) []byte {
	if s == "" {
		return append(b, "null"...)
	}
	return AppendString(b, s)
}

func appendObject(b []byte, m map[string]any) []byte {
	b = append(b, '{')
	var space [24]string // metadata has a dozen keys or so: sort them without allocating
	keys := space[:0]
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for i, k := range keys {
		if i > 0 {
			b = append(b, ',')
		}
		b = AppendString(b, k)
		b = append(b, ':')
		b = appendValue(b, m[k])
	}
	return append(b, '}')
}

func appendValue(b []byte, v any) []byte {
	switch x := v.(type) {
	case nil:
		return append(b, "null"...)
	case string:
		return AppendString(b, x)
	case bool:
		return strconv.AppendBool(b, x)
	case int:
		return strconv.AppendInt(b, int64(x), 10)
	case int64:
		return strconv.AppendInt(b, x, 10)
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return append(b, "null"...) // JSON has no form for them
		}
		if x == float64(int64(x)) && x < 1e15 && x > -1e15 {
			return strconv.AppendInt(b, int64(x), 10)
		}
		return strconv.AppendFloat(b, x, 'g', -1, 64)
	case []string:
		b = append(b, '[')
		for i, s := range x {
			if i > 0 {
				b = append(b, ',')
			}
			b = AppendString(b, s)
		}
		return append(b, ']')
	case map[string]any:
		return appendObject(b, x)
	default:
		enc, err := json.Marshal(x)
		if err != nil {
			return append(b, "null"...)
		}
		return append(b, enc...)
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

const hex = "0123456789abcdef"

// safe marks the ASCII bytes that stand for themselves in a JSON string.
var safe = func() (t [utf8.RuneSelf]bool) {
	for c := 0x20; c < utf8.RuneSelf; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

// AppendString appends s as a JSON string. Invalid UTF-8 becomes U+FFFD, as in
// encoding/json; '<', '>' and '&' are not escaped (the body is not HTML). Runs of bytes that
// need no escape are copied at once.
func AppendString(b []byte, s string) []byte {
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		// Eight bytes at a time while they all stand for themselves: most text is
		// plain ASCII, and this is the loop every encoder spends its time in. The word
		// that stopped it is then taken byte by byte.
		i = jsontext.Run(s, i)
		for end := min(i+8, len(s)); i < end; {
			c := s[i]
			if c < utf8.RuneSelf {
				i++
				if safe[c] {
					continue
				}
				b = append(b, s[start:i-1]...)
				start = i
				switch c {
				case '"', '\\':
					b = append(b, '\\', c)
				case '\n':
					b = append(b, '\\', 'n')
				case '\r':
					b = append(b, '\\', 'r')
				case '\t':
					b = append(b, '\\', 't')
				case '\b':
					b = append(b, '\\', 'b')
				case '\f':
					b = append(b, '\\', 'f')
				default:
					b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xF])
				}
				continue
			}
			r, size := utf8.DecodeRuneInString(s[i:])
			switch {
			case r == utf8.RuneError && size == 1:
				b = append(b, s[start:i]...)
				b = append(b, `\ufffd`...)
				start = i + size
			case r == '\u2028' || r == '\u2029':
				b = append(b, s[start:i]...)
				b = append(b, '\\', 'u', '2', '0', '2', hex[r&0xF])
				start = i + size
			}
			i += size
		}
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
