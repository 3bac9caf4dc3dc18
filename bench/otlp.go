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
	spans := genAITraces(5120) // 20,480 spans
	warm := genAITraces(128)   // other traces, to open connections and fill pools
	otlpExporter := func() sdktrace.SpanExporter {
		e, err := otlptracehttp.New(context.Background(), otlptracehttp.WithEndpointURL(s.URL+"/v1/traces"))
		if err != nil {
			panic(err)
		}
		return e
	}
	// A fresh exporter of each kind per round, warmed with other traces: tracebridge's
	// remembers the traces it sent (to re-send only what changes), so exporting the same
	// spans again would send nothing and measure less than the work.
	round := func(newExp func() sdktrace.SpanExporter) func() cost {
		return func() cost {
			exp := newExp()
			defer exp.Shutdown(context.Background())
			exportAll(exp, warm)
			return measure(len(spans), func() { exportAll(exp, spans) })
		}
	}
	t, o := pair(max(rounds, 5), // short runs: more of them for a stable median
		round(func() sdktrace.SpanExporter {
			return newExporter(s.URL, exporter.WithDestination(exporter.NeuralTrustBatch()))
		}),
		round(otlpExporter))
	cpu := median(t, cost.cpuPer) / median(o, cost.cpuPer)
	allocs := median(t, cost.allocsPer) / median(o, cost.allocsPer)
	return []result{
		{id: "a", what: "CPU per span, batch destination vs otlptracehttp", value: cpu, unit: "×", target: "≤ 1.0", ok: cpu <= 1.0,
			detail: fmt.Sprintf("%.1f vs %.1f µs/span", median(t, cost.cpuPer)/1e3, median(o, cost.cpuPer)/1e3)},
		{id: "a", what: "allocations per span, batch destination vs otlptracehttp", value: allocs, unit: "×", target: "≤ 1.0", ok: allocs <= 1.0,
			detail: fmt.Sprintf("%.0f vs %.0f allocs/span", median(t, cost.allocsPer), median(o, cost.allocsPer))},
	}
}
