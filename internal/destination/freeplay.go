package destination

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/tracebridge/tracebridge/internal/endpoint"
	"github.com/tracebridge/tracebridge/record"
)

// freeplay is the Freeplay API v2 (CONTRACTS.md §4).
//
//   - generation records are completions (POST …/sessions/{sid}/completions) with the
//     conversation as messages, call_info (model, provider, usage, times) and
//     completion_id = the record's UUID, so that a re-send records the same completion;
//   - feedback records are trace feedback (POST …/trace-feedback/id/{parent});
//   - evaluation events (metadata evaluation_name, evaluation_score, evaluation_label) are
//     eval_results: folded into the completion they evaluate when it is in the same batch,
//     else sent as an update (PATCH) of the trace they hang under — an item of its own, so
//     that a later re-send of that trace does not erase them;
//   - feedback and updates about a trace of the same batch are sent after it (Next);
//   - every other record is a trace (POST …/sessions/{sid}/traces/id/{tid}): agents and
//     tools with their kind, the message as the top trace of the interaction.
//
// Ids in paths are UUIDs (UUIDFor): record ids already are; the session is the record's
// session id, else its conversation id, mapped to a UUID by name. A re-sent trace or
// completion is recorded again under the same id.
type freeplay struct {
	base    string // …/api, without the trailing /v2
	project string
}

// ErrProjectNotUUID is returned for a Freeplay project id that is not a UUID.
var ErrProjectNotUUID = errors.New("must be a UUID (as in Freeplay's URLs)")

func newFreeplay(base, project string, allowPlain bool) (Destination, error) {
	u, err := endpoint.Base(base, allowPlain, "/v2")
	if err != nil {
		return nil, baseErr(err)
	}
	if project != "" && !IsUUID(project) {
		return nil, projectErr(ErrProjectNotUUID)
	}
	return freeplay{base: u.String(), project: strings.ToLower(project)}, nil
}

func (freeplay) Name() string { return Freeplay }

func (freeplay) Refused([]record.Record, *Request, int, []byte) Verdict { return Verdict{} }

func (d freeplay) projectURL() string { return d.base + "/v2/projects/" + d.project }

// freeplaySession is the session of a record, as a UUID.
func freeplaySession(r *record.Record) string {
	if r.SessionID != "" {
		return UUIDFor(r.SessionID)
	}
	return UUIDFor(r.ConversationID)
}

func (d freeplay) traceURL(r *record.Record, traceID string) string {
	return d.projectURL() + "/sessions/" + freeplaySession(r) + "/traces/id/" + UUIDFor(traceID)
}

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

// isEvaluation reports whether a record is an evaluation result.
func isEvaluation(r *record.Record) bool {
	if r.Task != record.TaskEvent {
		return false
	}
	_, scored := r.Metadata[metaEvalScore]
	return metaString(r, metaEvalName) != "" || scored || metaString(r, metaEvalLabel) != ""
}

// addEvaluation puts an evaluation into eval_results (score as a number, else a pass/fail
// label as a boolean) and its label and explanation into metadata under
// "evaluation.<name>.*": eval_results only take numbers and booleans.
func addEvaluation(r *record.Record, results, meta map[string]any) {
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

// labelBool reads pass/fail style labels as booleans.
func labelBool(label string) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "true", "pass", "passed", "yes", "correct", "good", "positive":
		return true, true
	case "false", "fail", "failed", "no", "incorrect", "bad", "negative":
		return false, true
	}
	return false, false
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

func freeplayMetadata(r *record.Record) map[string]any {
	return metadata(r, identity(r, recordFields(r, nil)))
}

func (d freeplay) Encode(recs []record.Record) []Request {
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
			reqs = append(reqs, d.completion(recs, i, folded[i]))
		case r.Task == record.TaskFeedback:
			later = append(later, d.feedback(r, i))
		default:
			traceReq[r.TraceID] = len(reqs)
			reqs = append(reqs, d.trace(r, i))
		}
	}
	for _, parent := range patchOrder {
		later = append(later, d.evalUpdate(recs, parent, patches[parent]))
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

func (d freeplay) trace(r *record.Record, i int) Request {
	t := freeplayTrace{
		AgentName: metaString(r, record.MetaAgentName),
		Input:     jsonText(r.Input), Output: jsonText(r.Output),
		CustomMetadata: freeplayMetadata(r),
		Name:           stepName(r), StartTime: isoTime(r.StartTimestamp), EndTime: isoTime(r.EndTimestamp),
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

func (d freeplay) completion(recs []record.Record, i int, evals []int) Request {
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
		CustomMetadata: freeplayMetadata(r),
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
			addEvaluation(&recs[e], c.EvalResults, c.CustomMetadata)
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
func (d freeplay) feedback(r *record.Record, i int) Request {
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
func (d freeplay) evalUpdate(recs []record.Record, parent string, evals []int) Request {
	u := freeplayUpdate{EvalResults: map[string]any{}, Metadata: map[string]any{}}
	for _, e := range evals {
		addEvaluation(&recs[e], u.EvalResults, u.Metadata)
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
