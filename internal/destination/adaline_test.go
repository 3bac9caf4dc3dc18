package destination

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/record"
)

type adalineBody struct {
	ProjectID string        `json:"projectId"`
	Trace     adalineTrace  `json:"trace"`
	Spans     []adalineSpan `json:"spans"`
}

func adalineDest(t *testing.T) Destination {
	return mustNew(t, Settings{Name: Adaline, ProjectID: adalineProj, BaseURL: "http://127.0.0.1:1"})
}

func TestAdalineWholeTrace(t *testing.T) {
	recs := turn()
	reqs := adalineDest(t).Encode(recs)
	if len(reqs) != 1 || reqs[0].Method != http.MethodPost || reqs[0].URL != "http://127.0.0.1:1/v2/logs/trace" || len(reqs[0].Records) != 5 {
		t.Fatalf("one POST /logs/trace with every record: %+v", reqs)
	}
	var b adalineBody
	strictDecode(t, reqs[0].Body, &b)
	tr := b.Trace
	if b.ProjectID != adalineProj || tr.ReferenceID != interaction || tr.Name != "POST /chat" || tr.Status != "success" ||
		tr.SessionID != "sess-1" || tr.StartedAt != 1_000_000 || tr.EndedAt != 1_000_100 || len(tr.Tags) != 1 || tr.Tags[0] != "beta" {
		t.Errorf("trace %+v", tr)
	}
	if tr.Attributes["user_id"] != "u-1" || tr.Attributes["conversation_id"] != "conv-1" || tr.Attributes["input_tokens"] != float64(10) {
		t.Errorf("trace attributes %v", tr.Attributes)
	}
	if _, ok := tr.Attributes["tags"]; ok {
		t.Error("tags are a field, not an attribute")
	}
	byRef := map[string]adalineSpan{}
	for _, s := range b.Spans {
		byRef[s.ReferenceID] = s
		for k, v := range s.Attributes {
			switch v.(type) {
			case string, float64, bool:
			default:
				t.Errorf("%s: attribute %s is not a scalar: %v", s.Name, k, v)
			}
		}
		for _, j := range []string{s.Content.Input, s.Content.Output} {
			if !json.Valid([]byte(j)) {
				t.Errorf("%s: content is not JSON text: %s", s.Name, j)
			}
		}
		if s.EndedAt <= s.StartedAt {
			t.Errorf("%s: endedAt %d not after startedAt %d", s.Name, s.EndedAt, s.StartedAt)
		}
	}
	root, gen, tool, ev, fb := byRef[msgID], byRef[genID], byRef[toolID], byRef[evalID], byRef[fbID]
	if root.ParentReferenceID != "" || root.Content.Type != ContentOther || root.Content.Input != `"weather?"` || root.Content.Output != `"18°C"` {
		t.Errorf("root span %+v", root)
	}
	if gen.ParentReferenceID != msgID || gen.Content.Type != ContentModel || gen.Content.Provider != "openai" || gen.Content.Model != "gpt-4o" ||
		gen.Content.Input != `[{"role":"user","content":"weather?"}]` {
		t.Errorf("generation %+v", gen)
	}
	if tool.Content.Type != ContentTool || tool.Status != "failure" || tool.Content.Output != `"sunny"` || tool.Attributes["error"] != "timeout" {
		t.Errorf("tool %+v", tool)
	}
	if ev.ParentReferenceID != genID || ev.EndedAt != ev.StartedAt+1 || ev.Attributes["evaluation_score"] != 0.9 {
		t.Errorf("evaluation (an instant: endedAt = startedAt + 1) %+v", ev)
	}
	if fb.Content.Output != `{"feedback_tag":"positive","feedback_text":"great"}` {
		t.Errorf("feedback %+v", fb)
	}
}

func TestAdalineProvisionalMessageHoldsItsRootSpan(t *testing.T) {
	recs := turn()[:2]
	recs[0].Metadata["provisional"] = true
	reqs := adalineDest(t).Encode(recs)
	var b adalineBody
	strictDecode(t, reqs[0].Body, &b)
	if b.Trace.Status != "pending" || len(b.Spans) != 1 || b.Spans[0].ReferenceID != genID {
		t.Errorf("a provisional message: pending trace, no root span yet: %+v", b)
	}
	if _, ok := b.Trace.Attributes["provisional"]; ok {
		t.Error("provisional is the status, not an attribute")
	}
	if len(reqs[0].Records) != 2 {
		t.Errorf("the message is delivered with its trace: %v", reqs[0].Records)
	}
}

func TestAdalineLaterRecordsArePostedAsSpans(t *testing.T) {
	recs := turn()[2:] // tool, evaluation, feedback: their message went earlier
	reqs := adalineDest(t).Encode(recs)
	if len(reqs) != 3 {
		t.Fatalf("one POST /logs/span per record: %d", len(reqs))
	}
	for i, r := range reqs {
		if r.URL != "http://127.0.0.1:1/v2/logs/span" || r.Kind != "span" || len(r.Records) != 1 || r.Records[0] != i {
			t.Errorf("request %d: %s %s %v", i, r.Kind, r.URL, r.Records)
		}
		var b struct {
			ProjectID string      `json:"projectId"`
			Span      adalineSpan `json:"span"`
		}
		strictDecode(t, r.Body, &b)
		if b.Span.TraceReferenceID != interaction || b.Span.ReferenceID != recs[i].TraceID {
			t.Errorf("span %+v", b.Span)
		}
	}
}

func TestAdalineRefused(t *testing.T) {
	d := adalineDest(t)
	recs := turn()[:3]
	reqs := d.Encode(recs)
	exists := []byte(`{"error":"Log trace already exists with referenceId \"x\""}`)
	v := d.Refused(recs, &reqs[0], http.StatusConflict, exists)
	if v.Delivered || len(v.Then) != 4 {
		t.Fatalf("a re-sent trace becomes a PATCH and its spans: %+v", v)
	}
	patch := v.Then[0]
	if patch.Method != http.MethodPatch || patch.URL != "http://127.0.0.1:1/v2/logs/trace" || patch.Records[0] != 0 {
		t.Errorf("patch %+v", patch)
	}
	var p struct {
		ProjectID   string       `json:"projectId"`
		ReferenceID string       `json:"referenceId"`
		LogTrace    adalinePatch `json:"logTrace"`
	}
	strictDecode(t, patch.Body, &p)
	if p.ReferenceID != interaction || p.LogTrace.Status != "success" || p.LogTrace.EndedAt != 1_000_100 ||
		len(p.LogTrace.Tags) != 1 || p.LogTrace.Tags[0] != (adalineTagOp{"create", "beta"}) {
		t.Errorf("patch body %+v", p)
	}
	keys := []string{}
	for _, a := range p.LogTrace.Attributes {
		if a.Operation != "create" {
			t.Errorf("operation %+v", a)
		}
		keys = append(keys, a.Key)
	}
	if !strings.Contains(strings.Join(keys, ","), "input_tokens") {
		t.Errorf("patched attributes %v", keys)
	}
	for i, want := range []int{0, 1, 2} { // the root span, the generation, the tool
		if r := v.Then[i+1]; r.Kind != "span" || r.Records[0] != want {
			t.Errorf("follow-up %d: %s %v", i, r.Kind, r.Records)
		}
	}
	span := d.Encode(turn()[1:2])
	if v := d.Refused(recs, &span[0], http.StatusConflict, []byte(`Log span already exists with referenceId "y"`)); !v.Delivered {
		t.Error("a re-sent span is delivered (first write wins)")
	}
	if v := d.Refused(recs, &reqs[0], http.StatusBadRequest, []byte(`startedAt must be before endedAt`)); v.Delivered || v.Then != nil {
		t.Error("another 400 stays a failure")
	}
}

func TestAdalineIDLimits(t *testing.T) {
	recs := turn()[:2]
	recs[1].TraceID = strings.Repeat("x", 129)
	reqs := adalineDest(t).Encode(recs)
	var failed bool
	for _, r := range reqs {
		if r.Err != nil && len(r.Records) == 1 && r.Records[0] == 1 {
			failed = true
		}
	}
	if !failed {
		t.Errorf("a record whose id cannot be a referenceId fails before sending: %+v", reqs)
	}
	covered(t, 2, reqs)
}

func TestAdalineEmbeddingsAndGuardrail(t *testing.T) {
	r := turn()[1]
	r.Metadata = map[string]any{"operation": "embeddings", "model": "text-embedding-3-small"}
	if c := adalineContentOf(&r); c.Type != ContentEmbeddings || c.Model != "" {
		t.Errorf("embeddings %+v", c)
	}
	r.Metadata = map[string]any{}
	if c := adalineContentOf(&r); c.Provider != "unknown" || c.Model != "unknown" {
		t.Errorf("a model call with no model named %+v", c)
	}
	e := turn()[3]
	e.Metadata = map[string]any{"operation": "GUARDRAIL"}
	if c := adalineContentOf(&e); c.Type != ContentGuardrail {
		t.Errorf("guardrail %+v", c)
	}
	e.Task = record.TaskRouter
	if c := adalineContentOf(&e); c.Type != ContentOther {
		t.Errorf("router %+v", c)
	}
}
