package destination

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/record"
)

// The hand-written encoders must write the very bytes the reflection-based ones
// (reference_test.go) wrote.

// sameRequests fails unless got and want are the same requests, bodies byte for byte.
func sameRequests(t *testing.T, name string, got, want []Request) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("%s: %d requests, want %d", name, len(got), len(want))
	}
	for i := range got {
		g, w := got[i], want[i]
		if !bytes.Equal(g.Body, w.Body) {
			t.Fatalf("%s: request %d body differs\n got %s\nwant %s", name, i, g.Body, w.Body)
		}
		if g.Method != w.Method || g.URL != w.URL || g.Kind != w.Kind || fmt.Sprint(g.Err) != fmt.Sprint(w.Err) ||
			!reflect.DeepEqual(g.Records, w.Records) {
			t.Fatalf("%s: request %d: got %s %s %s %v %v, want %s %s %s %v %v", name, i,
				g.Method, g.URL, g.Kind, g.Records, g.Err, w.Method, w.URL, w.Kind, w.Records, w.Err)
		}
		sameRequests(t, fmt.Sprintf("%s: request %d: next", name, i), g.Next, w.Next)
	}
}

// checkAgainstReference encodes recs with every hand-written encoder and its reference.
func checkAgainstReference(t *testing.T, name string, recs []record.Record) {
	t.Helper()
	b := mustNew(t, Settings{Name: NeuralTrustBatch}).(batch)
	sameRequests(t, name+": batch", b.Encode(recs), refBatchEncode(b, recs))
	a := mustNew(t, Settings{Name: Adaline, ProjectID: adalineProj}).(adaline)
	reqs := a.Encode(recs)
	sameRequests(t, name+": adaline", reqs, refAdalineEncode(a, recs))
	// The re-send path: the trace's patch and its spans one by one.
	for _, req := range reqs {
		if req.Kind != "trace" {
			continue
		}
		sameRequests(t, name+": adaline patch", []Request{a.patchRequest(recs, req.Records[0])},
			[]Request{refAdalinePatchRequest(a, recs, req.Records[0])})
		sameRequests(t, name+": adaline spans", a.spanRequests(recs, req.Records, new(jsonWriter)),
			refAdalineSpanRequests(a, recs, req.Records))
	}
	f := mustNew(t, Settings{Name: Freeplay, ProjectID: freeplayPID}).(freeplay)
	sameRequests(t, name+": freeplay", f.Encode(recs), refFreeplayEncode(f, recs))
}

func TestEncodersMatchReference(t *testing.T) {
	checkAgainstReference(t, "turn", turn())
	checkAgainstReference(t, "bench", benchRecords(512))
	provisionalTurn := turn()
	provisionalTurn[0].Metadata["provisional"] = true
	checkAgainstReference(t, "provisional", provisionalTurn)
	checkAgainstReference(t, "later spans", turn()[2:])
	checkAgainstReference(t, "odd values", oddRecords())
	big := turn()
	for i := range 40 {
		r := turn()[1]
		r.TraceID = fmt.Sprintf("big-%d", i)
		r.Output = strings.Repeat("x", 64<<10)
		big = append(big, r)
	}
	checkAgainstReference(t, "over the byte bound", big)
}

// oddRecords carry what JSON encoders get wrong: escapes, invalid UTF-8, JSON text with
// whitespace or broken, every kind of metadata value, keys that override record fields.
func oddRecords() []record.Record {
	recs := turn()
	strs := []string{
		"\b\f\x00\x1f\x7f\t\r\n", "bad \xff\xfe utf8 \xe2\x80", "\u2028\u2029 <&> ' \" \\ /", "日本語 🎉",
		` [ {"a" : 1 ,"b":[true, null]} ] `, "\u00a0[1,2]\u0085", `{"broken":`, `[1,]`, `{"s":"\u00e9\n"}`,
		"[\"\xff\"]", `{"deep":[[[[[[{"x":-0.5e-7}]]]]]]}`, "42", "true", "",
	}
	for i := range recs {
		r := &recs[i]
		r.Input, r.Output = strs[i%len(strs)], strs[(i+5)%len(strs)]
		r.ChannelID, r.Custom = strs[(i+2)%len(strs)], strs[(i+3)%len(strs)]
		r.User = &record.User{ID: "u\b", Phone: "+1 \f", Extra: map[string]string{"plan": "pro", "ü": "\u2028"}}
	}
	recs[0].Metadata = map[string]any{
		"span_name": "POST /chat\b", "status": "ok", "tags": []string{"a\fb", "<c>"}, "task": "override",
		"int": 7, "neg": int64(-3), "f1": 0.1, "f2": 1e21, "f3": 1e-7, "f4": -0.0, "f5": 123456789.125, "f6": 1e20,
		"yes": true, "no": false, "nil": nil, "num": json.Number("12"), "numf": json.Number("1.5"),
		"list": []any{1.5, "x\b", nil}, "nilList": []string(nil), "empty": []string{}, "u8": uint8(3), "f32": float32(0.1),
		"named": record.TaskTool, "\u2028key\b": "v",
		"nested": map[string]any{"a": "x", "b": map[string]any{"c": int64(1), "d": []any{1, "two"}}},
	}
	recs[1].Metadata["operation"] = "embeddings"
	recs[2].Metadata["tags"] = []any{"x", 1, "y"}
	recs[3].Metadata = map[string]any{"operation": "GUARDRAIL", "status": "error", "error": "blocked\f"}
	recs[4].Metadata["tags"] = "solo"
	recs[4].Metadata["provisional"] = true
	// Evaluations of a trace of the batch, of one sent earlier, by label, by a score in text.
	for i, m := range []map[string]any{
		{"evaluation_name": "safety", "evaluation_label": "pass", "evaluation_explanation": "no PII\b"},
		{"evaluation_score": "0.25", "evaluation_label": "meh"},
		{"evaluation_name": "relevance", "evaluation_score": json.Number("1e-9")},
		{"evaluation_label": "no", "span_name": "judge"},
	} {
		ev := turn()[3]
		ev.TraceID, ev.ParentID, ev.Metadata = fmt.Sprintf("ev-%d", i), []string{toolID, "elsewhere", genID, ""}[i], m
		recs = append(recs, ev)
	}
	return recs
}

func TestBatchNonFiniteFloats(t *testing.T) {
	recs := turn()
	recs[1].Metadata["nan"], recs[1].Metadata["inf"] = math.NaN(), math.Inf(-1)
	b := mustNew(t, Settings{Name: NeuralTrustBatch}).(batch)
	sameRequests(t, "batch", b.Encode(recs), refBatchEncode(b, recs))
}

// A NaN or infinite metadata value (from a redaction hook, say) has no JSON form: the
// reference encoders panicked on it; the value becomes null and the rest is sent.
func TestNonFiniteFloatsBecomeNull(t *testing.T) {
	recs := turn()
	recs[1].Metadata["nan"], recs[1].Metadata["inf"] = math.NaN(), math.Inf(-1)
	for _, s := range []Settings{{Name: Adaline, ProjectID: "project-0123456789-abcdef"}, {Name: Freeplay, ProjectID: freeplayPID}} {
		d := mustNew(t, s)
		for _, req := range d.Encode(recs) {
			if !json.Valid(req.Body) {
				t.Fatalf("%s: invalid JSON: %s", s.Name, req.Body)
			}
			if bytes.Contains(req.Body, []byte("NaN")) || bytes.Contains(req.Body, []byte("Inf")) {
				t.Errorf("%s: non-finite number written: %s", s.Name, req.Body)
			}
		}
	}
}

// TestEncodersMatchReferenceRandom is FuzzEncoders over fixed seeds, for every test run.
func TestEncodersMatchReferenceRandom(t *testing.T) {
	strs := []string{"q\b\"\u2028\xff", `[{"role":"user","content":"hi"}]`, ` { "a" : [1, 2.5e-8, true] } `, "{", "42"}
	for seed := range uint64(200) {
		checkAgainstReference(t, fmt.Sprint("seed ", seed), fuzzRecords(rand.New(rand.NewPCG(seed, 7)), strs))
	}
}

// FuzzEncoders builds records from the fuzzer's strings and a seed and holds the encoders
// to the reference.
func FuzzEncoders(f *testing.F) {
	f.Add(uint64(1), "weather?", `[{"role":"user","content":"hi"}]`, "k\xff")
	f.Add(uint64(2), "\b\f\u2028", " { \"a\" : [1, 2.5e-8] } ", "span")
	f.Add(uint64(3), "[", `{"x":"\ud800"}`, "")
	f.Fuzz(func(t *testing.T, seed uint64, s1, s2, s3 string) {
		checkAgainstReference(t, "fuzz", fuzzRecords(rand.New(rand.NewPCG(seed, seed>>1)), []string{s1, s2, s3}))
	})
}

// fuzzRecords makes a few interactions of random records whose strings come from strs.
// Metadata keys never contain dots: a nested object's dotted keys could then collide with
// them, and which one won in the reference depended on map order.
func fuzzRecords(rng *rand.Rand, strs []string) []record.Record {
	// Words the encoders look for, so that the fuzzer reaches their branches.
	words := []string{"pass", "FAIL", "1.5", "embeddings", "GUARDRAIL", "positive", "negative", "error", "ok", "[]", " [ ] "}
	str := func() string {
		switch rng.IntN(7) {
		case 0:
			return ""
		case 1:
			return strs[rng.IntN(len(strs))] + strs[rng.IntN(len(strs))]
		case 2:
			return "[" + strs[rng.IntN(len(strs))] + "]"
		case 3:
			return words[rng.IntN(len(words))]
		}
		return strs[rng.IntN(len(strs))]
	}
	keys := []string{"task", "input", "span_name", "tool_name", "agent_name", "status", "model", "provider", "operation",
		"tags", "provisional", "input_tokens", "output_tokens", "evaluation_name", "evaluation_score", "evaluation_label",
		"evaluation_explanation", "a", "b"}
	key := func() string {
		k := str()
		if strings.Contains(k, ".") || rng.IntN(2) == 0 {
			k = keys[rng.IntN(len(keys))]
		}
		return k
	}
	var value func(depth int) any
	value = func(depth int) any {
		switch rng.IntN(11) {
		case 0:
			return str()
		case 1:
			return rng.IntN(2) == 0
		case 2:
			return rng.Int64() >> rng.IntN(64)
		case 3:
			return int(rng.Int32())
		case 4:
			return (rng.Float64() - 0.5) * math.Pow(10, float64(rng.IntN(60)-30))
		case 5:
			return []string{str(), str()}
		case 6:
			return []any{str(), rng.Float64()}
		case 7:
			return json.Number(fmt.Sprint(rng.IntN(1000)))
		case 8:
			if depth < 2 {
				m := map[string]any{}
				for range rng.IntN(3) {
					m[key()] = value(depth + 1)
				}
				return m
			}
		case 9:
			return nil
		}
		return str()
	}
	var recs []record.Record
	for n := range 1 + rng.IntN(3) {
		inter := fmt.Sprintf("i-%d", n)
		for k := range 1 + rng.IntN(6) {
			r := record.Record{
				TraceID: fmt.Sprintf("r-%d-%d", n, k), ConversationID: str(), InteractionID: inter, SessionID: str(),
				Task: record.Tasks[rng.IntN(len(record.Tasks))], ChannelID: str(), Input: str(), Output: str(),
				FeedbackTag: str(), FeedbackText: str(), Custom: str(),
				StartTimestamp: rng.Int64N(2e12), Latency: rng.Int64N(1e4),
			}
			switch {
			case k == 0:
				r.Task = record.TaskMessage
			case rng.IntN(4) == 0:
				r.ParentID = fmt.Sprintf("r-%d-%d", rng.IntN(3), rng.IntN(6)) // here or not
			default:
				r.ParentID = fmt.Sprintf("r-%d-%d", n, rng.IntN(k))
			}
			r.EndTimestamp = r.StartTimestamp + rng.Int64N(1e4)
			if rng.IntN(2) == 0 {
				r.User = &record.User{ID: str(), Email: str(), Extra: map[string]string{key(): str()}}
			}
			r.Metadata = map[string]any{}
			for range rng.IntN(8) {
				r.Metadata[key()] = value(0)
			}
			recs = append(recs, r)
		}
	}
	rng.Shuffle(len(recs), func(i, j int) { recs[i], recs[j] = recs[j], recs[i] })
	return recs
}

func TestAppendJSONFloat(t *testing.T) {
	for _, f := range []float64{0, -0.0, 1, -1.5, 0.1, 1e-6, 9.99e-7, 1e-7, 1.5e-300, 1e20, 1e21, 1.7976931348623157e308,
		5e-324, 123456789.125, 1e15, -2.5e-9} {
		if got, want := appendJSONFloat(nil, f), marshal(f); !bytes.Equal(got, want) {
			t.Errorf("%v: %s, want %s", f, got, want)
		}
	}
}

func FuzzJSONText(f *testing.F) {
	for _, s := range []string{`[1, 2]`, ` {"a" : "b c"} `, `{"a":1}x`, `["\u12g4"]`, "[\"\xff\"]", "\u00a0{}", "plain"} {
		f.Add(s)
	}
	f.Fuzz(checkJSONText)
}

// checkJSONText holds jsonTextOf to jsonText (the scanner itself is held to encoding/json
// in internal/jsontext).
func checkJSONText(t *testing.T, s string) {
	if got, want := jsonTextOf(nil, s), jsonText(s); !bytes.Equal(got, want) {
		t.Fatalf("jsonTextOf(%q) = %s, want %s", s, got, want)
	}
}
