package main

import (
	"context"
	"fmt"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/tracebridge/tracebridge/exporter"
)

// batchSize is what the batch span processor hands an exporter by default.
const batchSize = 512

// exportAll feeds spans to exp in batches, as the batch span processor does.
func exportAll(exp sdktrace.SpanExporter, spans []sdktrace.ReadOnlySpan) {
	for i := 0; i < len(spans); i += batchSize {
		if err := exp.ExportSpans(context.Background(), spans[i:min(i+batchSize, len(spans))]); err != nil {
			panic(err)
		}
	}
}

// compareOTLP is (a): CPU time and allocations per span, tracebridge's exporter on the
// NeuralTrust batch destination against otlptracehttp, the same realistic GenAI spans, both
// to a loopback sink in a child process.
func compareOTLP(rounds int) []result {
	s, err := startSink(0)
	if err != nil {
		panic(err)
	}
	defer s.Close()
	spans := genAITraces(2560) // 10,240 spans
	tb := newExporter(s.URL, exporter.WithDestination(exporter.NeuralTrustBatch()))
	defer tb.Shutdown(context.Background())
	otlp, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(s.URL+"/v1/traces"))
	if err != nil {
		panic(err)
	}
	defer otlp.Shutdown(context.Background())
	exportAll(tb, spans[:batchSize]) // warm connections and pools on both sides
	exportAll(otlp, spans[:batchSize])
	t, o := pair(rounds,
		func() cost { return measure(len(spans), func() { exportAll(tb, spans) }) },
		func() cost { return measure(len(spans), func() { exportAll(otlp, spans) }) })
	cpu := median(t, cost.cpuPer) / median(o, cost.cpuPer)
	allocs := median(t, cost.allocsPer) / median(o, cost.allocsPer)
	return []result{
		{id: "a", what: "CPU per span, batch destination vs otlptracehttp", value: cpu, unit: "×", target: "≤ 1.0", ok: cpu <= 1.0,
			detail: fmt.Sprintf("%.1f vs %.1f µs/span", median(t, cost.cpuPer)/1e3, median(o, cost.cpuPer)/1e3)},
		{id: "a", what: "allocations per span, batch destination vs otlptracehttp", value: allocs, unit: "×", target: "≤ 1.0", ok: allocs <= 1.0,
			detail: fmt.Sprintf("%.0f vs %.0f allocs/span", median(t, cost.allocsPer), median(o, cost.allocsPer))},
	}
}
