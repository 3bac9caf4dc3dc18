package record_test

import (
	"bytes"
	"encoding/json"
	"math"
	"reflect"
	"testing"

	"github.com/tracebridge/tracebridge/record"
)

func TestEncodeAllFieldsNullWhenUnset(t *testing.T) {
	r := record.Record{ConversationID: "c", InteractionID: "i", Task: record.TaskMessage}
	got := string(r.AppendJSON(nil))
	want := `{"trace_id":null,"conversation_id":"c","interaction_id":"i","parent_id":null,"session_id":null,"type":"traces","task":"message","channel_id":null,"input":null,"output":null,"feedback_tag":null,"feedback_text":null,"start_timestamp":0,"end_timestamp":0,"latency":0,"custom":null,"user":null,"metadata":null}`
	if got != want {
		t.Errorf("\n got %s\nwant %s", got, want)
	}
}

func TestRoundTrip(t *testing.T) {
	r := record.Record{
		TraceID: "t", ConversationID: "c", InteractionID: "i", ParentID: "p", SessionID: "s",
		Task: record.TaskGeneration, ChannelID: "web", Input: "in \"q\"\n<b>", Output: "out ✓",
		FeedbackTag: "positive", FeedbackText: "good", StartTimestamp: 1700000000123, EndTimestamp: 1700000000456,
		Latency: 333, Custom: `{"k":1}`,
		User:     &record.User{ID: "u", Email: "e@x", Extra: map[string]string{"plan": "pro"}},
		Metadata: map[string]any{"model": "m", "input_tokens": int64(3), "stream": true, "score": 0.5},
	}
	b, err := json.Marshal(&r)
	if err != nil {
		t.Fatal(err)
	}
	if !json.Valid(b) {
		t.Fatalf("invalid JSON: %s", b)
	}
	var back record.Record
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(r, back) {
		t.Errorf("round trip:\n got %+v\nwant %+v", back, r)
	}
}

func TestAppendStringMatchesEncodingJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "q\"b\\", "\x00\x01\x1f\t\r\n", "\u2028\u2029", "bad \xff utf8", "<&>", "日本語"} {
		got := record.AppendString(nil, s)
		var back string
		if err := json.Unmarshal(got, &back); err != nil {
			t.Fatalf("%q encodes to invalid JSON %s: %v", s, got, err)
		}
		var want string
		ref, _ := json.Marshal(s)
		_ = json.Unmarshal(ref, &want)
		if back != want {
			t.Errorf("%q: decodes to %q, encoding/json gives %q", s, back, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	f.Add("hello \x00 \xff \u2028")
	f.Add("plain ascii text, long enough for words: \"quoted\" \\ back\b\f\x1f\x7f é ✓ \xed\xa0\x80")
	f.Fuzz(func(t *testing.T, s string) {
		got := record.AppendString(nil, s)
		var want bytes.Buffer
		enc := json.NewEncoder(&want)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		if w := bytes.TrimSuffix(want.Bytes(), []byte("\n")); !bytes.Equal(got, w) {
			t.Fatalf("AppendString(%q) = %s, encoding/json: %s", s, got, w)
		}
	})
}

func TestTasks(t *testing.T) {
	for _, task := range []string{"message", "tool", "agent", "retrieval", "generation", "feedback", "router", "system", "event"} {
		if !record.Task(task).Valid() {
			t.Errorf("%s should be valid", task)
		}
	}
	if record.Task("span").Valid() || record.ValidFeedbackTag("meh") {
		t.Error("unknown values accepted")
	}
}

func TestNonFiniteMetadataIsNull(t *testing.T) {
	r := record.Record{Task: record.TaskEvent, Metadata: map[string]any{"score": math.NaN(), "max": math.Inf(1)}}
	b := r.AppendJSON(nil)
	if !json.Valid(b) || !bytes.Contains(b, []byte(`"max":null,"score":null`)) {
		t.Fatalf("got %s", b)
	}
}
