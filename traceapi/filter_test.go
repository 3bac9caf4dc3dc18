package traceapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/traceapi"
)

func TestRecordsFilters(t *testing.T) {
	_, hs := newServer(t, traceapi.Config{})
	// id, conversation, interaction, task; posted children first, as the SDK does.
	recs := [][4]string{
		{"a", "c1", "i1", "tool"},
		{"b", "c1", "i1", "generation"},
		{"c", "c1", "i1", "message"},
		{"d", "c1", "i2", "message"},
		{"e", "c2", "i3", "tool"},
		{"f", "c2", "i3", "message"},
	}
	for _, r := range recs {
		body := build([]field{{"trace_id", `"` + r[0] + `"`}, {"conversation_id", `"` + r[1] + `"`},
			{"interaction_id", `"` + r[2] + `"`}, {"type", `"traces"`}, {"task", `"` + r[3] + `"`}})
		okTraceID(t, post(t, hs.URL, body))
	}
	tests := []struct {
		query string
		want  string // trace ids, in order
	}{
		{"", "abcdef"},
		{"?conversation_id=c1", "abcd"},
		{"?interaction_id=i3", "ef"},
		{"?task=message", "cdf"},
		{"?trace_id=e", "e"},
		{"?conversation_id=c1&task=message", "cd"},
		{"?conversation_id=c1&interaction_id=i1&task=tool", "a"},
		{"?conversation_id=c2&interaction_id=i1", ""},
		{"?conversation_id=nope", ""},
		{"?trace_id=zzz", ""},
		{"?task=", "abcdef"}, // an empty value filters nothing
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			var got string
			for _, raw := range records(t, hs.URL, nil, tt.query) {
				var r struct {
					TraceID string `json:"trace_id"`
				}
				if err := json.Unmarshal(raw, &r); err != nil {
					t.Fatal(err)
				}
				got += r.TraceID
			}
			if got != tt.want {
				t.Errorf("GET /v1/records%s = %q, want %q", tt.query, got, tt.want)
			}
		})
	}
}

func TestRecordsBadQuery(t *testing.T) {
	_, hs := newServer(t, traceapi.Config{})
	okTraceID(t, post(t, hs.URL, build(validFields())))
	tests := []struct{ query, field string }{
		{"?conversation=c1", "conversation"},
		{"?task=foo", "task"},
		{"?task=tool&task=message", "task"},
		{"?trace_id=a&trace_id=b", "trace_id"},
		{"?conversation_id=%zz", "query"},
	}
	for _, tt := range tests {
		t.Run(tt.query, func(t *testing.T) {
			r := do(t, hs.URL, req{method: http.MethodGet, path: "/v1/records" + tt.query})
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400; body %s", r.status, r.body)
			}
			if msg := apiError(t, r); !strings.HasPrefix(msg, tt.field+": ") {
				t.Errorf("error %q does not start with %q", msg, tt.field+": ")
			}
		})
	}
}
