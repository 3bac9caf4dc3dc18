// Command quickstart runs a small simulated LLM app (one user turn: a retrieval, then a chat
// generation, with standard gen_ai.* attributes and no network) instrumented with
// OpenTelemetry, exports it through tracebridge, and prints what the trace API received.
//
// With no NEURALTRUST_API_KEY it starts the local trace API (the same server as
// `tracebridge serve`) in-process on a free loopback port and ships there; -keep keeps that
// server, and its web viewer, running until Ctrl-C. When NEURALTRUST_BASE_URL names a
// running `tracebridge serve`, it ships there. Either way it prints the records and the
// viewer's URL. With a key and NeuralTrust's API it prints the delivery counts.
//
//	go run ./examples/quickstart [-keep]
//	NEURALTRUST_BASE_URL=http://127.0.0.1:8400 go run ./examples/quickstart
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/signal"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/exporter"
	"github.com/tracebridge/tracebridge/internal/localapi"
	"github.com/tracebridge/tracebridge/internal/recordtree"
	"github.com/tracebridge/tracebridge/semconv"
	"github.com/tracebridge/tracebridge/traceapi"
)

func main() {
	log.SetFlags(0)
	keep := flag.Bool("keep", false, "keep the in-process trace API and its viewer running until Ctrl-C")
	flag.Parse()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout, *keep); err != nil {
		log.Fatal("quickstart: ", err)
	}
}

func run(ctx context.Context, out io.Writer, keep bool) error {
	var opts []exporter.Option
	var local *traceapi.Running
	base := "" // a tracebridge serve, in-process or not: records are read back from it
	switch env := os.Getenv("NEURALTRUST_BASE_URL"); {
	case env != "" && localapi.IsServe(ctx, localapi.ServeBase(env)):
		base = localapi.ServeBase(env)
		fmt.Fprintf(out, "Shipping to tracebridge serve at %s\n\n", base)
	case os.Getenv("NEURALTRUST_API_KEY") == "":
		var err error
		local, err = traceapi.Start(ctx, "127.0.0.1:0", traceapi.Config{})
		if err != nil {
			return fmt.Errorf("start the local trace API: %w", err)
		}
		defer local.Close()
		base = local.URL()
		fmt.Fprintf(out, "No NEURALTRUST_API_KEY: shipping to the local trace API at %s\n\n", base)
		opts = append(opts, exporter.WithEndpoint(base))
	}

	exp, err := exporter.New(ctx, opts...)
	if err != nil {
		return err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))
	traceID := simulateUserTurn(ctx, tp.Tracer("quickstart"))
	if err := tp.Shutdown(ctx); err != nil { // flushes the batcher and the exporter
		return err
	}
	st := exp.Stats()
	if base == "" {
		fmt.Fprintf(out, "Sent %d of %d records to the NeuralTrust API (%d failed).\n", st.Sent, st.Records, st.Failed)
		if st.Failed > 0 {
			return fmt.Errorf("%d records not delivered", st.Failed)
		}
		return nil
	}

	recs, err := localapi.Fetch(ctx, base, semconv.InteractionID(traceID))
	if err != nil {
		return err
	}
	fmt.Fprintf(out, "The trace API received %d records for interaction %s:\n\n", len(recs), semconv.InteractionID(traceID))
	recordtree.Fprint(out, recs)
	if len(recs) == 0 {
		return fmt.Errorf("no records arrived")
	}
	fmt.Fprintf(out, "\nSee it in the viewer: %s\n", localapi.ViewerURL(base, recs[0].ConversationID, recs[0].InteractionID))
	switch {
	case local == nil:
	case keep:
		fmt.Fprintln(out, "The in-process trace API keeps serving; Ctrl-C to stop.")
		<-ctx.Done()
	default:
		fmt.Fprintln(out, "(The in-process trace API stops when the quickstart ends: add -keep to browse it, or run\n"+
			"`tracebridge serve` and set NEURALTRUST_BASE_URL=http://127.0.0.1:8400 to ship there.)")
	}
	return nil
}

// simulateUserTurn plays one user turn of a RAG chat app: an HTTP request whose handler
// retrieves documents, then asks a model. The model call is simulated.
func simulateUserTurn(ctx context.Context, tracer trace.Tracer) trace.TraceID {
	question := "How long do I have to return a pair of shoes?"
	ctx, root := tracer.Start(ctx, "POST /chat", trace.WithSpanKind(trace.SpanKindServer), trace.WithAttributes(
		attribute.String("http.request.method", "POST"),
		attribute.String("url.path", "/chat"),
		attribute.String("session.id", "session-quickstart"),
		attribute.String("user.id", "user-123"),
		attribute.String("gen_ai.conversation.id", "conversation-quickstart"),
	))
	defer root.End()

	_, ret := tracer.Start(ctx, "retrieval policies", trace.WithAttributes(
		attribute.String("gen_ai.operation.name", "retrieval"),
		attribute.String("gen_ai.data_source.id", "policies"),
		attribute.String("gen_ai.retrieval.query.text", question),
	))
	time.Sleep(12 * time.Millisecond)
	ret.SetAttributes(attribute.String("gen_ai.retrieval.documents",
		`[{"id":"returns-policy#2","score":0.91,"content":"Unworn shoes can be returned within 30 days of delivery."}]`))
	ret.End()

	_, gen := tracer.Start(ctx, "chat gpt-4o-mini", trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("gen_ai.operation.name", "chat"),
		attribute.String("gen_ai.provider.name", "openai"),
		attribute.String("gen_ai.request.model", "gpt-4o-mini"),
		attribute.Float64("gen_ai.request.temperature", 0.2),
		attribute.String("gen_ai.system_instructions", `[{"type":"text","content":"Answer from the policy excerpts."}]`),
		attribute.String("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"`+question+`"}]}]`),
	))
	time.Sleep(35 * time.Millisecond)
	gen.SetAttributes(
		attribute.String("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
		attribute.StringSlice("gen_ai.response.finish_reasons", []string{"stop"}),
		attribute.Int("gen_ai.usage.input_tokens", 84),
		attribute.Int("gen_ai.usage.output_tokens", 19),
		attribute.String("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"You can return unworn shoes within 30 days of delivery."}],"finish_reason":"stop"}]`),
	)
	gen.SetStatus(codes.Ok, "")
	gen.End()
	return root.SpanContext().TraceID()
}
