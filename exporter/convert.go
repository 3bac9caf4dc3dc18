package exporter

import (
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/tracebridge/tracebridge/semconv"
)

// fromSDKSpan copies what the mapping reads from one SDK span.
func fromSDKSpan(s sdktrace.ReadOnlySpan) semconv.Span {
	sc, parent := s.SpanContext(), s.Parent()
	st := s.Status()
	out := semconv.Span{
		TraceID:           sc.TraceID(),
		SpanID:            sc.SpanID(),
		ParentSpanID:      parent.SpanID(),
		ParentRemote:      parent.IsRemote(),
		Name:              s.Name(),
		Kind:              s.SpanKind(),
		Start:             s.StartTime(),
		End:               s.EndTime(),
		StatusCode:        st.Code,
		StatusDesc:        st.Description,
		Attributes:        s.Attributes(),
		DroppedAttributes: s.DroppedAttributes(),
	}
	if res := s.Resource(); res != nil {
		out.Resource = res.Attributes()
	}
	if evs := s.Events(); len(evs) > 0 {
		out.Events = make([]semconv.Event, len(evs))
		for j, ev := range evs {
			out.Events[j] = semconv.Event{Name: ev.Name, Time: ev.Time, Attributes: ev.Attributes}
		}
	}
	return out
}
