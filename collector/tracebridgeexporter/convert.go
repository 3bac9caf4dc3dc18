package tracebridgeexporter

import (
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/semconv"
)

// OTLP span flags telling whether the parent is remote (bit 8: known, bit 9: remote).
const (
	flagHasIsRemote = 0x100
	flagIsRemote    = 0x200
)

// fromTraces copies what the mapping reads from every span of td.
func fromTraces(td ptrace.Traces) []semconv.Span {
	out := make([]semconv.Span, 0, td.SpanCount())
	for _, rs := range td.ResourceSpans().All() {
		res := toAttributes(rs.Resource().Attributes())
		for _, ss := range rs.ScopeSpans().All() {
			for _, sp := range ss.Spans().All() {
				out = append(out, fromSpan(sp, res))
			}
		}
	}
	return out
}

func fromSpan(sp ptrace.Span, res []attribute.KeyValue) semconv.Span {
	s := semconv.Span{
		TraceID:           trace.TraceID(sp.TraceID()),
		SpanID:            trace.SpanID(sp.SpanID()),
		ParentSpanID:      trace.SpanID(sp.ParentSpanID()),
		ParentRemote:      sp.Flags()&flagHasIsRemote != 0 && sp.Flags()&flagIsRemote != 0,
		Name:              sp.Name(),
		Kind:              trace.SpanKind(sp.Kind()), // same numbering as OTLP
		Start:             sp.StartTimestamp().AsTime(),
		End:               sp.EndTimestamp().AsTime(),
		StatusDesc:        sp.Status().Message(),
		Attributes:        toAttributes(sp.Attributes()),
		Resource:          res,
		DroppedAttributes: int(sp.DroppedAttributesCount()),
	}
	switch sp.Status().Code() {
	case ptrace.StatusCodeError:
		s.StatusCode = codes.Error
	case ptrace.StatusCodeOk:
		s.StatusCode = codes.Ok
	}
	if evs := sp.Events(); evs.Len() > 0 {
		s.Events = make([]semconv.Event, evs.Len())
		for i, ev := range evs.All() {
			s.Events[i] = semconv.Event{Name: ev.Name(), Time: ev.Timestamp().AsTime(), Attributes: toAttributes(ev.Attributes())}
		}
	}
	return s
}

// toAttributes converts OTLP attributes to OTel Go ones. Maps, byte strings and mixed
// arrays, which OTel Go attributes cannot hold, become their JSON (or base64) text: the
// mapping reads structured values from JSON strings anyway.
func toAttributes(m pcommon.Map) []attribute.KeyValue {
	if m.Len() == 0 {
		return nil
	}
	out := make([]attribute.KeyValue, 0, m.Len())
	for k, v := range m.All() {
		out = append(out, toAttribute(k, v))
	}
	return out
}

func toAttribute(k string, v pcommon.Value) attribute.KeyValue {
	switch v.Type() {
	case pcommon.ValueTypeStr:
		return attribute.String(k, v.Str())
	case pcommon.ValueTypeBool:
		return attribute.Bool(k, v.Bool())
	case pcommon.ValueTypeInt:
		return attribute.Int64(k, v.Int())
	case pcommon.ValueTypeDouble:
		return attribute.Float64(k, v.Double())
	case pcommon.ValueTypeSlice:
		if kv, ok := homogeneousSlice(k, v.Slice()); ok {
			return kv
		}
	}
	return attribute.String(k, v.AsString())
}

// homogeneousSlice converts an array whose elements all have one scalar type.
func homogeneousSlice(k string, s pcommon.Slice) (attribute.KeyValue, bool) {
	if s.Len() == 0 {
		return attribute.StringSlice(k, []string{}), true
	}
	typ := s.At(0).Type()
	for _, e := range s.All() {
		if e.Type() != typ {
			return attribute.KeyValue{}, false
		}
	}
	switch typ {
	case pcommon.ValueTypeStr:
		return attribute.StringSlice(k, collect(s, pcommon.Value.Str)), true
	case pcommon.ValueTypeBool:
		return attribute.BoolSlice(k, collect(s, pcommon.Value.Bool)), true
	case pcommon.ValueTypeInt:
		return attribute.Int64Slice(k, collect(s, pcommon.Value.Int)), true
	case pcommon.ValueTypeDouble:
		return attribute.Float64Slice(k, collect(s, pcommon.Value.Double)), true
	}
	return attribute.KeyValue{}, false
}

func collect[T any](s pcommon.Slice, get func(pcommon.Value) T) []T {
	out := make([]T, s.Len())
	for i, e := range s.All() {
		out[i] = get(e)
	}
	return out
}
