package exporter

import (
	"sync/atomic"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/sdk/resource"
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
		out.Resource = resourceAttributes(res)
	}
	if evs := s.Events(); len(evs) > 0 {
		out.Events = make([]semconv.Event, len(evs))
		for j, ev := range evs {
			out.Events[j] = semconv.Event{Name: ev.Name, Time: ev.Time, Attributes: ev.Attributes}
		}
	}
	return out
}

// lastResource is the attributes of the resource seen last. A process has one resource
// (per TracerProvider), and Resource.Attributes copies them on every call: once per span
// was a tenth of the export's allocations. The slice is shared; the mapping only reads it.
var lastResource atomic.Pointer[resourceEntry]

type resourceEntry struct {
	res   *resource.Resource
	attrs []attribute.KeyValue
}

func resourceAttributes(res *resource.Resource) []attribute.KeyValue {
	if e := lastResource.Load(); e != nil && e.res == res {
		return e.attrs
	}
	e := &resourceEntry{res: res, attrs: res.Attributes()}
	lastResource.Store(e)
	return e.attrs
}
