package integration_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/exporter"
	"github.com/tracebridge/tracebridge/exporter/genailog"
	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/semconv"
)

func kv(k string, v attribute.Value) attribute.KeyValue {
	return attribute.KeyValue{Key: attribute.Key(k), Value: v}
}

// emit writes one GenAI event log record in the context of a span, as the official OTel
// Python OpenAI instrumentation does (semantic conventions 1.28–1.36).
func emit(ctx context.Context, logger otellog.Logger, name string, body attribute.Value) {
	var r otellog.Record
	r.SetEventName(name)
	r.SetTimestamp(time.Now())
	r.SetBody(body)
	r.AddAttributes(attribute.String("gen_ai.system", "openai"))
	logger.Emit(ctx, r)
}

// TestGenAILogEventsJoinTheirSpans: spans carry no content; log records do. The records
// that reach the API hold the messages, system instructions, tool calls and choices, in
// order — including an event emitted after its span (and trace) was already sent.
func TestGenAILogEventsJoinTheirSpans(t *testing.T) {
	srv := startServe(t)
	proc := exporter.NewProcessor(newExporter(t, srv.URL))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(proc))
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(genailog.NewProcessor(proc)))
	logger := lp.Logger("openai-instrumentation")
	tracer := tp.Tracer("app")

	ctx, root := tracer.Start(context.Background(), "POST /ask")
	cctx, chat := tracer.Start(ctx, "chat gpt-4o", trace.WithAttributes(
		attribute.String("gen_ai.operation.name", "chat"), attribute.String("gen_ai.system", "openai"),
		attribute.String("gen_ai.request.model", "gpt-4o")))
	emit(cctx, logger, "gen_ai.system.message", attribute.MapValue(attribute.String("content", "You are terse.")))
	emit(cctx, logger, "gen_ai.user.message", attribute.MapValue(attribute.String("content", "What is 6 × 7?")))
	emit(cctx, logger, "gen_ai.assistant.message", attribute.MapValue(kv("tool_calls", attribute.SliceValue(attribute.MapValue(
		attribute.String("id", "call_1"), attribute.String("type", "function"),
		kv("function", attribute.MapValue(attribute.String("name", "multiply"), attribute.String("arguments", `{"a":6,"b":7}`))))))))
	emit(cctx, logger, "gen_ai.tool.message", attribute.MapValue(attribute.String("content", "42"), attribute.String("id", "call_1")))
	emit(cctx, logger, "gen_ai.choice", attribute.MapValue(attribute.Int("index", 0), attribute.String("finish_reason", "stop"),
		kv("message", attribute.MapValue(attribute.String("content", "42.")))))
	emit(ctx, logger, "app.audit", attribute.StringValue("not a GenAI event: ignored"))
	chat.End()

	// A second chat whose choice is logged only after the whole trace was delivered.
	c2ctx, chat2 := tracer.Start(ctx, "chat gpt-4o", trace.WithAttributes(attribute.String("gen_ai.operation.name", "chat")))
	emit(c2ctx, logger, "gen_ai.user.message", attribute.MapValue(attribute.String("content", "And 7 × 8?")))
	chat2.End()
	root.End()
	if err := tp.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	emit(c2ctx, logger, "gen_ai.choice", attribute.MapValue(attribute.Int("index", 0), attribute.String("finish_reason", "stop"),
		kv("message", attribute.MapValue(attribute.String("content", "56.")))))
	// An event for a span that never ends here.
	orphan := trace.ContextWithSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{9}, SpanID: trace.SpanID{9}, TraceFlags: trace.FlagsSampled}))
	emit(orphan, logger, "gen_ai.user.message", attribute.MapValue(attribute.String("content", "lost")))
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}

	tid := root.SpanContext().TraceID()
	recs := srv.records(t, "interaction_id="+url.QueryEscape(semconv.InteractionID(tid)))
	byID := map[string]record.Record{}
	for _, r := range recs {
		byID[r.TraceID] = r
	}
	gen := byID[semconv.RecordID(tid, chat.SpanContext().SpanID())]
	wantIn := `[{"role":"system","content":"You are terse."},{"role":"user","content":"What is 6 × 7?"},` +
		`{"role":"assistant","tool_calls":[{"id":"call_1","name":"multiply","arguments":"{\"a\":6,\"b\":7}"}]},` +
		`{"role":"tool","content":"42","tool_call_id":"call_1"}]`
	if gen.Input != wantIn {
		t.Errorf("generation input\n got %s\nwant %s", gen.Input, wantIn)
	}
	if want := `[{"role":"assistant","content":"42.","finish_reason":"stop"}]`; gen.Output != want {
		t.Errorf("generation output\n got %s\nwant %s", gen.Output, want)
	}
	late := byID[semconv.RecordID(tid, chat2.SpanContext().SpanID())]
	if want := `[{"role":"assistant","content":"56.","finish_reason":"stop"}]`; late.Output != want {
		t.Errorf("an event after its span was sent must update the record: output %q", late.Output)
	}
	msg := byID[semconv.MessageID(tid)]
	if msg.Input != "What is 6 × 7?" || msg.Output != "56." {
		t.Errorf("message: in %q out %q", msg.Input, msg.Output)
	}
	// 7 GenAI events joined (the app.audit record is not one) plus the orphan, which is
	// counted as such only once its trace is forgotten after the bounded wait (unit-tested in
	// internal/assembly).
	if st := proc.Stats(); st.Events != 8 || st.ResentChange != 2 {
		t.Errorf("processor stats %+v", st)
	}
}
