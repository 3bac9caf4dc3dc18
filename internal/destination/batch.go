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

// traceAttributes are what every record of an interaction shares: its ids, user, channel
// and custom data.
func traceAttributes(r *record.Record) map[string]any {
	attrs := identity(r, nil)
	putStr(attrs, "channel_id", r.ChannelID)
	putStr(attrs, "custom", r.Custom)
	return attrs
}

func batchSpanAttributes(r *record.Record) map[string]any {
	attrs := make(map[string]any, 8+len(r.Metadata))
	recordFields(r, attrs)
	putStr(attrs, "input", r.Input)
	putStr(attrs, "output", r.Output)
	return metadata(r, attrs)
}

// appendBatchSpan appends the JSON of r as a batch span {id, parent_id, name, kind,
// status, started_at, ended_at, attributes, events}, by hand: encoding/json's reflection
// and its re-validation of nested raw JSON cost more than the rest of the export.
func appendBatchSpan(b []byte, r *record.Record) []byte {
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
	b = appendStringMap(b, batchSpanAttributes(r))
	return append(b, `,"events":[]}`...)
}

// appendSeconds appends epoch milliseconds as float seconds, as encoding/json writes the
// float64 (shortest representation).
func appendSeconds(b []byte, ms int64) []byte {
	return strconv.AppendFloat(b, seconds(ms), 'f', -1, 64)
}

// appendStringMap appends m as a JSON object of strings with sorted keys (values stringified
// as stringify does).
func appendStringMap(b []byte, m map[string]any) []byte {
	b = append(b, '{')
	for i, k := range sortedKeys(m) {
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

// batchTraceOut is a trace of the envelope being built: its spans already encoded.
type batchTraceOut struct {
	id, group      string
	workflow       *string
	started, ended int64
	attributes     map[string]any
	spans          [][]byte
}

func (t *batchTraceOut) appendJSON(b []byte) []byte {
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
	b = appendStringMap(b, t.attributes)
	b = append(b, `,"spans":[`...)
	for i, s := range t.spans {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, s...)
	}
	return append(b, "]}"...)
}

func (d batch) Encode(recs []record.Record) []Request {
	var reqs []Request
	var traces []*batchTraceOut
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
		var t *batchTraceOut
		for _, i := range group {
			r := &recs[i]
			span := appendBatchSpan(make([]byte, 0, 256+len(r.Input)+len(r.Output)), r)
			if t != nil && size+len(span) > batchMaxBytes {
				flush()
				t = nil
			}
			if t == nil {
				if len(traces) == batchMaxTraces {
					flush()
				}
				t = &batchTraceOut{id: r.InteractionID, group: r.ConversationID,
					started: r.StartTimestamp, ended: r.EndTimestamp, attributes: traceAttributes(r)}
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
