package traceapi_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/traceapi"
)

// v1 builds a v1 record body.
func v1(id, conv, inter, parent, task string, start, end int64, input, output string, meta map[string]any, user string) string {
	r := record.Record{TraceID: id, ConversationID: conv, InteractionID: inter, ParentID: parent, SessionID: "sess-" + conv,
		Task: record.Task(task), Input: input, Output: output, StartTimestamp: start, EndTimestamp: end, Latency: end - start,
		Metadata: meta}
	if user != "" {
		r.User = &record.User{ID: user}
	}
	return string(r.AppendJSON(nil))
}

// getJSON GETs path and decodes the 200 answer into out.
func getJSON(t *testing.T, base, path string, out any) {
	t.Helper()
	r := do(t, base, req{method: http.MethodGet, path: path})
	if r.status != http.StatusOK {
		t.Fatalf("GET %s: %d %s", path, r.status, r.body)
	}
	reflect.ValueOf(out).Elem().SetZero() // fields the answer omits must not keep old values
	dec := json.NewDecoder(strings.NewReader(string(r.body)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(out); err != nil {
		t.Fatalf("GET %s: %v: %s", path, err, r.body)
	}
}

// postChat posts one chat turn of conversation conv: a message, a retrieval, a generation
// with chat messages and a failed tool, children first as the SDK sends them.
func postChat(t *testing.T, base, conv, inter string, at int64) {
	t.Helper()
	gen := map[string]any{"model": "gpt-4o-mini", "provider": "openai", "input_tokens": int64(84), "output_tokens": int64(19), "total_tokens": int64(103), "span_name": "chat gpt-4o-mini"}
	msg := map[string]any{"input_tokens": int64(84), "output_tokens": int64(19), "span_name": "POST /chat"}
	for _, body := range []string{
		v1(inter+"-ret", conv, inter, inter+"-msg", "retrieval", at+1, at+13, "shoes", `[{"id":"doc-1","score":0.9,"content":"30 days"}]`, nil, "u-1"),
		v1(inter+"-gen", conv, inter, inter+"-msg", "generation", at+14, at+49,
			`[{"role":"user","content":"How long\n to return?"}]`, `[{"role":"assistant","content":"30 days <script>x()</script>"}]`, gen, "u-1"),
		v1(inter+"-tool", conv, inter, inter+"-gen", "tool", at+20, at+21, `{"sku":1}`, "", map[string]any{"status": "error", "error": "timeout"}, "u-1"),
		v1(inter+"-msg", conv, inter, "", "message", at, at+50, "How long to return?", "30 days", msg, "u-1"),
	} {
		okTraceID(t, post(t, base, body))
	}
}

func TestViewConversationsAndInteractions(t *testing.T) {
	_, hs := newServer(t, traceapi.Config{})
	var rev0 struct {
		Revision      string `json:"revision"`
		TokenRequired bool   `json:"token_required"`
	}
	getJSON(t, hs.URL, "/v1/view/revision", &rev0)
	postChat(t, hs.URL, "conv-a", "int-a1", 1_700_000_000_000)
	postChat(t, hs.URL, "conv-a", "int-a2", 1_700_000_100_000)
	postChat(t, hs.URL, "conv-b", "int-b1", 1_700_000_050_000)
	rev1 := rev0
	getJSON(t, hs.URL, "/v1/view/revision", &rev1)
	if rev1.Revision == rev0.Revision || rev1.TokenRequired {
		t.Errorf("revision %+v after posting, %+v before", rev1, rev0)
	}

	var page traceapi.ConversationPage
	getJSON(t, hs.URL, "/v1/view/conversations", &page)
	if len(page.Conversations) != 2 || page.NextCursor != "" {
		t.Fatalf("conversations: %+v", page)
	}
	a, b := page.Conversations[0], page.Conversations[1]
	// conv-a's latest item (1_700_000_100_049) is newer than conv-b's.
	want := traceapi.ConversationSummary{ConversationID: "conv-a", UserID: "u-1", SessionID: "sess-conv-a",
		Contracts: []traceapi.Contract{"neuraltrust"}, Interactions: 2, Records: 8,
		// the generations' tokens, not the messages' repeating them
		InputTokens: 168, OutputTokens: 38, TotalTokens: 206, Errors: 2,
		FirstMs: 1_700_000_000_000, LastMs: 1_700_000_100_020, Preview: "How long to return?"}
	if fmt.Sprint(a) != fmt.Sprint(want) || b.ConversationID != "conv-b" || b.Interactions != 1 {
		t.Errorf("conversations:\n got %+v\nwant %+v\nthen %+v", a, want, b)
	}

	// Paging: one per page, the cursor leads to the next.
	getJSON(t, hs.URL, "/v1/view/conversations?limit=1", &page)
	if len(page.Conversations) != 1 || page.Conversations[0].ConversationID != "conv-a" || page.NextCursor == "" {
		t.Fatalf("first page: %+v", page)
	}
	getJSON(t, hs.URL, "/v1/view/conversations?limit=1&cursor="+page.NextCursor, &page)
	if len(page.Conversations) != 1 || page.Conversations[0].ConversationID != "conv-b" || page.NextCursor != "" {
		t.Fatalf("second page: %+v", page)
	}
	for q, wantIDs := range map[string]string{
		"?q=INT-B1":                   "conv-b",
		"?q=how+long":                 "conv-a conv-b",
		"?user=u-1&errors=1":          "conv-a conv-b",
		"?session_id=sess-conv-b":     "conv-b",
		"?until=1700000040000":        "conv-a",
		"?since=2023-11-14T22:14:10Z": "conv-a conv-b",
		"?contract=adaline":           "",
	} {
		getJSON(t, hs.URL, "/v1/view/conversations"+q, &page)
		var ids []string
		for _, c := range page.Conversations {
			ids = append(ids, c.ConversationID)
		}
		if got := strings.Join(ids, " "); got != wantIDs {
			t.Errorf("conversations%s = %q, want %q", q, got, wantIDs)
		}
	}

	var inters traceapi.InteractionPage
	getJSON(t, hs.URL, "/v1/view/interactions?conversation_id=conv-a", &inters)
	if len(inters.Interactions) != 2 {
		t.Fatalf("interactions: %+v", inters)
	}
	first := inters.Interactions[0]
	if first.InteractionID != "int-a1" || first.Records != 4 || first.TotalTokens != 103 || first.Errors != 1 ||
		first.StartMs != 1_700_000_000_000 || first.EndMs != 1_700_000_000_050 || first.Name != "POST /chat" ||
		first.Input != "How long to return?" || first.Output != "30 days" || first.UserID != "u-1" {
		t.Errorf("first interaction: %+v", first)
	}

	var view traceapi.InteractionView
	getJSON(t, hs.URL, "/v1/view/interaction?id=int-a1", &view)
	if len(view.Steps) != 4 {
		t.Fatalf("steps: %+v", view)
	}
	byID := map[string]traceapi.Step{}
	for _, s := range view.Steps {
		byID[s.ID] = s
	}
	msg, gen, tool, ret := byID["int-a1-msg"], byID["int-a1-gen"], byID["int-a1-tool"], byID["int-a1-ret"]
	if msg.ParentUID != "" || gen.ParentUID != msg.UID || ret.ParentUID != msg.UID || tool.ParentUID != gen.UID {
		t.Errorf("tree: msg %q, gen %q→%q, ret →%q, tool →%q", msg.UID, gen.UID, gen.ParentUID, ret.ParentUID, tool.ParentUID)
	}
	if gen.Model != "gpt-4o-mini" || gen.Provider != "openai" || gen.InputTokens != 84 || gen.OutputTokens != 19 ||
		gen.TotalTokens != 103 || gen.LatencyMs != 35 || gen.Name != "chat gpt-4o-mini" || gen.UserID != "u-1" ||
		gen.Output != `[{"role":"assistant","content":"30 days <script>x()</script>"}]` {
		t.Errorf("generation step: %+v", gen)
	}
	if tool.Error != "timeout" || tool.Status != "error" || tool.Name != "tool" || msg.Error != "" {
		t.Errorf("tool step: %+v; message error %q", tool, msg.Error)
	}

	// Pages of steps link across pages through refs.
	getJSON(t, hs.URL, "/v1/view/interaction?id=int-a1&limit=3", &view)
	if len(view.Steps) != 3 || view.NextCursor == "" {
		t.Fatalf("first page of steps: %+v", view)
	}
	getJSON(t, hs.URL, "/v1/view/interaction?id=int-a1&limit=3&cursor="+view.NextCursor, &view)
	if len(view.Steps) != 1 || view.Steps[0].Ref != "neuraltrust:int-a1-msg" || view.NextCursor != "" {
		t.Fatalf("second page of steps: %+v", view)
	}

	// DELETE /v1/records changes the revision and empties the lists.
	if r := do(t, hs.URL, req{method: http.MethodDelete, path: "/v1/records"}); r.status != http.StatusOK {
		t.Fatal(r.status)
	}
	rev2 := rev1
	getJSON(t, hs.URL, "/v1/view/revision", &rev2)
	getJSON(t, hs.URL, "/v1/view/conversations", &page)
	if rev2.Revision == rev1.Revision || len(page.Conversations) != 0 {
		t.Errorf("after DELETE: revision %s (was %s), %d conversations", rev2.Revision, rev1.Revision, len(page.Conversations))
	}
}

func TestViewBadQueries(t *testing.T) {
	_, hs := newServer(t, traceapi.Config{})
	for _, tt := range []struct{ path, field string }{
		{"/v1/view/conversations?bogus=1", "bogus"},
		{"/v1/view/conversations?limit=0", "limit"},
		{"/v1/view/conversations?limit=501", "limit"},
		{"/v1/view/conversations?errors=maybe", "errors"},
		{"/v1/view/conversations?since=yesterday", "since"},
		{"/v1/view/conversations?contract=acme", "contract"},
		{"/v1/view/conversations?cursor=%25%25", "cursor"},
		{"/v1/view/conversations?user=a&user=b", "user"},
		{"/v1/view/interactions", "conversation_id"},
		{"/v1/view/interactions?conversation_id=c&cursor=zz", "cursor"},
		{"/v1/view/interaction", "id"},
		{"/v1/view/interaction?id=x&cursor=-1", "cursor"},
		{"/v1/view/revision?x=1", "query"},
	} {
		r := do(t, hs.URL, req{method: http.MethodGet, path: tt.path})
		if r.status != http.StatusBadRequest {
			t.Errorf("GET %s: %d %s, want 400", tt.path, r.status, r.body)
			continue
		}
		if msg := apiError(t, r); !strings.HasPrefix(msg, tt.field+": ") {
			t.Errorf("GET %s: error %q does not start with %q", tt.path, msg, tt.field)
		}
	}
	if r := do(t, hs.URL, req{path: "/v1/view/conversations", body: []byte("{}")}); r.status != http.StatusMethodNotAllowed {
		t.Errorf("POST /v1/view/conversations: %d", r.status)
	}
}

// TestViewOfEveryContract reads the other contracts' items as steps: their times, models,
// tokens, inputs, outputs, errors and tree.
func TestViewOfEveryContract(t *testing.T) {
	_, hs := newServer(t, traceapi.Config{})
	for _, p := range []struct{ method, path, body string }{
		{http.MethodPost, "/v1/traces/batch", validBatch},
		{http.MethodPost, "/v2/logs/trace", validAdaline},
		{http.MethodPost, fpPath("/api/", "/sessions/"+fpSession+"/traces/id/"+fpTrace), validFreeplayTrace},
		{http.MethodPost, fpPath("/api/", "/sessions/"+fpSession+"/completions"), validCompletion},
		{http.MethodPost, fpPath("/api/", "/trace-feedback/id/"+fpTrace), `{"freeplay_feedback":"positive","feedback_text":"nice"}`},
	} {
		if r := bearer(t, hs.URL, p.method, p.path, "", p.body); r.status >= 300 {
			t.Fatalf("%s %s: %d %s", p.method, p.path, r.status, r.body)
		}
	}
	steps := func(contract string) map[string]traceapi.Step {
		var view traceapi.InteractionView
		getJSON(t, hs.URL, "/v1/view/interaction?id=int-1&contract="+contract, &view)
		out := map[string]traceapi.Step{}
		for _, s := range view.Steps {
			out[s.Kind+":"+s.ID] = s
		}
		return out
	}

	b := steps("neuraltrust-batch")
	tr, msg, gen, ret := b["trace:int-1"], b["span:msg-1"], b["span:gen-1"], b["span:ret-1"]
	if tr.StartMs != 1_700_000_000_000 || tr.EndMs != 1_700_000_000_100 || tr.UserID != "u-1" || tr.Name != "POST /chat" {
		t.Errorf("batch trace: %+v", tr)
	}
	if msg.ParentUID != tr.UID || gen.ParentUID != msg.UID || msg.Input != "hi" || gen.Error != "error" || !ret.Provisional || gen.LatencyMs != 40 {
		t.Errorf("batch spans: msg %+v\ngen %+v\nret %+v", msg, gen, ret)
	}

	a := steps("adaline")
	agen, atool := a["span:gen-1"], a["span:tool-1"]
	if agen.Model != "gpt-4o" || agen.Provider != "openai" || agen.Input != `[{"role":"user","content":"hi"}]` || agen.Output != "hello" {
		t.Errorf("adaline generation: %+v", agen)
	}
	if atool.Error != "failure" || atool.ParentUID != a["trace:int-1"].UID || atool.Input != `{"city":"Paris"}` {
		t.Errorf("adaline tool: %+v", atool)
	}

	f := steps("freeplay")
	ftr, comp, fb := f["trace:"+fpTrace], f["completion:"+fpGen], f["trace_feedback:"+fpTrace]
	if ftr.Input != "What's the weather?" || ftr.Output != `{"answer":"18°C"}` || ftr.LatencyMs != 100 {
		t.Errorf("freeplay trace: %+v", ftr)
	}
	if comp.Model != "gpt-4o" || comp.InputTokens != 10 || comp.OutputTokens != 5 || comp.TotalTokens != 15 || comp.LatencyMs != 40 ||
		comp.Input != `[{"content":"hi","role":"user"}]` || comp.Output != `[{"content":"hello","role":"assistant"}]` || comp.ParentUID != ftr.UID {
		t.Errorf("freeplay completion: %+v", comp)
	}
	if fb.FeedbackTag != "positive" || fb.FeedbackText != "nice" || fb.ParentUID != ftr.UID {
		t.Errorf("freeplay feedback: %+v", fb)
	}

	var page traceapi.ConversationPage
	getJSON(t, hs.URL, "/v1/view/conversations?contract=all", &page)
	got := map[string]traceapi.ConversationSummary{}
	for _, c := range page.Conversations {
		got[c.ConversationID] = c
	}
	// The batch's failed generation and Adaline's failed tool; no tokens were given.
	if c := got["conv-1"]; len(c.Contracts) != 3 || c.TotalTokens != 0 || c.Errors != 2 || c.UserID != "u-1" {
		t.Errorf("conv-1 across contracts: %+v", c)
	}
	// The completion names no conversation: its session stands in.
	if c := got[fpSession]; c.TotalTokens != 15 || c.Records != 1 {
		t.Errorf("the completion's conversation: %+v", c)
	}
}

// TestStepsCutCycles: parent links that loop are cut, so that every step has a path to
// the top.
func TestStepsCutCycles(t *testing.T) {
	mk := func(seq int64, id, parent string) traceapi.StoredRecord {
		return traceapi.StoredRecord{Seq: seq, TraceID: id, ParentID: parent, Raw: []byte(`{}`)}
	}
	steps := traceapi.Steps([]traceapi.StoredRecord{mk(1, "a", "b"), mk(2, "b", "a"), mk(3, "c", "c"), mk(4, "d", "a")})
	parent := map[string]string{}
	for _, s := range steps {
		parent[s.UID] = s.ParentUID
	}
	for uid := range parent {
		seen := map[string]bool{}
		for u := uid; u != ""; u = parent[u] {
			if seen[u] {
				t.Fatalf("step %s is in a cycle: %v", uid, parent)
			}
			seen[u] = true
		}
	}
	if parent["4"] != "1" || parent["3"] != "" {
		t.Errorf("parents %v: d should stay under a, c not under itself", parent)
	}
}

func TestPreview(t *testing.T) {
	long := strings.Repeat("é", 200)
	for _, tt := range []struct{ text, role, want string }{
		{"plain  text\n\twith\x00space", "user", "plain text with space"},
		{`[{"role":"system","content":"be brief"},{"role":"user","content":"first"},{"role":"assistant","content":"x"},{"role":"user","content":[{"type":"text","text":"last"},{"type":"text","text":"part"}]}]`, "user", "last part"},
		{`[{"role":"assistant","content":"answer"}]`, "assistant", "answer"},
		{`[{"role":"assistant","content":"answer"}]`, "user", `[{"role":"assistant","content":"answer"}]`},
		{long, "user", strings.Repeat("é", traceapi.PreviewRunes) + "…"},
		{"", "user", ""},
	} {
		if got := traceapi.Preview(tt.text, tt.role); got != tt.want {
			t.Errorf("Preview(%.40q, %s) = %q, want %q", tt.text, tt.role, got, tt.want)
		}
	}
}

// TestRecordsPagesAndFilters: GET /v1/records pages with limit and cursor, and filters by
// session, user and time.
func TestRecordsPagesAndFilters(t *testing.T) {
	_, hs := newServer(t, traceapi.Config{})
	postChat(t, hs.URL, "conv-a", "int-a1", 1_700_000_000_000)
	postChat(t, hs.URL, "conv-b", "int-b1", 1_700_000_050_000)
	ids := func(q string) (string, http.Header) {
		t.Helper()
		r := do(t, hs.URL, req{method: http.MethodGet, path: "/v1/records" + q})
		if r.status != http.StatusOK {
			t.Fatalf("GET /v1/records%s: %d %s", q, r.status, r.body)
		}
		var recs []record.Record
		if err := json.Unmarshal(r.body, &recs); err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, rec := range recs {
			out = append(out, rec.TraceID)
		}
		return strings.Join(out, " "), r.header
	}
	var all []string
	q := "?limit=3"
	for n := 0; ; n++ {
		got, h := ids(q)
		all = append(all, got)
		next := h.Get("X-Next-Cursor")
		if next == "" {
			break
		}
		link := h.Get("Link")
		want := "</v1/records?cursor=" + next + "&limit=3>; rel=\"next\""
		if link != want || n > 5 {
			t.Fatalf("Link %q, want %q", link, want)
		}
		q = "?limit=3&cursor=" + url.QueryEscape(next)
	}
	if got := strings.Join(all, " | "); got != "int-a1-ret int-a1-gen int-a1-tool | int-a1-msg int-b1-ret int-b1-gen | int-b1-tool int-b1-msg" {
		t.Errorf("pages: %s", got)
	}
	for q, want := range map[string]string{
		"?session_id=sess-conv-b":                  "int-b1-ret int-b1-gen int-b1-tool int-b1-msg",
		"?user=u-1&task=message":                   "int-a1-msg int-b1-msg",
		"?since=1700000050000&until=1700000050014": "int-b1-ret int-b1-msg",
		"?user=nobody":                             "",
	} {
		if got, _ := ids(q); got != want {
			t.Errorf("GET /v1/records%s = %q, want %q", q, got, want)
		}
	}
	for _, q := range []string{"?limit=0", "?limit=10001", "?limit=x", "?cursor=abc", "?since=soon"} {
		if r := do(t, hs.URL, req{method: http.MethodGet, path: "/v1/records" + q}); r.status != http.StatusBadRequest {
			t.Errorf("GET /v1/records%s: %d, want 400", q, r.status)
		}
	}
	var items []traceapi.Item
	getJSON(t, hs.URL, "/v1/items?limit=2&cursor=2", &items)
	if len(items) != 2 || items[0].Seq != 3 || items[1].ID != "int-a1-msg" {
		t.Errorf("GET /v1/items page: %+v", items)
	}
}
