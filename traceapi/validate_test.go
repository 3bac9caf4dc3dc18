package traceapi_test

import (
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/traceapi"
)

// vendorNullBody is a record as the vendor's Python SDK posts it: all 18 fields, null for
// every unset one, with json.dumps's ", " and ": " separators.
const vendorNullBody = `{"trace_id": "9b2f6c1e-4a7d-4c1b-9e0a-2f1d3c4b5a69", "conversation_id": "conversation_12345678", ` +
	`"interaction_id": "7f0e2d1c-3b4a-4958-8a7b-6c5d4e3f2a1b", "parent_id": null, "session_id": null, ` +
	`"type": "traces", "task": "message", "channel_id": null, "input": "Hello, how are you?", ` +
	`"output": null, "feedback_tag": null, "feedback_text": null, "start_timestamp": null, ` +
	`"end_timestamp": null, "latency": null, "custom": null, "user": null, "metadata": null}`

func TestPostTraceAccepts(t *testing.T) {
	full := record.Record{
		TraceID: "r-1", ConversationID: "c", InteractionID: "i", ParentID: "p", SessionID: "s",
		Task: record.TaskTool, ChannelID: "ch", Input: "in \u2028 <&> é", Output: `{"a":[1,2]}`,
		FeedbackTag: record.FeedbackNeutral, FeedbackText: "meh", StartTimestamp: 1, EndTimestamp: 2, Latency: 1,
		Custom: "x", User: &record.User{ID: "u", Extra: map[string]string{"team": "a"}},
		Metadata: map[string]any{record.MetaModel: "m", record.MetaInputTokens: int64(3), "flag": true},
	}
	minimal := record.Record{ConversationID: "c", InteractionID: "i", Task: record.TaskMessage}

	tests := []struct {
		name string
		body string
	}{
		{"complete record", build(validFields())},
		{"vendor SDK body with nulls", vendorNullBody},
		{"every optional field null", nullOptionals()},
		{"only the required fields", `{"conversation_id":"c","interaction_id":"i","type":"traces","task":"message"}`},
		{"record package, every field set", string(full.AppendJSON(nil))},
		{"record package, required fields only", string(minimal.AppendJSON(nil))},
		{"zero integers", with("latency", "0")},
		{"largest int64", with("start_timestamp", "9223372036854775807")},
		{"negative zero", with("latency", "-0")},
		{"empty user and metadata", with("user", "{}")},
		{"metadata with any JSON values", with("metadata", `{"a":"s","b":1,"c":1.5,"d":true,"e":null,"f":[1,{"g":2}],"h":{"i":{}}}`)},
		{"empty optional string", with("output", `""`)},
		{"whitespace around the body", " \n\t" + build(validFields()) + "\r\n"},
		{"child before parent", with("parent_id", `"not-yet-sent"`)},
	}
	for _, task := range record.Tasks {
		tests = append(tests, struct{ name, body string }{"task " + string(task), with("task", `"`+string(task)+`"`)})
	}
	for _, tag := range []string{"positive", "negative", "neutral"} {
		tests = append(tests, struct{ name, body string }{"feedback_tag " + tag, with("feedback_tag", `"`+tag+`"`)})
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, hs := newServer(t, traceapi.Config{})
			id := okTraceID(t, post(t, hs.URL, tt.body))
			got := records(t, hs.URL, nil, "")
			if len(got) != 1 {
				t.Fatalf("stored %d records, want 1", len(got))
			}
			if want := strings.TrimSpace(tt.body); string(got[0]) != want {
				t.Errorf("stored record differs from the body sent\n got %s\nwant %s", got[0], want)
			}
			if ids := records(t, hs.URL, nil, "?trace_id="+id); len(ids) != 1 {
				t.Errorf("record not found under its trace_id %q", id)
			}
		})
	}
}

// nullOptionals is the valid record with null for every optional field.
func nullOptionals() string {
	required := map[string]bool{"conversation_id": true, "interaction_id": true, "type": true, "task": true}
	fs := validFields()
	for i := range fs {
		if !required[fs[i].key] {
			fs[i].raw = "null"
		}
	}
	return build(fs)
}

var uuid4 = regexp.MustCompile(`^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`)

func TestPostTraceAssignsTraceID(t *testing.T) {
	for name, body := range map[string]string{
		"null":    with("trace_id", "null"),
		"missing": without("trace_id"),
	} {
		t.Run(name, func(t *testing.T) {
			_, hs := newServer(t, traceapi.Config{OnDuplicate: traceapi.DuplicateReject})
			id1 := okTraceID(t, post(t, hs.URL, body))
			id2 := okTraceID(t, post(t, hs.URL, body)) // no 409: each gets its own id
			for _, id := range []string{id1, id2} {
				if !uuid4.MatchString(id) {
					t.Errorf("assigned trace_id %q does not look like a UUID v4", id)
				}
			}
			if id1 == id2 {
				t.Errorf("two records got the same assigned id %q", id1)
			}
			got := records(t, hs.URL, nil, "?trace_id="+id2)
			if len(got) != 1 || string(got[0]) != body {
				t.Errorf("GET ?trace_id=%s = %s, want the second body as sent", id2, got)
			}
		})
	}
}

func TestPostTraceRejects(t *testing.T) {
	type tc struct {
		name      string
		body      string
		wantField string // the error must start with wantField + ": "
		wantMsg   string // and contain this
	}
	tests := []tc{
		{"invalid JSON", `{"conversation_id":`, "body", "invalid JSON"},
		{"trailing data", build(validFields()) + ` {}`, "body", "invalid JSON"},
		{"empty body", ``, "body", "empty"},
		{"array body", `[` + build(validFields()) + `]`, "body", "must be a JSON object, got array"},
		{"string body", `"hello"`, "body", "must be a JSON object, got string"},
		{"null body", `null`, "body", "must be a JSON object, got null"},
		{"invalid UTF-8", with("input", "\"\xff\xfe\""), "body", "not valid UTF-8"},
		{"unknown field", with("span_name", `"chat"`), "span_name", "unknown field"},
		{"unknown field set to null", with("tokens", `null`), "tokens", "unknown field"},
		{"field name in the wrong case", with("Task", `"tool"`), "Task", "unknown field"},
		{"repeated key", build(append(validFields(), field{"task", `"tool"`})), "task", "repeated key"},
		{"missing conversation_id", without("conversation_id"), "conversation_id", "required field is missing"},
		{"missing interaction_id", without("interaction_id"), "interaction_id", "required field is missing"},
		{"missing type", without("type"), "type", "required field is missing"},
		{"missing task", without("task"), "task", "required field is missing"},
		{"null conversation_id", with("conversation_id", "null"), "conversation_id", "must not be null"},
		{"null interaction_id", with("interaction_id", "null"), "interaction_id", "must not be null"},
		{"null type", with("type", "null"), "type", "must not be null"},
		{"null task", with("task", "null"), "task", "must not be null"},
		{"empty conversation_id", with("conversation_id", `""`), "conversation_id", "must not be empty"},
		{"empty interaction_id", with("interaction_id", `""`), "interaction_id", "must not be empty"},
		{"empty trace_id", with("trace_id", `""`), "trace_id", "must not be empty"},
		{"wrong type value", with("type", `"trace"`), "type", `must be "traces", got "trace"`},
		{"unknown task", with("task", `"foo"`), "task", `unknown task "foo"`},
		{"task in upper case", with("task", `"MESSAGE"`), "task", `unknown task "MESSAGE"`},
		{"empty task", with("task", `""`), "task", `unknown task ""`},
		{"bad feedback_tag", with("feedback_tag", `"great"`), "feedback_tag", `unknown feedback tag "great"`},
		{"fractional latency", with("latency", `1.5`), "latency", "must be an integer, got non-integer number 1.5"},
		{"exponent timestamp", with("start_timestamp", `1.7e12`), "start_timestamp", "must be an integer"},
		{"integral exponent", with("end_timestamp", `1e3`), "end_timestamp", "must be an integer"},
		{"negative latency", with("latency", `-5`), "latency", "must not be negative"},
		{"overflowing timestamp", with("end_timestamp", `9223372036854775808`), "end_timestamp", "64-bit"},
		{"user not an object", with("user", `"u1"`), "user", "must be an object, got string"},
		{"user as an array", with("user", `[]`), "user", "must be an object, got array"},
		{"user value not a string", with("user", `{"user_id":"u","age":42}`), "user.age", "must be a string, got number"},
		{"user value null", with("user", `{"user_id":null}`), "user.user_id", "must be a string, got null"},
		{"metadata not an object", with("metadata", `"m"`), "metadata", "must be an object, got string"},
		{"metadata as an array", with("metadata", `[{"a":1}]`), "metadata", "must be an object, got array"},
		{"first of two errors in contract order", build([]field{{"task", `"foo"`}, {"conversation_id", `1`}, {"interaction_id", `"i"`}, {"type", `"traces"`}}), "conversation_id", "must be a string"},
	}
	// Every wrong JSON type for every typed field.
	kinds := map[string]string{"string": `"1"`, "number": `1`, "boolean": `true`, "object": `{}`, "array": `[]`}
	strFields := []string{"trace_id", "conversation_id", "interaction_id", "parent_id", "session_id", "type", "task",
		"channel_id", "input", "output", "feedback_tag", "feedback_text", "custom"}
	for _, f := range strFields {
		for kind, raw := range kinds {
			if kind != "string" {
				tests = append(tests, tc{f + " as " + kind, with(f, raw), f, "must be a string, got " + kind})
			}
		}
	}
	for _, f := range []string{"start_timestamp", "end_timestamp", "latency"} {
		for kind, raw := range kinds {
			if kind != "number" {
				tests = append(tests, tc{f + " as " + kind, with(f, raw), f, "must be an integer, got " + kind})
			}
		}
	}
	for _, f := range []string{"user", "metadata"} {
		for kind, raw := range kinds {
			if kind != "object" {
				tests = append(tests, tc{f + " as " + kind, with(f, raw), f, "must be an object, got " + kind})
			}
		}
	}

	_, hs := newServer(t, traceapi.Config{})
	for i, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := post(t, hs.URL, tt.body)
			if r.status != http.StatusBadRequest {
				t.Fatalf("status %d, want 400; body %s", r.status, r.body)
			}
			msg := apiError(t, r)
			if !strings.HasPrefix(msg, tt.wantField+": ") || !strings.Contains(msg, tt.wantMsg) {
				t.Errorf("error %q, want %q followed by something containing %q", msg, tt.wantField+": ", tt.wantMsg)
			}
			st := stats(t, hs.URL, nil)
			if st.Stored != 0 || st.Received != 0 || st.Rejected != int64(i+1) {
				t.Errorf("stats after %d invalid bodies = %+v, want nothing stored or received and %d rejected", i+1, st, i+1)
			}
		})
	}
}

// The validator is usable without HTTP, and reports a *FieldError.
func TestParseRecord(t *testing.T) {
	rec, err := traceapi.ParseRecord([]byte(build(validFields())))
	if err != nil {
		t.Fatal(err)
	}
	want := traceapi.StoredRecord{TraceID: "t-1", ConversationID: "conv-1", InteractionID: "int-1",
		ParentID: "p-0", SessionID: "sess-1", Task: record.TaskGeneration, Raw: rec.Raw}
	if fmt.Sprint(rec) != fmt.Sprint(want) || string(rec.Raw) != build(validFields()) {
		t.Errorf("ParseRecord = %+v, want %+v", rec, want)
	}
	_, err = traceapi.ParseRecord([]byte(without("task")))
	fe, ok := err.(*traceapi.FieldError)
	if !ok || fe.Field != "task" || err.Error() != "task: required field is missing" {
		t.Errorf("ParseRecord error = %#v, want *FieldError for task", err)
	}
}
