package semconv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"reflect"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/internal/jsontext"
)

// The hand-written decoder and encoders of content.go must give exactly what the
// encoding/json code they replaced gives (json_reflect.go, and json.Encoder for the
// encoders). These tests hold them to it on a corpus of every shape content.go reads, on
// variants of it (cut short, spaced, keys re-cased or repeated), and under fuzzing.

// contentCorpus covers every shape of content.go's comments, and the oddities around them.
var contentCorpus = []string{
	// GenAI parts.
	`[{"role":"user","parts":[{"type":"text","content":"hi"},{"type":"text","content":"there"}]}]`,
	`[{"role":"assistant","parts":[{"type":"tool_call","id":"c1","name":"lookup","arguments":{"q": "x"}}],"finish_reason":"tool_call"}]`,
	`[{"role":"tool","parts":[{"type":"tool_call_response","id":"c1","response":{"a":1}}]}]`,
	`[{"role":"tool","parts":[{"type":"tool_call_response","id":"c1","result":"42"}]}]`,
	`[{"role":"tool","parts":[{"type":"tool_call_response","id":"c1","response":null,"result":"x"}]}]`,
	`[{"role":"tool","tool_call_id":"given","parts":[{"type":"tool_call_response","id":"c1","result":[1, 2]}]}]`,
	`[{"role":"user","parts":[{"type":"blob","mime_type":"image/png","content":"AAA"},{"type":"uri","uri":"http://x"}]}]`,
	`[{"role":"assistant","parts":[{"type":"reasoning","content":"think"},{"type":"text","text":"alt"},{"content":{"k": [true, null]}}]}]`,
	`[{"role":"assistant","parts":[{"type":"text","content":""},{"type":"text","content":null,"text":"t"}],"content":"after"}]`,
	// OpenAI chat, and responses' input_text/output_text.
	`[{"role":"system","content":"be nice"},{"role":"user","name":"bob","content":[{"type":"text","text":"hi"},{"type":"image_url","image_url":{"url":"x"}}]},` +
		`{"role":"assistant","content":null,"tool_calls":[{"id":"c2","type":"function","function":{"name":"f","arguments":"{\"x\":1}"}}]},{"role":"tool","tool_call_id":"c2","content":"42"}]`,
	`[{"role":"user","content":[{"type":"input_text","text":"q"}]},{"role":"assistant","content":[{"type":"output_text","text":"a"}]}]`,
	`[{"role":"assistant","content":"x","tool_calls":[{"id":"c","name":"flat","arguments":{"a" : 1},"function":{"arguments":null}}]}]`,
	// Anthropic tool_use / tool_result.
	`[{"role":"assistant","content":[{"type":"text","text":"let me"},{"type":"tool_use","id":"tu1","name":"get","input":{"city":"Paris"}}]},` +
		`{"role":"user","content":[{"type":"tool_result","tool_use_id":"tu1","content":[{"type":"text","text":"sunny"},{"type":"tool_use","name":"lost"}]}]}]`,
	`[{"role":"user","content":[{"type":"tool_result","tool_use_id":"tu1","content":"plain"},{"type":"tool_result","id":"i","content":{"a":1}}]}]`,
	// Vercel AI SDK ≤4 and 5+.
	`[{"role":"assistant","content":[{"type":"tool-call","toolCallId":"v1","toolName":"w","args":{"a":1}}]},{"role":"tool","content":[{"type":"tool-result","toolCallId":"v1","toolName":"w","result":{"t":20}}]}]`,
	`[{"role":"assistant","content":[{"type":"tool-call","toolCallId":"v1","toolName":"w","input":{"a":1},"args":null}]},` +
		`{"role":"tool","content":[{"type":"tool-result","toolCallId":"v1","output":{"type":"json","value":{"t": 20}}}]}]`,
	`[{"role":"tool","content":[{"type":"tool-result","output":{"type":"text","value":"hot"}},{"type":"tool-result","output":"s"},{"type":"tool-result","output":{"value":1}},` +
		`{"type":"tool-result","output":{"type":"error-text"}},{"type":"tool-result","output":[1,2]},{"type":"tool-result","output":null},{"type":"tool-result","output":{"type":1,"value":2}},` +
		`{"type":"tool-result","output":{"type":"t","value":null}},{"type":"tool-result","output":{"Type":"t","value":"v"}},{"type":"tool-result","output":{"type":"t","value":"a","value":"b"}}]}]`,
	// Tool call lists.
	`[{"id":"c1","name":"f","arguments":{"a":1}},{"toolCallId":"v1","toolName":"g","args":"{}"},{"toolCallId":"v2","toolName":"h","input":{"z":[1, 2]}},{"id":"x","function":null},{"function":{}},null]`,
	`[{"id":"c","function":{"name":"n","arguments":" {\"a\": 1} "},"name":"outer","arguments":[1]}]`,
	// Escapes, unicode, invalid UTF-8.
	`[{"role":"user","content":"line\nnext \"q\" \\ \/ \b\f\r\t \u00e9 \ud83d\ude00 \ud800 \udc00x \ud800\u0041 \ud83d\ud83d\ude00 \uDBFF\uDFFF 日本語 \u2028 <&>"}]`,
	"[{\"role\":\"user\",\"content\":\"bad \xff\xfe utf8 \xed\xa0\x80 \xf0\x9f\x98\"}]",
	"[{\"role\":\"\xff\",\"ro\xffle\":1,\"content\":[{\"type\":\"te\xffxt\",\"text\":\"x\"}]}]",
	"[{\"role\":\"user\"}]\xff",
	`[{"r\u006fle":"user","\u0063ontent":"escaped keys"}]`,
	// White space.
	" \t\n\r[ { \"role\" : \"user\" , \"content\" : [ { \"type\" : \"text\" , \"text\" : \"hi\" } ] } ] \n",
	`[{"role":"assistant","tool_calls":[{"id":"c","function":{"name":"f","arguments":{ "q" : [ 1 , 2 ] , "s" : "a b" }}}]}]`,
	// Nulls.
	`null`, `[]`, `[null]`, ` [ null , null ] `,
	`[{"role":null,"content":null,"parts":null,"tool_calls":null,"name":null,"tool_call_id":null,"finish_reason":null}]`,
	`[{"parts":[null],"tool_calls":[null]}]`,
	// Wrong types.
	`[{"role":5}]`, `[{"role":"u","parts":{}}]`, `[{"parts":[1]}]`, `[{"parts":[{"type":1}]}]`, `[{"tool_calls":"x"}]`,
	`[{"tool_calls":[{"function":"x"}]}]`, `[{"tool_calls":[{"function":{"name":1}}]}]`, `[{"tool_calls":[{"function":[]}]}]`,
	`[{"role":"u","content":[{"type":5}]}]`, `[{"role":"u","content":[{"type":"tool_use","name":"n","input":{}},{"type":5}]}]`,
	`[{"role":"u","content":[1,2]}]`, `[{"role":"u","content":{"a": 1}}]`, `[{"role":"u","content":true}]`, `[{"role":"u","content":-1.5e3}]`,
	`[{"role":"u","content":[{"type":"tool_result","content":[{"text":false}]}]}]`,
	`{"role":"u"}`, `"str"`, `5`, `[1]`, `[[]]`, `true`, `[{"role":true}]`, `[{"name":{}}]`, `[{"tool_call_id":[]}]`,
	// Keys re-cased or repeated: encoding/json's own rules, left to it.
	`[{"Role":"user","content":"x"}]`, `[{"role":"a","role":"b"}]`, `[{"ROLE":"x"}]`, `[{"role":null,"role":"b"}]`,
	`[{"role":"user","content":[{"Type":"text","Text":"hi"}]}]`, `[{"role":"u","parts":[{"type":"text","content":"a","content":"b"}]}]`,
	`[{"role":"u","tool_calls":[{"function":{"name":"a"},"function":{"arguments":"{}"}}]}]`,
	`[{"role":"u","part\u017f":[{"type":"text","content":"long s"}]}]`, `[{"role":"u","tool_call\u017f":[]}]`,
	`[{"role":"u","content":[{"type":"tool_use","name":"n","arg\u017f":{"k":1}}]}]`, `[{"role":"u","\u212a":1,"rolé":2}]`,
	// Syntax errors.
	``, ` `, `[`, `[{"role":}]`, `[{"role":"u",}]`, `[1,]`, `[01]`, `[1.]`, `[-]`, `[1e]`, `[1e+]`, `[.5]`, `[+1]`, `[tru]`, `[nul]`, `[nullx]`,
	"[\"\x01\"]", `["\u12"]`, `["\u12g4"]`, `["\q"]`, `["\'"]`, `[] x`, `[]]`, `[{"a" 1}]`, `[{"a":1 "b":2}]`, `[{1:2}]`, `{"a":1}}`,
	`[-0, 0.5e-3, 1E+2, -12.25e10, 9007199254740993]`,
	// Documents.
	`[{"id":7,"score":0.5,"content":"a"},{"document":{"id":"b","content":"c"}}]`,
	`[{"id":"x","score":"0.7","text":"t"},{"score":"high"},{"score":1e400},{"score":"NaN"},{"score":"0x1p-2"},{"score":"-Inf"},{"score":" 1"},{"score":true}]`,
	`[{"id":{"a": 1},"content":["x", 1]},{"document":null,"id":"o"},{"document":{},"id":"o"},{"text":"t","content":""},{"text":"t","content":null}]`,
	`[{"document":{"document":{"text":5}}}]`, `[{"document":5}]`, `[{"text":5}]`, `[{"Document":{}}]`, `[{"id":1,"id":2}]`,
	`[{"document":{"id":"a","document":{"id":"b"}}}]`, `[{"document":{"id":"a"},"document":null}]`,
	// Request objects (promptObject).
	`{"system":"be brief","prompt":"hello"}`, `{"system":[{"type":"text","text":"s"}],"messages":[{"role":"user","content":"q"}]}`,
	`{"prompt":[{"role":"user","content":[{"type":"text","text":"q"}]}]}`, `{"model":"gpt","messages":[{"role":"user","content":"q"}],"temperature":0.2}`,
	`{"prompt":null}`, `{"prompt":{"a": 1}}`, `{"Messages":[]}`, `{"messages":"x"}`, `{"messages":null,"system":null}`, `{"prompt":[{"content":"no role"}]}`,
	`{"system":"a","system":"b"}`, ` {"prompt":"p"} `, `{"prompt":"p"`, `{}`,
	// Responses with choices.
	`{"id":"x","choices":[{"index":0,"message":{"role":"assistant","content":"hi"},"finish_reason":"stop"}]}`,
	`{"choices":[{"text":"legacy","finish_reason":"length"}]}`, `{"choices":[]}`, `{"choices":null}`, `{"choices":[null]}`,
	`{"choices":[{"message":null,"text":"t"}]}`, `{"choices":[{"message":{},"text":"t","finish_reason":"f"}]}`,
	`{"choices":[{"message":{"tool_calls":[{"id":"1","function":{"name":"f","arguments":"{}"}}],"finish_reason":"own"},"finish_reason":"tool_calls"}]}`,
	`{"choices":[{"message":5}]}`, `{"choices":{}}`, `{"choices":[{"message":{"role":1}}]}`, `{"Choices":[{"text":"t"}]}`, `{"choices":[{"text":1}]}`,
	// System instructions.
	`[{"type":"text","content":"be nice"}]`, `[{"role":"system","content":"x"}]`, ` plain `, `[{"type":"text","text":5}]`, `[{"text":"x","parts":5}]`,
	`[{"type":"tool_call","name":"t"},{"type":"tool_call_response","id":"r","result":"ok"}]`, "\u00a0[{\"type\":\"text\",\"content\":\"nbsp\"}]\u0085",
	`[{"type":"image"}]`, `[1]`, `[]`,
	// Message objects (gen_ai.choice events).
	`{"role":"assistant","content":"hi","tool_calls":[{"id":"c","function":{"name":"f","arguments":"{}"}}]}`, `{"content":[{"type":"text","text":"t"}]}`,
	`{"role":5}`, `{"Role":"x"}`, ` {} `, `{}x`,
	// Plain values (jsonText, argsJSON).
	`"x"`, ` {"a" : 1} `, `nul`, `"a" "b"`, `{"a":"b c"}`, `"{\"x\": 1}"`, `  null `, `<b>not json</b>`,
}

// variants returns s with its prefixes (syntax errors mostly), white space between tokens,
// and its keys re-cased and repeated.
func variants(s string) []string {
	out := []string{s}
	for i := 0; i < len(s); i++ {
		out = append(out, s[:i])
	}
	out = append(out,
		strings.NewReplacer(",", " , ", ":", " :\n", "[", "[\t", "}", " }").Replace(s),
		strings.NewReplacer(`"role"`, `"Role"`, `"type"`, `"TYPE"`, `"content"`, `"Content"`).Replace(s),
		strings.NewReplacer(`"role":`, `"role":"x","role":`, `"id":`, `"id":1,"id":`).Replace(s),
		strings.ReplaceAll(s, `"`, `\"`),
		strings.ReplaceAll(s, `null`, `"null"`),
		strings.ReplaceAll(s, `[`, `{`),
	)
	return out
}

func TestContentMatchesReflection(t *testing.T) {
	for _, seed := range contentCorpus {
		for _, s := range variants(seed) {
			checkContent(t, s)
		}
	}
}

// checkContent runs every content reader on s, and on the JSON value it may be, and
// fails on any difference from the reflection-based reading.
func checkContent(t *testing.T, s string) {
	t.Helper()
	same(t, "ParseMessages", s, pair(ParseMessages(s)), pair(parseMessagesSlow(s)))
	same(t, "ParseDocuments", s, pair(ParseDocuments(s)), pair(parseDocumentsSlow(s)))
	same(t, "parseToolCalls", s, pair(parseToolCalls(s)), pair(parseToolCallsSlow(s)))
	same(t, "parsePromptObject", s, pair(parsePromptObject(s)), pair(parsePromptObjectSlow(s)))
	same(t, "parseChoicesObject", s, pair(parseChoicesObject(s)), pair(parseChoicesObjectSlow(s)))
	same(t, "systemMessages", s, systemMessages(s), systemMessagesSlow(s))
	same(t, "textOrParts", s, textOrParts(s), textOrPartsSlow(s))
	same(t, "jsonText", s, jsonText(json.RawMessage(s)), jsonTextSlow(json.RawMessage(s)))
	same(t, "argsJSON", s, argsJSON(s), argsJSONSlow(s))
	same(t, "validJSON", s, jsontext.Valid(s), json.Valid([]byte(s)))
	same(t, "parseMessageObject", s, pair(parseMessageObject(s)), pair(parseMessageObjectSlow(s)))

	// The readers of a raw value get one as encoding/json hands it over: a valid value,
	// without the white space around it.
	raw := strings.Trim(s, " \t\n\r")
	if !json.Valid([]byte(raw)) {
		return
	}
	same(t, "contentText", raw, contentText(raw), contentTextSlow(json.RawMessage(raw)))
	same(t, "toolOutputText", raw, toolOutputText(raw), toolOutputTextSlow(json.RawMessage(raw)))
	same(t, "textOf", raw, textOf(raw), jsonTextSlow(json.RawMessage(raw)))
	same(t, "compactRaw", raw, compactRaw(raw), compactJSONSlow(json.RawMessage(raw)))
	for _, before := range [][]string{nil, {"a"}, {"a", "b"}} {
		var m1, m2 Message
		var text1 texts
		for _, s := range before {
			text1 = text1.add(s)
		}
		text1 = addContent(&m1, raw, text1)
		text2 := addContentSlow(&m2, json.RawMessage(raw), before)
		same(t, "addContent", raw, pair(m1, textList(text1)), pair(m2, text2))
	}
}

// textList is t as the []string it stands for.
func textList(t texts) []string {
	switch t.n {
	case 0:
		return nil
	case 1:
		return []string{t.one}
	}
	return t.more
}

// parseMessageObjectSlow is how dialect_genai.go reads a gen_ai.choice event's message.
func parseMessageObjectSlow(text string) (Message, bool) {
	var rm rawMessage
	if json.Unmarshal([]byte(text), &rm) != nil {
		return Message{}, false
	}
	return rm.normalize(), true
}

// argsJSONSlow is argsJSON as it was, by encoding/json.
func argsJSONSlow(s string) json.RawMessage {
	if s == "" {
		return nil
	}
	if json.Valid([]byte(s)) {
		return compactJSONSlow(json.RawMessage(s))
	}
	b, _ := json.Marshal(s)
	return b
}

type result[A, B any] struct {
	A A
	B B
}

func pair[A, B any](a A, b B) result[A, B] { return result[A, B]{a, b} }

// same fails unless got and want are deeply equal: nil and empty slices (a nil
// json.RawMessage and an empty one) count as different, as they do for a caller that
// checks for nil.
func same[T any](t *testing.T, what, in string, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s(%q):\n got %.2000s\nwant %.2000s", what, short(in), fmt.Sprintf("%#v", got), fmt.Sprintf("%#v", want))
	}
}

// short cuts s for a failure message.
func short(s string) string {
	if len(s) > 300 {
		return s[:150] + "…" + s[len(s)-150:]
	}
	return s
}

func TestDecoderDepth(t *testing.T) {
	for _, n := range []int{maxDepth - 2, maxDepth - 1, maxDepth, maxDepth + 1} {
		deep := strings.Repeat("[", n) + strings.Repeat("]", n)
		checkContent(t, `[{"role":"u","content":`+deep+`}]`)
		checkContent(t, deep)
		doc := strings.Repeat(`{"document":`, n) + `{"id":"x"}` + strings.Repeat("}", n)
		checkContent(t, "["+doc+"]")
	}
}

func TestEncodeMatchesEncoder(t *testing.T) {
	var all [][]Message
	var docs [][]Document
	for _, seed := range contentCorpus {
		for _, s := range variants(seed) {
			if m, ok := parseMessagesSlow(s); ok {
				all = append(all, m)
			}
			if m, ok := parseChoicesObjectSlow(s); ok {
				all = append(all, m)
			}
			if d, ok := parseDocumentsSlow(s); ok {
				docs = append(docs, d)
			}
		}
	}
	for _, s := range []string{"", "plain", "q\"b\\ \b\f\x00\x1f\x7f", "<&> \u2028\u2029", "bad \xff utf8", "日本語"} {
		all = append(all, []Message{{Role: s, Content: s, Name: s, ToolCallID: s, FinishReason: s,
			ToolCalls: []ToolCall{{ID: s, Name: s}, {Name: s, Arguments: json.RawMessage(` {"s": "` + s + `"} `)}}}})
	}
	for _, args := range []string{`{`, `[1,]`, ` 1 `, `"x"`, "{\"a\":\"\xff\"}", `{"a":"<&>"}`, `{"a" : [ 1 , 2 ] }`, ``, `null`, "\u2028"} {
		all = append(all, []Message{{Role: "assistant", ToolCalls: []ToolCall{{Name: "f", Arguments: json.RawMessage(args)}}}})
	}
	all = append(all, nil, []Message{}, []Message{{}})
	for _, m := range all {
		if got, want := EncodeMessages(m), encodeRef(m); got != want {
			t.Fatalf("EncodeMessages(%#v):\n got %s\nwant %s", m, got, want)
		}
	}
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -1.5, 0.1, 1e-6, 9.99e-7, 1e-7, 1e20, 1e21, 123456789.123, 5e-324,
		math.MaxFloat64, -1e-300, math.NaN(), math.Inf(1), math.Inf(-1)} {
		docs = append(docs, []Document{{ID: "i", Score: &f, Content: "c"}, {Score: &f}})
	}
	docs = append(docs, nil, []Document{}, []Document{{}}, []Document{{ID: "<&>\x00", Content: "\xff\u2029"}, {Content: "only"}})
	for _, d := range docs {
		if got, want := EncodeDocuments(d), encodeRef(d); got != want {
			t.Fatalf("EncodeDocuments(%#v):\n got %s\nwant %s", d, got, want)
		}
	}
}

// encodeRef is EncodeMessages / EncodeDocuments as they were: json.Encoder, HTML kept.
func encodeRef[T any](v []T) string {
	if len(v) == 0 {
		return ""
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return ""
	}
	return strings.TrimSuffix(buf.String(), "\n")
}

func addCorpus(f *testing.F) {
	for _, s := range contentCorpus {
		f.Add(s)
	}
}

func FuzzParseMessages(f *testing.F) {
	addCorpus(f)
	f.Fuzz(func(t *testing.T, s string) {
		same(t, "ParseMessages", s, pair(ParseMessages(s)), pair(parseMessagesSlow(s)))
		same(t, "parseToolCalls", s, pair(parseToolCalls(s)), pair(parseToolCallsSlow(s)))
		same(t, "parseMessageObject", s, pair(parseMessageObject(s)), pair(parseMessageObjectSlow(s)))
		same(t, "systemMessages", s, systemMessages(s), systemMessagesSlow(s))
		same(t, "textOrParts", s, textOrParts(s), textOrPartsSlow(s))
	})
}

func FuzzParseDocuments(f *testing.F) {
	addCorpus(f)
	f.Fuzz(func(t *testing.T, s string) {
		same(t, "ParseDocuments", s, pair(ParseDocuments(s)), pair(parseDocumentsSlow(s)))
	})
}

func FuzzParseObjects(f *testing.F) {
	addCorpus(f)
	f.Fuzz(func(t *testing.T, s string) {
		same(t, "parsePromptObject", s, pair(parsePromptObject(s)), pair(parsePromptObjectSlow(s)))
		same(t, "parseChoicesObject", s, pair(parseChoicesObject(s)), pair(parseChoicesObjectSlow(s)))
	})
}

// FuzzJSONText covers the scanner itself: checking, unquoting and compacting values.
func FuzzJSONText(f *testing.F) {
	addCorpus(f)
	f.Fuzz(func(t *testing.T, s string) {
		checkContent(t, s)
	})
}

func FuzzEncodeMessages(f *testing.F) {
	f.Add("user", "hi <&>\n", "c1", `{"a": 1}`, 0.5)
	f.Add("\xff", "\u2028\b\f\x00", "", `{`, math.Inf(1))
	f.Add("", "", "", ``, 1e-7)
	f.Fuzz(func(t *testing.T, role, content, id, args string, score float64) {
		msgs := []Message{{Role: role, Content: content, Name: id, ToolCallID: id, FinishReason: role,
			ToolCalls: []ToolCall{{ID: id, Name: role, Arguments: json.RawMessage(args)}, {Name: content}}}}
		if got, want := EncodeMessages(msgs), encodeRef(msgs); got != want {
			t.Fatalf("EncodeMessages(%#v):\n got %s\nwant %s", msgs, got, want)
		}
		docs := []Document{{ID: id, Score: &score, Content: content}, {Content: role}}
		if got, want := EncodeDocuments(docs), encodeRef(docs); got != want {
			t.Fatalf("EncodeDocuments(%#v):\n got %s\nwant %s", docs, got, want)
		}
	})
}

// benchInputs are content as spans carry it: a GenAI conversation with a kilobyte of text,
// an OpenAI one with tool calls, an Anthropic one, and retrieved documents.
var benchInputs = func() map[string]string {
	doc := strings.Repeat("Refunds are accepted within 30 days of delivery for unworn items. ", 6)
	return map[string]string{
		"genai": `[{"role":"system","parts":[{"type":"text","content":"You are a helpful assistant.\nBe brief."}]},` +
			`{"role":"user","parts":[{"type":"text","content":"Question: how long do I have to return shoes? ` + doc + `"}]},` +
			`{"role":"assistant","parts":[{"type":"text","content":"Within 30 days."}],"finish_reason":"stop"}]`,
		"openai": `[{"role":"user","content":"What's the weather in Paris, in \"°C\"?"},{"role":"assistant","content":null,"tool_calls":[` +
			`{"id":"call_1","type":"function","function":{"name":"get_weather","arguments":"{\"city\":\"Paris\",\"unit\":\"c\"}"}}]},` +
			`{"role":"tool","tool_call_id":"call_1","content":"{\"temp\": 21}"},{"role":"assistant","content":"It is 21 °C in Paris."}]`,
		"anthropic": `[{"role":"assistant","content":[{"type":"text","text":"Let me check."},{"type":"tool_use","id":"tu_1","name":"search","input":{"q": "refund policy", "k": 3}}]},` +
			`{"role":"user","content":[{"type":"tool_result","tool_use_id":"tu_1","content":[{"type":"text","text":"` + doc + `"}]}]}]`,
		"documents": `[{"id":"p#1","score":0.91,"content":"` + doc + `"},{"id":"p#2","score":0.42,"content":"` + doc + `"},{"document":{"id":7,"score":"0.1","content":"short"}}]`,
	}
}()

// BenchmarkContent compares the decoder and encoders with the encoding/json code they
// replaced, on benchInputs: parse, then encode, as the mapper does per span.
func BenchmarkContent(b *testing.B) {
	names := []string{"genai", "openai", "anthropic", "documents"}
	for _, name := range names {
		in := benchInputs[name]
		if name == "documents" {
			b.Run(name+"/fast", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					docs, _ := ParseDocuments(in)
					EncodeDocuments(docs)
				}
			})
			b.Run(name+"/reflect", func(b *testing.B) {
				b.ReportAllocs()
				for b.Loop() {
					docs, _ := parseDocumentsSlow(in)
					encodeRef(docs)
				}
			})
			continue
		}
		b.Run(name+"/fast", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				msgs, _ := ParseMessages(in)
				EncodeMessages(msgs)
			}
		})
		b.Run(name+"/reflect", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				msgs, _ := parseMessagesSlow(in)
				encodeRef(msgs)
			}
		})
	}
}
