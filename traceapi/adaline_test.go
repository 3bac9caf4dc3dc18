package traceapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/traceapi"
)

const adalineProject = "proj_0123456789abcdef"

const validAdaline = `{"projectId":"proj_0123456789abcdef",
 "trace":{"startedAt":1700000000000,"endedAt":1700000000100,"name":"POST /chat","status":"success","referenceId":"int-1",
   "sessionId":"sess-1","attributes":{"conversation_id":"conv-1","tokens":12,"ok":true},"tags":["beta"]},
 "spans":[
   {"startedAt":1700000000010,"endedAt":1700000000050,"name":"chat","status":"success","referenceId":"gen-1","parentReferenceId":"msg-1",
    "content":{"type":"Model","provider":"openai","model":"gpt-4o","input":"[{\"role\":\"user\",\"content\":\"hi\"}]","output":"\"hello\""},
    "attributes":{"task":"generation"},"tags":[]},
   {"startedAt":1700000000060,"endedAt":1700000000061,"name":"get_weather","status":"failure","referenceId":"tool-1",
    "content":{"type":"Tool","input":"{\"city\":\"Paris\"}","output":"null"},"runEvaluation":false}
 ]}`

func TestAdalineTraceSpanAndPatch(t *testing.T) {
	_, hs := newServer(t, traceapi.Config{})
	r := bearer(t, hs.URL, http.MethodPost, "/v2/logs/trace", "", validAdaline)
	if r.status != http.StatusOK {
		t.Fatalf("%d %s", r.status, r.body)
	}
	var ans struct {
		TraceID string   `json:"traceId"`
		SpanIDs []string `json:"spanIds"`
	}
	if err := json.Unmarshal(r.body, &ans); err != nil || len(ans.TraceID) < 20 || len(ans.TraceID) > 80 || len(ans.SpanIDs) != 2 {
		t.Fatalf("answer %s", r.body)
	}
	got := items(t, hs.URL, "?contract=adaline")
	if len(got) != 3 {
		t.Fatalf("%+v", got)
	}
	tr, gen, tool := got[0], got[1], got[2]
	if tr.Kind != "trace" || tr.ID != "int-1" || tr.Project != adalineProject || tr.ConversationID != "conv-1" || tr.SessionID != "sess-1" || tr.Task != "message" {
		t.Errorf("trace %+v", tr)
	}
	if gen.Kind != "span" || gen.ParentID != "msg-1" || gen.InteractionID != "int-1" || gen.Task != "generation" || gen.SessionID != "sess-1" {
		t.Errorf("span %+v", gen)
	}
	if tool.Task != "tool" {
		t.Errorf("a Tool content without a task attribute is a tool: %+v", tool)
	}

	// The same trace again: 409 with the contract's message, nothing stored.
	r = bearer(t, hs.URL, http.MethodPost, "/v2/logs/trace", "", validAdaline)
	if r.status != http.StatusConflict || !strings.Contains(apiError(t, r), `Log trace already exists with referenceId "int-1"`) {
		t.Errorf("duplicate trace: %d %s", r.status, r.body)
	}
	// A new trace holding a span already stored: 409 naming the span.
	dupSpan := set(t, validAdaline, "trace.referenceId", "int-2")
	if r := bearer(t, hs.URL, http.MethodPost, "/v2/logs/trace", "", dupSpan); r.status != http.StatusConflict || !strings.Contains(apiError(t, r), `Log span already exists with referenceId "gen-1"`) {
		t.Errorf("duplicate span: %d %s", r.status, r.body)
	}

	// A span of the existing trace.
	span := `{"projectId":"proj_0123456789abcdef","span":{"startedAt":1700000000070,"endedAt":1700000000080,"name":"root","status":"success",
		"referenceId":"msg-1","traceReferenceId":"int-1","content":{"type":"Other","input":"\"hi\"","output":"\"hello\""}}}`
	if r := bearer(t, hs.URL, http.MethodPost, "/v2/logs/span", "", span); r.status != http.StatusOK || !strings.Contains(string(r.body), `"spanId":"span_`) {
		t.Errorf("span: %d %s", r.status, r.body)
	}
	if r := bearer(t, hs.URL, http.MethodPost, "/v2/logs/span", "", span); r.status != http.StatusConflict || !strings.Contains(apiError(t, r), "Log span already exists with referenceId") {
		t.Errorf("span again: %d %s", r.status, r.body)
	}
	byTraceID := set(t, span, "span.traceReferenceId", drop)
	byTraceID = set(t, byTraceID, "span.traceId", ans.TraceID)
	byTraceID = set(t, byTraceID, "span.referenceId", "other-1")
	if r := bearer(t, hs.URL, http.MethodPost, "/v2/logs/span", "", byTraceID); r.status != http.StatusOK {
		t.Errorf("span by traceId: %d %s", r.status, r.body)
	}
	orphan := set(t, set(t, span, "span.traceReferenceId", "nope"), "span.referenceId", "x-1")
	if r := bearer(t, hs.URL, http.MethodPost, "/v2/logs/span", "", orphan); r.status != http.StatusNotFound || !strings.Contains(apiError(t, r), "Log trace not found") {
		t.Errorf("span of an unknown trace: %d %s", r.status, r.body)
	}

	// An update of the trace.
	patch := `{"projectId":"proj_0123456789abcdef","referenceId":"int-1","logTrace":{"status":"failure","endedAt":1700000000200,
		"attributes":[{"operation":"create","key":"tokens","value":20}],"tags":[{"operation":"create","tag":"late"}]}}`
	if r := bearer(t, hs.URL, http.MethodPatch, "/v2/logs/trace", "", patch); r.status != http.StatusOK {
		t.Errorf("patch: %d %s", r.status, r.body)
	}
	upd := items(t, hs.URL, "?contract=adaline&kind=trace_update")
	if len(upd) != 1 || upd[0].ID != "int-1" || upd[0].InteractionID != "int-1" || upd[0].ConversationID != "conv-1" {
		t.Errorf("update item %+v", upd)
	}
	for _, c := range []invalid{
		{"ends before it started", set(t, patch, "logTrace.endedAt", 1600000000000), "startedAt must be before endedAt"},
		{"unknown status", set(t, patch, "logTrace.status", "done"), `logTrace.status: unknown status "done"`},
		{"unknown operation", set(t, patch, "logTrace.attributes.0.operation", "upsert"), `logTrace.attributes[0].operation: unknown operation`},
		{"object value", set(t, patch, "logTrace.attributes.0.value", raw(`{"a":1}`)), `logTrace.attributes[0].value: must be a string, number or boolean`},
		{"both ids", set(t, patch, "traceId", "trace_abc"), "give exactly one of traceId and referenceId"},
	} {
		r := bearer(t, hs.URL, http.MethodPatch, "/v2/logs/trace", "", c.body)
		if r.status != http.StatusBadRequest || !strings.Contains(apiError(t, r), c.want) {
			t.Errorf("%s: %d %s", c.name, r.status, r.body)
		}
	}
	if r := bearer(t, hs.URL, http.MethodPatch, "/v2/logs/trace", "", set(t, patch, "referenceId", "nope")); r.status != http.StatusNotFound {
		t.Errorf("patch of an unknown trace: %d", r.status)
	}
}

func TestAdalineValidation(t *testing.T) {
	_, hs := newServer(t, traceapi.Config{})
	checkInvalid(t, hs.URL, http.MethodPost, "/v2/logs/trace", []invalid{
		{"project too short", set(t, validAdaline, "projectId", "p1"), "projectId: must be 20 to 80 characters"},
		{"project too long", set(t, validAdaline, "projectId", strings.Repeat("p", 81)), "projectId: must be 20 to 80 characters"},
		{"reference too long", set(t, validAdaline, "trace.referenceId", strings.Repeat("r", 129)), "trace.referenceId: must be 1 to 128 characters"},
		{"empty reference", set(t, validAdaline, "spans.0.referenceId", ""), "spans[0].referenceId: must be 1 to 128 characters"},
		{"trace ends before it starts", set(t, validAdaline, "trace.endedAt", 1700000000000), "trace.endedAt: startedAt must be before endedAt"},
		{"span ends before it starts", set(t, validAdaline, "spans.1.endedAt", 1700000000060), "spans[1].endedAt: startedAt must be before endedAt"},
		{"time in seconds as float", set(t, validAdaline, "trace.startedAt", 1700000000.5), "trace.startedAt: must be an integer"},
		{"trace status", set(t, validAdaline, "trace.status", "ok"), `trace.status: unknown status "ok"`},
		{"span pending", set(t, validAdaline, "spans.0.status", "pending"), `spans[0].status: unknown status "pending"`},
		{"content not JSON", set(t, validAdaline, "spans.0.content.input", "hi there"), `spans[0].content.input: must be valid JSON text`},
		{"content output not JSON", set(t, validAdaline, "spans.1.content.output", "{broken"), `spans[1].content.output: must be valid JSON text`},
		{"content type", set(t, validAdaline, "spans.0.content.type", "LLM"), `spans[0].content.type: unknown type "LLM"`},
		{"model without provider", set(t, validAdaline, "spans.0.content.provider", drop), `spans[0].content.provider: required`},
		{"provider on a tool", set(t, validAdaline, "spans.1.content.provider", "openai"), `spans[1].content.provider: unknown field`},
		{"nested attribute", set(t, validAdaline, "trace.attributes.obj", raw(`{"a":1}`)), `trace.attributes.obj: must be one of [string number boolean]`},
		{"tag not a string", set(t, validAdaline, "trace.tags", raw(`[1]`)), `trace.tags[0]: must be a string`},
		{"repeated span reference", set(t, validAdaline, "spans.1.referenceId", "gen-1"), `spans[1].referenceId: Log span referenceId "gen-1" repeated`},
		{"unknown field", set(t, validAdaline, "trace.input", "hi"), `trace.input: unknown field`},
		{"runEvaluation", set(t, validAdaline, "spans.1.runEvaluation", "no"), `spans[1].runEvaluation: must be a boolean`},
	})
	checkInvalid(t, hs.URL, http.MethodPost, "/v2/logs/span", []invalid{
		{"no trace named", `{"projectId":"proj_0123456789abcdef","span":{"startedAt":1,"endedAt":2,"name":"n","status":"success","content":{"type":"Other","input":"1","output":"2"}}}`,
			"span.traceId: give exactly one of traceId and traceReferenceId"},
	})
}
