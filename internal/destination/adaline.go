package destination

import (
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/tracebridge/tracebridge/internal/endpoint"
	"github.com/tracebridge/tracebridge/record"
)

// Adaline's limits (CONTRACTS.md §3).
const (
	AdalineMinProjectID   = 20
	AdalineMaxProjectID   = 80
	AdalineMaxReferenceID = 128
)

// adaline is the Adaline logs API v2 (CONTRACTS.md §3).
//
// Each interaction is one Adaline trace, referenceId = the interaction id, sent with all its
// spans in one POST /logs/trace. The message is the trace (name, status, times, session,
// attributes, tags) and also its root span (content Other: the turn's input and output), so
// that every step's parentReferenceId names a span. Ids: referenceId = the record id,
// parentReferenceId = the parent record's id.
//
// Adaline can update a trace (PATCH /logs/trace: status, endedAt, attributes, tags) but not
// a span, so re-sends work this way:
//   - records of an interaction whose message is not among them (its trace was created by
//     an earlier request): one POST /logs/span each, with traceReferenceId;
//   - a POST /logs/trace answered "Log trace already exists with referenceId" (a re-send:
//     the message changed, e.g. provisional → final): the trace is patched and its spans
//     are posted one by one;
//   - a span answered "already exists with referenceId" is delivered: the first version
//     of a span stays (first write wins).
//
// A provisional message (its root span has not ended) creates or patches the trace with
// status "pending" and holds its root span back until it is final, so the root span is
// written once, complete; its children name it as parent meanwhile. A provisional step is
// sent as it is (status "unknown") and stays so.
type adaline struct {
	traceURL, spanURL string
	project           string
}

func newAdaline(base, project string, allowPlain bool) (Destination, error) {
	u, err := endpoint.Base(base, allowPlain, "/v2")
	if err != nil {
		return nil, baseErr(err)
	}
	if n := utf8.RuneCountInString(project); project != "" && (n < AdalineMinProjectID || n > AdalineMaxProjectID) {
		return nil, projectErr(fmt.Errorf("must be %d to %d characters, got %d", AdalineMinProjectID, AdalineMaxProjectID, n))
	}
	u.Path += "/v2/logs/"
	return adaline{traceURL: u.String() + "trace", spanURL: u.String() + "span", project: project}, nil
}

func (adaline) Name() string { return Adaline }

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
	StartedAt         int64          `json:"startedAt"`
	EndedAt           int64          `json:"endedAt"`
	Name              string         `json:"name"`
	Status            string         `json:"status"`
	Content           adalineContent `json:"content"`
	ParentReferenceID string         `json:"parentReferenceId,omitempty"`
	ReferenceID       string         `json:"referenceId"`
	SessionID         string         `json:"sessionId,omitempty"`
	TraceReferenceID  string         `json:"traceReferenceId,omitempty"` // POST /logs/span only
	Attributes        map[string]any `json:"attributes"`
	Tags              []string       `json:"tags"`
}

// adalineContent is the typed content of a span; input and output are JSON text.
type adalineContent struct {
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

// Content types.
const (
	ContentModel      = "Model"
	ContentEmbeddings = "Embeddings"
	ContentRetrieval  = "Retrieval"
	ContentTool       = "Tool"
	ContentGuardrail  = "Guardrail"
	ContentOther      = "Other"
)

func adalineContentOf(r *record.Record) adalineContent {
	c := adalineContent{Type: ContentOther, Input: string(jsonText(r.Input)), Output: string(jsonText(r.Output))}
	op := metaString(r, record.MetaOperation)
	switch r.Task {
	case record.TaskGeneration:
		if op == "embeddings" || op == "EMBEDDING" || op == "embedding" {
			c.Type = ContentEmbeddings
			break
		}
		c.Type = ContentModel
		c.Provider, c.Model = metaString(r, record.MetaProvider), metaString(r, record.MetaModel)
		if c.Provider == "" {
			c.Provider = "unknown"
		}
		if c.Model == "" {
			c.Model = "unknown"
		}
	case record.TaskRetrieval:
		c.Type = ContentRetrieval
	case record.TaskTool:
		c.Type = ContentTool
	case record.TaskEvent:
		if op == "GUARDRAIL" {
			c.Type = ContentGuardrail
		}
	case record.TaskFeedback:
		c.Output = string(marshal(map[string]string{"feedback_tag": r.FeedbackTag, "feedback_text": r.FeedbackText}))
	}
	return c
}

// adalineStatus maps a record's status; a provisional message is a pending trace, a
// provisional step an unknown span (spans have no "pending").
func adalineStatus(r *record.Record, trace bool) string {
	switch {
	case failed(r):
		return "failure"
	case provisional(r) && trace:
		return "pending"
	case provisional(r):
		return "unknown"
	}
	return "success"
}

// adalineSession is the session a trace belongs to: the session id, else the conversation
// when there is one beyond the interaction itself.
func adalineSession(r *record.Record) string {
	if r.SessionID != "" {
		return r.SessionID
	}
	if r.ConversationID != r.InteractionID {
		return r.ConversationID
	}
	return ""
}

func nonNil(tags []string) []string {
	if tags == nil {
		return []string{}
	}
	return tags
}

func adalineTraceOf(msg *record.Record) adalineTrace {
	attrs := metadata(msg, traceAttributes(msg), metaTags, record.MetaProvisional)
	return adalineTrace{
		StartedAt: msg.StartTimestamp, EndedAt: endMillis(msg), Name: stepName(msg),
		Status: adalineStatus(msg, true), ReferenceID: msg.InteractionID, SessionID: adalineSession(msg),
		Attributes: attrs, Tags: nonNil(tags(msg)),
	}
}

func adalineSpanOf(r *record.Record) adalineSpan {
	attrs := recordFields(r, nil)
	metadata(r, attrs, metaTags, record.MetaProvisional)
	return adalineSpan{
		StartedAt: r.StartTimestamp, EndedAt: endMillis(r), Name: stepName(r),
		Status: adalineStatus(r, false), Content: adalineContentOf(r),
		ParentReferenceID: r.ParentID, ReferenceID: r.TraceID, SessionID: adalineSession(r),
		Attributes: attrs, Tags: nonNil(tags(r)),
	}
}

// checkIDs refuses records whose ids Adaline would refuse, before anything is sent.
func checkIDs(r *record.Record) error {
	for name, id := range map[string]string{"trace_id": r.TraceID, "interaction_id": r.InteractionID} {
		if n := utf8.RuneCountInString(id); n < 1 || n > AdalineMaxReferenceID {
			return fmt.Errorf("adaline: %s of a %s record must be 1 to %d characters to be a referenceId, got %d", name, r.Task, AdalineMaxReferenceID, n)
		}
	}
	return nil
}

func (d adaline) Encode(recs []record.Record) []Request {
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
			reqs = append(reqs, d.spanRequests(recs, ok)...)
			continue
		}
		msg := &recs[ok[0]]
		spans := make([]adalineSpan, 0, len(ok))
		if !provisional(msg) {
			spans = append(spans, adalineSpanOf(msg))
		}
		for _, i := range ok[1:] {
			spans = append(spans, adalineSpanOf(&recs[i]))
		}
		reqs = append(reqs, Request{
			Method: http.MethodPost, URL: d.traceURL, Kind: "trace", Records: ok,
			Body: marshal(struct {
				ProjectID string        `json:"projectId"`
				Trace     adalineTrace  `json:"trace"`
				Spans     []adalineSpan `json:"spans"`
			}{d.project, adalineTraceOf(msg), spans}),
		})
	}
	return reqs
}

// spanRequests posts each record as a span of its interaction's existing trace; a final
// message is the root span.
func (d adaline) spanRequests(recs []record.Record, idxs []int) []Request {
	var reqs []Request
	for _, i := range idxs {
		r := &recs[i]
		if r.Task == record.TaskMessage && provisional(r) {
			continue // its root span waits until it is final
		}
		s := adalineSpanOf(r)
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
func (d adaline) patchRequest(recs []record.Record, i int) Request {
	t := adalineTraceOf(&recs[i])
	p := adalinePatch{Status: t.Status, EndedAt: t.EndedAt, Attributes: []adalineAttrOp{}, Tags: []adalineTagOp{}}
	for _, k := range sortedKeys(t.Attributes) {
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

// Refused turns a re-sent trace into an update of it, and a re-sent span into a delivery.
func (d adaline) Refused(recs []record.Record, req *Request, status int, body []byte) Verdict {
	if !AlreadyExists(status, body) {
		return Verdict{}
	}
	switch req.Kind {
	case "span":
		return Verdict{Delivered: true}
	case "trace":
		// Records[0] is the message (Encode puts it first).
		then := []Request{d.patchRequest(recs, req.Records[0])}
		then = append(then, d.spanRequests(recs, req.Records)...)
		return Verdict{Then: then}
	}
	return Verdict{}
}
