package exporter_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/exporter"
	"github.com/tracebridge/tracebridge/semconv"
)

// ragTraces returns n traces of 4 spans (an HTTP root, a retrieval, two chats with about a
// kilobyte of messages each), as an instrumented RAG app produces per user turn.
func ragTraces(n int) []sdktrace.ReadOnlySpan {
	rec := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(rec))
	tracer := tp.Tracer("bench")
	doc := strings.Repeat("Refunds are accepted within 30 days of delivery for unworn items. ", 6)
	for i := 0; i < n; i++ {
		q := fmt.Sprintf("Question %d: how long do I have to return shoes?", i)
		ctx, root := tracer.Start(context.Background(), "POST /chat", trace.WithAttributes(attribute.String("session.id", "s")))
		_, ret := tracer.Start(ctx, "retrieval", trace.WithAttributes(attribute.String("gen_ai.operation.name", "retrieval"),
			attribute.String("gen_ai.retrieval.query.text", q),
			attribute.String("gen_ai.retrieval.documents", `[{"id":"p#2","score":0.91,"content":"`+doc+`"}]`)))
		ret.End()
		for j := 0; j < 2; j++ {
			_, gen := tracer.Start(ctx, "chat gpt-4o-mini", trace.WithAttributes(
				attribute.String("gen_ai.operation.name", "chat"), attribute.String("gen_ai.request.model", "gpt-4o-mini"),
				attribute.Int("gen_ai.usage.input_tokens", 420), attribute.Int("gen_ai.usage.output_tokens", 38),
				attribute.String("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"`+q+" "+doc+`"}]}]`),
				attribute.String("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"Within 30 days."}],"finish_reason":"stop"}]`)))
			gen.End()
		}
		root.End()
	}
	return rec.Ended()
}

// BenchmarkExport is the end-to-end export path: ExportSpans (mapping, assembly, encoding,
// HTTP over loopback) to a server that reads and discards each body, per destination.
func BenchmarkExport(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{"status":200}`)
	}))
	defer srv.Close()
	spans := ragTraces(128) // 512 spans: one batch of the batch span processor
	for _, d := range []exporter.Destination{exporter.NeuralTrust(), exporter.NeuralTrustBatch()} {
		b.Run(d.Name(), func(b *testing.B) {
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				// A fresh exporter each time: one that remembers these traces would see
				// nothing new to send.
				b.StopTimer()
				exp := newExporter(b, exporter.WithEndpoint(srv.URL), exporter.WithDestination(d))
				b.StartTimer()
				if err := exp.ExportSpans(context.Background(), spans); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(spans)), "ns/span")
		})
	}
}

// BenchmarkSend is delivery alone: records already mapped, over kept-alive connections
// (encoding, retryablehttp, accounting), as bench (b) measures it: one request per record
// on v1, one per interaction on Adaline.
func BenchmarkSend(b *testing.B) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, `{"status":200}`)
	}))
	defer srv.Close()
	var spans []semconv.Span
	for _, s := range ragTraces(64) {
		spans = append(spans, exporter.FromSDKSpan(s))
	}
	recs := semconv.Map(spans, semconv.Options{})
	for _, d := range []exporter.Destination{exporter.NeuralTrust(), exporter.Adaline("bench-project-0000000000000000")} {
		b.Run(d.Name(), func(b *testing.B) {
			exp := newExporter(b, exporter.WithEndpoint(srv.URL), exporter.WithConcurrency(32), exporter.WithDestination(d), exporter.WithAPIKey("k"))
			b.ReportAllocs()
			for b.Loop() {
				if err := exp.Send(context.Background(), recs); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*len(recs)), "ns/record")
		})
	}
}
