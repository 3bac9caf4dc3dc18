package semconv_test

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/semconv"
)

// Golden fixtures: testdata/golden/*.json, written by hand from the dialects' specs and from
// what their instrumentations emit (each names its source). A fixture is
//
//	{
//	  "source": "what the spans are modelled on",
//	  "keep_all_spans": false,
//	  "spans": [{
//	    "id": "1", "parent": "", "parent_remote": false, "name": "chat gpt-4o",
//	    "kind": "client", "start": 0, "end": 250,       // milliseconds from the trace's start
//	    "status": "error", "status_description": "...", "dropped_attributes": 0,
//	    "attributes": {"k": "text", "n": {"int": 3}, "f": {"float": 0.5}, "b": true,
//	                   "list": {"strings": ["a"]}},
//	    "events": [{"name": "...", "time": 5, "attributes": {...}}]
//	  }],
//	  "expect": {"message": {...}, "<span id>": {...}}
//	}
//
// Span ids are up to 16 hex digits. Attribute values: a JSON string is a string, true/false
// a bool; numbers must say their type ({"int": n}, {"float": x}); lists are {"strings": [...]},
// {"ints": [...]}, {"floats": [...]}, {"bools": [...]}.
//
// expect lists every record the trace must give, by "message" or span id, and no other:
//
//	{"task": "generation", "parent": "message" | "message:<interaction id>" | "<span id>",
//	 "input": "exact text" | <JSON value compared as JSON> | null (must be empty),
//	 "output": same, "metadata": {"key": <JSON value>}, "absent_metadata": ["key"],
//	 "session_id": "...", "conversation_id": "..." | "<interaction>", "user_id": "...",
//	 "interaction_id": "..." | "<interaction>", "channel_id": "...", "custom": "...",
//	 "user": <the whole user object> | null, "start": ms, "end": ms,
//	 "feedback_tag": "...", "feedback_text": "..."}
//
// "message" is the message record of the trace's own interaction when its id is derived
// from the trace; "message:X" the message record of interaction X (an explicit
// tracebridge.interaction.id), whether the trace sends it or only names it as a parent.
// A field left out is not checked.

type fixture struct {
	Source       string              `json:"source"`
	KeepAllSpans bool                `json:"keep_all_spans"`
	Spans        []fixtureSpan       `json:"spans"`
	Expect       map[string]expected `json:"expect"`
}

type fixtureSpan struct {
	ID                string                     `json:"id"`
	Parent            string                     `json:"parent"`
	ParentRemote      bool                       `json:"parent_remote"`
	Name              string                     `json:"name"`
	Kind              string                     `json:"kind"`
	Start             int64                      `json:"start"`
	End               int64                      `json:"end"`
	Status            string                     `json:"status"`
	StatusDescription string                     `json:"status_description"`
	DroppedAttributes int                        `json:"dropped_attributes"`
	Attributes        map[string]json.RawMessage `json:"attributes"`
	Events            []fixtureEvent             `json:"events"`
}

type fixtureEvent struct {
	Name       string                     `json:"name"`
	Time       int64                      `json:"time"`
	Attributes map[string]json.RawMessage `json:"attributes"`
}

type expected struct {
	Task           string                     `json:"task"`
	Parent         *string                    `json:"parent"`
	Input          json.RawMessage            `json:"input"`
	Output         json.RawMessage            `json:"output"`
	Metadata       map[string]json.RawMessage `json:"metadata"`
	AbsentMetadata []string                   `json:"absent_metadata"`
	SessionID      *string                    `json:"session_id"`
	ConversationID *string                    `json:"conversation_id"`
	UserID         *string                    `json:"user_id"`
	InteractionID  *string                    `json:"interaction_id"`
	ChannelID      *string                    `json:"channel_id"`
	Custom         *string                    `json:"custom"`
	User           json.RawMessage            `json:"user"`
	Start          *int64                     `json:"start"`
	End            *int64                     `json:"end"`
	FeedbackTag    *string                    `json:"feedback_tag"`
	FeedbackText   *string                    `json:"feedback_text"`
}

var goldenTrace = trace.TraceID{0x0a, 0xf7, 0x65, 0x19, 0x16, 0xcd, 0x43, 0xdd, 0x84, 0x48, 0xeb, 0x21, 0x1c, 0x80, 0x31, 0x9c}

func TestGolden(t *testing.T) {
	files, err := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no golden fixtures: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".json"), func(t *testing.T) {
			fx := loadFixture(t, file)
			recs := semconv.MapTrace(fx.spans(t), semconv.Options{KeepAllSpans: fx.KeepAllSpans})
			for _, e := range fx.compare(recs) {
				t.Error(e)
			}
			if t.Failed() {
				for _, r := range recs {
					t.Logf("got %s", r.AppendJSON(nil))
				}
			}
		})
	}
}

// TestGoldenCanFail corrupts each expectation of each fixture in turn and checks that the
// comparison notices: no fixture passes vacuously.
func TestGoldenCanFail(t *testing.T) {
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	for _, file := range files {
		fx := loadFixture(t, file)
		name := filepath.Base(file)
		recs := semconv.MapTrace(fx.spans(t), semconv.Options{KeepAllSpans: fx.KeepAllSpans})
		if fx.Source == "" {
			t.Errorf("%s: no source: say what the spans are modelled on", name)
		}
		if len(fx.Expect) == 0 { // the fixture says the trace gives no record at all
			fx2 := fx
			fx2.Expect = map[string]expected{"message": {Task: "message"}}
			if len(fx2.compare(recs)) == 0 {
				t.Errorf("%s: a message record would go unnoticed", name)
			}
			continue
		}
		checks := 0
		for key, e := range fx.Expect {
			mutate := func(what string, change func(*expected)) {
				t.Helper()
				m := e
				change(&m)
				fx2 := fx
				fx2.Expect = map[string]expected{}
				for k, v := range fx.Expect {
					fx2.Expect[k] = v
				}
				fx2.Expect[key] = m
				if len(fx2.compare(recs)) == 0 {
					t.Errorf("%s: record %s: corrupting %s goes unnoticed", name, key, what)
				}
				checks++
			}
			mutate("task", func(m *expected) { m.Task = "bogus" })
			bogus := json.RawMessage(`"\u0000bogus"`)
			if e.Input != nil {
				mutate("input", func(m *expected) { m.Input = bogus })
			}
			if e.Output != nil {
				mutate("output", func(m *expected) { m.Output = bogus })
			}
			for k := range e.Metadata {
				mutate("metadata "+k, func(m *expected) {
					m.Metadata = map[string]json.RawMessage{k: bogus}
				})
			}
		}
		if checks <= len(fx.Expect) {
			t.Errorf("%s: expects tasks only; say what the records hold", name)
		}
	}
}

func loadFixture(t testing.TB, file string) fixture {
	t.Helper()
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var fx fixture
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&fx); err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return fx
}

func fixtureSpanID(t testing.TB, id string) trace.SpanID {
	t.Helper()
	var s trace.SpanID
	if id == "" {
		return s
	}
	b, err := hex.DecodeString(strings.Repeat("0", 16-len(id)) + id)
	if err != nil || len(b) != 8 {
		t.Fatalf("span id %q: want up to 16 hex digits", id)
	}
	copy(s[:], b)
	return s
}

var t0Golden = time.Date(2026, 3, 1, 9, 0, 0, 0, time.UTC)

func (fx *fixture) spans(t testing.TB) []semconv.Span {
	t.Helper()
	out := make([]semconv.Span, 0, len(fx.Spans))
	for _, fs := range fx.Spans {
		s := semconv.Span{
			TraceID: goldenTrace, SpanID: fixtureSpanID(t, fs.ID), ParentSpanID: fixtureSpanID(t, fs.Parent),
			ParentRemote: fs.ParentRemote, Name: fs.Name, Kind: spanKind(t, fs.Kind),
			Start:             t0Golden.Add(time.Duration(fs.Start) * time.Millisecond),
			End:               t0Golden.Add(time.Duration(fs.End) * time.Millisecond),
			StatusDesc:        fs.StatusDescription,
			DroppedAttributes: fs.DroppedAttributes,
			Attributes:        fixtureAttrs(t, fs.Attributes),
		}
		switch fs.Status {
		case "", "unset":
		case "ok":
			s.StatusCode = codes.Ok
		case "error":
			s.StatusCode = codes.Error
		default:
			t.Fatalf("span %s: status %q", fs.ID, fs.Status)
		}
		for _, fe := range fs.Events {
			s.Events = append(s.Events, semconv.Event{
				Name: fe.Name, Time: t0Golden.Add(time.Duration(fe.Time) * time.Millisecond),
				Attributes: fixtureAttrs(t, fe.Attributes),
			})
		}
		out = append(out, s)
	}
	return out
}

func spanKind(t testing.TB, k string) trace.SpanKind {
	switch k {
	case "", "internal":
		return trace.SpanKindInternal
	case "server":
		return trace.SpanKindServer
	case "client":
		return trace.SpanKindClient
	case "producer":
		return trace.SpanKindProducer
	case "consumer":
		return trace.SpanKindConsumer
	}
	t.Fatalf("span kind %q", k)
	return 0
}

// fixtureAttrs decodes typed attribute values, in key order (the SDK keeps insertion order;
// the mapping must not depend on it).
func fixtureAttrs(t testing.TB, m map[string]json.RawMessage) []attribute.KeyValue {
	t.Helper()
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	kvs := make([]attribute.KeyValue, 0, len(keys))
	for _, k := range keys {
		kvs = append(kvs, attribute.KeyValue{Key: attribute.Key(k), Value: fixtureValue(t, k, m[k])})
	}
	return kvs
}

func fixtureValue(t testing.TB, k string, raw json.RawMessage) attribute.Value {
	t.Helper()
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return attribute.StringValue(s)
	}
	var b bool
	if json.Unmarshal(raw, &b) == nil {
		return attribute.BoolValue(b)
	}
	var typed struct {
		Int     *int64    `json:"int"`
		Float   *float64  `json:"float"`
		Bool    *bool     `json:"bool"`
		String  *string   `json:"string"`
		Strings []string  `json:"strings"`
		Ints    []int64   `json:"ints"`
		Floats  []float64 `json:"floats"`
		Bools   []bool    `json:"bools"`
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&typed); err != nil {
		t.Fatalf("attribute %s: %s: numbers need {\"int\": n} or {\"float\": x} (%v)", k, raw, err)
	}
	switch {
	case typed.Int != nil:
		return attribute.Int64Value(*typed.Int)
	case typed.Float != nil:
		return attribute.Float64Value(*typed.Float)
	case typed.Bool != nil:
		return attribute.BoolValue(*typed.Bool)
	case typed.String != nil:
		return attribute.StringValue(*typed.String)
	case typed.Strings != nil:
		return attribute.StringSliceValue(typed.Strings)
	case typed.Ints != nil:
		return attribute.Int64SliceValue(typed.Ints)
	case typed.Floats != nil:
		return attribute.Float64SliceValue(typed.Floats)
	case typed.Bools != nil:
		return attribute.BoolSliceValue(typed.Bools)
	}
	t.Fatalf("attribute %s: %s: no value", k, raw)
	return attribute.Value{}
}

// compare checks the records against the expectations and returns what differs.
func (fx *fixture) compare(recs []record.Record) []string {
	var errs []string
	fail := func(f string, args ...any) { errs = append(errs, fmt.Sprintf(f, args...)) }
	keyOf := map[string]string{semconv.MessageID(goldenTrace): "message"}
	for _, s := range fx.Spans {
		var sid trace.SpanID
		b, _ := hex.DecodeString(strings.Repeat("0", 16-len(s.ID)) + s.ID)
		copy(sid[:], b)
		keyOf[semconv.RecordID(goldenTrace, sid)] = s.ID
		var x string
		if json.Unmarshal(s.Attributes[string(semconv.TracebridgeInteractionID)], &x) == nil && x != "" {
			keyOf[semconv.MessageIDOf(x)] = "message:" + x
		}
	}
	idOf := map[string]string{}
	for id, key := range keyOf {
		idOf[key] = id
	}
	got := map[string]record.Record{}
	for _, r := range recs {
		key, ok := keyOf[r.TraceID]
		if !ok {
			fail("record %s (%s) is of no span of the fixture", r.TraceID, r.Task)
			continue
		}
		if _, dup := got[key]; dup {
			fail("record %s given twice", key)
		}
		got[key] = r
		if _, want := fx.Expect[key]; !want {
			fail("unexpected %s record for %s: %s", r.Task, key, r.AppendJSON(nil))
		}
	}
	keys := make([]string, 0, len(fx.Expect))
	for k := range fx.Expect {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, key := range keys {
		e := fx.Expect[key]
		r, ok := got[key]
		if !ok {
			fail("%s: no record, want a %s record", key, e.Task)
			continue
		}
		if string(r.Task) != e.Task {
			fail("%s: task %q, want %q", key, r.Task, e.Task)
		}
		if e.Parent != nil {
			want := ""
			if *e.Parent != "" {
				want = idOf[*e.Parent]
				if want == "" {
					fail("%s: parent %q is no record of the fixture", key, *e.Parent)
				}
			}
			if r.ParentID != want {
				fail("%s: parent %q (%s), want %s", key, r.ParentID, keyOf[r.ParentID], *e.Parent)
			}
		}
		if msg := compareText(r.Input, e.Input); msg != "" {
			fail("%s: input %s", key, msg)
		}
		if msg := compareText(r.Output, e.Output); msg != "" {
			fail("%s: output %s", key, msg)
		}
		for k, want := range e.Metadata {
			v, ok := r.Metadata[k]
			if !ok {
				fail("%s: metadata %s missing, want %s", key, k, want)
				continue
			}
			gotJSON, _ := json.Marshal(v)
			if !jsonEqual(gotJSON, want) {
				fail("%s: metadata %s = %s, want %s", key, k, gotJSON, want)
			}
		}
		for _, k := range e.AbsentMetadata {
			if v, ok := r.Metadata[k]; ok {
				fail("%s: metadata %s = %v, want none", key, k, v)
			}
		}
		check := func(field, got string, want *string) {
			if want == nil {
				return
			}
			w := *want
			if w == "<interaction>" {
				w = semconv.InteractionID(goldenTrace)
			}
			if got != w {
				fail("%s: %s %q, want %q", key, field, got, w)
			}
		}
		check("session_id", r.SessionID, e.SessionID)
		check("conversation_id", r.ConversationID, e.ConversationID)
		uid := ""
		if r.User != nil {
			uid = r.User.ID
		}
		check("user_id", uid, e.UserID)
		check("interaction_id", r.InteractionID, e.InteractionID)
		check("channel_id", r.ChannelID, e.ChannelID)
		check("custom", r.Custom, e.Custom)
		check("feedback_tag", r.FeedbackTag, e.FeedbackTag)
		check("feedback_text", r.FeedbackText, e.FeedbackText)
		if e.User != nil {
			got := []byte("null")
			if !r.User.IsZero() {
				got = r.AppendJSON(nil)
				var body struct {
					User json.RawMessage `json:"user"`
				}
				_ = json.Unmarshal(got, &body)
				got = body.User
			}
			if !jsonEqual(got, e.User) {
				fail("%s: user %s, want %s", key, got, e.User)
			}
		}
		checkMs := func(field string, got int64, want *int64) {
			if want != nil && got != t0Golden.UnixMilli()+*want {
				fail("%s: %s %d ms after the trace's start, want %d", key, field, got-t0Golden.UnixMilli(), *want)
			}
		}
		checkMs("start", r.StartTimestamp, e.Start)
		checkMs("end", r.EndTimestamp, e.End)
	}
	return errs
}

// compareText checks a record's input or output: a JSON string expectation is the exact
// text, null means empty, any other JSON value is compared as JSON with the text.
func compareText(got string, want json.RawMessage) string {
	if want == nil {
		return ""
	}
	want = bytes.TrimSpace(want)
	if string(want) == "null" {
		if got != "" {
			return fmt.Sprintf("%q, want none", got)
		}
		return ""
	}
	var s string
	if json.Unmarshal(want, &s) == nil {
		if got != s {
			return fmt.Sprintf("\n  got  %q\n  want %q", got, s)
		}
		return ""
	}
	if !jsonEqual([]byte(got), want) {
		return fmt.Sprintf("\n  got  %s\n  want %s", got, want)
	}
	return ""
}

func jsonEqual(a, b []byte) bool {
	var x, y any
	if json.Unmarshal(a, &x) != nil || json.Unmarshal(b, &y) != nil {
		return false
	}
	return reflect.DeepEqual(x, y)
}

// BenchmarkGolden maps every golden fixture: the per-span cost of detection, content and
// metadata across the dialects.
func BenchmarkGolden(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	var traces [][]semconv.Span
	n := 0
	for _, file := range files {
		fx := loadFixture(b, file)
		traces = append(traces, fx.spans(b))
		n += len(fx.Spans)
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		for _, spans := range traces {
			semconv.MapTrace(spans, semconv.Options{})
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/span")
}

// BenchmarkDialect maps the golden fixtures of each dialect on its own (sub-benchmarks named
// by the fixture file's prefix: genai, openinference, openllmetry, vercel, tracebridge,
// trap), reporting time and allocations per span.
func BenchmarkDialect(b *testing.B) {
	files, _ := filepath.Glob(filepath.Join("testdata", "golden", "*.json"))
	byDialect := map[string][][]semconv.Span{}
	spans := map[string]int{}
	var order []string
	for _, file := range files {
		dialect, _, _ := strings.Cut(filepath.Base(file), "_")
		fx := loadFixture(b, file)
		if _, ok := byDialect[dialect]; !ok {
			order = append(order, dialect)
		}
		byDialect[dialect] = append(byDialect[dialect], fx.spans(b))
		spans[dialect] += len(fx.Spans)
	}
	for _, dialect := range order {
		b.Run(dialect, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				for _, trace := range byDialect[dialect] {
					semconv.MapTrace(trace, semconv.Options{})
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*spans[dialect]), "ns/span")
		})
	}
}
