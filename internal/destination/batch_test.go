package destination

import (
	"fmt"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/record"
)

func TestBatchEnvelope(t *testing.T) {
	recs := turn()
	reqs := mustNew(t, Settings{Name: NeuralTrustBatch}).Encode(recs)
	if len(reqs) != 1 || len(reqs[0].Records) != len(recs) {
		t.Fatalf("one request for one interaction: %+v", reqs)
	}
	var envs []struct {
		Resource map[string]string `json:"resource"`
		Traces   []struct {
			TraceID      string            `json:"trace_id"`
			WorkflowName *string           `json:"workflow_name"`
			GroupID      string            `json:"group_id"`
			StartedAt    float64           `json:"started_at"`
			EndedAt      float64           `json:"ended_at"`
			Attributes   map[string]string `json:"attributes"`
			Spans        []struct {
				ID         string            `json:"id"`
				ParentID   *string           `json:"parent_id"`
				Name       string            `json:"name"`
				Kind       string            `json:"kind"`
				Status     string            `json:"status"`
				StartedAt  float64           `json:"started_at"`
				EndedAt    float64           `json:"ended_at"`
				Attributes map[string]string `json:"attributes"`
				Events     []any             `json:"events"`
			} `json:"spans"`
		} `json:"traces"`
	}
	strictDecode(t, reqs[0].Body, &envs)
	if len(envs) != 1 || len(envs[0].Traces) != 1 {
		t.Fatalf("%s", reqs[0].Body)
	}
	if r := envs[0].Resource; r["sdk_name"] != "tracebridge" || r["language"] != "go" || r["runtime"] == "" || r["sdk_version"] == "" {
		t.Errorf("resource %v", r)
	}
	tr := envs[0].Traces[0]
	if tr.TraceID != interaction || tr.GroupID != "conv-1" || tr.WorkflowName == nil || *tr.WorkflowName != "POST /chat" ||
		tr.StartedAt != 1000 || tr.EndedAt != 1000.1 || tr.Attributes["session_id"] != "sess-1" || tr.Attributes["user_id"] != "u-1" {
		t.Errorf("trace %+v", tr)
	}
	kinds := map[string]string{}
	for _, s := range tr.Spans {
		kinds[s.ID] = s.Kind + "/" + s.Status
		if s.Events == nil {
			t.Errorf("%s: events must be a list", s.ID)
		}
	}
	want := map[string]string{msgID: "workflow/ok", genID: "llm/ok", toolID: "tool/error", evalID: "internal/ok", fbID: "internal/ok"}
	if fmt.Sprint(kinds) != fmt.Sprint(want) {
		t.Errorf("kinds %v, want %v", kinds, want)
	}
	root, tool := tr.Spans[0], tr.Spans[2]
	if root.ParentID != nil || root.Attributes["input"] != "weather?" || root.Attributes["input_tokens"] != "10" || root.Attributes["tags"] != `["beta"]` {
		t.Errorf("root span %+v", root)
	}
	if *tool.ParentID != msgID || tool.Attributes["error"] != "timeout" || tool.Attributes["task"] != "tool" || tool.StartedAt != 1000.06 {
		t.Errorf("tool span %+v", tool)
	}
}

func TestBatchWithoutMessageAndLimits(t *testing.T) {
	d := mustNew(t, Settings{Name: NeuralTrustBatch})
	recs := turn()[1:3]
	reqs := d.Encode(recs)
	m := decodeArray(t, reqs[0].Body)
	tr := m[0]["traces"].([]any)[0].(map[string]any)
	if tr["workflow_name"] != nil || tr["started_at"] != 1000.01 || tr["ended_at"] != 1000.07 {
		t.Errorf("a trace without its message: null workflow, times of the spans held: %v", tr)
	}
	// 60 interactions of one record each: 25 traces per request.
	var many []record.Record
	for i := range 60 {
		r := turn()[0]
		r.InteractionID = fmt.Sprintf("i-%d", i)
		many = append(many, r)
	}
	reqs = d.Encode(many)
	if len(reqs) != 3 || len(reqs[0].Records) != 25 || len(reqs[2].Records) != 10 {
		t.Errorf("want 25+25+10, got %d requests", len(reqs))
	}
	covered(t, len(many), reqs)
	// One interaction larger than the byte bound goes out in several requests.
	big := turn()[:2]
	for i := range 40 {
		r := turn()[1]
		r.TraceID = fmt.Sprintf("big-%d", i)
		r.Output = strings.Repeat("x", 64<<10)
		big = append(big, r)
	}
	reqs = d.Encode(big)
	if len(reqs) < 2 {
		t.Fatalf("a 2.5 MiB interaction in one request")
	}
	for _, r := range reqs {
		if len(r.Body) > batchMaxBytes+64<<10+4096 {
			t.Errorf("request of %d bytes", len(r.Body))
		}
	}
	covered(t, len(big), reqs)
}
