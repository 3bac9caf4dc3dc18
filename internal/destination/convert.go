package destination

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tracebridge/tracebridge/record"
)

// SettingError is a setting that does not work: Setting is "base URL" or "project id".
type SettingError struct {
	Setting string
	Err     error
}

func (e *SettingError) Error() string { return e.Setting + " " + e.Err.Error() }
func (e *SettingError) Unwrap() error { return e.Err }

// Settings New checks.
const (
	SettingBaseURL   = "base URL"
	SettingProjectID = "project id"
)

func baseErr(err error) error { return &SettingError{Setting: SettingBaseURL, Err: err} }

func projectErr(err error) error { return &SettingError{Setting: SettingProjectID, Err: err} }

// marshal encodes v as compact JSON without HTML escaping (the bodies are not HTML).
func marshal(v any) []byte {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		// Only values built here get encoded; they always encode.
		panic(fmt.Sprintf("destination: encoding: %v", err))
	}
	return bytes.TrimRight(b.Bytes(), "\n")
}

// jsonText is s as JSON text: s itself when it is a JSON object or array (messages,
// documents, tool arguments), else s as a JSON string, so that plain text that happens to
// parse ("42", "true") keeps its type. Empty is null.
func jsonText(s string) json.RawMessage {
	if s == "" {
		return json.RawMessage("null")
	}
	t := strings.TrimSpace(s)
	if len(t) > 0 && (t[0] == '{' || t[0] == '[') && json.Valid([]byte(t)) {
		var b bytes.Buffer
		if json.Compact(&b, []byte(t)) == nil {
			return b.Bytes()
		}
	}
	return marshal(s)
}

// metaString is a metadata value as a string, "" when absent or not a string.
func metaString(r *record.Record, key string) string {
	s, _ := r.Metadata[key].(string)
	return s
}

// metaInt is an integral metadata value.
func metaInt(r *record.Record, key string) (int64, bool) {
	switch v := r.Metadata[key].(type) {
	case int:
		return int64(v), true
	case int64:
		return v, true
	case float64:
		if v == math.Trunc(v) && !math.IsInf(v, 0) {
			return int64(v), true
		}
	case json.Number:
		n, err := v.Int64()
		return n, err == nil
	}
	return 0, false
}

// metaFloat is a numeric metadata value.
func metaFloat(r *record.Record, key string) (float64, bool) {
	switch v := r.Metadata[key].(type) {
	case int:
		return float64(v), true
	case int64:
		return float64(v), true
	case float64:
		return v, !math.IsNaN(v) && !math.IsInf(v, 0)
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(v, 64)
		return f, err == nil && !math.IsNaN(f) && !math.IsInf(f, 0)
	}
	return 0, false
}

// failed reports whether the record's step failed.
func failed(r *record.Record) bool { return metaString(r, record.MetaStatus) == "error" }

// provisional reports whether the record stands in for a step not ended (or a root not seen).
func provisional(r *record.Record) bool { b, _ := r.Metadata[record.MetaProvisional].(bool); return b }

// stepName names a record for APIs that want a name: the span's name, else the tool or
// agent name, else the task.
func stepName(r *record.Record) string {
	for _, k := range []string{record.MetaSpanName, record.MetaToolName, record.MetaAgentName} {
		if s := metaString(r, k); s != "" {
			return s
		}
	}
	return string(r.Task)
}

// Metadata keys this package reads beside those of package record; semconv sets them.
const (
	metaTags            = "tags"
	metaEvalName        = "evaluation_name"
	metaEvalScore       = "evaluation_score"
	metaEvalLabel       = "evaluation_label"
	metaEvalExplanation = "evaluation_explanation"
)

// tags are the record's string tags (metadata "tags").
func tags(r *record.Record) []string {
	switch v := r.Metadata[metaTags].(type) {
	case []string:
		return v
	case []any:
		var out []string
		for _, x := range v {
			if s, ok := x.(string); ok {
				out = append(out, s)
			}
		}
		return out
	case string:
		if v != "" {
			return []string{v}
		}
	}
	return nil
}

// recordFields are a record's own fields that APIs with only attributes have no field for,
// as scalar attributes: task, record id, channel, custom data, feedback.
func recordFields(r *record.Record, out map[string]any) map[string]any {
	if out == nil {
		out = map[string]any{}
	}
	out["task"] = string(r.Task)
	putStr(out, "record_id", r.TraceID)
	putStr(out, "channel_id", r.ChannelID)
	putStr(out, "custom", r.Custom)
	putStr(out, "feedback_tag", r.FeedbackTag)
	putStr(out, "feedback_text", r.FeedbackText)
	return out
}

// identity adds the ids an interaction shares (conversation, interaction, session, user) as
// scalar attributes.
func identity(r *record.Record, out map[string]any) map[string]any {
	if out == nil {
		out = map[string]any{}
	}
	putStr(out, "conversation_id", r.ConversationID)
	putStr(out, "interaction_id", r.InteractionID)
	putStr(out, "session_id", r.SessionID)
	if u := r.User; !u.IsZero() {
		putStr(out, "user_id", u.ID)
		putStr(out, "user_email", u.Email)
		putStr(out, "user_phone", u.Phone)
		for k, v := range u.Extra {
			putStr(out, "user."+k, v)
		}
	}
	return out
}

// metadata adds the record's metadata flattened to scalars: strings, numbers and booleans
// as they are, nested objects under dotted keys, lists as JSON text. skip names keys left
// out (mapped to a field of their own).
func metadata(r *record.Record, out map[string]any, skip ...string) map[string]any {
	if out == nil {
		out = map[string]any{}
	}
	for k, v := range r.Metadata {
		skipped := false
		for _, s := range skip {
			skipped = skipped || k == s
		}
		if !skipped {
			flatten(out, k, v)
		}
	}
	return out
}

func putStr(m map[string]any, k, v string) {
	if v != "" {
		m[k] = v
	}
}

func flatten(out map[string]any, k string, v any) {
	switch x := v.(type) {
	case nil:
	case string, bool, int64, float64:
		out[k] = x
	case int:
		out[k] = int64(x)
	case json.Number:
		if n, err := x.Int64(); err == nil {
			out[k] = n
		} else if f, err := x.Float64(); err == nil {
			out[k] = f
		}
	case map[string]any:
		for kk, vv := range x {
			flatten(out, k+"."+kk, vv)
		}
	default: // lists and anything else: JSON text
		out[k] = string(marshal(x))
	}
}

// stringify turns scalar attributes into the strings-only attributes some APIs take.
func stringify(m map[string]any) map[string]string {
	out := make(map[string]string, len(m))
	for k, v := range m {
		switch x := v.(type) {
		case string:
			out[k] = x
		case bool:
			out[k] = strconv.FormatBool(x)
		case int64:
			out[k] = strconv.FormatInt(x, 10)
		case float64:
			out[k] = strconv.FormatFloat(x, 'g', -1, 64)
		default:
			out[k] = string(marshal(x))
		}
	}
	return out
}

// sortedKeys returns m's keys in order, for deterministic lists built from maps.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// byInteraction groups record indexes by interaction, in the order interactions first
// appear, the message of each group first (so that a group split in halves keeps its
// message in the first half, which creates what the second half hangs from).
func byInteraction(recs []record.Record) [][]int {
	var order []string
	groups := map[string][]int{}
	for i := range recs {
		id := recs[i].InteractionID
		if _, ok := groups[id]; !ok {
			order = append(order, id)
		}
		if recs[i].Task == record.TaskMessage {
			groups[id] = append([]int{i}, groups[id]...)
		} else {
			groups[id] = append(groups[id], i)
		}
	}
	out := make([][]int, len(order))
	for n, id := range order {
		out[n] = groups[id]
	}
	return out
}

// endMillis is a record's end, at least one millisecond after its start: router, event and
// feedback records are instants, and APIs want startedAt before endedAt.
func endMillis(r *record.Record) int64 { return max(r.EndTimestamp, r.StartTimestamp+1) }

// seconds is epoch milliseconds as float epoch seconds.
func seconds(ms int64) float64 { return float64(ms) / 1000 }

// isoTime is epoch milliseconds as ISO-8601 UTC with milliseconds.
func isoTime(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z07:00")
}
