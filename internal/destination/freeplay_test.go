package destination

import (
	"net/http"
	"testing"
)

func freeplayDest(t *testing.T) Destination {
	return mustNew(t, Settings{Name: Freeplay, ProjectID: freeplayPID, BaseURL: "http://127.0.0.1:1/api"})
}

func TestFreeplayRequests(t *testing.T) {
	recs := turn()
	reqs := freeplayDest(t).Encode(recs)
	covered(t, len(recs), reqs)
	prefix := "http://127.0.0.1:1/api/v2/projects/" + freeplayPID
	session := UUIDFor("sess-1")
	byKind := map[string]Request{}
	for _, r := range flat(reqs) {
		byKind[r.Kind+"/"+r.URL] = r
	}
	// The feedback is about the message's trace, recorded by the same batch: it follows it.
	if len(reqs) != 3 || len(reqs[0].Next) != 1 || reqs[0].Next[0].Kind != "feedback" {
		t.Errorf("feedback must be sent after the trace it is about: %d requests, first's Next %v", len(reqs), reqs[0].Next)
	}
	reqs = flat(reqs)
	want := map[string][]int{
		"trace/" + prefix + "/sessions/" + session + "/traces/id/" + msgID:  {0},
		"completion/" + prefix + "/sessions/" + session + "/completions":    {1, 3}, // the evaluation goes with it
		"trace/" + prefix + "/sessions/" + session + "/traces/id/" + toolID: {2},
		"feedback/" + prefix + "/trace-feedback/id/" + msgID:                {4},
	}
	if len(reqs) != len(want) {
		t.Fatalf("%d requests, want %d: %+v", len(reqs), len(want), reqs)
	}
	for k, idxs := range want {
		r, ok := byKind[k]
		if !ok || r.Method != http.MethodPost || len(r.Records) != len(idxs) || r.Records[0] != idxs[0] {
			t.Errorf("%s: %+v", k, r)
		}
	}

	var msg freeplayTrace
	strictDecode(t, byKind["trace/"+prefix+"/sessions/"+session+"/traces/id/"+msgID].Body, &msg)
	if msg.ParentID != "" || msg.Kind != "" || msg.Name != "POST /chat" || string(msg.Input) != `"weather?"` ||
		msg.StartTime != "1970-01-01T00:16:40.000Z" || msg.EndTime != "1970-01-01T00:16:40.100Z" ||
		msg.CustomMetadata["interaction_id"] != interaction || msg.CustomMetadata["user_id"] != "u-1" || msg.CustomMetadata["input_tokens"] != float64(10) {
		t.Errorf("message trace %+v", msg)
	}
	var tool freeplayTrace
	strictDecode(t, byKind["trace/"+prefix+"/sessions/"+session+"/traces/id/"+toolID].Body, &tool)
	if tool.Kind != "tool" || tool.ParentID != msgID || string(tool.Input) != `{"city":"Paris"}` || string(tool.Output) != `"sunny"` {
		t.Errorf("tool trace %+v", tool)
	}
	var c freeplayCompletion
	strictDecode(t, byKind["completion/"+prefix+"/sessions/"+session+"/completions"].Body, &c)
	if c.CompletionID != genID || c.ParentID != msgID || len(c.Messages) != 2 || c.CallInfo.Model != "gpt-4o" || c.CallInfo.Provider != "openai" ||
		c.CallInfo.StartTime != 1000.01 || c.CallInfo.EndTime != 1000.05 || c.CallInfo.Usage == nil || *c.CallInfo.Usage != (freeplayUsage{10, 5}) {
		t.Errorf("completion %+v", c)
	}
	if c.EvalResults["relevance"] != 0.9 || c.CustomMetadata["evaluation.relevance.label"] != "relevant" {
		t.Errorf("the evaluation reaches eval_results: %v %v", c.EvalResults, c.CustomMetadata)
	}
	fb := decode(t, byKind["feedback/"+prefix+"/trace-feedback/id/"+msgID].Body)
	if len(fb) != 3 || fb["freeplay_feedback"] != "positive" || fb["feedback_tag"] != "positive" || fb["feedback_text"] != "great" {
		t.Errorf("feedback %v", fb)
	}
}

func TestFreeplayUpdateFollowsItsTrace(t *testing.T) {
	recs := turn()[:3] // message, generation, tool
	ev := turn()[3]
	ev.ParentID = toolID
	recs = append(recs, ev)
	reqs := freeplayDest(t).Encode(recs)
	covered(t, len(recs), reqs)
	for _, r := range reqs {
		if r.Kind == "update" {
			t.Fatalf("the update of a trace of the same batch is sent on its own: %+v", r)
		}
		if r.Kind == "trace" && r.Records[0] == 2 && (len(r.Next) != 1 || r.Next[0].Method != http.MethodPatch || r.Next[0].Records[0] != 3) {
			t.Errorf("the tool's trace must carry the evaluation's update as Next: %+v", r.Next)
		}
	}
}

func TestFreeplayEvaluationOfATraceSentEarlier(t *testing.T) {
	ev := turn()[3]
	ev.ParentID = toolID // a trace, sent in an earlier request
	ev.Metadata = map[string]any{"evaluation_name": "safety", "evaluation_label": "pass", "evaluation_explanation": "no PII"}
	reqs := freeplayDest(t).Encode(append(turn()[:0:0], ev))
	if len(reqs) != 1 || reqs[0].Method != http.MethodPatch || reqs[0].Kind != "update" {
		t.Fatalf("an evaluation alone patches its trace: %+v", reqs)
	}
	if want := "http://127.0.0.1:1/api/v2/projects/" + freeplayPID + "/sessions/" + UUIDFor("sess-1") + "/traces/id/" + toolID; reqs[0].URL != want {
		t.Errorf("URL %s, want %s", reqs[0].URL, want)
	}
	var u freeplayUpdate
	strictDecode(t, reqs[0].Body, &u)
	if u.EvalResults["safety"] != true || u.Metadata["evaluation.safety.explanation"] != "no PII" || u.Output != nil {
		t.Errorf("update %+v", u)
	}
}

func TestFreeplaySessionFallsBackToConversation(t *testing.T) {
	r := turn()[0]
	r.SessionID = ""
	if got, want := freeplaySession(&r), UUIDFor("conv-1"); got != want {
		t.Errorf("session %s, want the conversation's %s", got, want)
	}
}

func TestMessagesFromText(t *testing.T) {
	if m := messages("hello", "user"); len(m) != 1 || string(m[0]) != `{"content":"hello","role":"user"}` {
		t.Errorf("%s", m)
	}
	if m := messages(`[{"role":"user","content":"a"},{"role":"assistant","content":"b"}]`, "user"); len(m) != 2 {
		t.Errorf("%s", m)
	}
	if m := messages("", "user"); m != nil {
		t.Errorf("%s", m)
	}
}
