package traceapi_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/traceapi"
)

const (
	fpProject = "9a3c1b52-7e4d-4f0a-8b6c-2d1e0f9a8b7c"
	fpSession = "6bbf36ef-9442-5857-b81c-523c77aa25ff"
	fpTrace   = "bb7422a2-5dda-5f93-92f5-cbc392afd1a4"
	fpChild   = "64a0cebf-39cd-557f-8123-097c72f28030"
	fpGen     = "11cf8552-fb67-5379-b601-28e1b98ac614"
)

const validFreeplayTrace = `{"input":"What's the weather?","output":{"answer":"18°C"},"name":"POST /chat",
 "custom_metadata":{"interaction_id":"int-1","conversation_id":"conv-1","tokens":12,"ratio":0.5,"ok":true},
 "eval_results":{"relevance":0.9,"safe":true},"start_time":"2026-11-29T09:00:00.000Z","end_time":"2026-11-29T09:00:00.100Z"}`

const validCompletion = `{"messages":[{"role":"user","content":"hi"},{"role":"assistant","content":"hello"}],"inputs":{},
 "session_info":{"custom_metadata":{"user_id":"u-1"}},"parent_id":"` + fpTrace + `","completion_id":"` + fpGen + `",
 "call_info":{"start_time":1700000000.01,"end_time":1700000000.05,"model":"gpt-4o","provider":"openai","usage":{"prompt_tokens":10,"completion_tokens":5}},
 "eval_results":{"relevance":0.9},"custom_metadata":{"task":"generation"}}`

func fpPath(prefix, rest string) string { return prefix + "v2/projects/" + fpProject + rest }

func TestFreeplayEndpoints(t *testing.T) {
	_, hs := newServer(t, traceapi.Config{})
	tracePath := fpPath("/api/", "/sessions/"+fpSession+"/traces/id/"+fpTrace)
	r := bearer(t, hs.URL, http.MethodPost, tracePath, "", validFreeplayTrace)
	if r.status != http.StatusCreated {
		t.Fatalf("record a trace: %d %s", r.status, r.body)
	}
	child := set(t, validFreeplayTrace, "parent_id", fpTrace)
	child = set(t, child, "kind", "tool")
	child = set(t, child, "custom_metadata", raw(`{}`))
	if r := bearer(t, hs.URL, http.MethodPost, fpPath("/", "/sessions/"+fpSession+"/traces/id/"+fpChild), "", child); r.status != http.StatusCreated {
		t.Fatalf("record a child trace without /api: %d %s", r.status, r.body)
	}
	if r := bearer(t, hs.URL, http.MethodPost, fpPath("/api/", "/sessions/"+fpSession+"/completions"), "", validCompletion); r.status != http.StatusCreated ||
		!strings.Contains(string(r.body), `"completion_id":"`+fpGen+`"`) {
		t.Fatalf("record a completion: %d %s", r.status, r.body)
	}
	if r := bearer(t, hs.URL, http.MethodPatch, tracePath, "", `{"output":"done","eval_results":{"faithful":false},"metadata":{"k":"v"}}`); r.status != http.StatusOK {
		t.Fatalf("update a trace: %d %s", r.status, r.body)
	}
	if r := bearer(t, hs.URL, http.MethodPost, fpPath("/api/", "/trace-feedback/id/"+fpTrace), "", `{"freeplay_feedback":"positive","score":5,"helpful":true}`); r.status != http.StatusCreated {
		t.Fatalf("trace feedback: %d %s", r.status, r.body)
	}
	got := items(t, hs.URL, "?contract=freeplay")
	if len(got) != 5 {
		t.Fatalf("%+v", got)
	}
	want := []struct{ kind, id, parent, task, interaction string }{
		{"trace", fpTrace, "", "message", "int-1"},
		{"trace", fpChild, fpTrace, "tool", "int-1"}, // its parent's interaction
		{"completion", fpGen, fpTrace, "generation", "int-1"},
		{"trace_update", fpTrace, "", "message", "int-1"},
		{"trace_feedback", fpTrace, "", "feedback", "int-1"},
	}
	for i, w := range want {
		g := got[i]
		if g.Kind != w.kind || g.ID != w.id || g.ParentID != w.parent || g.Task != w.task || g.InteractionID != w.interaction || g.Project != fpProject {
			t.Errorf("item %d: %+v, want %+v", i, g, w)
		}
	}
	if got[0].SessionID != fpSession || got[0].ConversationID != "conv-1" || got[1].ConversationID != fpSession {
		t.Errorf("session and conversation: %+v / %+v", got[0], got[1])
	}
	// Re-recording a trace replaces it (the default policy).
	if r := bearer(t, hs.URL, http.MethodPost, tracePath, "", validFreeplayTrace); r.status != http.StatusCreated {
		t.Fatalf("again: %d", r.status)
	}
	if n := len(items(t, hs.URL, "?contract=freeplay&kind=trace")); n != 2 {
		t.Errorf("%d traces after a re-send", n)
	}
}

func TestFreeplayPathsAndMethods(t *testing.T) {
	_, hs := newServer(t, traceapi.Config{})
	for _, c := range []struct {
		method, path string
		status       int
		want         string
	}{
		{http.MethodPost, "/api/v2/projects/not-a-uuid/sessions/" + fpSession + "/traces/id/" + fpTrace, 400, "path.project_id: must be a UUID"},
		{http.MethodPost, fpPath("/api/", "/sessions/sess-7/traces/id/"+fpTrace), 400, "path.session_id: must be a UUID"},
		{http.MethodPost, fpPath("/api/", "/trace-feedback/id/42"), 400, "path.trace_id: must be a UUID"},
		{http.MethodPost, fpPath("/api/", "/sessions/"+fpSession+"/traces/"+fpTrace), 404, "no such endpoint"},
		{http.MethodPatch, fpPath("/api/", "/sessions/"+fpSession+"/completions"), 405, "allowed: POST"},
		{http.MethodGet, fpPath("/api/", "/sessions/"+fpSession+"/completions"), 405, "not allowed"},
	} {
		r := bearer(t, hs.URL, c.method, c.path, "", validFreeplayTrace)
		if r.status != c.status || !strings.Contains(apiError(t, r), c.want) {
			t.Errorf("%s %s: %d %s, want %d %q", c.method, c.path, r.status, r.body, c.status, c.want)
		}
	}
}

func TestFreeplayValidation(t *testing.T) {
	_, hs := newServer(t, traceapi.Config{})
	checkInvalid(t, hs.URL, http.MethodPost, fpPath("/api/", "/sessions/"+fpSession+"/traces/id/"+fpTrace), []invalid{
		{"unknown field", set(t, validFreeplayTrace, "metadata", raw(`{}`)), "metadata: unknown field"},
		{"kind", set(t, validFreeplayTrace, "kind", "llm"), `kind: unknown kind "llm" (want tool or agent)`},
		{"parent not a UUID", set(t, validFreeplayTrace, "parent_id", "msg-1"), "parent_id: must be a UUID"},
		{"eval result a string", set(t, validFreeplayTrace, "eval_results.relevance", "high"), "eval_results.relevance: must be one of [boolean number]"},
		{"custom metadata nested", set(t, validFreeplayTrace, "custom_metadata.obj", raw(`[1]`)), "custom_metadata.obj: must be one of [string number boolean]"},
		{"time not ISO", set(t, validFreeplayTrace, "start_time", 1700000000), "start_time: must be a string"},
		{"time format", set(t, validFreeplayTrace, "start_time", "yesterday"), "start_time: must be an ISO-8601 time"},
		{"ends before it starts", set(t, validFreeplayTrace, "end_time", "2026-11-29T08:00:00Z"), "end_time: must not be before start_time"},
	})
	checkInvalid(t, hs.URL, http.MethodPost, fpPath("/api/", "/sessions/"+fpSession+"/completions"), []invalid{
		{"no messages", set(t, validCompletion, "messages", drop), "messages: required"},
		{"messages not a list", set(t, validCompletion, "messages", "hi"), "messages: must be an array"},
		{"message without role", set(t, validCompletion, "messages.0.role", drop), "messages[0].role: required"},
		{"completion id", set(t, validCompletion, "completion_id", "gen-1"), "completion_id: must be a UUID"},
		{"call_info times", set(t, validCompletion, "call_info.end_time", 1600000000), "call_info.end_time: must not be before start_time"},
		{"call_info ISO times", set(t, validCompletion, "call_info.start_time", "2026-11-29T09:00:00Z"), "call_info.start_time: must be a number"},
		{"usage", set(t, validCompletion, "call_info.usage.prompt_tokens", 1.5), "call_info.usage.prompt_tokens: must be an integer"},
		{"unknown call_info field", set(t, validCompletion, "call_info.cost", 1), "call_info.cost: unknown field"},
		{"prompt template", set(t, validCompletion, "prompt_info", raw(`{"prompt_template_version_id":"v1"}`)), "prompt_info.prompt_template_version_id: must be a UUID"},
	})
	checkInvalid(t, hs.URL, http.MethodPost, fpPath("/api/", "/trace-feedback/id/"+fpTrace), []invalid{
		{"nested feedback", `{"freeplay_feedback":{"v":1}}`, "freeplay_feedback: must be a string, number or boolean"},
		{"not an object", `["positive"]`, "body: must be an object"},
	})
}
