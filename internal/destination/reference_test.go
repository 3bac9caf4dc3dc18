package destination

// The encoders as they were before they were written by hand: encoding/json over structs
// and maps. They are the reference the differential tests hold the hand-written ones to,
// byte for byte.

import (
	"bytes"
	"encoding/json"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/tracebridge/tracebridge/record"
)

// NeuralTrust batch.

// refTraceAttributes are what every record of an interaction shares: its ids, user, channel
// and custom data.
func refTraceAttributes(r *record.Record) map[string]any {
	attrs := identity(r, nil)
	putStr(attrs, "channel_id", r.ChannelID)
	putStr(attrs, "custom", r.Custom)
	return attrs
}

func refBatchSpanAttributes(r *record.Record) map[string]any {
	attrs := make(map[string]any, 8+len(r.Metadata))
	recordFields(r, attrs)
	putStr(attrs, "input", r.Input)
	putStr(attrs, "output", r.Output)
	return metadata(r, attrs)
}

// refAppendBatchSpan appends the JSON of r as a batch span {id, parent_id, name, kind,
// status, started_at, ended_at, attributes, events}, by hand: encoding/json's reflection
// and its re-validation of nested raw JSON cost more than the rest of the export.
func refAppendBatchSpan(b []byte, r *record.Record) []byte {
	b = append(b, `{"id":`...)
	b = record.AppendString(b, r.TraceID)
	b = append(b, `,"parent_id":`...)
	if r.ParentID == "" {
		b = append(b, "null"...)
	} else {
		b = record.AppendString(b, r.ParentID)
	}
	b = append(b, `,"name":`...)
	b = record.AppendString(b, stepName(r))
	b = append(b, `,"kind":`...)
	b = record.AppendString(b, batchKind(r))
	b = append(b, `,"status":`...)
	b = record.AppendString(b, batchStatus(r))
	b = append(b, `,"started_at":`...)
	b = appendSeconds(b, r.StartTimestamp)
	b = append(b, `,"ended_at":`...)
	b = appendSeconds(b, r.EndTimestamp)
	b = append(b, `,"attributes":`...)
	b = refAppendStringMap(b, refBatchSpanAttributes(r))
	return append(b, `,"events":[]}`...)
}

// refAppendStringMap appends m as a JSON object of strings with sorted keys (values stringified
// as strings).
func refAppendStringMap(b []byte, m map[string]any) []byte {
	b = append(b, '{')
	for i, k := range refSortedKeys(m) {
		if i > 0 {
			b = append(b, ',')
		}
		b = record.AppendString(b, k)
		b = append(b, ':')
		switch x := m[k].(type) {
		case string:
			b = record.AppendString(b, x)
		case bool:
			b = record.AppendString(b, strconv.FormatBool(x))
		case int64:
			b = append(b, '"')
			b = strconv.AppendInt(b, x, 10)
			b = append(b, '"')
		case float64:
			b = append(b, '"')
			b = strconv.AppendFloat(b, x, 'g', -1, 64)
			b = append(b, '"')
		default:
			b = record.AppendString(b, string(marshal(x)))
		}
	}
	return append(b, '}')
}

// refBatchTraceOut is a trace of the envelope being built: its spans already encoded.
type refBatchTraceOut struct {
	id, group      string
	workflow       *string
	started, ended int64
	attributes     map[string]any
	spans          [][]byte
}

func (t *refBatchTraceOut) appendJSON(b []byte) []byte {
	b = append(b, `{"trace_id":`...)
	b = record.AppendString(b, t.id)
	b = append(b, `,"workflow_name":`...)
	if t.workflow == nil {
		b = append(b, "null"...)
	} else {
		b = record.AppendString(b, *t.workflow)
	}
	b = append(b, `,"group_id":`...)
	b = record.AppendString(b, t.group)
	b = append(b, `,"started_at":`...)
	b = appendSeconds(b, t.started)
	b = append(b, `,"ended_at":`...)
	b = appendSeconds(b, t.ended)
	b = append(b, `,"attributes":`...)
	b = refAppendStringMap(b, t.attributes)
	b = append(b, `,"spans":[`...)
	for i, s := range t.spans {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, s...)
	}
	return append(b, "]}"...)
}

func refBatchEncode(d batch, recs []record.Record) []Request {
	var reqs []Request
	var traces []*refBatchTraceOut
	var idxs []int
	size := 0
	flush := func() {
		if len(traces) == 0 {
			return
		}
		b := make([]byte, 0, size+len(resourceJSON())+64+256*len(traces))
		b = append(b, `[{"resource":`...)
		b = append(b, resourceJSON()...)
		b = append(b, `,"traces":[`...)
		for i, t := range traces {
			if i > 0 {
				b = append(b, ',')
			}
			b = t.appendJSON(b)
		}
		b = append(b, "]}]"...)
		reqs = append(reqs, Request{Method: http.MethodPost, URL: d.url, Kind: "batch", Body: b, Records: idxs})
		traces, idxs, size = nil, nil, 0
	}
	for _, group := range byInteraction(recs) {
		var t *refBatchTraceOut
		for _, i := range group {
			r := &recs[i]
			span := refAppendBatchSpan(make([]byte, 0, 256+len(r.Input)+len(r.Output)), r)
			if t != nil && size+len(span) > batchMaxBytes {
				flush()
				t = nil
			}
			if t == nil {
				if len(traces) == batchMaxTraces {
					flush()
				}
				t = &refBatchTraceOut{id: r.InteractionID, group: r.ConversationID,
					started: r.StartTimestamp, ended: r.EndTimestamp, attributes: refTraceAttributes(r)}
				traces = append(traces, t)
			}
			t.spans = append(t.spans, span)
			t.started = min(t.started, r.StartTimestamp)
			t.ended = max(t.ended, r.EndTimestamp)
			if r.Task == record.TaskMessage {
				name := stepName(r)
				t.workflow = &name
				// The message spans the interaction: its times are the trace's.
				t.started, t.ended = r.StartTimestamp, r.EndTimestamp
			}
			idxs = append(idxs, i)
			size += len(span)
		}
	}
	flush()
	return reqs
}

// Adaline.

type adalineTrace struct {
	StartedAt   int64          `json:"startedAt"`
	EndedAt     int64          `json:"endedAt"`
	Name        string         `json:"name"`
	Status      string         `json:"status"`
	ReferenceID string         `json:"referenceId"`
	SessionID   string         `json:"sessionId,omitempty"`
	Attributes  map[string]any `json:"attributes"`
	Tags        []string       `json:"tags"`
}

type adalineSpan struct {
	StartedAt         int64              `json:"startedAt"`
	EndedAt           int64              `json:"endedAt"`
	Name              string             `json:"name"`
	Status            string             `json:"status"`
	Content           adalineContentJSON `json:"content"`
	ParentReferenceID string             `json:"parentReferenceId,omitempty"`
	ReferenceID       string             `json:"referenceId"`
	SessionID         string             `json:"sessionId,omitempty"`
	TraceReferenceID  string             `json:"traceReferenceId,omitempty"` // POST /logs/span only
	Attributes        map[string]any     `json:"attributes"`
	Tags              []string           `json:"tags"`
}

// adalineContent is the typed content of a span; input and output are JSON text.
type adalineContentJSON struct {
	Type     string `json:"type"`
	Provider string `json:"provider,omitempty"` // Model
	Model    string `json:"model,omitempty"`    // Model
	Input    string `json:"input"`
	Output   string `json:"output"`
}

type adalineAttrOp struct {
	Operation string `json:"operation"`
	Key       string `json:"key"`
	Value     any    `json:"value"`
}

type adalineTagOp struct {
	Operation string `json:"operation"`
	Tag       string `json:"tag"`
}

type adalinePatch struct {
	Status     string          `json:"status"`
	EndedAt    int64           `json:"endedAt"`
	Attributes []adalineAttrOp `json:"attributes"`
	Tags       []adalineTagOp  `json:"tags"`
}

func refAdalineContentOf(r *record.Record) adalineContentJSON {
	// The content type is adalineContentOf's, unchanged by the hand-written encoder; the
	// reference is how input and output were encoded.
	t := adalineContentOf(r)
	c := adalineContentJSON{Type: t.Type, Provider: t.Provider, Model: t.Model,
		Input: string(jsonText(r.Input)), Output: string(jsonText(r.Output))}
	if r.Task == record.TaskFeedback {
		c.Output = string(marshal(map[string]string{"feedback_tag": r.FeedbackTag, "feedback_text": r.FeedbackText}))
	}
	return c
}

func nonNil(tags []string) []string {
	if tags == nil {
		return []string{}
	}
	return tags
}

func refAdalineTraceOf(msg *record.Record) adalineTrace {
	attrs := metadata(msg, refTraceAttributes(msg), metaTags, record.MetaProvisional)
	return adalineTrace{
		StartedAt: msg.StartTimestamp, EndedAt: endMillis(msg), Name: stepName(msg),
		Status: adalineStatus(msg, true), ReferenceID: msg.InteractionID, SessionID: adalineSession(msg),
		Attributes: attrs, Tags: nonNil(tags(msg)),
	}
}

func refAdalineSpanOf(r *record.Record) adalineSpan {
	attrs := recordFields(r, nil)
	metadata(r, attrs, metaTags, record.MetaProvisional)
	return adalineSpan{
		StartedAt: r.StartTimestamp, EndedAt: endMillis(r), Name: stepName(r),
		Status: adalineStatus(r, false), Content: refAdalineContentOf(r),
		ParentReferenceID: r.ParentID, ReferenceID: r.TraceID, SessionID: adalineSession(r),
		Attributes: attrs, Tags: nonNil(tags(r)),
	}
}

func refAdalineEncode(d adaline, recs []record.Record) []Request {
	var reqs []Request
	for _, group := range byInteraction(recs) {
		var ok []int
		for _, i := range group {
			if err := checkIDs(&recs[i]); err != nil {
				reqs = append(reqs, Request{Records: []int{i}, Err: err})
				continue
			}
			ok = append(ok, i)
		}
		if len(ok) == 0 {
			continue
		}
		if recs[ok[0]].Task != record.TaskMessage {
			// The trace exists: its message was delivered by an earlier request.
			reqs = append(reqs, refAdalineSpanRequests(d, recs, ok)...)
			continue
		}
		msg := &recs[ok[0]]
		spans := make([]adalineSpan, 0, len(ok))
		if !provisional(msg) {
			spans = append(spans, refAdalineSpanOf(msg))
		}
		for _, i := range ok[1:] {
			spans = append(spans, refAdalineSpanOf(&recs[i]))
		}
		reqs = append(reqs, Request{
			Method: http.MethodPost, URL: d.traceURL, Kind: "trace", Records: ok,
			Body: marshal(struct {
				ProjectID string        `json:"projectId"`
				Trace     adalineTrace  `json:"trace"`
				Spans     []adalineSpan `json:"spans"`
			}{d.project, refAdalineTraceOf(msg), spans}),
		})
	}
	return reqs
}

// spanRequests posts each record as a span of its interaction's existing trace; a final
// message is the root span.
func refAdalineSpanRequests(d adaline, recs []record.Record, idxs []int) []Request {
	var reqs []Request
	for _, i := range idxs {
		r := &recs[i]
		if r.Task == record.TaskMessage && provisional(r) {
			continue // its root span waits until it is final
		}
		s := refAdalineSpanOf(r)
		s.TraceReferenceID = r.InteractionID
		reqs = append(reqs, Request{
			Method: http.MethodPost, URL: d.spanURL, Kind: "span", Records: []int{i},
			Body: marshal(struct {
				ProjectID string      `json:"projectId"`
				Span      adalineSpan `json:"span"`
			}{d.project, s}),
		})
	}
	return reqs
}

// patchRequest updates the trace of a message already created.
func refAdalinePatchRequest(d adaline, recs []record.Record, i int) Request {
	t := refAdalineTraceOf(&recs[i])
	p := adalinePatch{Status: t.Status, EndedAt: t.EndedAt, Attributes: []adalineAttrOp{}, Tags: []adalineTagOp{}}
	for _, k := range refSortedKeys(t.Attributes) {
		p.Attributes = append(p.Attributes, adalineAttrOp{Operation: "create", Key: k, Value: t.Attributes[k]})
	}
	for _, tag := range t.Tags {
		p.Tags = append(p.Tags, adalineTagOp{Operation: "create", Tag: tag})
	}
	return Request{
		Method: http.MethodPatch, URL: d.traceURL, Kind: "patch", Records: []int{i},
		Body: marshal(struct {
			ProjectID   string       `json:"projectId"`
			ReferenceID string       `json:"referenceId"`
			LogTrace    adalinePatch `json:"logTrace"`
		}{d.project, t.ReferenceID, p}),
	}
}

// refSortedKeys returns m's keys in order, for deterministic lists built from maps.
func refSortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Freeplay.

type freeplayTrace struct {
	AgentName      string          `json:"agent_name,omitempty"`
	Input          json.RawMessage `json:"input"`
	Output         json.RawMessage `json:"output"`
	ParentID       string          `json:"parent_id,omitempty"`
	CustomMetadata map[string]any  `json:"custom_metadata"`
	EvalResults    map[string]any  `json:"eval_results,omitempty"`
	Kind           string          `json:"kind,omitempty"`
	Name           string          `json:"name"`
	StartTime      string          `json:"start_time"`
	EndTime        string          `json:"end_time"`
}

type freeplayCompletion struct {
	Messages       []json.RawMessage   `json:"messages"`
	Inputs         map[string]any      `json:"inputs"`
	SessionInfo    freeplaySessionInfo `json:"session_info"`
	ParentID       string              `json:"parent_id,omitempty"`
	CompletionID   string              `json:"completion_id"`
	CallInfo       freeplayCallInfo    `json:"call_info"`
	EvalResults    map[string]any      `json:"eval_results,omitempty"`
	CustomMetadata map[string]any      `json:"custom_metadata"`
}

type freeplaySessionInfo struct {
	CustomMetadata map[string]any `json:"custom_metadata"`
}

type freeplayCallInfo struct {
	StartTime float64        `json:"start_time"`
	EndTime   float64        `json:"end_time"`
	Model     string         `json:"model,omitempty"`
	Provider  string         `json:"provider,omitempty"`
	Usage     *freeplayUsage `json:"usage,omitempty"`
}

type freeplayUsage struct {
	PromptTokens     int64 `json:"prompt_tokens"`
	CompletionTokens int64 `json:"completion_tokens"`
}

type freeplayUpdate struct {
	Output      json.RawMessage `json:"output,omitempty"`
	Metadata    map[string]any  `json:"metadata,omitempty"`
	Feedback    map[string]any  `json:"feedback,omitempty"`
	EvalResults map[string]any  `json:"eval_results,omitempty"`
}

// addEvaluation puts an evaluation into eval_results (score as a number, else a pass/fail
// label as a boolean) and its label and explanation into metadata under
// "evaluation.<name>.*": eval_results only take numbers and booleans.
func refAddEvaluation(r *record.Record, results, meta map[string]any) {
	name := metaString(r, metaEvalName)
	if name == "" {
		name = stepName(r)
	}
	label := metaString(r, metaEvalLabel)
	if score, ok := metaFloat(r, metaEvalScore); ok {
		results[name] = score
	} else if b, ok := labelBool(label); ok {
		results[name] = b
	}
	putStr(meta, "evaluation."+name+".label", label)
	putStr(meta, "evaluation."+name+".explanation", metaString(r, metaEvalExplanation))
}

// messages reads a record's text as chat messages: a JSON array as it is, other text as one
// message of role.
func messages(text, role string) []json.RawMessage {
	if text == "" {
		return nil
	}
	var list []json.RawMessage
	if t := strings.TrimSpace(text); strings.HasPrefix(t, "[") && json.Unmarshal([]byte(t), &list) == nil {
		return list
	}
	return []json.RawMessage{marshal(map[string]string{"role": role, "content": text})}
}

func refFreeplayMetadata(r *record.Record) map[string]any {
	return metadata(r, identity(r, recordFields(r, nil)))
}

func refFreeplayEncode(d freeplay, recs []record.Record) []Request {
	byID := make(map[string]int, len(recs))
	for i := range recs {
		byID[recs[i].TraceID] = i
	}
	// Evaluations go with the completion they evaluate when it is here; the others update
	// the trace they hang under, one update per trace.
	folded := map[int][]int{}
	patches := map[string][]int{}
	var patchOrder []string
	for i := range recs {
		r := &recs[i]
		if !isEvaluation(r) {
			continue
		}
		if p, ok := byID[r.ParentID]; ok && recs[p].Task == record.TaskGeneration {
			folded[p] = append(folded[p], i)
			continue
		}
		if _, ok := patches[r.ParentID]; !ok {
			patchOrder = append(patchOrder, r.ParentID)
		}
		patches[r.ParentID] = append(patches[r.ParentID], i)
	}
	var reqs []Request
	traceReq := map[string]int{} // record id → its trace request, for what must follow it
	var later []Request          // feedback and updates
	for i := range recs {
		r := &recs[i]
		switch {
		case isEvaluation(r):
			// Sent with a completion or in an update below.
		case r.Task == record.TaskGeneration:
			reqs = append(reqs, refFreeplayCompletion(d, recs, i, folded[i]))
		case r.Task == record.TaskFeedback:
			later = append(later, refFreeplayFeedback(d, r, i))
		default:
			traceReq[r.TraceID] = len(reqs)
			reqs = append(reqs, refFreeplayTrace(d, r, i))
		}
	}
	for _, parent := range patchOrder {
		later = append(later, refFreeplayEvalUpdate(d, recs, parent, patches[parent]))
	}
	// Feedback on, and updates of, a trace recorded by this same batch go after it, so
	// that they never arrive before the trace they are about.
	for _, req := range later {
		if k, ok := traceReq[recs[req.Records[0]].ParentID]; ok {
			reqs[k].Next = append(reqs[k].Next, req)
		} else {
			reqs = append(reqs, req)
		}
	}
	return reqs
}

func refFreeplayTrace(d freeplay, r *record.Record, i int) Request {
	t := freeplayTrace{
		AgentName: metaString(r, record.MetaAgentName),
		Input:     jsonText(r.Input), Output: jsonText(r.Output),
		CustomMetadata: refFreeplayMetadata(r),
		Name:           stepName(r), StartTime: refISOTime(r.StartTimestamp), EndTime: refISOTime(r.EndTimestamp),
	}
	if r.ParentID != "" {
		t.ParentID = UUIDFor(r.ParentID)
	}
	switch r.Task {
	case record.TaskAgent:
		t.Kind = "agent"
	case record.TaskTool:
		t.Kind = "tool"
	}
	return Request{Method: http.MethodPost, URL: d.traceURL(r, r.TraceID), Kind: "trace", Records: []int{i}, Body: marshal(t)}
}

func refFreeplayCompletion(d freeplay, recs []record.Record, i int, evals []int) Request {
	r := &recs[i]
	msgs := append(messages(r.Input, "user"), messages(r.Output, "assistant")...)
	if msgs == nil {
		msgs = []json.RawMessage{}
	}
	c := freeplayCompletion{
		Messages: msgs, Inputs: map[string]any{},
		SessionInfo:  freeplaySessionInfo{CustomMetadata: identity(r, nil)},
		CompletionID: UUIDFor(r.TraceID),
		CallInfo: freeplayCallInfo{
			StartTime: seconds(r.StartTimestamp), EndTime: seconds(r.EndTimestamp),
			Model: metaString(r, record.MetaModel), Provider: metaString(r, record.MetaProvider),
		},
		CustomMetadata: refFreeplayMetadata(r),
	}
	if r.ParentID != "" {
		c.ParentID = UUIDFor(r.ParentID)
	}
	in, okIn := metaInt(r, record.MetaInputTokens)
	out, okOut := metaInt(r, record.MetaOutputTokens)
	if okIn || okOut {
		c.CallInfo.Usage = &freeplayUsage{PromptTokens: in, CompletionTokens: out}
	}
	idxs := []int{i}
	if len(evals) > 0 {
		c.EvalResults = map[string]any{}
		for _, e := range evals {
			refAddEvaluation(&recs[e], c.EvalResults, c.CustomMetadata)
			idxs = append(idxs, e)
		}
	}
	return Request{
		Method: http.MethodPost, URL: d.projectURL() + "/sessions/" + freeplaySession(r) + "/completions",
		Kind: "completion", Records: idxs, Body: marshal(c),
	}
}

// feedback posts a feedback record to the trace it is about (its parent): Freeplay's
// thumbs ("freeplay_feedback": positive or negative) plus the tag and text as they are.
func refFreeplayFeedback(d freeplay, r *record.Record, i int) Request {
	body := map[string]any{}
	if r.FeedbackTag == record.FeedbackPositive || r.FeedbackTag == record.FeedbackNegative {
		body["freeplay_feedback"] = r.FeedbackTag
	}
	putStr(body, "feedback_tag", r.FeedbackTag)
	putStr(body, "feedback_text", r.FeedbackText)
	target := r.ParentID
	if target == "" {
		target = r.TraceID
	}
	return Request{
		Method: http.MethodPost, URL: d.projectURL() + "/trace-feedback/id/" + UUIDFor(target),
		Kind: "feedback", Records: []int{i}, Body: marshal(body),
	}
}

// evalUpdate patches the evaluations of one trace in.
func refFreeplayEvalUpdate(d freeplay, recs []record.Record, parent string, evals []int) Request {
	u := freeplayUpdate{EvalResults: map[string]any{}, Metadata: map[string]any{}}
	for _, e := range evals {
		refAddEvaluation(&recs[e], u.EvalResults, u.Metadata)
	}
	first := &recs[evals[0]]
	target := parent
	if target == "" {
		target = first.TraceID
	}
	return Request{
		Method: http.MethodPatch, URL: d.traceURL(first, target), Kind: "update",
		Records: evals, Body: marshal(u),
	}
}

// Shared.

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

// refISOTime is epoch milliseconds as ISO-8601 UTC with milliseconds.
func refISOTime(ms int64) string {
	return time.UnixMilli(ms).UTC().Format("2006-01-02T15:04:05.000Z07:00")
}
