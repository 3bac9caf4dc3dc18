package traceapi

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/tracebridge/tracebridge/record"
)

// BatchPath is the NeuralTrust batch API's endpoint (CONTRACTS.md §2).
const BatchPath = "/v1/traces/batch"

// BatchSpanKinds are the span kinds the batch contract names.
var BatchSpanKinds = []string{"llm", "tool", "workflow", "internal", "agent", "guardrail", "handoff"}

// BatchSpanStatuses are the span statuses accepted: the SDK's "ok" and "error", and "unset"
// for a span not finished.
var BatchSpanStatuses = []string{"ok", "error", "unset"}

var (
	batchEnvelopeKeys = []string{"resource", "traces"}
	batchResourceKeys = []string{"sdk_name", "sdk_version", "language", "runtime", "library_name", "library_version"}
	batchTraceKeys    = []string{"trace_id", "workflow_name", "group_id", "started_at", "ended_at", "attributes", "spans"}
	batchSpanKeys     = []string{"id", "parent_id", "name", "kind", "status", "started_at", "ended_at", "attributes", "events"}
	batchEventKeys    = []string{"name", "timestamp", "attributes"}
)

type batchAnswer struct {
	Status int `json:"status"`
	Traces int `json:"traces"`
	Spans  int `json:"spans"`
}

// postBatch handles POST /v1/traces/batch: a JSON array of envelopes. Each trace is stored
// as an item (kind "trace", its fields without the spans) and each span as an item (kind
// "span"). A trace re-sent without a workflow_name (the client did not have its root in
// that request) only adds spans; one with a workflow_name replaces the stored trace.
func (s *Server) postBatch(w http.ResponseWriter, r *http.Request) {
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	items, err := parseBatch(body)
	if err != nil {
		s.badRequest(w, err)
		return
	}
	s.ingest.Lock()
	defer s.ingest.Unlock()
	var keep []StoredRecord
	traces, spans := 0, 0
	for i := range items {
		it := &items[i]
		if it.Kind == KindTrace {
			traces++
			if it.Name == "" {
				found, err := s.exists(r.Context(), it)
				if err != nil {
					writeError(w, http.StatusInternalServerError, "store: "+err.Error())
					return
				}
				if found {
					continue
				}
			}
		} else {
			spans++
			if it.SessionID == "" {
				// A span sent without its trace's attributes (a later envelope) is filed
				// under the session of the trace stored already.
				got, err := s.lookup(r.Context(), ContractNeuralTrustBatch, KindTrace, "", it.InteractionID)
				if err != nil {
					writeError(w, http.StatusInternalServerError, "store: "+err.Error())
					return
				}
				if len(got) > 0 {
					it.SessionID = got[len(got)-1].SessionID
				}
			}
		}
		keep = append(keep, *it)
	}
	if err := s.put(r.Context(), keep, func(*StoredRecord) DuplicatePolicy { return s.cfg.OnDuplicate }); err != nil {
		storeFailed(w, err, "a trace or span id already exists")
		return
	}
	writeJSON(w, http.StatusOK, batchAnswer{Status: http.StatusOK, Traces: traces, Spans: spans})
}

// parseBatch checks a batch body and returns its items, traces before their spans.
func parseBatch(body []byte) ([]StoredRecord, error) {
	whole, err := parseBody(body)
	if err != nil {
		return nil, err
	}
	if k := kindOf(whole); k != "array" {
		return nil, fieldErr("body", "must be a JSON array of envelopes, got %s", k)
	}
	var envs []json.RawMessage
	if err := json.Unmarshal(whole, &envs); err != nil {
		return nil, fieldErr("body", "invalid array: %v", err)
	}
	if len(envs) == 0 {
		return nil, fieldErr("body", "must hold at least one envelope")
	}
	var items []StoredRecord
	for e, raw := range envs {
		env, err := readObject(raw, index("", e), batchEnvelopeKeys...)
		if err != nil {
			return nil, err
		}
		res, err := env.sub("resource", true, batchResourceKeys...)
		if err != nil {
			return nil, err
		}
		for _, k := range batchResourceKeys {
			if _, err := res.str(k, true); err != nil {
				return nil, err
			}
		}
		traces, err := env.array("traces", true)
		if err != nil {
			return nil, err
		}
		for t, raw := range traces {
			got, err := parseBatchTrace(raw, index(env.field("traces"), t))
			if err != nil {
				return nil, err
			}
			items = append(items, got...)
		}
	}
	return items, nil
}

func parseBatchTrace(raw json.RawMessage, path string) ([]StoredRecord, error) {
	t, err := readObject(raw, path, batchTraceKeys...)
	if err != nil {
		return nil, err
	}
	id, err := t.nonEmpty("trace_id")
	if err != nil {
		return nil, err
	}
	workflow, err := t.str("workflow_name", false)
	if err != nil {
		return nil, err
	}
	group, err := t.str("group_id", false)
	if err != nil {
		return nil, err
	}
	if err := checkTimes(t, "started_at", "ended_at", true); err != nil {
		return nil, err
	}
	attrs, err := t.valueKinds("attributes", "string")
	if err != nil {
		return nil, err
	}
	spans, err := t.array("spans", true)
	if err != nil {
		return nil, err
	}
	conv := group
	if conv == "" {
		conv = attrs["conversation_id"]
	}
	items := []StoredRecord{{
		Contract: ContractNeuralTrustBatch, Kind: KindTrace, TraceID: id, InteractionID: id,
		ConversationID: conv, SessionID: attrs["session_id"], Task: record.TaskMessage, Name: workflow,
		Raw: t.without("spans"),
	}}
	seen := map[string]bool{}
	for i, raw := range spans {
		sp, err := parseBatchSpan(raw, index(t.field("spans"), i))
		if err != nil {
			return nil, err
		}
		if seen[sp.TraceID] {
			return nil, fieldErr(index(t.field("spans"), i)+".id", "span id %s repeated in the trace", quoteShort(sp.TraceID))
		}
		seen[sp.TraceID] = true
		sp.InteractionID, sp.ConversationID, sp.SessionID = id, conv, attrs["session_id"]
		items = append(items, sp)
	}
	return items, nil
}

func parseBatchSpan(raw json.RawMessage, path string) (StoredRecord, error) {
	sp, err := readObject(raw, path, batchSpanKeys...)
	if err != nil {
		return StoredRecord{}, err
	}
	id, err := sp.nonEmpty("id")
	if err != nil {
		return StoredRecord{}, err
	}
	parent, err := sp.str("parent_id", false)
	if err != nil {
		return StoredRecord{}, err
	}
	name, err := sp.str("name", true)
	if err != nil {
		return StoredRecord{}, err
	}
	kind, err := sp.nonEmpty("kind")
	if err != nil {
		return StoredRecord{}, err
	}
	if !contains(BatchSpanKinds, kind) {
		return StoredRecord{}, fieldErr(sp.field("kind"), "unknown kind %s (want one of %v)", quoteShort(kind), BatchSpanKinds)
	}
	status, err := sp.nonEmpty("status")
	if err != nil {
		return StoredRecord{}, err
	}
	if !contains(BatchSpanStatuses, status) {
		return StoredRecord{}, fieldErr(sp.field("status"), "unknown status %s (want one of %v)", quoteShort(status), BatchSpanStatuses)
	}
	if err := checkTimes(sp, "started_at", "ended_at", true); err != nil {
		return StoredRecord{}, err
	}
	attrs, err := sp.valueKinds("attributes", "string")
	if err != nil {
		return StoredRecord{}, err
	}
	events, err := sp.array("events", false)
	if err != nil {
		return StoredRecord{}, err
	}
	for i, raw := range events {
		ev, err := readObject(raw, index(sp.field("events"), i), batchEventKeys...)
		if err != nil {
			return StoredRecord{}, err
		}
		if _, err := ev.nonEmpty("name"); err != nil {
			return StoredRecord{}, err
		}
		if _, _, err := ev.number("timestamp", true); err != nil {
			return StoredRecord{}, err
		}
		if _, err := ev.valueKinds("attributes", "string"); err != nil {
			return StoredRecord{}, err
		}
	}
	task := record.Task(attrs["task"])
	if !task.Valid() {
		task = batchKindTask[kind]
	}
	return StoredRecord{
		Contract: ContractNeuralTrustBatch, Kind: KindSpan, TraceID: id, ParentID: parent,
		Task: task, Name: name, Raw: raw,
	}, nil
}

// batchKindTask reads a span kind as a task, for spans without a "task" attribute.
var batchKindTask = map[string]record.Task{
	"llm": record.TaskGeneration, "tool": record.TaskTool, "workflow": record.TaskMessage,
	"agent": record.TaskAgent, "guardrail": record.TaskEvent, "handoff": record.TaskRouter,
	"internal": record.TaskEvent,
}

// checkTimes checks a pair of times (numbers) and that the end is not before the start.
func checkTimes(o *object, start, end string, required bool) error {
	s, okS, err := o.number(start, required)
	if err != nil {
		return err
	}
	e, okE, err := o.number(end, required)
	if err != nil {
		return err
	}
	if okS && okE && e < s {
		return fieldErr(o.field(end), "must not be before %s (%s < %s)", start, fmt.Sprint(e), fmt.Sprint(s))
	}
	return nil
}
