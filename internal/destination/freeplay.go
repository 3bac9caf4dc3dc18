package destination

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/tracebridge/tracebridge/internal/endpoint"
	"github.com/tracebridge/tracebridge/internal/jsontext"
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
func addEvaluation(r *record.Record, results, meta *attrs) {
	name := metaString(r, metaEvalName)
	if name == "" {
		name = stepName(r)
	}
	label := metaString(r, metaEvalLabel)
	if score, ok := metaFloat(r, metaEvalScore); ok {
		results.add(attr{key: name, kind: attrFloat, flt: score})
	} else if b, ok := labelBool(label); ok {
		results.add(boolAttr(name, b))
	}
	meta.str("evaluation."+name+".label", label)
	meta.str("evaluation."+name+".explanation", metaString(r, metaEvalExplanation))
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

// appendMessages appends the chat messages of a record's text after the n already written
// and returns how many there are now (counting an array as one, all that commas need). A
// JSON array is its elements, compacted; other text one message of role.
func appendMessages(b []byte, text, role string, n int, w *jsonWriter) ([]byte, int) {
	if text == "" {
		return b, n
	}
	if t, valid, spaced := jsonContainer(text); valid && t[0] == '[' {
		if spaced {
			w.buf = jsontext.AppendCompact(w.buf[:0], t)
			t = string(w.buf)
		}
		elems := t[1 : len(t)-1]
		if elems == "" {
			return b, n
		}
		if n > 0 {
			b = append(b, ',')
		}
		return append(b, elems...), n + 1
	}
	if n > 0 {
		b = append(b, ',')
	}
	b = append(b, `{"content":`...)
	b = record.AppendString(b, text)
	b = append(b, `,"role":`...)
	b = record.AppendString(b, role)
	return append(b, '}'), n + 1
}

// freeplayMetadata collects a record's custom_metadata: its fields, its interaction's ids
// and its metadata.
func (w *jsonWriter) freeplayMetadata(r *record.Record) *attrs {
	w.attrs.reset()
	w.attrs.recordFields(r)
	w.attrs.identity(r)
	w.attrs.metadata(r)
	return &w.attrs
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
	reqs := make([]Request, 0, len(recs))
	var w jsonWriter
	traceReq := map[string]int{} // record id → its trace request, for what must follow it
	var later []Request          // feedback and updates
	for i := range recs {
		r := &recs[i]
		switch {
		case isEvaluation(r):
			// Sent with a completion or in an update below.
		case r.Task == record.TaskGeneration:
			reqs = append(reqs, d.completion(recs, i, folded[i], &w))
		case r.Task == record.TaskFeedback:
			later = append(later, d.feedback(r, i))
		default:
			traceReq[r.TraceID] = len(reqs)
			reqs = append(reqs, d.trace(r, i, &w))
		}
	}
	for _, parent := range patchOrder {
		later = append(later, d.evalUpdate(recs, parent, patches[parent], &w))
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

// trace is {agent_name, input, output, parent_id, custom_metadata, kind, name, start_time,
// end_time}, the empty optional ones left out.
func (d freeplay) trace(r *record.Record, i int, w *jsonWriter) Request {
	b := make([]byte, 0, 512+len(r.Input)+len(r.Output)+64*len(r.Metadata))
	b = append(b, '{')
	if agent := metaString(r, record.MetaAgentName); agent != "" {
		b = append(b, `"agent_name":`...)
		b = append(record.AppendString(b, agent), ',')
	}
	b = append(b, `"input":`...)
	b = jsonTextOf(b, r.Input)
	b = append(b, `,"output":`...)
	b = jsonTextOf(b, r.Output)
	if r.ParentID != "" {
		b = appendOmitEmpty(b, `,"parent_id":`, UUIDFor(r.ParentID))
	}
	b = append(b, `,"custom_metadata":`...)
	b = appendAttrObject(b, w.freeplayMetadata(r))
	switch r.Task {
	case record.TaskAgent:
		b = append(b, `,"kind":"agent"`...)
	case record.TaskTool:
		b = append(b, `,"kind":"tool"`...)
	}
	b = append(b, `,"name":`...)
	b = record.AppendString(b, stepName(r))
	b = append(b, `,"start_time":`...)
	b = appendISOTime(b, r.StartTimestamp)
	b = append(b, `,"end_time":`...)
	b = appendISOTime(b, r.EndTimestamp)
	b = append(b, '}')
	return Request{Method: http.MethodPost, URL: d.traceURL(r, r.TraceID), Kind: "trace", Records: []int{i}, Body: b}
}

// completion is {messages, inputs, session_info, parent_id, completion_id, call_info,
// eval_results, custom_metadata}, with the evaluations of the generation folded in.
func (d freeplay) completion(recs []record.Record, i int, evals []int, w *jsonWriter) Request {
	r := &recs[i]
	b := make([]byte, 0, 1024+len(r.Input)+len(r.Output)+64*len(r.Metadata))
	b = append(b, `{"messages":[`...)
	b, n := appendMessages(b, r.Input, "user", 0, w)
	b, _ = appendMessages(b, r.Output, "assistant", n, w)
	b = append(b, `],"inputs":{},"session_info":{"custom_metadata":`...)
	w.attrs.reset()
	w.attrs.identity(r)
	b = appendAttrObject(b, &w.attrs)
	b = append(b, '}')
	if r.ParentID != "" {
		b = appendOmitEmpty(b, `,"parent_id":`, UUIDFor(r.ParentID))
	}
	b = append(b, `,"completion_id":`...)
	b = record.AppendString(b, UUIDFor(r.TraceID))
	b = append(b, `,"call_info":`...)
	b = appendCallInfo(b, r)
	meta := w.freeplayMetadata(r)
	w.results.reset()
	idxs := []int{i}
	for _, e := range evals {
		addEvaluation(&recs[e], &w.results, meta)
		idxs = append(idxs, e)
	}
	if len(w.results.list) > 0 {
		b = append(b, `,"eval_results":`...)
		b = appendAttrObject(b, &w.results)
	}
	b = append(b, `,"custom_metadata":`...)
	b = appendAttrObject(b, meta)
	return Request{
		Method: http.MethodPost, URL: d.projectURL() + "/sessions/" + freeplaySession(r) + "/completions",
		Kind: "completion", Records: idxs, Body: append(b, '}'),
	}
}

// appendCallInfo appends {start_time, end_time, model, provider, usage}: times in float
// seconds, usage when the record counts tokens.
func appendCallInfo(b []byte, r *record.Record) []byte {
	b = append(b, `{"start_time":`...)
	b = appendJSONFloat(b, seconds(r.StartTimestamp))
	b = append(b, `,"end_time":`...)
	b = appendJSONFloat(b, seconds(r.EndTimestamp))
	b = appendOmitEmpty(b, `,"model":`, metaString(r, record.MetaModel))
	b = appendOmitEmpty(b, `,"provider":`, metaString(r, record.MetaProvider))
	in, okIn := metaInt(r, record.MetaInputTokens)
	out, okOut := metaInt(r, record.MetaOutputTokens)
	if okIn || okOut {
		b = append(b, `,"usage":{"prompt_tokens":`...)
		b = strconv.AppendInt(b, in, 10)
		b = append(b, `,"completion_tokens":`...)
		b = strconv.AppendInt(b, out, 10)
		b = append(b, '}')
	}
	return append(b, '}')
}

// feedback posts a feedback record to the trace it is about (its parent): Freeplay's
// thumbs ("freeplay_feedback": positive or negative) plus the tag and text as they are.
func (d freeplay) feedback(r *record.Record, i int) Request {
	var fields attrs
	fields.str("feedback_tag", r.FeedbackTag)
	fields.str("feedback_text", r.FeedbackText)
	if r.FeedbackTag == record.FeedbackPositive || r.FeedbackTag == record.FeedbackNegative {
		fields.str("freeplay_feedback", r.FeedbackTag)
	}
	target := r.ParentID
	if target == "" {
		target = r.TraceID
	}
	return Request{
		Method: http.MethodPost, URL: d.projectURL() + "/trace-feedback/id/" + UUIDFor(target),
		Kind: "feedback", Records: []int{i}, Body: appendAttrObject(make([]byte, 0, 128+len(r.FeedbackText)), &fields),
	}
}

// evalUpdate patches the evaluations of one trace in: {metadata, eval_results}, each left
// out when empty.
func (d freeplay) evalUpdate(recs []record.Record, parent string, evals []int, w *jsonWriter) Request {
	w.attrs.reset()
	w.results.reset()
	for _, e := range evals {
		addEvaluation(&recs[e], &w.results, &w.attrs)
	}
	b := append(make([]byte, 0, 256), '{')
	if len(w.attrs.list) > 0 {
		b = append(b, `"metadata":`...)
		b = appendAttrObject(b, &w.attrs)
	}
	if len(w.results.list) > 0 {
		if len(w.attrs.list) > 0 {
			b = append(b, ',')
		}
		b = append(b, `"eval_results":`...)
		b = appendAttrObject(b, &w.results)
	}
	first := &recs[evals[0]]
	target := parent
	if target == "" {
		target = first.TraceID
	}
	return Request{
		Method: http.MethodPatch, URL: d.traceURL(first, target), Kind: "update",
		Records: evals, Body: append(b, '}'),
	}
}
