package tracebridgeexporter

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/semconv"
)

// spanEvent is a GenAI event that came as a log record, for the span it names.
type spanEvent struct {
	traceID trace.TraceID
	spanID  trace.SpanID
	event   semconv.Event
}

// fromLogs returns the GenAI events among the log records of ld, as the SDK's genailog
// processor reads them: the event name is the record's EventName, else its event.name
// attribute; the body and attributes keep their structure (maps, arrays, bytes) for
// semconv.EventFromLog. Records that are not GenAI events, or carry no trace and span id,
// are not for the exporter and are left out.
func fromLogs(ld plog.Logs) []spanEvent {
	var out []spanEvent
	for _, rl := range ld.ResourceLogs().All() {
		for _, sl := range rl.ScopeLogs().All() {
			for _, lr := range sl.LogRecords().All() {
				if ev, ok := fromLogRecord(lr); ok {
					out = append(out, ev)
				}
			}
		}
	}
	return out
}

func fromLogRecord(lr plog.LogRecord) (spanEvent, bool) {
	if lr.TraceID().IsEmpty() || lr.SpanID().IsEmpty() {
		return spanEvent{}, false
	}
	// Most records of a logs pipeline are not GenAI events: decide on the name before
	// converting anything else.
	name := lr.EventName()
	if name == "" {
		if v, ok := lr.Attributes().Get("event.name"); ok && v.Type() == pcommon.ValueTypeStr {
			name = v.Str()
		}
	}
	if !semconv.IsGenAILogEvent(name) {
		return spanEvent{}, false
	}
	ts := lr.Timestamp()
	if ts == 0 {
		ts = lr.ObservedTimestamp()
	}
	var at time.Time
	if ts != 0 {
		at = ts.AsTime()
	}
	return spanEvent{
		traceID: trace.TraceID(lr.TraceID()),
		spanID:  trace.SpanID(lr.SpanID()),
		event:   semconv.EventFromLog(name, at, toKeyValues(lr.Attributes()), toValue(lr.Body())),
	}, true
}

// toKeyValues converts OTLP attributes keeping their structure (unlike toAttributes, which
// gives span attributes the scalar forms of OTel Go span attributes).
func toKeyValues(m pcommon.Map) []attribute.KeyValue {
	if m.Len() == 0 {
		return nil
	}
	out := make([]attribute.KeyValue, 0, m.Len())
	for k, v := range m.All() {
		out = append(out, attribute.KeyValue{Key: attribute.Key(k), Value: toValue(v)})
	}
	return out
}

// toValue converts an OTLP AnyValue to the OTel Go value of the same shape: maps to MAP,
// arrays to SLICE, bytes to BYTESLICE, an empty value to EMPTY.
func toValue(v pcommon.Value) attribute.Value {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return attribute.StringValue(v.Str())
	case pcommon.ValueTypeBool:
		return attribute.BoolValue(v.Bool())
	case pcommon.ValueTypeInt:
		return attribute.Int64Value(v.Int())
	case pcommon.ValueTypeDouble:
		return attribute.Float64Value(v.Double())
	case pcommon.ValueTypeBytes:
		return attribute.ByteSliceValue(v.Bytes().AsRaw())
	case pcommon.ValueTypeSlice:
		s := v.Slice()
		vals := make([]attribute.Value, s.Len())
		for i, e := range s.All() {
			vals[i] = toValue(e)
		}
		return attribute.SliceValue(vals...)
	case pcommon.ValueTypeMap:
		return attribute.MapValue(toKeyValues(v.Map())...)
	}
	return attribute.Value{}
}
