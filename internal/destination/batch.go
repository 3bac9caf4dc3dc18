package destination

import (
	"net/http"
	"runtime"
	"runtime/debug"
	"strconv"
	"sync"

	"github.com/tracebridge/tracebridge/internal/endpoint"
	"github.com/tracebridge/tracebridge/record"
)

// BatchPath is where the NeuralTrust batch API takes envelopes: POST {base}/v1/traces/batch.
const BatchPath = "/v1/traces/batch"

// Bounds of one batch request. The SDK sends 25 traces at a time; the byte bound keeps a
// request well under any plausible body limit (a 413 still splits it in halves).
const (
	batchMaxTraces = 25
	batchMaxBytes  = 1 << 20
)

// batch is the NeuralTrust batch API (CONTRACTS.md §2). A request is a JSON array with one
// envelope {resource, traces}; each interaction is a trace (trace_id = interaction id,
// group_id = conversation id) and each record a span of it, the message being the root
// span (kind "workflow") so that parent_id links stay whole. A trace whose spans do not fit
// one request goes out in several with the same trace_id, and a re-send repeats the
// changed spans under the same ids: the API merges spans into traces by id.
type batch struct {
	url string
}

func newBatch(base string, allowPlain bool) (Destination, error) {
	u, err := endpoint.Base(base, allowPlain, "/v1")
	if err != nil {
		return nil, baseErr(err)
	}
	u.Path += BatchPath
	return batch{url: u.String()}, nil
}

func (batch) Name() string { return NeuralTrustBatch }

func (batch) Refused([]record.Record, *Request, int, []byte) Verdict { return Verdict{} }

type batchResource struct {
	SDKName        string `json:"sdk_name"`
	SDKVersion     string `json:"sdk_version"`
	Language       string `json:"language"`
	Runtime        string `json:"runtime"`
	LibraryName    string `json:"library_name"`
	LibraryVersion string `json:"library_version"`
}

// Span kinds of the batch API.
const (
	KindLLM       = "llm"
	KindTool      = "tool"
	KindWorkflow  = "workflow"
	KindInternal  = "internal"
	KindAgent     = "agent"
	KindGuardrail = "guardrail"
	KindHandoff   = "handoff"
)

// BatchKinds lists the span kinds the contract names.
var BatchKinds = []string{KindLLM, KindTool, KindWorkflow, KindInternal, KindAgent, KindGuardrail, KindHandoff}

// batchKind maps a task to a span kind. Retrievals, routers, events, system and feedback
// records have no kind of their own there: they are "internal", with the task in the
// attributes ("task"), except guardrail events.
func batchKind(r *record.Record) string {
	switch r.Task {
	case record.TaskMessage:
		return KindWorkflow
	case record.TaskGeneration:
		return KindLLM
	case record.TaskTool:
		return KindTool
	case record.TaskAgent:
		return KindAgent
	case record.TaskEvent:
		if metaString(r, record.MetaOperation) == "GUARDRAIL" {
			return KindGuardrail
		}
	}
	return KindInternal
}

// batchStatus: "ok" or "error"; "unset" while the step is provisional.
func batchStatus(r *record.Record) string {
	switch {
	case failed(r):
		return "error"
	case provisional(r):
		return "unset"
	}
	return "ok"
}

// appendBatchSpan appends the JSON of r as a batch span {id, parent_id, name, kind,
// status, started_at, ended_at, attributes, events}, by hand: encoding/json's reflection
// and its re-validation of nested raw JSON cost more than the rest of the export. a is
// scratch space for the attributes.
func appendBatchSpan(b []byte, r *record.Record, a *attrs) []byte {
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
	a.reset()
	a.recordFields(r)
	a.str("input", r.Input)
	a.str("output", r.Output)
	a.metadata(r)
	b = appendStringAttrs(b, a)
	return append(b, `,"events":[]}`...)
}

// appendSeconds appends epoch milliseconds as float seconds, as encoding/json writes the
// float64 (shortest representation).
func appendSeconds(b []byte, ms int64) []byte {
	return strconv.AppendFloat(b, seconds(ms), 'f', -1, 64)
}

// batchTraceOut is a trace of the request being built; its spans are already encoded, in
// the request's span buffer.
type batchTraceOut struct {
	first          *record.Record // the trace's attributes are this record's
	workflow       string         // the message's name; null without a message
	hasWorkflow    bool
	started, ended int64
	from, to       int // its spans, comma-separated, in batchEncoder.spans
}

func (t *batchTraceOut) appendJSON(b, spans []byte, a *attrs) []byte {
	b = append(b, `{"trace_id":`...)
	b = record.AppendString(b, t.first.InteractionID)
	b = append(b, `,"workflow_name":`...)
	if t.hasWorkflow {
		b = record.AppendString(b, t.workflow)
	} else {
		b = append(b, "null"...)
	}
	b = append(b, `,"group_id":`...)
	b = record.AppendString(b, t.first.ConversationID)
	b = append(b, `,"started_at":`...)
	b = appendSeconds(b, t.started)
	b = append(b, `,"ended_at":`...)
	b = appendSeconds(b, t.ended)
	b = append(b, `,"attributes":`...)
	a.reset()
	a.traceFields(t.first)
	b = appendStringAttrs(b, a)
	b = append(b, `,"spans":[`...)
	b = append(b, spans[t.from:t.to]...)
	return append(b, "]}"...)
}

// batchEncoder builds the requests of one Encode call. Its buffers are reused from record
// to record and request to request; only the bodies are allocated.
type batchEncoder struct {
	url    string
	reqs   []Request
	traces []batchTraceOut
	idxs   []int
	spans  []byte // the encoded spans of the request being built
	size   int    // their bytes, separators not counted
	span   []byte // the span being encoded
	attrs  attrs
}

// flush turns the traces held into a request.
func (e *batchEncoder) flush() {
	if len(e.traces) == 0 {
		return
	}
	b := make([]byte, 0, len(e.spans)+len(resourceJSON())+64+512*len(e.traces))
	b = append(b, `[{"resource":`...)
	b = append(b, resourceJSON()...)
	b = append(b, `,"traces":[`...)
	for i := range e.traces {
		if i > 0 {
			b = append(b, ',')
		}
		b = e.traces[i].appendJSON(b, e.spans, &e.attrs)
	}
	b = append(b, "]}]"...)
	e.reqs = append(e.reqs, Request{Method: http.MethodPost, URL: e.url, Kind: "batch", Body: b, Records: e.idxs})
	e.traces, e.idxs, e.spans, e.size = e.traces[:0], nil, e.spans[:0], 0
}

// add encodes recs[i] as a span of the trace t (nil: a new one) and returns the trace it
// went into.
func (e *batchEncoder) add(recs []record.Record, i int, t *batchTraceOut) *batchTraceOut {
	r := &recs[i]
	e.span = appendBatchSpan(e.span[:0], r, &e.attrs)
	if t != nil && e.size+len(e.span) > batchMaxBytes {
		e.flush()
		t = nil
	}
	if t == nil {
		if len(e.traces) == batchMaxTraces {
			e.flush()
		}
		e.traces = append(e.traces, batchTraceOut{first: r, started: r.StartTimestamp, ended: r.EndTimestamp,
			from: len(e.spans), to: len(e.spans)})
		t = &e.traces[len(e.traces)-1]
	}
	if t.to > t.from {
		e.spans = append(e.spans, ',')
	}
	e.spans = append(e.spans, e.span...)
	t.to = len(e.spans)
	t.started = min(t.started, r.StartTimestamp)
	t.ended = max(t.ended, r.EndTimestamp)
	if r.Task == record.TaskMessage {
		t.workflow, t.hasWorkflow = stepName(r), true
		// The message spans the interaction: its times are the trace's.
		t.started, t.ended = r.StartTimestamp, r.EndTimestamp
	}
	e.idxs = append(e.idxs, i)
	e.size += len(e.span)
	return t
}

// spanRoom is about the room the spans of the first request take (the interactions it can
// hold, at most batchMaxBytes): the buffer reused for every request is sized once rather
// than grown by copies.
func spanRoom(recs []record.Record, groups [][]int) int {
	n := 0
	for _, group := range groups[:min(len(groups), batchMaxTraces)] {
		for _, i := range group {
			r := &recs[i]
			text := len(r.Input) + len(r.Output)
			n += 256 + text + text/8 + 48*len(r.Metadata)
		}
	}
	return min(n, batchMaxBytes)
}

func (d batch) Encode(recs []record.Record) []Request {
	groups := byInteraction(recs)
	e := batchEncoder{url: d.url, spans: make([]byte, 0, spanRoom(recs, groups))}
	for _, group := range groups {
		var t *batchTraceOut
		for _, i := range group {
			t = e.add(recs, i, t)
		}
	}
	e.flush()
	return e.reqs
}

// resourceJSON is the encoded resource, the same in every request.
var resourceJSON = sync.OnceValue(func() []byte { return marshal(sdkResource()) })

// sdkResource describes tracebridge as the sending SDK.
var sdkResource = sync.OnceValue(func() batchResource {
	v := "devel"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Path == modulePath && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			v = bi.Main.Version
		}
		for _, dep := range bi.Deps {
			if dep.Path == modulePath && dep.Version != "" {
				v = dep.Version
			}
		}
	}
	return batchResource{
		SDKName: "tracebridge", SDKVersion: v, Language: "go", Runtime: runtime.Version(),
		LibraryName: modulePath, LibraryVersion: v,
	}
})

const modulePath = "github.com/tracebridge/tracebridge"
