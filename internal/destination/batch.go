package destination

import (
	"encoding/json"
	"net/http"
	"runtime"
	"runtime/debug"
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

type batchEnvelope struct {
	Resource batchResource `json:"resource"`
	Traces   []batchTrace  `json:"traces"`
}

type batchTrace struct {
	TraceID      string            `json:"trace_id"`
	WorkflowName *string           `json:"workflow_name"` // null when the message is not in this request
	GroupID      string            `json:"group_id"`
	StartedAt    float64           `json:"started_at"`
	EndedAt      float64           `json:"ended_at"`
	Attributes   map[string]string `json:"attributes"`
	Spans        []json.RawMessage `json:"spans"`
}

type batchSpan struct {
	ID         string            `json:"id"`
	ParentID   *string           `json:"parent_id"`
	Name       string            `json:"name"`
	Kind       string            `json:"kind"`
	Status     string            `json:"status"`
	StartedAt  float64           `json:"started_at"`
	EndedAt    float64           `json:"ended_at"`
	Attributes map[string]string `json:"attributes"`
	Events     []batchEvent      `json:"events"`
}

type batchEvent struct {
	Name       string            `json:"name"`
	Timestamp  float64           `json:"timestamp"`
	Attributes map[string]string `json:"attributes"`
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

func batchSpanOf(r *record.Record) batchSpan {
	attrs := recordFields(r, nil)
	putStr(attrs, "input", r.Input)
	putStr(attrs, "output", r.Output)
	metadata(r, attrs)
	s := batchSpan{
		ID: r.TraceID, Name: stepName(r), Kind: batchKind(r), Status: batchStatus(r),
		StartedAt: seconds(r.StartTimestamp), EndedAt: seconds(r.EndTimestamp),
		Attributes: stringify(attrs), Events: []batchEvent{},
	}
	if r.ParentID != "" {
		p := r.ParentID
		s.ParentID = &p
	}
	return s
}

func (d batch) Encode(recs []record.Record) []Request {
	var reqs []Request
	var env batchEnvelope
	var idxs []int
	size := 0
	flush := func() {
		if len(env.Traces) == 0 {
			return
		}
		env.Resource = sdkResource()
		reqs = append(reqs, Request{
			Method: http.MethodPost, URL: d.url, Kind: "batch",
			Body: marshal([]batchEnvelope{env}), Records: idxs,
		})
		env, idxs, size = batchEnvelope{}, nil, 0
	}
	for _, group := range byInteraction(recs) {
		var t *batchTrace
		for _, i := range group {
			r := &recs[i]
			span := marshal(batchSpanOf(r))
			if t != nil && size+len(span) > batchMaxBytes {
				flush()
				t = nil
			}
			if t == nil {
				if len(env.Traces) == batchMaxTraces {
					flush()
				}
				env.Traces = append(env.Traces, batchTrace{
					TraceID: r.InteractionID, GroupID: r.ConversationID,
					StartedAt: seconds(r.StartTimestamp), EndedAt: seconds(r.EndTimestamp),
					Attributes: stringify(traceAttributes(r)),
				})
				t = &env.Traces[len(env.Traces)-1]
			}
			t.Spans = append(t.Spans, span)
			t.StartedAt = min(t.StartedAt, seconds(r.StartTimestamp))
			t.EndedAt = max(t.EndedAt, seconds(r.EndTimestamp))
			if r.Task == record.TaskMessage {
				name := stepName(r)
				t.WorkflowName = &name
				// The message spans the interaction: its times are the trace's.
				t.StartedAt, t.EndedAt = seconds(r.StartTimestamp), seconds(r.EndTimestamp)
			}
			idxs = append(idxs, i)
			size += len(span)
		}
	}
	flush()
	return reqs
}

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
