package tracebridgeexporter

import (
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

var logBase = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

// logAt appends a log record of trace tid and span sid at ms milliseconds after logBase.
func logAt(sl plog.ScopeLogs, tid pcommon.TraceID, sid pcommon.SpanID, ms int) plog.LogRecord {
	lr := sl.LogRecords().AppendEmpty()
	lr.SetTraceID(tid)
	lr.SetSpanID(sid)
	lr.SetTimestamp(pcommon.NewTimestampFromTime(logBase.Add(time.Duration(ms) * time.Millisecond)))
	return lr
}

func attrMap(kvs []attribute.KeyValue) map[attribute.Key]attribute.Value {
	m := map[attribute.Key]attribute.Value{}
	for _, kv := range kvs {
		m[kv.Key] = kv.Value
	}
	return m
}

func TestFromLogs(t *testing.T) {
	tid, sid := pcommon.TraceID{1, 2, 3}, pcommon.SpanID{4, 5}
	ld := plog.NewLogs()
	rl := ld.ResourceLogs().AppendEmpty()
	rl.Resource().Attributes().PutStr("service.name", "support-api")
	sl := rl.ScopeLogs().AppendEmpty()

	// The EventName field; a body map with every kind of value; attributes fill what the
	// body lacks.
	lr := logAt(sl, tid, sid, 1)
	lr.SetEventName("gen_ai.assistant.message")
	body := lr.Body().SetEmptyMap()
	call := body.PutEmptySlice("tool_calls").AppendEmpty().SetEmptyMap()
	call.PutStr("id", "call_1")
	call.PutStr("type", "function")
	fn := call.PutEmptyMap("function")
	fn.PutStr("name", "multiply")
	fn.PutStr("arguments", `{"a":6,"b":7}`)
	body.PutInt("n", 7)
	body.PutDouble("temperature", 0.5)
	body.PutBool("stream", false)
	body.PutEmptyBytes("raw").FromRaw([]byte{0xff, 0x00})
	body.PutEmpty("nothing")
	body.PutStr("role", "assistant")
	lr.Attributes().PutStr("gen_ai.system", "openai")
	lr.Attributes().PutStr("role", "ignored: the body has it")

	// The older event.name attribute, a string body, no Timestamp (ObservedTimestamp).
	lr = sl.LogRecords().AppendEmpty()
	lr.SetTraceID(tid)
	lr.SetSpanID(sid)
	lr.SetObservedTimestamp(pcommon.NewTimestampFromTime(logBase.Add(2 * time.Millisecond)))
	lr.Attributes().PutStr("event.name", "gen_ai.user.message")
	lr.Body().SetStr("What is 6 × 7?")

	// Not for the exporter: another event, a plain log line, a GenAI event without a span,
	// and an event.name attribute that is not a string.
	logAt(sl, tid, sid, 3).SetEventName("app.audit")
	logAt(sl, tid, sid, 4).Body().SetStr("GET /health 200")
	orphan := sl.LogRecords().AppendEmpty()
	orphan.SetEventName("gen_ai.user.message")
	logAt(sl, tid, sid, 5).Attributes().PutInt("event.name", 1)

	evs := fromLogs(ld)
	if len(evs) != 2 {
		t.Fatalf("got %d events, want 2: %+v", len(evs), evs)
	}
	a, u := evs[0], evs[1]
	if a.traceID != trace.TraceID(tid) || a.spanID != trace.SpanID(sid) || a.event.Name != "gen_ai.assistant.message" {
		t.Errorf("ids and name: %+v", a)
	}
	if !a.event.Time.Equal(logBase.Add(time.Millisecond)) || !u.event.Time.Equal(logBase.Add(2*time.Millisecond)) {
		t.Errorf("times: %v, %v (the second from ObservedTimestamp)", a.event.Time, u.event.Time)
	}
	got := attrMap(a.event.Attributes)
	wantCall := attribute.MapValue(attribute.String("id", "call_1"), attribute.String("type", "function"),
		attribute.KeyValue{Key: "function", Value: attribute.MapValue(
			attribute.String("name", "multiply"), attribute.String("arguments", `{"a":6,"b":7}`))})
	for k, want := range map[attribute.Key]attribute.Value{
		"tool_calls":    attribute.SliceValue(wantCall),
		"n":             attribute.Int64Value(7),
		"temperature":   attribute.Float64Value(0.5),
		"stream":        attribute.BoolValue(false),
		"raw":           attribute.ByteSliceValue([]byte{0xff, 0x00}),
		"nothing":       {},
		"role":          attribute.StringValue("assistant"),
		"gen_ai.system": attribute.StringValue("openai"),
	} {
		if v, ok := got[k]; !ok || v != want {
			t.Errorf("%s = %v (%v), want %v (%v)", k, v.String(), v.Type(), want.String(), want.Type())
		}
	}
	if len(a.event.Attributes) != 8 {
		t.Errorf("want the 7 body fields and 1 attribute, got %v", a.event.Attributes)
	}
	if want := `[{"function":{"arguments":"{\"a\":6,\"b\":7}","name":"multiply"},"id":"call_1","type":"function"}]`; got["tool_calls"].String() != want {
		t.Errorf("tool_calls as the mapping reads it: %s, want %s", got["tool_calls"].String(), want)
	}
	gotU := attrMap(u.event.Attributes)
	if u.event.Name != "gen_ai.user.message" || gotU["content"] != attribute.StringValue("What is 6 × 7?") ||
		gotU["event.name"] != attribute.StringValue("gen_ai.user.message") {
		t.Errorf("event.name record: %+v", u.event)
	}
}

func TestToValueSlices(t *testing.T) {
	v := pcommon.NewValueSlice()
	s := v.Slice()
	s.AppendEmpty().SetStr("a")
	s.AppendEmpty().SetInt(1)
	s.AppendEmpty().SetEmptySlice().AppendEmpty().SetBool(true)
	want := attribute.SliceValue(attribute.StringValue("a"), attribute.Int64Value(1), attribute.SliceValue(attribute.BoolValue(true)))
	if got := toValue(v); got != want {
		t.Errorf("toValue = %s, want %s", got.String(), want.String())
	}
	if got := toValue(pcommon.NewValueEmpty()); got.Type() != attribute.EMPTY {
		t.Errorf("empty: %v", got.Type())
	}
	if got := toKeyValues(pcommon.NewMap()); got != nil {
		t.Errorf("no attributes: %v", got)
	}
}
