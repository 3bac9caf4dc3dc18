package main

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/exporter"
)

// deadAPIHeap is (e): peak heap while the API is down (connections refused) and 1,000,000
// realistic spans are offered to the processor with its default bounds.
func deadAPIHeap(int) []result {
	exp := newExporter(deadURL())
	proc := exporter.NewProcessor(exp)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(proc))
	tracer := tp.Tracer("dead")
	content := `[{"role":"user","parts":[{"type":"text","content":"` + strings.Repeat("How do returns work? ", 40) + `"}]}]`
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	base := m.HeapInuse
	var peak uint64
	start := time.Now()
	const spans = 1_000_000
	for i := 0; i < spans/4; i++ {
		ctx, root := tracer.Start(context.Background(), "POST /chat")
		for j := 0; j < 3; j++ {
			_, s := tracer.Start(ctx, "chat m", trace.WithAttributes(attribute.String("gen_ai.operation.name", "chat"),
				attribute.String("gen_ai.request.model", "m"), attribute.String("gen_ai.input.messages", content),
				attribute.Int("gen_ai.usage.input_tokens", 200), attribute.Int("gen_ai.usage.output_tokens", 20)))
			s.End()
		}
		root.End()
		if i%2500 == 0 {
			runtime.ReadMemStats(&m)
			peak = max(peak, m.HeapInuse)
		}
	}
	elapsed := time.Since(start)
	st := proc.Stats()
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_ = tp.Shutdown(ctx)
	mib := float64(peak) / (1 << 20)
	return []result{{id: "e", what: "peak heap, API down, 1,000,000 spans offered", value: mib, unit: "MiB", target: "< 100", ok: mib < 100,
		detail: fmt.Sprintf("baseline %.0f MiB; %.0f spans/s offered; dropped %d spans (%d traces) at the bounds",
			float64(base)/(1<<20), spans/elapsed.Seconds(), st.DroppedSpans, st.DroppedTraces)}}
}
