package record_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/record"
)

func TestShrinkFitsAndMarks(t *testing.T) {
	r := record.Record{
		TraceID: "t", ConversationID: "c", InteractionID: "i", Task: record.TaskGeneration,
		Input: strings.Repeat("é", 100_000), Output: strings.Repeat("x", 300_000), Custom: "small",
		Metadata: map[string]any{"model": "m", "error": strings.Repeat("e", 50_000)},
	}
	for _, limit := range []int{200_000, 20_000, 2_000} {
		s, cut := r.Shrink(limit)
		body := s.AppendJSON(nil)
		if !cut || len(body) > limit {
			t.Fatalf("limit %d: %d bytes (cut=%v)", limit, len(body), cut)
		}
		if !json.Valid(body) {
			t.Fatalf("limit %d: invalid JSON", limit)
		}
		if !strings.Contains(s.Output, "…[truncated ") || s.Custom != "small" || s.Metadata["model"] != "m" || s.Metadata["truncated"] != true {
			t.Errorf("limit %d: %q… custom=%q meta=%v", limit, s.Output[:20], s.Custom, s.Metadata["model"])
		}
	}
	if _, ok := r.Metadata["truncated"]; ok || len(r.Output) != 300_000 {
		t.Error("Shrink modified its receiver")
	}
	if s, cut := r.Shrink(1 << 30); cut || s.Output != r.Output {
		t.Error("a record within the limit must be left alone")
	}
}

func TestMaxEncodedSizeIsABound(t *testing.T) {
	for _, r := range []record.Record{
		{},
		{TraceID: "t", Input: "\x00\x01\x02", Output: strings.Repeat("\"", 100), Metadata: map[string]any{"a": int64(1 << 60), "b": 1.5e300, "c": true, "d": []string{"x\n"}}},
		{User: &record.User{ID: "u", Extra: map[string]string{"k": "\t"}}, Custom: "é\u2028"},
	} {
		if got, bound := len(r.AppendJSON(nil)), r.MaxEncodedSize(); got > bound {
			t.Errorf("encoded %d bytes over the bound %d: %+v", got, bound, r)
		}
	}
}
