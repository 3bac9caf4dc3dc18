package semconv_test

import (
	"testing"

	"github.com/tracebridge/tracebridge/semconv"
)

func TestParseMessagesShapes(t *testing.T) {
	cases := []struct{ name, in, want string }{
		{"parts", `[{"role":"user","parts":[{"type":"text","content":"hi"},{"type":"text","content":"there"}]}]`,
			`[{"role":"user","content":"hi\nthere"}]`},
		{"content string", `[{"role":"user","content":"hi"}]`, `[{"role":"user","content":"hi"}]`},
		{"content parts", `[{"role":"user","content":[{"type":"text","text":"hi"}]}]`, `[{"role":"user","content":"hi"}]`},
		{"tool call part", `[{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"lookup","arguments":{"q": "x"}}]}]`,
			`[{"role":"assistant","tool_calls":[{"id":"c1","name":"lookup","arguments":{"q":"x"}}]}]`},
		{"tool response result", `[{"role":"tool","parts":[{"type":"tool_call_response","id":"c1","result":"42"}]}]`,
			`[{"role":"tool","content":"42","tool_call_id":"c1"}]`},
		{"tool response object", `[{"role":"tool","parts":[{"type":"tool_call_response","id":"c1","response":{"a":1}}]}]`,
			`[{"role":"tool","content":"{\"a\":1}","tool_call_id":"c1"}]`},
		{"openai tool_calls", `[{"role":"assistant","content":null,"tool_calls":[{"id":"c2","type":"function","function":{"name":"f","arguments":"{\"x\":1}"}}]}]`,
			`[{"role":"assistant","tool_calls":[{"id":"c2","name":"f","arguments":"{\"x\":1}"}]}]`},
		{"media part", `[{"role":"user","parts":[{"type":"blob","mime_type":"image/png"}]}]`, `[{"role":"user","content":"[blob]"}]`},
		{"html kept verbatim", `[{"role":"user","content":"<script>x</script> & co"}]`, `[{"role":"user","content":"<script>x</script> & co"}]`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			msgs, ok := semconv.ParseMessages(c.in)
			if !ok {
				t.Fatal("not parsed")
			}
			if got := semconv.EncodeMessages(msgs); got != c.want {
				t.Errorf("\n got %s\nwant %s", got, c.want)
			}
		})
	}
	if _, ok := semconv.ParseMessages(`{"role":`); ok {
		t.Error("malformed JSON must be reported, not parsed")
	}
}

func TestParseDocuments(t *testing.T) {
	docs, ok := semconv.ParseDocuments(`[{"id":7,"score":0.5,"content":"a"},{"document":{"id":"b","content":"c"}}]`)
	if !ok || len(docs) != 2 || docs[0].ID != "7" || *docs[0].Score != 0.5 || docs[1].ID != "b" || docs[1].Content != "c" {
		t.Fatalf("%+v", docs)
	}
}
