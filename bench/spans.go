package main

import (
	"context"
	"fmt"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"
)

// genAITraces returns n realistic GenAI traces of 4 spans each: an HTTP server root, a
// retrieval, and two chat generations with messages (~1 KB of content each), usage and
// model — what an instrumented RAG app produces per user turn.
func genAITraces(n int) []sdktrace.ReadOnlySpan {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	tracer := tp.Tracer("bench")
	doc := strings.Repeat("Refunds are accepted within 30 days of delivery for unworn items. ", 6)
	for i := 0; i < n; i++ {
		q := fmt.Sprintf("Question %d: how long do I have to return a pair of shoes?", i)
		ctx, root := tracer.Start(context.Background(), "POST /chat", trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(
			attribute.String("http.request.method", "POST"), attribute.String("url.path", "/chat"),
			attribute.String("session.id", fmt.Sprintf("s%d", i%100)), attribute.String("user.id", "u-1")))
		_, ret := tracer.Start(ctx, "retrieval policies", trace.WithAttributes(
			attribute.String("gen_ai.operation.name", "retrieval"), attribute.String("gen_ai.data_source.id", "policies"),
			attribute.String("gen_ai.retrieval.query.text", q),
			attribute.String("gen_ai.retrieval.documents", `[{"id":"p#2","score":0.91,"content":"`+doc+`"}]`)))
		ret.End()
		for turn := 0; turn < 2; turn++ {
			_, gen := tracer.Start(ctx, "chat gpt-4o-mini", trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
				attribute.String("gen_ai.operation.name", "chat"), attribute.String("gen_ai.provider.name", "openai"),
				attribute.String("gen_ai.request.model", "gpt-4o-mini"), attribute.String("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
				attribute.Int("gen_ai.usage.input_tokens", 420), attribute.Int("gen_ai.usage.output_tokens", 38),
				attribute.StringSlice("gen_ai.response.finish_reasons", []string{"stop"}),
				attribute.String("gen_ai.system_instructions", `[{"type":"text","content":"Answer from the policy excerpts only."}]`),
				attribute.String("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"`+q+`\n\nContext: `+doc+`"}]}]`),
				attribute.String("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"You can return unworn shoes within 30 days of delivery."}],"finish_reason":"stop"}]`)))
			gen.End()
		}
		root.End()
	}
	return rec.Ended()
}
