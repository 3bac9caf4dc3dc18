package main

import (
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/tracebridge/tracebridge/semconv"
)

// fromSDK copies SDK spans into the mapping's neutral form (as the exporter does).
func fromSDK(spans []sdktrace.ReadOnlySpan) []semconv.Span {
	out := make([]semconv.Span, len(spans))
	for i, s := range spans {
		sc, p := s.SpanContext(), s.Parent()
		out[i] = semconv.Span{TraceID: sc.TraceID(), SpanID: sc.SpanID(), ParentSpanID: p.SpanID(), ParentRemote: p.IsRemote(),
			Name: s.Name(), Kind: s.SpanKind(), Start: s.StartTime(), End: s.EndTime(), StatusCode: s.Status().Code,
			StatusDesc: s.Status().Description, Attributes: s.Attributes(), DroppedAttributes: s.DroppedAttributes()}
	}
	return out
}
