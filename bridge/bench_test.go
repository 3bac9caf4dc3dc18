package bridge_test

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/bridge"
)

// nopProcessor keeps spans recording without exporting them: the benchmarks measure
// creating spans, not shipping them.
type nopProcessor struct{}

func (nopProcessor) OnStart(context.Context, sdktrace.ReadWriteSpan) {}
func (nopProcessor) OnEnd(sdktrace.ReadOnlySpan)                     {}
func (nopProcessor) Shutdown(context.Context) error                  { return nil }
func (nopProcessor) ForceFlush(context.Context) error                { return nil }

func benchProvider(b *testing.B) *sdktrace.TracerProvider {
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(nopProcessor{}))
	b.Cleanup(func() { _ = tp.Shutdown(context.Background()) })
	return tp
}

// BenchmarkStep is one generation step through the bridge: start with model, provider and
// text input, end with text output and usage.
func BenchmarkStep(b *testing.B) {
	client := bridge.New(benchProvider(b))
	ctx, msg := client.Conversation(bridge.ConversationInfo{ID: "conv-1"}).Message(context.Background(), "hi")
	defer msg.End("")
	b.ReportAllocs()
	for b.Loop() {
		_, gen := msg.Generation(ctx, "What is the refund window?", bridge.Model("gpt-4o"), bridge.Provider("openai"))
		gen.End("30 days.", bridge.Usage(12, 4))
	}
}

// BenchmarkRawOTel creates the same span with the same attributes through the OTel API,
// the message JSON written out beforehand (the cheapest a hand-instrumented app can do).
func BenchmarkRawOTel(b *testing.B) {
	tp := benchProvider(b)
	tracer := tp.Tracer("raw")
	ctx, msg := tracer.Start(context.Background(), "message")
	defer msg.End()
	const (
		in  = "What is the refund window?"
		out = "30 days."
	)
	inMsgs := `[{"role":"user","parts":[{"type":"text","content":"What is the refund window?"}]}]`
	outMsgs := `[{"role":"assistant","parts":[{"type":"text","content":"30 days."}]}]`
	b.ReportAllocs()
	for b.Loop() {
		_, span := tracer.Start(ctx, "chat gpt-4o", trace.WithTimestamp(time.Now()), trace.WithSpanKind(trace.SpanKindClient),
			trace.WithAttributes(
				attribute.String("gen_ai.request.model", "gpt-4o"),
				attribute.String("gen_ai.provider.name", "openai"),
				attribute.String("gen_ai.operation.name", "chat"),
				attribute.String("gen_ai.conversation.id", "conv-1"),
				attribute.String("gen_ai.input.messages", inMsgs),
				attribute.String("tracebridge.input", in),
			))
		span.SetAttributes(
			attribute.Int64("gen_ai.usage.input_tokens", 12),
			attribute.Int64("gen_ai.usage.output_tokens", 4),
			attribute.String("gen_ai.output.messages", outMsgs),
			attribute.String("tracebridge.output", out),
		)
		span.End(trace.WithTimestamp(time.Now()))
	}
}
