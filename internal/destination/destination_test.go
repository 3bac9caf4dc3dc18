package destination

import (
	"bytes"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/internal/endpoint"
	"github.com/tracebridge/tracebridge/record"
)

const (
	interaction = "7f1a0c3e-5b2d-5e8f-9a4b-1c2d3e4f5a6b"
	msgID       = "0b9d1e2f-3a4b-5c6d-8e7f-9a0b1c2d3e4f"
	genID       = "1c2d3e4f-5a6b-5c7d-8e9f-0a1b2c3d4e5f"
	toolID      = "2d3e4f5a-6b7c-5d8e-9f0a-1b2c3d4e5f6a"
	evalID      = "3e4f5a6b-7c8d-5e9f-8a1b-2c3d4e5f6a7b"
	fbID        = "4f5a6b7c-8d9e-5f0a-9b2c-3d4e5f6a7b8c"
	adalineProj = "proj_0123456789abcdef"
	freeplayPID = "9a3c1b52-7e4d-4f0a-8b6c-2d1e0f9a8b7c"
)

// turn is one interaction: a message, a generation and a tool under it, an evaluation of
// the generation, and feedback on the message.
func turn() []record.Record {
	base := record.Record{ConversationID: "conv-1", InteractionID: interaction, SessionID: "sess-1", User: &record.User{ID: "u-1"}}
	at := func(r record.Record, start, end int64) record.Record {
		r.StartTimestamp, r.EndTimestamp, r.Latency = 1_000_000+start, 1_000_000+end, end-start
		return r
	}
	msg := at(base, 0, 100)
	msg.TraceID, msg.Task, msg.Input, msg.Output = msgID, record.TaskMessage, "weather?", "18°C"
	msg.Metadata = map[string]any{"span_name": "POST /chat", "status": "ok", "input_tokens": int64(10), "output_tokens": int64(5), "tags": []string{"beta"}}
	gen := at(base, 10, 50)
	gen.TraceID, gen.ParentID, gen.Task = genID, msgID, record.TaskGeneration
	gen.Input, gen.Output = `[{"role":"user","content":"weather?"}]`, `[{"role":"assistant","content":"18°C"}]`
	gen.Metadata = map[string]any{"span_name": "chat gpt-4o", "status": "ok", "model": "gpt-4o", "provider": "openai", "input_tokens": int64(10), "output_tokens": int64(5)}
	tool := at(base, 60, 70)
	tool.TraceID, tool.ParentID, tool.Task, tool.Input, tool.Output = toolID, msgID, record.TaskTool, `{"city":"Paris"}`, "sunny"
	tool.Metadata = map[string]any{"span_name": "execute_tool get_weather", "status": "error", "error": "timeout", "tool_name": "get_weather"}
	ev := at(base, 80, 80)
	ev.TraceID, ev.ParentID, ev.Task = evalID, genID, record.TaskEvent
	ev.Metadata = map[string]any{"span_name": "relevance", "status": "ok", "evaluation_name": "relevance", "evaluation_score": 0.9, "evaluation_label": "relevant"}
	fb := at(base, 90, 90)
	fb.TraceID, fb.ParentID, fb.Task, fb.FeedbackTag, fb.FeedbackText = fbID, msgID, record.TaskFeedback, "positive", "great"
	fb.Metadata = map[string]any{"status": "ok"}
	return []record.Record{msg, gen, tool, ev, fb}
}

func mustNew(t *testing.T, s Settings) Destination {
	t.Helper()
	d, err := New(s)
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// flat lists requests with the Next of each after it.
func flat(reqs []Request) []Request {
	var out []Request
	for _, r := range reqs {
		out = append(out, r)
		out = append(out, flat(r.Next)...)
	}
	return out
}

// covered checks that every record is carried by some request.
func covered(t *testing.T, n int, reqs []Request) {
	t.Helper()
	seen := make([]bool, n)
	for _, r := range flat(reqs) {
		for _, i := range r.Records {
			seen[i] = true
		}
	}
	for i, ok := range seen {
		if !ok {
			t.Errorf("record %d is carried by no request", i)
		}
	}
}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return m
}

// strictDecode decodes b into v, refusing fields v does not name: a test that lists every
// field it expects fails on an invented one.
func strictDecode(t *testing.T, b []byte, v any) {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
}

func decodeArray(t *testing.T, b []byte) []map[string]any {
	t.Helper()
	var m []map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatalf("%v: %s", err, b)
	}
	return m
}

func TestNewAndURLs(t *testing.T) {
	for _, tt := range []struct {
		s    Settings
		want string
	}{
		{Settings{}, "https://api-prod.neuraltrust.ai/v1/trace"},
		{Settings{Name: NeuralTrustBatch, BaseURL: "http://127.0.0.1:8400/v1/"}, "http://127.0.0.1:8400/v1/traces/batch"},
		{Settings{Name: Adaline, ProjectID: adalineProj}, "https://api.adaline.ai/v2/logs/trace"},
		{Settings{Name: Adaline, ProjectID: adalineProj, BaseURL: "http://localhost:9/"}, "http://localhost:9/v2/logs/trace"},
		{Settings{Name: Freeplay, ProjectID: freeplayPID}, "https://app.freeplay.ai/api/v2/projects/" + freeplayPID + "/sessions/"},
	} {
		d := mustNew(t, tt.s)
		reqs := d.Encode(turn()[:1])
		if len(reqs) == 0 || !strings.HasPrefix(reqs[0].URL, tt.want) {
			t.Errorf("%+v: first URL %v, want prefix %s", tt.s, reqs, tt.want)
		}
	}
	for _, tt := range []struct {
		s       Settings
		setting string
	}{
		{Settings{Name: Adaline, ProjectID: "short"}, SettingProjectID},
		{Settings{Name: Freeplay, ProjectID: "not-a-uuid"}, SettingProjectID},
		{Settings{Name: Freeplay, BaseURL: "ftp://x"}, SettingBaseURL},
		{Settings{Name: NeuralTrustBatch, BaseURL: "http://10.1.2.3"}, SettingBaseURL},
	} {
		_, err := New(tt.s)
		var se *SettingError
		if !errors.As(err, &se) || se.Setting != tt.setting {
			t.Errorf("%+v: error %v, want a %s error", tt.s, err, tt.setting)
		}
	}
	if _, err := New(Settings{Name: NeuralTrustBatch, BaseURL: "http://10.1.2.3"}); !errors.Is(err, endpoint.ErrPlainHTTP) {
		t.Errorf("plain http to a remote host: %v", err)
	}
	if err := CheckName("datadog"); !errors.Is(err, ErrUnknown) || !strings.Contains(err.Error(), "neuraltrust-batch") {
		t.Errorf("CheckName: %v", err)
	}
}

func TestHeader(t *testing.T) {
	if h := Header(NeuralTrust, "k"); h.Get("token") != "k" || h.Get("Authorization") != "" {
		t.Errorf("v1: %v", h)
	}
	for _, n := range []string{NeuralTrustBatch, Adaline, Freeplay} {
		if h := Header(n, "k"); h.Get("Authorization") != "Bearer k" || h.Get("token") != "" {
			t.Errorf("%s: %v", n, h)
		}
	}
	if h := Header(Adaline, ""); len(h) != 0 {
		t.Errorf("no key, no header: %v", h)
	}
}

func TestJSONText(t *testing.T) {
	for in, want := range map[string]string{
		"":                 "null",
		"Paris":            `"Paris"`,
		"42":               `"42"`,
		`{"a": 1}`:         `{"a":1}`,
		` [1, 2] `:         `[1,2]`,
		`{"broken":`:       `"{\"broken\":"`,
		"<b>&</b>":         `"<b>&</b>"`,
		"line\nbreak\"quo": `"line\nbreak\"quo"`,
	} {
		got := string(jsonText(in))
		if got != want || !json.Valid([]byte(got)) {
			t.Errorf("jsonText(%q) = %s, want %s", in, got, want)
		}
	}
}

func TestUUIDFor(t *testing.T) {
	if got := UUIDFor(strings.ToUpper(msgID)); got != msgID {
		t.Errorf("a UUID stays itself: %s", got)
	}
	a, b := UUIDFor("conv-1"), UUIDFor("conv-1")
	if a != b || !IsUUID(a) || a[14] != '5' {
		t.Errorf("name-based v5: %s %s", a, b)
	}
	if UUIDFor("conv-2") == a {
		t.Error("different ids, same UUID")
	}
}

func TestNeuralTrustOneRecordPerRequest(t *testing.T) {
	recs := turn()
	reqs := mustNew(t, Settings{}).Encode(recs)
	if len(reqs) != len(recs) {
		t.Fatalf("%d requests for %d records", len(reqs), len(recs))
	}
	for i, r := range reqs {
		if string(r.Body) != string(recs[i].AppendJSON(nil)) || len(r.Records) != 1 || r.Records[0] != i {
			t.Errorf("request %d: %s %v", i, r.Body, r.Records)
		}
	}
}
