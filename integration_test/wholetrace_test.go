package integration_test

import (
	"context"
	"net/url"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/exporter"
	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/semconv"
)

var agentTraceID = trace.TraceID{0x5b, 0x8e, 0xff, 0xf7, 0x98, 0x03, 0x81, 0x03, 0xd2, 0x69, 0xb6, 0x33, 0x81, 0x3f, 0xc6, 0x0c}

// toolLoopTrace plays one user turn of a tool-using chat app, with explicit times: an HTTP
// server span → handler → retrieval → chat (with the provider's HTTP client span under it)
// asking for a tool → tool → chat giving the answer. Span ids are 1..7 in start order.
// pause, when set, runs after the first chat ended and before the rest (to flush while the
// root is still open).
func toolLoopTrace(tracer trace.Tracer, base time.Time, pause func()) {
	toolLoopTraceWith(tracer, base, pause, false)
}

// toolLoopTraceWith is toolLoopTrace; with evaluate, the final answer is also evaluated: an
// instant span (id 8) under the second chat with gen_ai.evaluation.* attributes, as the
// bridge's Evaluation records it.
func toolLoopTraceWith(tracer trace.Tracer, base time.Time, pause func(), evaluate bool) {
	ctx, root := tracer.Start(context.Background(), "POST /chat", trace.WithTimestamp(base), trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(str("http.request.method", "POST"), str("session.id", "sess-7"), str("user.id", "u-3")))
	hctx, handler := tracer.Start(ctx, "handler", trace.WithTimestamp(at(base, 1)))

	_, ret := tracer.Start(hctx, "retrieval docs", trace.WithTimestamp(at(base, 2)), trace.WithAttributes(
		str("gen_ai.operation.name", "retrieval"), str("gen_ai.retrieval.query.text", "weather in Paris"),
		str("gen_ai.retrieval.documents", `[{"id":"d1","score":0.8,"content":"Use the weather tool."}]`)))
	ret.End(trace.WithTimestamp(at(base, 10)))

	cctx, chat1 := tracer.Start(hctx, "chat gpt-4o", trace.WithTimestamp(at(base, 11)), trace.WithAttributes(
		str("gen_ai.operation.name", "chat"), str("gen_ai.provider.name", "openai"), str("gen_ai.request.model", "gpt-4o"),
		str("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"What's the weather in Paris?"}]}]`)))
	_, h := tracer.Start(cctx, "POST", trace.WithTimestamp(at(base, 12)), trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(str("http.request.method", "POST")))
	h.End(trace.WithTimestamp(at(base, 48)))
	chat1.SetAttributes(attribute.Int("gen_ai.usage.input_tokens", 100), attribute.Int("gen_ai.usage.output_tokens", 20),
		str("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"tool_call","id":"call_1","name":"get_weather","arguments":{"city":"Paris"}}],"finish_reason":"tool_call"}]`))
	chat1.End(trace.WithTimestamp(at(base, 50)))
	if pause != nil {
		pause()
	}

	_, tool := tracer.Start(hctx, "execute_tool get_weather", trace.WithTimestamp(at(base, 51)), trace.WithAttributes(
		str("gen_ai.operation.name", "execute_tool"), str("gen_ai.tool.name", "get_weather"), str("gen_ai.tool.call.id", "call_1"),
		str("gen_ai.tool.call.arguments", `{"city":"Paris"}`), str("gen_ai.tool.call.result", `{"temp_c":18}`)))
	tool.End(trace.WithTimestamp(at(base, 60)))

	c2ctx, chat2 := tracer.Start(hctx, "chat gpt-4o", trace.WithTimestamp(at(base, 61)), trace.WithAttributes(
		str("gen_ai.operation.name", "chat"), str("gen_ai.provider.name", "openai"), str("gen_ai.request.model", "gpt-4o"),
		attribute.Int("gen_ai.usage.input_tokens", 150), attribute.Int("gen_ai.usage.output_tokens", 30),
		str("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"It is 18°C in Paris."}],"finish_reason":"stop"}]`)))
	chat2.End(trace.WithTimestamp(at(base, 90)))
	if evaluate {
		_, ev := tracer.Start(c2ctx, "relevance", trace.WithTimestamp(at(base, 90)), trace.WithAttributes(
			str("gen_ai.evaluation.name", "relevance"), attribute.Float64("gen_ai.evaluation.score.value", 0.92),
			str("gen_ai.evaluation.score.label", "relevant"), str("gen_ai.evaluation.explanation", "names the temperature")))
		ev.End(trace.WithTimestamp(at(base, 90)))
	}
	handler.End(trace.WithTimestamp(at(base, 95)))
	root.End(trace.WithTimestamp(at(base, 100)))
}

// assertToolLoopTree checks the final state the server holds for toolLoopTrace: the message
// at the top with the whole turn's input, answer and usage summed once; retrieval, both
// generations and the tool under it; no record for the HTTP or handler spans; every parent
// sent; every record sharing the trace's ids.
func assertToolLoopTree(t *testing.T, srv *serve) {
	t.Helper()
	interaction := semconv.InteractionID(agentTraceID)
	recs := srv.records(t, "interaction_id="+url.QueryEscape(interaction))
	msgID := semconv.MessageID(agentTraceID)
	want := map[string]struct {
		task   record.Task
		parent string
	}{
		msgID: {record.TaskMessage, ""},
		semconv.RecordID(agentTraceID, spanID(3)): {record.TaskRetrieval, msgID},
		semconv.RecordID(agentTraceID, spanID(4)): {record.TaskGeneration, msgID},
		semconv.RecordID(agentTraceID, spanID(6)): {record.TaskTool, msgID},
		semconv.RecordID(agentTraceID, spanID(7)): {record.TaskGeneration, msgID},
	}
	if len(recs) != len(want) {
		t.Fatalf("want %d records, the server holds %d: %+v", len(want), len(recs), recs)
	}
	sent := map[string]bool{}
	for _, r := range recs {
		sent[r.TraceID] = true
	}
	for _, r := range recs {
		w, ok := want[r.TraceID]
		if !ok {
			t.Errorf("unexpected record %s %q", r.Task, r.Metadata["span_name"])
			continue
		}
		if r.Task != w.task || r.ParentID != w.parent {
			t.Errorf("%s %q: task %s parent %q, want %s under %q", r.TraceID, r.Metadata["span_name"], r.Task, r.ParentID, w.task, w.parent)
		}
		if r.ParentID != "" && !sent[r.ParentID] {
			t.Errorf("%s: dangling parent %s", r.TraceID, r.ParentID)
		}
		if r.InteractionID != interaction || r.ConversationID != interaction || r.SessionID != "sess-7" || r.User == nil || r.User.ID != "u-3" {
			t.Errorf("%s: ids not shared: %+v", r.Task, r)
		}
		if _, ok := r.Metadata["provisional"]; ok {
			t.Errorf("%s: still provisional in the final state", r.Task)
		}
		if r.Task == record.TaskMessage {
			if r.Input != "What's the weather in Paris?" || r.Output != "It is 18°C in Paris." || r.Latency != 100 {
				t.Errorf("message content: in=%q out=%q latency=%d", r.Input, r.Output, r.Latency)
			}
			if r.Metadata["input_tokens"] != int64(250) || r.Metadata["output_tokens"] != int64(50) || r.Metadata["total_tokens"] != int64(300) {
				t.Errorf("usage must be summed once over the generations: %v", r.Metadata)
			}
		}
		if r.Task == record.TaskTool && (r.Input != `{"city":"Paris"}` || r.Output != `{"temp_c":18}`) {
			t.Errorf("tool content: %q → %q", r.Input, r.Output)
		}
	}
}

func serveStats(t *testing.T, srv *serve) map[string]int64 {
	t.Helper()
	var raw map[string]any
	srv.getJSON(t, "/v1/stats", &raw)
	st := map[string]int64{}
	for k, v := range raw {
		if n, ok := v.(float64); ok {
			st[k] = int64(n)
		}
	}
	return st
}

// TestWholeTraceAcrossBatches ends the trace so that the batch span processor hands it to
// the exporter in several exports (at most two spans each), and checks the tree the server
// ends up with.
func TestWholeTraceAcrossBatches(t *testing.T) {
	srv := startServe(t)
	exp := newExporter(t, srv.URL)
	var batches int
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(countingExporter{exp, &batches}, sdktrace.WithMaxExportBatchSize(2), sdktrace.WithBatchTimeout(time.Millisecond)),
		sdktrace.WithIDGenerator(&fixedIDs{traceID: agentTraceID}))
	toolLoopTrace(tp.Tracer("it"), time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC), nil)
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if batches < 3 {
		t.Fatalf("the trace came in %d exports; the test needs it split", batches)
	}
	assertToolLoopTree(t, srv)
	t.Logf("%d exports; server stats %v", batches, serveStats(t, srv))
}

// countingExporter counts ExportSpans calls with spans in them.
type countingExporter struct {
	*exporter.Exporter
	n *int
}

func (c countingExporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	if len(spans) > 0 {
		*c.n++ // the batch span processor exports from one goroutine
	}
	return c.Exporter.ExportSpans(ctx, spans)
}

// TestProcessorSendsWholeTraceOnce registers the trace-aware processor: the trace is sent
// once, whole, with no re-sends.
func TestProcessorSendsWholeTraceOnce(t *testing.T) {
	srv := startServe(t)
	proc := exporter.NewProcessor(newExporter(t, srv.URL))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(proc), sdktrace.WithIDGenerator(&fixedIDs{traceID: agentTraceID}))
	toolLoopTrace(tp.Tracer("it"), time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC), nil)
	if err := tp.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	assertToolLoopTree(t, srv)
	if st := serveStats(t, srv); st["duplicates"] != 0 || st["received"] != 5 {
		t.Errorf("a whole trace is sent once: %v", st)
	}
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestForceFlushWithOpenRoot flushes while the root is still running: the server gets a
// provisional message and the steps so far; after the root ends, the final state is the
// whole tree, reached by re-sending only what changed.
func TestForceFlushWithOpenRoot(t *testing.T) {
	srv := startServe(t)
	proc := exporter.NewProcessor(newExporter(t, srv.URL))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(proc), sdktrace.WithIDGenerator(&fixedIDs{traceID: agentTraceID}))
	interaction := url.QueryEscape(semconv.InteractionID(agentTraceID))
	toolLoopTrace(tp.Tracer("it"), time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC), func() {
		if err := tp.ForceFlush(context.Background()); err != nil {
			t.Fatal(err)
		}
		recs := srv.records(t, "interaction_id="+interaction)
		if len(recs) != 3 {
			t.Fatalf("after the flush: want the provisional message, the retrieval and the first chat, got %+v", recs)
		}
		msg := recs[0]
		for _, r := range recs {
			if r.Task == record.TaskMessage {
				msg = r
			}
		}
		if msg.Task != record.TaskMessage || msg.Metadata["provisional"] != true || msg.Metadata["span_name"] != "POST /chat" {
			t.Errorf("the open root must be sent as a provisional message: %+v", msg)
		}
		if msg.Input != "What's the weather in Paris?" {
			t.Errorf("provisional message input: %q", msg.Input)
		}
	})
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	assertToolLoopTree(t, srv)
	st := serveStats(t, srv)
	// The message is re-sent (it changed); the retrieval and the first chat are not.
	if st["duplicates"] != 1 || st["stored"] != 5 {
		t.Errorf("re-sends: want only the message replaced, stats %v", st)
	}
}
