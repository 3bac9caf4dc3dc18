// Package chatturn builds one RAG chat turn as OTLP trace data, in whole or in pieces, the
// way instrumented apps send it to a collector. The component's and the distribution's
// tests share it.
package chatturn

import (
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
)

// The spans of a turn, by the last byte of their span id.
const (
	Root      byte = 1 // "POST /chat", the HTTP server span: the message
	Retrieval byte = 3 // a retrieval under the root
	Chat      byte = 4 // a chat generation under the root
)

// Base is when a turn starts.
var Base = time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)

// SpanID is the span id of part.
func SpanID(part byte) pcommon.SpanID { return pcommon.SpanID{7: part} }

// Trace returns the given parts (Root, Retrieval, Chat) of the turn of trace tid.
func Trace(tid pcommon.TraceID, parts ...byte) ptrace.Traces {
	td := ptrace.NewTraces()
	rs := td.ResourceSpans().AppendEmpty()
	rs.Resource().Attributes().PutStr("service.name", "shop-assistant")
	spans := rs.ScopeSpans().AppendEmpty().Spans()
	for _, p := range parts {
		sp := spans.AppendEmpty()
		sp.SetTraceID(tid)
		sp.SetSpanID(SpanID(p))
		a := sp.Attributes()
		switch p {
		case Root:
			sp.SetName("POST /chat")
			sp.SetKind(ptrace.SpanKindServer)
			times(sp, 0, 400)
			a.PutStr("http.request.method", "POST")
			a.PutStr("session.id", "sess-1")
		case Retrieval:
			sp.SetName("retrieval kb")
			sp.SetParentSpanID(SpanID(Root))
			times(sp, 10, 40)
			a.PutStr("gen_ai.operation.name", "retrieval")
			a.PutStr("gen_ai.retrieval.query.text", "What is the refund window?")
			a.PutStr("gen_ai.retrieval.documents", `[{"id":"doc-7","score":0.92,"content":"Refunds within 30 days."}]`)
		case Chat:
			sp.SetName("chat gpt-4o-mini")
			sp.SetParentSpanID(SpanID(Root))
			sp.SetKind(ptrace.SpanKindClient)
			times(sp, 50, 390)
			a.PutStr("gen_ai.operation.name", "chat")
			a.PutStr("gen_ai.provider.name", "openai")
			a.PutStr("gen_ai.request.model", "gpt-4o-mini")
			a.PutInt("gen_ai.usage.input_tokens", 120)
			a.PutInt("gen_ai.usage.output_tokens", 18)
			a.PutStr("gen_ai.input.messages", `[{"role":"user","parts":[{"type":"text","content":"What is the refund window?"}]}]`)
			a.PutStr("gen_ai.output.messages", `[{"role":"assistant","parts":[{"type":"text","content":"30 days."}],"finish_reason":"stop"}]`)
		}
	}
	return td
}

func times(sp ptrace.Span, startMS, endMS int) {
	sp.SetStartTimestamp(pcommon.NewTimestampFromTime(Base.Add(time.Duration(startMS) * time.Millisecond)))
	sp.SetEndTimestamp(pcommon.NewTimestampFromTime(Base.Add(time.Duration(endMS) * time.Millisecond)))
}
