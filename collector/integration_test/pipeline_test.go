package integration_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/collector/internal/chatturn"
	"github.com/tracebridge/tracebridge/record"
)

// fast makes the durable example retry quickly, so that a test does not wait out its
// production backoff.
var fast = []string{
	"yaml:exporters::tracebridge::retry_on_failure::initial_interval: 100ms",
	"yaml:exporters::tracebridge::retry_on_failure::max_interval: 500ms",
	"yaml:exporters::tracebridge::sending_queue::batch::flush_timeout: 100ms",
}

// TestDurablePipeline runs the shipped durable example against `tracebridge serve` and
// sends it OTLP/HTTP in protobuf (Go's otlptracehttp) and in JSON (a payload recorded from a
// Python app, posted as collectors receive it).
func TestDurablePipeline(t *testing.T) {
	t.Parallel()
	srv := startServe(t, "127.0.0.1:0", "")
	c := newCollector(t, env("TRACEBRIDGE_ENDPOINT", srv.URL, "TRACEBRIDGE_QUEUE_DIR", t.TempDir()), append([]string{durableConfig}, fast...)...)
	c.start(t)

	t.Run("protobuf", func(t *testing.T) {
		tid := trace.TraceID{0x0a, 0xf7, 0x65, 0x19, 0x16, 0xcd, 0x43, 0xdd, 0x84, 0x48, 0xeb, 0x21, 0x1c, 0x80, 0x31, 0x9c}
		sendChatTurn(t, c.OTLP, tid)
		var recs []record.Record
		waitFor(t, 30*time.Second, "the records of the SDK's trace", func() bool {
			recs = turnRecords(t, srv, tid)
			return final(recs, record.TaskMessage, record.TaskRetrieval, record.TaskGeneration)
		})
		byID := checkConsistent(t, recs, tid)
		tasks := byTask(recs)
		msg, gen, ret := tasks[record.TaskMessage], tasks[record.TaskGeneration], tasks[record.TaskRetrieval]
		if gen.ParentID != msg.TraceID || ret.ParentID != msg.TraceID {
			t.Errorf("parents: generation → %s, retrieval → %s; want the message %s (the handler span is not a record)", gen.ParentID, ret.ParentID, msg.TraceID)
		}
		if msg.Input != "What is the refund window?" || msg.Output != "30 days." || msg.SessionID != "sess-1" || msg.ConversationID != "conv-42" {
			t.Errorf("message content: in %q out %q session %q conversation %q", msg.Input, msg.Output, msg.SessionID, msg.ConversationID)
		}
		if gen.Metadata[record.MetaModel] != "gpt-4o-mini-2024-07-18" || fmt.Sprint(gen.Metadata[record.MetaInputTokens]) != "120" || gen.Latency != 260 {
			t.Errorf("generation: model %v, input tokens %v, latency %d", gen.Metadata[record.MetaModel], gen.Metadata[record.MetaInputTokens], gen.Latency)
		}
		if !strings.Contains(ret.Output, "doc-7") {
			t.Errorf("retrieval output %q, want the documents", ret.Output)
		}
		if len(byID) != 3 {
			t.Errorf("%d records", len(byID))
		}
	})

	t.Run("json", func(t *testing.T) {
		body, err := os.ReadFile(filepath.Join("testdata", "otlp_agent_trace.json"))
		if err != nil {
			t.Fatal(err)
		}
		if code := c.post("application/json", body, nil); code != 200 {
			t.Fatalf("POST /v1/traces (OTLP/JSON): HTTP %d", code)
		}
		tid, _ := trace.TraceIDFromHex("5b8efff798038103d269b633813fc60c")
		var recs []record.Record
		waitFor(t, 30*time.Second, "the records of the OTLP/JSON trace", func() bool {
			recs = turnRecords(t, srv, tid)
			return final(recs, record.TaskMessage, record.TaskAgent, record.TaskGeneration, record.TaskTool)
		})
		checkConsistent(t, recs, tid)
		tasks := byTask(recs)
		msg, agent, gen, tool := tasks[record.TaskMessage], tasks[record.TaskAgent], tasks[record.TaskGeneration], tasks[record.TaskTool]
		if agent.ParentID != msg.TraceID || gen.ParentID != agent.TraceID || tool.ParentID != agent.TraceID {
			t.Errorf("parents: agent → %s, generation → %s, tool → %s; want message %s, then agent %s",
				agent.ParentID, gen.ParentID, tool.ParentID, msg.TraceID, agent.TraceID)
		}
		if msg.ConversationID != "conv-json-1" || msg.SessionID != "sess-json" || msg.User == nil || msg.User.ID != "user-17" {
			t.Errorf("message identity: conversation %q session %q user %+v", msg.ConversationID, msg.SessionID, msg.User)
		}
		if fmt.Sprint(gen.Metadata[record.MetaInputTokens]) != "212" || gen.Metadata[record.MetaModel] != "gpt-4o-2024-08-06" {
			t.Errorf("generation: tokens %v model %v (OTLP/JSON ints are strings)", gen.Metadata[record.MetaInputTokens], gen.Metadata[record.MetaModel])
		}
		if !strings.Contains(gen.Input, "Where is my order A-1001?") || !strings.Contains(tool.Output, "shipped") {
			t.Errorf("content: generation in %q, tool out %q", gen.Input, tool.Output)
		}
		if ms := time.UnixMilli(msg.StartTimestamp).UTC(); !ms.Equal(time.Date(2025, 11, 29, 10, 0, 0, 0, time.UTC)) || msg.Latency != 900 {
			t.Errorf("message time: start %v latency %d", ms, msg.Latency)
		}
	})
}

// TestFaithfulPipeline: with groupbytrace in front, a trace that arrives in two requests
// (children first) is mapped once, whole: no provisional record, nothing re-sent.
func TestFaithfulPipeline(t *testing.T) {
	t.Parallel()
	srv := startServe(t, "127.0.0.1:0", "")
	c := newCollector(t, env("TRACEBRIDGE_ENDPOINT", srv.URL), faithfulConfig,
		"yaml:processors::groupbytrace::wait_duration: 1s")
	c.start(t)

	tid := pcommon.TraceID{0xfa, 0x17, 0xf0, 1}
	if code := c.postOTLP(chatturn.Trace(tid, chatturn.Retrieval, chatturn.Chat), nil); code != 200 {
		t.Fatalf("children: HTTP %d", code)
	}
	time.Sleep(200 * time.Millisecond)
	if code := c.postOTLP(chatturn.Trace(tid, chatturn.Root), nil); code != 200 {
		t.Fatalf("root: HTTP %d", code)
	}
	var recs []record.Record
	waitFor(t, 20*time.Second, "the grouped trace's records", func() bool {
		recs = turnRecords(t, srv, trace.TraceID(tid))
		return len(recs) == 3
	})
	checkConsistent(t, recs, trace.TraceID(tid))
	if !final(recs, record.TaskMessage, record.TaskRetrieval, record.TaskGeneration) {
		t.Errorf("records are not the whole trace's: %+v", recs)
	}
	if s := srv.stats(t); s.Received != 3 || s.Duplicates != 0 {
		t.Errorf("server stats %+v: want 3 records received once each", s)
	}
}

// sendChatTurn records one RAG chat turn with the OTel SDK and exports it with otlptracehttp
// to the collector at otlpURL: the HTTP root, a handler span, a retrieval, and a chat call
// with its HTTP client span.
func sendChatTurn(t *testing.T, otlpURL string, tid trace.TraceID) {
	t.Helper()
	ctx := context.Background()
	exp, err := otlptracehttp.New(ctx, otlptracehttp.WithEndpointURL(otlpURL+"/v1/traces"))
	if err != nil {
		t.Fatal(err)
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp), sdktrace.WithIDGenerator(&fixedIDs{traceID: tid}))
	tracer := tp.Tracer("it")
	base := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	at := func(ms int) trace.SpanStartEventOption {
		return trace.WithTimestamp(base.Add(time.Duration(ms) * time.Millisecond))
	}
	s := attribute.String

	ctx, root := tracer.Start(ctx, "POST /chat", at(0), trace.WithSpanKind(trace.SpanKindServer),
		trace.WithAttributes(s("http.request.method", "POST"), s("session.id", "sess-1")))
	hctx, handler := tracer.Start(ctx, "handler", at(5))
	_, ret := tracer.Start(hctx, "retrieval kb", at(10), trace.WithAttributes(
		s("gen_ai.operation.name", "retrieval"), s("gen_ai.data_source.id", "kb"),
		s("gen_ai.retrieval.query.text", "What is the refund window?"),
		s("gen_ai.retrieval.documents", `[{"id":"doc-7","score":0.92,"content":"Refunds within 30 days."}]`)))
	ret.End(trace.WithTimestamp(base.Add(40 * time.Millisecond)))
	cctx, chat := tracer.Start(hctx, "chat gpt-4o-mini", at(50), trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(
		s("gen_ai.operation.name", "chat"), s("gen_ai.provider.name", "openai"), s("gen_ai.request.model", "gpt-4o-mini"),
		s("gen_ai.conversation.id", "conv-42"),
		s("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"What is the refund window?"}]}]`)))
	_, httpc := tracer.Start(cctx, "POST", at(55), trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(s("http.request.method", "POST"), s("server.address", "api.openai.com")))
	httpc.End(trace.WithTimestamp(base.Add(300 * time.Millisecond)))
	chat.SetAttributes(s("gen_ai.response.model", "gpt-4o-mini-2024-07-18"),
		attribute.Int("gen_ai.usage.input_tokens", 120), attribute.Int("gen_ai.usage.output_tokens", 18),
		s("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"30 days."}],"finish_reason":"stop"}]`))
	chat.End(trace.WithTimestamp(base.Add(310 * time.Millisecond)))
	handler.End(trace.WithTimestamp(base.Add(320 * time.Millisecond)))
	root.End(trace.WithTimestamp(base.Add(330 * time.Millisecond)))
	sctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if err := tp.Shutdown(sctx); err != nil {
		t.Fatalf("otlptracehttp export: %v", err)
	}
}

// fixedIDs hands out trace id traceID and span ids 1, 2, 3, ….
type fixedIDs struct {
	mu      sync.Mutex
	traceID trace.TraceID
	next    byte
}

func (g *fixedIDs) NewIDs(ctx context.Context) (trace.TraceID, trace.SpanID) {
	return g.traceID, g.NewSpanID(ctx, g.traceID)
}

func (g *fixedIDs) NewSpanID(context.Context, trace.TraceID) trace.SpanID {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.next++
	return trace.SpanID{7: g.next}
}
