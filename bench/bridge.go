package main

import (
	"context"
	"fmt"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/bridge"
)

// nopProcessor keeps spans recording without exporting them: (d) measures creating spans.
type nopProcessor struct{}

func (nopProcessor) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (nopProcessor) OnEnd(sdktrace.ReadOnlySpan)                     {}
func (nopProcessor) Shutdown(context.Context) error                  { return nil }
func (nopProcessor) ForceFlush(context.Context) error                { return nil }

// bridgeStep is one generation step through the bridge.
func bridgeStep(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(nopProcessor{}))
	client := bridge.New(tp)
	ctx, msg := client.Conversation(bridge.ConversationInfo{ID: "conv-1"}).Message(context.Background(), "hi")
	defer msg.End("")
	b.ReportAllocs()
	for b.Loop() {
		_, gen := msg.Generation(ctx, "What is the refund window?", bridge.Model("gpt-4o"), bridge.Provider("openai"))
		gen.End("30 days.", bridge.Usage(12, 4))
	}
}

// rawStep creates the same span with the same attributes through the OTel API, the message
// JSON written out beforehand.
func rawStep(b *testing.B) {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(nopProcessor{}))
	tracer := tp.Tracer("raw")
	ctx, msg := tracer.Start(context.Background(), "message")
	defer msg.End()
	inMsgs := `[{"role":"user","parts":[{"type":"text","content":"What is the refund window?"}]}]`
	outMsgs := `[{"role":"assistant","parts":[{"type":"text","content":"30 days."}]}]`
	b.ReportAllocs()
	for b.Loop() {
		_, span := tracer.Start(ctx, "chat gpt-4o", trace.WithTimestamp(time.Now()), trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(
				attribute.String("gen_ai.request.model", "gpt-4o"), attribute.String("gen_ai.provider.name", "openai"),
				attribute.String("gen_ai.operation.name", "chat"), attribute.String("gen_ai.conversation.id", "conv-1"),
				attribute.String("gen_ai.input.messages", inMsgs), attribute.String("tracebridge.input", "What is the refund window?"),
			))
		span.SetAttributes(attribute.Int64("gen_ai.usage.input_tokens", 12), attribute.Int64("gen_ai.usage.output_tokens", 4),
			attribute.String("gen_ai.output.messages", outMsgs), attribute.String("tracebridge.output", "30 days."))
		span.End(trace.WithTimestamp(time.Now()))
	}
}

// compareBridge is (d): the bridge's per-step cost against the raw OTel API creating the
// same span, alternating testing.Benchmark runs.
func compareBridge(rounds int) []result {
	var br, raw []testing.BenchmarkResult
	for i := 0; i < max(rounds, 5); i++ {
		br = append(br, testing.Benchmark(bridgeStep))
		raw = append(raw, testing.Benchmark(rawStep))
	}
	nsB, nsR := medianNs(br), medianNs(raw)
	ratio := nsB / nsR
	return []result{{id: "d", what: "bridge step vs raw OTel API, same span", value: ratio, unit: "×", target: "≤ 1.3", ok: ratio <= 1.3,
		detail: fmt.Sprintf("%.0f vs %.0f ns/step, %d vs %d allocs", nsB, nsR, br[0].AllocsPerOp(), raw[0].AllocsPerOp())}}
}

func medianNs(rs []testing.BenchmarkResult) float64 {
	cs := make([]cost, len(rs))
	for i, r := range rs {
		cs[i] = cost{cpu: time.Duration(r.NsPerOp()), n: 1}
	}
	return median(cs, cost.cpuPer)
}
