package integration_test

import (
	"context"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlplog/otlploghttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	otellog "go.opentelemetry.io/otel/log"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/semconv"
)

func kv(k string, v attribute.Value) attribute.KeyValue {
	return attribute.KeyValue{Key: attribute.Key(k), Value: v}
}

// emit writes one GenAI event log record in the context of a span, as the official OTel
// Python OpenAI instrumentation does (semantic conventions 1.28–1.36). With byAttribute the
// name is the older event.name attribute instead of the EventName field.
func emit(ctx context.Context, logger otellog.Logger, name string, body attribute.Value, byAttribute bool) {
	var r otellog.Record
	if byAttribute {
		r.AddAttributes(attribute.String("event.name", name))
	} else {
		r.SetEventName(name)
	}
	r.SetTimestamp(time.Now())
	r.SetBody(body)
	r.AddAttributes(attribute.String("gen_ai.system", "openai"))
	logger.Emit(ctx, r)
}

// TestGenAILogEvents is the SDK's genailog test through the distribution: the app exports
// spans without content with otlptracehttp and the GenAI events carrying it with
// otlploghttp, separately, to a collector whose traces and logs pipelines share one
// tracebridge exporter. The events of the first chat are exported before the spans; the
// second chat's choice only after the trace's records were stored. Both pipelines run: the
// durable one (disk queues) and the faithful one (spans held by groupbytrace, logs not).
func TestGenAILogEvents(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name    string
		configs []string
		env     func(t *testing.T) []string
	}{
		{"durable", append([]string{durableConfig}, fast...), func(t *testing.T) []string {
			return []string{"TRACEBRIDGE_QUEUE_DIR=" + t.TempDir()}
		}},
		{"faithful", []string{faithfulConfig, "yaml:processors::groupbytrace::wait_duration: 500ms"}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv := startServe(t, "127.0.0.1:0", "")
			e := env("TRACEBRIDGE_ENDPOINT", srv.URL)
			if tt.env != nil {
				e = append(e, tt.env(t)...)
			}
			c := newCollector(t, e, tt.configs...)
			c.start(t)
			checkGenAILogEvents(t, c, srv, trace.TraceID{0x6e, 0xa1, byte(len(tt.name))})
		})
	}
}

func checkGenAILogEvents(t *testing.T, c *collector, srv *serve, tid trace.TraceID) {
	ctx := context.Background()
	texp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(c.OTLP+"/v1/traces"))
	if err != nil {
		t.Fatal(err)
	}
	lexp, err := otlploghttp.New(ctx, otlploghttp.WithEndpointURL(c.OTLP+"/v1/logs"))
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(texp), sdktrace.WithIDGenerator(&fixedIDs{traceID: tid}))
	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(sdklog.NewBatchProcessor(lexp)))
	defer func() {
		sctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = lp.Shutdown(sctx)
		_ = tp.Shutdown(sctx)
	}()
	flush := func(what string, f func(context.Context) error) {
		t.Helper()
		fctx, cancel := context.WithTimeout(ctx, 10*time.Second)
		defer cancel()
		if err := f(fctx); err != nil {
			t.Fatalf("export the %s: %v", what, err)
		}
	}
	logger := lp.Logger("opentelemetry.instrumentation.openai_v2")
	tracer := tp.Tracer("app")

	rctx, root := tracer.Start(ctx, "POST /ask", trace.WithSpanKind(trace.SpanKindServer))
	cctx, chat := tracer.Start(rctx, "chat gpt-4o", trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("gen_ai.operation.name", "chat"), attribute.String("gen_ai.system", "openai"),
		attribute.String("gen_ai.request.model", "gpt-4o")))
	emit(cctx, logger, "gen_ai.system.message", attribute.MapValue(attribute.String("content", "You are terse.")), false)
	emit(cctx, logger, "gen_ai.user.message", attribute.MapValue(attribute.String("content", "What is 6 × 7?")), false)
	emit(cctx, logger, "gen_ai.assistant.message", attribute.MapValue(kv("tool_calls", attribute.SliceValue(attribute.MapValue(
		attribute.String("id", "call_1"), attribute.String("type", "function"),
		kv("function", attribute.MapValue(attribute.String("name", "multiply"), attribute.String("arguments", `{"a":6,"b":7}`))))))), false)
	emit(cctx, logger, "gen_ai.tool.message", attribute.MapValue(attribute.String("content", "42"), attribute.String("id", "call_1")), true)
	emit(cctx, logger, "gen_ai.choice", attribute.MapValue(attribute.Int("index", 0), attribute.String("finish_reason", "stop"),
		kv("message", attribute.MapValue(attribute.String("content", "42.")))), false)
	emit(rctx, logger, "app.audit", attribute.StringValue("not a GenAI event: ignored"), false)
	chat.End()
	c2ctx, chat2 := tracer.Start(rctx, "chat gpt-4o", trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		attribute.String("gen_ai.operation.name", "chat"), attribute.String("gen_ai.system", "openai")))
	emit(c2ctx, logger, "gen_ai.user.message", attribute.MapValue(attribute.String("content", "And 7 × 8?")), false)
	chat2.End()
	root.End()

	// The logs go first, then the spans, in separate OTLP requests.
	flush("logs", lp.ForceFlush)
	flush("spans", tp.ForceFlush)

	gen1 := semconv.RecordID(tid, chat.SpanContext().SpanID())
	gen2 := semconv.RecordID(tid, chat2.SpanContext().SpanID())
	wantIn := `[{"role":"system","content":"You are terse."},{"role":"user","content":"What is 6 × 7?"},` +
		`{"role":"assistant","tool_calls":[{"id":"call_1","name":"multiply","arguments":"{\"a\":6,\"b\":7}"}]},` +
		`{"role":"tool","content":"42","tool_call_id":"call_1"}]`
	wantOut := `[{"role":"assistant","content":"42.","finish_reason":"stop"}]`
	var byID map[string]record.Record
	waitFor(t, 20*time.Second, "the generation with the logged prompt and choice", func() bool {
		recs := turnRecords(t, srv, tid)
		byID = map[string]record.Record{}
		for _, r := range recs {
			byID[r.TraceID] = r
		}
		return final(recs, record.TaskMessage, record.TaskGeneration, record.TaskGeneration) &&
			byID[gen1].Input == wantIn && byID[gen1].Output == wantOut
	})
	if want := `[{"role":"user","content":"And 7 × 8?"}]`; byID[gen2].Input != want || byID[gen2].Output != "" {
		t.Errorf("second generation before its choice: in %s out %q", byID[gen2].Input, byID[gen2].Output)
	}

	// The second chat's choice, logged after the trace's records were stored.
	emit(c2ctx, logger, "gen_ai.choice", attribute.MapValue(attribute.Int("index", 0), attribute.String("finish_reason", "stop"),
		kv("message", attribute.MapValue(attribute.String("content", "56.")))), false)
	flush("late choice", lp.ForceFlush)
	var recs []record.Record
	// The generation and the message (whose output is the last generation's) are re-sent in
	// separate requests: wait for both.
	waitFor(t, 20*time.Second, "the second generation and the message re-sent with the late choice", func() bool {
		recs = turnRecords(t, srv, tid)
		genDone, msgDone := false, false
		for _, r := range recs {
			switch r.TraceID {
			case gen2:
				genDone = r.Output == `[{"role":"assistant","content":"56.","finish_reason":"stop"}]`
			case semconv.MessageID(tid):
				msgDone = r.Output == "56."
			}
		}
		return genDone && msgDone
	})
	byID = checkConsistent(t, recs, tid)
	if len(byID) != 3 {
		t.Errorf("%d records, want the message and two generations", len(byID))
	}
	if g := byID[gen1]; g.Input != wantIn || g.Output != wantOut {
		t.Errorf("first generation after the late choice: in %s out %s", g.Input, g.Output)
	}
	if msg := byID[semconv.MessageID(tid)]; msg.Input != "What is 6 × 7?" || msg.Output != "56." {
		t.Errorf("message: in %q out %q", msg.Input, msg.Output)
	}
}
