package traceapi

import (
	"bytes"
	"encoding/json"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/tracebridge/tracebridge/record"
)

// Step is a stored item as the viewer shows it in an interaction's tree: the fields every
// contract has, read from the item as received. Input and Output are text: plain, or JSON
// (chat messages, documents) for the viewer to lay out.
type Step struct {
	UID       string `json:"uid"`                  // the item's Seq: unique in the store
	ParentUID string `json:"parent_uid,omitempty"` // the step it hangs under, when in the same page
	// Ref names the step as a parent ("contract:id"); ParentRef names its parent, so that a
	// client holding several pages can link the steps whose parent is in another page.
	Ref          string         `json:"ref,omitempty"`
	ParentRef    string         `json:"parent_ref,omitempty"`
	ID           string         `json:"id"`
	ParentID     string         `json:"parent_id,omitempty"`
	Contract     Contract       `json:"contract"`
	Kind         string         `json:"kind"`
	Task         string         `json:"task"`
	Name         string         `json:"name,omitempty"`
	Model        string         `json:"model,omitempty"`
	Provider     string         `json:"provider,omitempty"`
	StartMs      int64          `json:"start_ms,omitempty"`
	EndMs        int64          `json:"end_ms,omitempty"`
	LatencyMs    int64          `json:"latency_ms"`
	InputTokens  int64          `json:"input_tokens,omitempty"`
	OutputTokens int64          `json:"output_tokens,omitempty"`
	TotalTokens  int64          `json:"total_tokens,omitempty"`
	Status       string         `json:"status,omitempty"`
	Error        string         `json:"error,omitempty"`
	Provisional  bool           `json:"provisional,omitempty"`
	Input        string         `json:"input,omitempty"`
	Output       string         `json:"output,omitempty"`
	FeedbackTag  string         `json:"feedback_tag,omitempty"`
	FeedbackText string         `json:"feedback_text,omitempty"`
	UserID       string         `json:"user,omitempty"`
	SessionID    string         `json:"session_id,omitempty"`
	Metadata     map[string]any `json:"metadata,omitempty"`
	ReceivedAt   time.Time      `json:"received_at"`
}

// PreviewRunes is the length of Summary.Input and Summary.Output, in characters.
const PreviewRunes = 160

// Summarize fills r.Summary from r.Raw, read according to r's contract and kind, and names
// an item its contract leaves unnamed (a v1 record: by its span name). Items it cannot read
// keep a zero Summary: they were validated on arrival, so that means only that a field is
// absent.
func Summarize(r *StoredRecord) {
	st := StepOf(r)
	if r.Name == "" && st.Name != st.Task {
		r.Name = st.Name
	}
	r.Summary = Summary{
		UserID: st.UserID, Model: st.Model, StartMs: st.StartMs, EndMs: st.EndMs,
		InputTokens: st.InputTokens, OutputTokens: st.OutputTokens, TotalTokens: st.TotalTokens,
		Error: st.Error, Input: Preview(st.Input, "user"), Output: Preview(st.Output, "assistant"),
	}
}

// StepOf reads a stored item as a Step (ParentUID is left for the tree to fill in).
func StepOf(r *StoredRecord) Step {
	st := Step{
		UID: strconv.FormatInt(r.Seq, 10), ID: r.TraceID, ParentID: r.ParentID,
		Contract: r.ContractOrDefault(), Kind: r.KindOrDefault(), Task: string(r.Task), Name: r.Name,
		SessionID: r.SessionID, ReceivedAt: r.ReceivedAt,
	}
	switch st.Contract {
	case ContractNeuralTrust:
		v1Step(&st, r.Raw)
	case ContractNeuralTrustBatch:
		batchStep(&st, r.Raw)
	case ContractAdaline:
		adalineStep(&st, r.Raw)
	case ContractFreeplay:
		freeplayStep(&st, r.Raw)
	}
	if st.TotalTokens == 0 {
		st.TotalTokens = st.InputTokens + st.OutputTokens
	}
	if st.LatencyMs == 0 && st.StartMs > 0 && st.EndMs > st.StartMs {
		st.LatencyMs = st.EndMs - st.StartMs
	}
	if st.Error != "" && st.Status == "" {
		st.Status = "error"
	}
	if st.Name == "" {
		st.Name = st.Task
	}
	return st
}

// v1Step reads a v1 record: its own fields and tracebridge's metadata keys.
func v1Step(st *Step, raw []byte) {
	var rec record.Record
	if json.Unmarshal(raw, &rec) != nil {
		return
	}
	m := rec.Metadata
	st.Input, st.Output = rec.Input, rec.Output
	st.StartMs, st.EndMs, st.LatencyMs = rec.StartTimestamp, rec.EndTimestamp, rec.Latency
	st.FeedbackTag, st.FeedbackText = rec.FeedbackTag, rec.FeedbackText
	if u := rec.User; u != nil {
		st.UserID = firstOf(u.ID, u.Email, u.Phone)
	}
	st.Name = firstOf(str(m[record.MetaSpanName]), str(m[record.MetaToolName]), str(m[record.MetaAgentName]))
	readMetadata(st, m)
	st.Metadata = m
}

// readMetadata reads tracebridge's metadata keys, wherever a contract carries them
// (v1 metadata, batch and Adaline attributes, Freeplay custom_metadata).
func readMetadata(st *Step, m map[string]any) {
	if st.Model == "" {
		st.Model = str(m[record.MetaModel])
	}
	if st.Provider == "" {
		st.Provider = str(m[record.MetaProvider])
	}
	if st.UserID == "" {
		st.UserID = firstOf(str(m["user_id"]), str(m["user_email"]), str(m["user_phone"]))
	}
	if st.InputTokens == 0 {
		st.InputTokens = num(m[record.MetaInputTokens])
	}
	if st.OutputTokens == 0 {
		st.OutputTokens = num(m[record.MetaOutputTokens])
	}
	if st.TotalTokens == 0 {
		st.TotalTokens = num(m[record.MetaTotalTokens])
	}
	status, msg := str(m[record.MetaStatus]), str(m[record.MetaError])
	if st.Status == "" {
		st.Status = status
	}
	if st.Error == "" && (status == "error" || msg != "") {
		st.Error = firstOf(msg, "error")
	}
	if p, ok := m[record.MetaProvisional]; ok && (p == true || p == "true") {
		st.Provisional = true
	}
}

// batchStep reads a NeuralTrust batch trace or span: times in float seconds, everything
// else in string attributes.
func batchStep(st *Step, raw []byte) {
	var it struct {
		WorkflowName *string           `json:"workflow_name"`
		Status       string            `json:"status"`
		StartedAt    float64           `json:"started_at"`
		EndedAt      float64           `json:"ended_at"`
		Attributes   map[string]string `json:"attributes"`
	}
	if json.Unmarshal(raw, &it) != nil {
		return
	}
	st.StartMs, st.EndMs = secondsMs(it.StartedAt), secondsMs(it.EndedAt)
	m := make(map[string]any, len(it.Attributes))
	for k, v := range it.Attributes {
		m[k] = v
	}
	st.Input, st.Output = it.Attributes["input"], it.Attributes["output"]
	delete(m, "input")
	delete(m, "output")
	switch it.Status {
	case "error":
		st.Error = firstOf(it.Attributes[record.MetaError], "error")
	case "unset":
		st.Provisional = true
	}
	st.Status = it.Status
	readMetadata(st, m)
	st.FeedbackTag, st.FeedbackText = it.Attributes["feedback_tag"], it.Attributes["feedback_text"]
	st.Metadata = m
}

// adalineStep reads an Adaline trace, span or trace update.
func adalineStep(st *Step, raw []byte) {
	var it struct {
		StartedAt  int64          `json:"startedAt"`
		EndedAt    int64          `json:"endedAt"`
		Status     string         `json:"status"`
		Attributes map[string]any `json:"attributes"`
		Tags       []string       `json:"tags"`
		Content    *struct {
			Type     string `json:"type"`
			Provider string `json:"provider"`
			Model    string `json:"model"`
			Input    string `json:"input"`
			Output   string `json:"output"`
		} `json:"content"`
		LogTrace json.RawMessage `json:"logTrace"` // a trace update (PATCH)
	}
	if json.Unmarshal(raw, &it) != nil {
		return
	}
	if st.Kind == KindTraceUpdate {
		st.Task, st.Name = string(record.TaskEvent), "trace update"
		var upd map[string]any
		if json.Unmarshal(it.LogTrace, &upd) == nil {
			st.Metadata = upd
			if s := str(upd["status"]); s != "" {
				st.Status = s
			}
		}
		return
	}
	st.StartMs, st.EndMs = it.StartedAt, it.EndedAt
	if c := it.Content; c != nil {
		st.Model, st.Provider = c.Model, c.Provider
		st.Input, st.Output = jsonText(c.Input), jsonText(c.Output)
	}
	switch it.Status {
	case "failure", "aborted", "cancelled":
		st.Error = firstOf(str(it.Attributes[record.MetaError]), it.Status)
	case "pending", "unknown":
		st.Provisional = true
	}
	st.Status = it.Status
	m := it.Attributes
	if len(it.Tags) > 0 {
		if m == nil {
			m = map[string]any{}
		}
		m["tags"] = it.Tags
	}
	readMetadata(st, m)
	st.Metadata = m
}

// freeplayStep reads a Freeplay trace, completion, trace update or trace feedback.
func freeplayStep(st *Step, raw []byte) {
	var it map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	if dec.Decode(&it) != nil {
		return
	}
	meta, _ := it["custom_metadata"].(map[string]any)
	switch st.Kind {
	case KindTraceFeedback:
		st.FeedbackTag = str(it["freeplay_feedback"])
		st.FeedbackText = str(it["feedback_text"])
		st.Metadata = it
		return
	case KindTraceUpdate:
		st.Task, st.Name = string(record.TaskEvent), "trace update"
		st.Output = anyText(it["output"])
		st.Metadata = it
		return
	case KindCompletion:
		msgs, _ := it["messages"].([]any)
		// The trailing assistant messages are the answer; the ones before, the prompt.
		cut := len(msgs)
		for cut > 0 {
			m, _ := msgs[cut-1].(map[string]any)
			if str(m["role"]) != "assistant" {
				break
			}
			cut--
		}
		if cut > 0 {
			st.Input = anyText(msgs[:cut])
		}
		if cut < len(msgs) {
			st.Output = anyText(msgs[cut:])
		}
		if ci, ok := it["call_info"].(map[string]any); ok {
			st.Model, st.Provider = str(ci["model"]), str(ci["provider"])
			st.StartMs, st.EndMs = secondsMs(toFloat(ci["start_time"])), secondsMs(toFloat(ci["end_time"]))
			if u, ok := ci["usage"].(map[string]any); ok {
				st.InputTokens, st.OutputTokens = num(u["prompt_tokens"]), num(u["completion_tokens"])
			}
		}
	default: // a trace
		st.Input, st.Output = anyText(it["input"]), anyText(it["output"])
		st.StartMs, st.EndMs = isoMs(str(it["start_time"])), isoMs(str(it["end_time"]))
	}
	readMetadata(st, meta)
	st.Metadata = meta
}

// Preview is the start of a step's input or output as one line of plain text: the last
// message with role (user, assistant) when text holds chat messages, else the text.
func Preview(text, role string) string {
	if t := strings.TrimSpace(text); strings.HasPrefix(t, "[") {
		var msgs []struct {
			Role    string          `json:"role"`
			Content json.RawMessage `json:"content"`
		}
		if json.Unmarshal([]byte(t), &msgs) == nil {
			for i := len(msgs) - 1; i >= 0; i-- {
				if msgs[i].Role == role {
					if c := contentText(msgs[i].Content); c != "" {
						text = c
						break
					}
				}
			}
		}
	}
	return clip(text, PreviewRunes)
}

// contentText is a message's content as text: a string, or its text parts.
func contentText(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	var parts []struct {
		Text    string `json:"text"`
		Content string `json:"content"`
	}
	if json.Unmarshal(raw, &parts) == nil {
		var b strings.Builder
		for _, p := range parts {
			if t := firstOf(p.Text, p.Content); t != "" {
				if b.Len() > 0 {
					b.WriteByte(' ')
				}
				b.WriteString(t)
			}
		}
		return b.String()
	}
	return ""
}

// clip folds white space and control characters to single spaces and keeps the first n
// characters, with an ellipsis when it cut.
func clip(s string, n int) string {
	// Only the start can show; a long text is not split whole.
	if len(s) > 64*n {
		s = strings.ToValidUTF8(s[:64*n], "")
	}
	words := strings.FieldsFunc(s, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsControl(r) })
	out := strings.Join(words, " ")
	if utf8.RuneCountInString(out) <= n {
		return out
	}
	return string([]rune(out)[:n]) + "…"
}

func firstOf(vals ...string) string {
	for _, v := range vals {
		if v != "" {
			return v
		}
	}
	return ""
}

// str is v when it is a string, else "".
func str(v any) string {
	s, _ := v.(string)
	return s
}

// num reads a token count: an integer, a float, a json.Number or a numeric string.
func num(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		if x >= 0 && x < math.MaxInt64 {
			return int64(x)
		}
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		if f, err := x.Float64(); err == nil && f >= 0 && f < math.MaxInt64 {
			return int64(f)
		}
	case string:
		if i, err := strconv.ParseInt(x, 10, 64); err == nil {
			return i
		}
	}
	return 0
}

func toFloat(v any) float64 {
	switch x := v.(type) {
	case json.Number:
		f, _ := x.Float64()
		return f
	case float64:
		return x
	}
	return 0
}

// secondsMs converts float epoch seconds to milliseconds.
func secondsMs(s float64) int64 {
	if s <= 0 || s > 1e11 {
		return 0
	}
	return int64(math.Round(s * 1000))
}

func isoMs(s string) int64 {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return 0
	}
	return t.UnixMilli()
}

// jsonText unquotes JSON text holding a string literal; other JSON stays as it is.
func jsonText(s string) string {
	var v string
	if strings.HasPrefix(strings.TrimSpace(s), `"`) && json.Unmarshal([]byte(s), &v) == nil {
		return v
	}
	return s
}

// anyText is a JSON value as text: a string as it is, anything else as JSON.
func anyText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	}
	b, err := json.Marshal(v)
	if err != nil {
		return ""
	}
	return string(b)
}
