package destination

import (
	"fmt"
	"net/http"
	"strconv"
	"unicode/utf8"

	"github.com/tracebridge/tracebridge/internal/endpoint"
	"github.com/tracebridge/tracebridge/internal/jsontext"
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

// adalineContent is the typed part of a span's content; its input and output are the
// record's, as JSON text.
type adalineContent struct {
	Type     string
	Provider string // Model only
	Model    string // Model only
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
	c := adalineContent{Type: ContentOther}
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
	var w jsonWriter
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
			reqs = append(reqs, d.spanRequests(recs, ok, &w)...)
			continue
		}
		reqs = append(reqs, Request{
			Method: http.MethodPost, URL: d.traceURL, Kind: "trace", Records: ok,
			Body: d.traceBody(recs, ok, &w),
		})
	}
	return reqs
}

// traceBody is {projectId, trace, spans}: the message (recs[idxs[0]]) as the trace, with
// every record as a span but a provisional message, whose root span waits until it is final.
func (d adaline) traceBody(recs []record.Record, idxs []int, w *jsonWriter) []byte {
	msg := &recs[idxs[0]]
	size := 256
	for _, i := range idxs {
		size += adalineSpanSize(&recs[i])
	}
	b := make([]byte, 0, size)
	b = append(b, `{"projectId":`...)
	b = record.AppendString(b, d.project)
	b = append(b, `,"trace":`...)
	b = w.appendAdalineTrace(b, msg)
	b = append(b, `,"spans":[`...)
	n := 0
	for k, i := range idxs {
		if k == 0 && provisional(msg) {
			continue
		}
		if n > 0 {
			b = append(b, ',')
		}
		b = w.appendAdalineSpan(b, &recs[i], "")
		n++
	}
	return append(b, "]}"...)
}

// adalineSpanSize is about the encoded size of r's span: its text, with room for the
// escapes of the quotes of JSON text, and its attributes.
func adalineSpanSize(r *record.Record) int {
	n := len(r.Input) + len(r.Output)
	return 768 + n + n/4
}

// spanRequests posts each record as a span of its interaction's existing trace; a final
// message is the root span.
func (d adaline) spanRequests(recs []record.Record, idxs []int, w *jsonWriter) []Request {
	var reqs []Request
	for _, i := range idxs {
		r := &recs[i]
		if r.Task == record.TaskMessage && provisional(r) {
			continue // its root span waits until it is final
		}
		b := make([]byte, 0, 64+adalineSpanSize(r))
		b = append(b, `{"projectId":`...)
		b = record.AppendString(b, d.project)
		b = append(b, `,"span":`...)
		b = w.appendAdalineSpan(b, r, r.InteractionID)
		reqs = append(reqs, Request{
			Method: http.MethodPost, URL: d.spanURL, Kind: "span", Records: []int{i},
			Body: append(b, '}'),
		})
	}
	return reqs
}

// patchRequest updates the trace of a message already created: {projectId, referenceId,
// logTrace: {status, endedAt, attributes: [{operation, key, value}], tags: [{operation,
// tag}]}}.
func (d adaline) patchRequest(recs []record.Record, i int) Request {
	msg := &recs[i]
	var w jsonWriter
	b := make([]byte, 0, 1024)
	b = append(b, `{"projectId":`...)
	b = record.AppendString(b, d.project)
	b = append(b, `,"referenceId":`...)
	b = record.AppendString(b, msg.InteractionID)
	b = append(b, `,"logTrace":{"status":`...)
	b = record.AppendString(b, adalineStatus(msg, true))
	b = append(b, `,"endedAt":`...)
	b = strconv.AppendInt(b, endMillis(msg), 10)
	b = append(b, `,"attributes":[`...)
	a := w.adalineTraceAttrs(msg)
	a.sort()
	for k, o := range a.order {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"operation":"create","key":`...)
		b = record.AppendString(b, a.list[o.i].key)
		b = append(b, `,"value":`...)
		b = append(appendAttrValue(b, &a.list[o.i]), '}')
	}
	b = append(b, `],"tags":[`...)
	for k, tag := range tags(msg) {
		if k > 0 {
			b = append(b, ',')
		}
		b = append(b, `{"operation":"create","tag":`...)
		b = append(record.AppendString(b, tag), '}')
	}
	return Request{
		Method: http.MethodPatch, URL: d.traceURL, Kind: "patch", Records: []int{i},
		Body: append(b, "]}}"...),
	}
}

// adalineTraceAttrs collects the attributes of the trace of msg: what its interaction
// shares and its metadata, but the tags and provisional, which have fields.
func (w *jsonWriter) adalineTraceAttrs(msg *record.Record) *attrs {
	w.attrs.reset()
	w.attrs.traceFields(msg)
	w.attrs.metadata(msg, metaTags, record.MetaProvisional)
	return &w.attrs
}

// appendAdalineTrace appends the trace of a message: {startedAt, endedAt, name, status,
// referenceId, sessionId (when there is one), attributes, tags}.
func (w *jsonWriter) appendAdalineTrace(b []byte, msg *record.Record) []byte {
	b = append(b, `{"startedAt":`...)
	b = strconv.AppendInt(b, msg.StartTimestamp, 10)
	b = append(b, `,"endedAt":`...)
	b = strconv.AppendInt(b, endMillis(msg), 10)
	b = append(b, `,"name":`...)
	b = record.AppendString(b, stepName(msg))
	b = append(b, `,"status":`...)
	b = record.AppendString(b, adalineStatus(msg, true))
	b = append(b, `,"referenceId":`...)
	b = record.AppendString(b, msg.InteractionID)
	b = appendOmitEmpty(b, `,"sessionId":`, adalineSession(msg))
	b = append(b, `,"attributes":`...)
	b = appendAttrObject(b, w.adalineTraceAttrs(msg))
	b = append(b, `,"tags":`...)
	b = appendJSONStrings(b, tags(msg))
	return append(b, '}')
}

// appendAdalineSpan appends the span of r: {startedAt, endedAt, name, status, content,
// parentReferenceId, referenceId, sessionId, traceReferenceId, attributes, tags}, the
// empty optional ones left out. traceRef is only set for POST /logs/span.
func (w *jsonWriter) appendAdalineSpan(b []byte, r *record.Record, traceRef string) []byte {
	b = append(b, `{"startedAt":`...)
	b = strconv.AppendInt(b, r.StartTimestamp, 10)
	b = append(b, `,"endedAt":`...)
	b = strconv.AppendInt(b, endMillis(r), 10)
	b = append(b, `,"name":`...)
	b = record.AppendString(b, stepName(r))
	b = append(b, `,"status":`...)
	b = record.AppendString(b, adalineStatus(r, false))
	b = append(b, `,"content":`...)
	b = w.appendAdalineContent(b, r)
	b = appendOmitEmpty(b, `,"parentReferenceId":`, r.ParentID)
	b = append(b, `,"referenceId":`...)
	b = record.AppendString(b, r.TraceID)
	b = appendOmitEmpty(b, `,"sessionId":`, adalineSession(r))
	b = appendOmitEmpty(b, `,"traceReferenceId":`, traceRef)
	b = append(b, `,"attributes":`...)
	w.attrs.reset()
	w.attrs.recordFields(r)
	w.attrs.metadata(r, metaTags, record.MetaProvisional)
	b = appendAttrObject(b, &w.attrs)
	b = append(b, `,"tags":`...)
	b = appendJSONStrings(b, tags(r))
	return append(b, '}')
}

// appendAdalineContent appends {type, provider, model, input, output}; input and output
// are JSON text in strings, a feedback's output its tag and text.
func (w *jsonWriter) appendAdalineContent(b []byte, r *record.Record) []byte {
	c := adalineContentOf(r)
	b = append(b, `{"type":`...)
	b = record.AppendString(b, c.Type)
	b = appendOmitEmpty(b, `,"provider":`, c.Provider)
	b = appendOmitEmpty(b, `,"model":`, c.Model)
	b = append(b, `,"input":`...)
	b = w.appendJSONText(b, r.Input)
	b = append(b, `,"output":`...)
	if r.Task == record.TaskFeedback {
		w.buf = append(w.buf[:0], `{"feedback_tag":`...)
		w.buf = record.AppendString(w.buf, r.FeedbackTag)
		w.buf = append(w.buf, `,"feedback_text":`...)
		w.buf = record.AppendString(w.buf, r.FeedbackText)
		w.buf = append(w.buf, '}')
		b = appendJSONBytes(b, w.buf)
	} else {
		b = w.appendJSONText(b, r.Output)
	}
	return append(b, '}')
}

// appendJSONText appends the JSON text of s (jsonTextOf) as a JSON string.
func (w *jsonWriter) appendJSONText(b []byte, s string) []byte {
	t, valid, spaced := jsonContainer(s)
	switch {
	case s == "":
		return append(b, `"null"`...)
	case valid && !spaced:
		return record.AppendString(b, t) // the common case: no copy
	case valid:
		w.buf = jsontext.AppendCompact(w.buf[:0], t)
	default:
		w.buf = record.AppendString(w.buf[:0], s)
	}
	return appendJSONBytes(b, w.buf)
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
		then = append(then, d.spanRequests(recs, req.Records, new(jsonWriter))...)
		return Verdict{Then: then}
	}
	return Verdict{}
}
