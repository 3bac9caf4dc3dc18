package traceapi_test

import (
	"encoding/json"
	"net/http"
	"testing"

	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/traceapi"
)

const validBatch = `[{"resource":{"sdk_name":"tracebridge","sdk_version":"v1","language":"go","runtime":"go1.26","library_name":"lib","library_version":"v1"},
 "traces":[{"trace_id":"int-1","workflow_name":"POST /chat","group_id":"conv-1","started_at":1700000000.0,"ended_at":1700000000.1,
   "attributes":{"session_id":"sess-1","user_id":"u-1"},
   "spans":[
     {"id":"msg-1","parent_id":null,"name":"POST /chat","kind":"workflow","status":"ok","started_at":1700000000.0,"ended_at":1700000000.1,"attributes":{"task":"message","input":"hi"},"events":[]},
     {"id":"gen-1","parent_id":"msg-1","name":"chat","kind":"llm","status":"error","started_at":1700000000.01,"ended_at":1700000000.05,"attributes":{},"events":[{"name":"e","timestamp":1700000000.02,"attributes":{"k":"v"}}]},
     {"id":"ret-1","parent_id":"msg-1","name":"kb","kind":"internal","status":"unset","started_at":1700000000.01,"ended_at":1700000000.02,"attributes":{"task":"retrieval"},"events":[]}
   ]}]}]`

func TestBatchStoresTracesAndSpans(t *testing.T) {
	_, hs := newServer(t, traceapi.Config{})
	r := bearer(t, hs.URL, http.MethodPost, "/v1/traces/batch", "", validBatch)
	if r.status != http.StatusOK || string(r.body) != `{"status":200,"traces":1,"spans":3}`+"\n" {
		t.Fatalf("%d %s", r.status, r.body)
	}
	got := items(t, hs.URL, "?contract=neuraltrust-batch")
	if len(got) != 4 {
		t.Fatalf("want the trace and 3 spans, got %+v", got)
	}
	tr := got[0]
	if tr.Kind != "trace" || tr.ID != "int-1" || tr.InteractionID != "int-1" || tr.ConversationID != "conv-1" || tr.SessionID != "sess-1" || tr.Task != "message" || tr.Name != "POST /chat" {
		t.Errorf("trace item %+v", tr)
	}
	var payload map[string]any
	if err := json.Unmarshal(tr.Payload, &payload); err != nil || payload["spans"] != nil || payload["group_id"] != "conv-1" {
		t.Errorf("the trace's payload is its fields without the spans: %s", tr.Payload)
	}
	want := map[string]record.Task{"msg-1": record.TaskMessage, "gen-1": record.TaskGeneration, "ret-1": record.TaskRetrieval}
	for _, it := range got[1:] {
		if it.Kind != "span" || string(want[it.ID]) != it.Task || it.InteractionID != "int-1" || it.ConversationID != "conv-1" {
			t.Errorf("span item %+v", it)
		}
	}
	if got[2].ParentID != "msg-1" {
		t.Errorf("parent %q", got[2].ParentID)
	}
	// v1 listing stays v1: no batch items there.
	if n := len(records(t, hs.URL, nil, "")); n != 0 {
		t.Errorf("GET /v1/records shows %d batch items", n)
	}
	if n := len(records(t, hs.URL, nil, "?contract=neuraltrust-batch&kind=span")); n != 3 {
		t.Errorf("contract filter: %d spans", n)
	}

	// A re-send without the root (workflow_name null) adds spans and keeps the trace.
	again := set(t, validBatch, "0.traces.0.workflow_name", nil)
	again = set(t, again, "0.traces.0.spans", raw(`[{"id":"tool-1","parent_id":"msg-1","name":"t","kind":"tool","status":"ok","started_at":1700000000.06,"ended_at":1700000000.07,"attributes":{},"events":[]}]`))
	if r := bearer(t, hs.URL, http.MethodPost, "/v1/traces/batch", "", again); r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	got = items(t, hs.URL, "?contract=neuraltrust-batch")
	if len(got) != 5 || got[0].Name != "POST /chat" || got[4].ID != "tool-1" {
		t.Errorf("after the re-send: %+v", got)
	}
}

func TestBatchValidation(t *testing.T) {
	_, hs := newServer(t, traceapi.Config{})
	checkInvalid(t, hs.URL, http.MethodPost, "/v1/traces/batch", []invalid{
		{"object, not array", `{"resource":{}}`, "body: must be a JSON array"},
		{"empty array", `[]`, "at least one envelope"},
		{"unknown envelope field", set(t, validBatch, "0.extra", 1), "[0].extra: unknown field"},
		{"resource missing", set(t, validBatch, "0.resource", drop), "[0].resource: required"},
		{"resource field type", set(t, validBatch, "0.resource.language", 1), "[0].resource.language: must be a string"},
		{"trace_id empty", set(t, validBatch, "0.traces.0.trace_id", ""), "[0].traces[0].trace_id: must not be empty"},
		{"times as strings", set(t, validBatch, "0.traces.0.started_at", "2026-01-01"), "[0].traces[0].started_at: must be a number"},
		{"ended before started", set(t, validBatch, "0.traces.0.ended_at", 1600000000), "[0].traces[0].ended_at: must not be before"},
		{"attribute not a string", set(t, validBatch, "0.traces.0.attributes.n", 1), "[0].traces[0].attributes.n: must be one of [string]"},
		{"spans missing", set(t, validBatch, "0.traces.0.spans", drop), "[0].traces[0].spans: required"},
		{"unknown kind", set(t, validBatch, "0.traces.0.spans.1.kind", "chain"), `[0].traces[0].spans[1].kind: unknown kind "chain"`},
		{"unknown status", set(t, validBatch, "0.traces.0.spans.1.status", "fine"), `[0].traces[0].spans[1].status: unknown status`},
		{"span time in ms", set(t, validBatch, "0.traces.0.spans.1.ended_at", "soon"), "[0].traces[0].spans[1].ended_at: must be a number"},
		{"span attribute", set(t, validBatch, "0.traces.0.spans.1.attributes", raw(`{"tokens":12}`)), "spans[1].attributes.tokens: must be one of [string]"},
		{"event without name", set(t, validBatch, "0.traces.0.spans.1.events.0.name", drop), "spans[1].events[0].name: required"},
		{"repeated span id", set(t, validBatch, "0.traces.0.spans.2.id", "gen-1"), "spans[2].id: span id \"gen-1\" repeated"},
		{"unknown span field", set(t, validBatch, "0.traces.0.spans.0.type", "x"), "spans[0].type: unknown field"},
	})
}

func TestContractsAuth(t *testing.T) {
	_, hs := newServer(t, traceapi.Config{Token: "s3cret"})
	if r := bearer(t, hs.URL, http.MethodPost, "/v1/traces/batch", "s3cret", validBatch); r.status != http.StatusOK {
		t.Errorf("Bearer: %d %s", r.status, r.body)
	}
	for _, tok := range []string{"", "wrong"} {
		if r := bearer(t, hs.URL, http.MethodPost, "/v1/traces/batch", tok, validBatch); r.status != http.StatusUnauthorized {
			t.Errorf("token %q: %d", tok, r.status)
		}
	}
	// The v1 scheme does not open the Bearer contracts, nor Bearer the v1 endpoint.
	r := do(t, hs.URL, req{path: "/v1/traces/batch", token: ptr("s3cret"), body: []byte(validBatch)})
	if r.status != http.StatusUnauthorized {
		t.Errorf("token header on the batch API: %d", r.status)
	}
	if r := bearer(t, hs.URL, http.MethodPost, "/v1/trace", "s3cret", build(validFields())); r.status != http.StatusUnauthorized {
		t.Errorf("Bearer on v1: %d", r.status)
	}
	// Reads take either.
	if r := bearer(t, hs.URL, http.MethodGet, "/v1/items", "s3cret", ""); r.status != http.StatusOK {
		t.Errorf("GET /v1/items with Bearer: %d", r.status)
	}
	if r := do(t, hs.URL, req{method: http.MethodGet, path: "/v1/items"}); r.status != http.StatusUnauthorized {
		t.Errorf("GET /v1/items without a token: %d", r.status)
	}
}
