package semconv

import (
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"

	"github.com/tracebridge/tracebridge/record"
)

// Metadata keys tracebridge sets beside those of the record package.
const (
	MetaTruncated             = record.MetaTruncated     // true: the span hit the SDK's attribute limit, content may be cut
	MetaToolCallID            = "tool_call_id"           // the tool call a tool record answers
	MetaFunctionID            = "function_id"            // ai.telemetry.functionId (Vercel AI SDK)
	MetaTags                  = "tags"                   // tag.tags (OpenInference), a string list
	MetaEvaluationName        = "evaluation_name"        // gen_ai.evaluation.name
	MetaEvaluationScore       = "evaluation_score"       // gen_ai.evaluation.score.value, a number
	MetaEvaluationLabel       = "evaluation_label"       // gen_ai.evaluation.score.label
	MetaEvaluationExplanation = "evaluation_explanation" // gen_ai.evaluation.explanation
)

// Metadata sources in precedence order.
var (
	operationKeys = []attribute.Key{GenAIOperationName, OISpanKind, LLMRequestType, TraceloopSpanKind}
	modelKeys     = []attribute.Key{
		GenAIResponseModel, GenAIRequestModel, OILLMModelName, OIEmbeddingModelName, OIRerankerModelName,
		AIResponseModel, AIModelID, LLMResponseModel, LLMRequestModel,
	}
	providerKeys = []attribute.Key{GenAIProviderName, GenAISystem, OILLMProvider, OILLMSystem, AIModelProvider, LLMVendor}
	toolNameKeys = []attribute.Key{GenAIToolName, OIToolName, OIToolCallFunctionName, AIToolCallName}
	toolCallKeys = []attribute.Key{GenAIToolCallID, OIToolCallID, AIToolCallID}
	agentKeys    = []attribute.Key{GenAIAgentName, OIAgentName}
)

// spanMetadata collects what the v1 body has no field for.
func spanMetadata(st *step) map[string]any {
	s, a := st.span, st.a
	// A generation's metadata (ids, model, finish reason, usage) outgrows a small map:
	// sized for it at once (14 fills one 16-slot table), not grown from 8.
	size := 8
	if st.task == record.TaskGeneration {
		size = 14
	}
	m := make(map[string]any, size)
	m[record.MetaSpanName] = s.Name
	m[record.MetaOTelTraceID] = s.TraceID.String()
	m[record.MetaOTelSpanID] = s.SpanID.String()
	m[record.MetaStatus] = "ok"
	if s.ParentSpanID.IsValid() {
		m[record.MetaOTelParentSpanID] = s.ParentSpanID.String()
	}
	put := func(k, v string) {
		if v != "" {
			m[k] = v
		}
	}
	op := a.str(operationKeys...)
	if op == "" {
		op = vercelOperation(st)
	}
	put(record.MetaOperation, op)
	put(record.MetaModel, a.str(modelKeys...))
	put(record.MetaProvider, a.str(providerKeys...))
	put(record.MetaFinishReason, finishReason(st))
	switch st.task {
	case record.TaskTool:
		name := a.str(toolNameKeys...)
		if name == "" && strings.EqualFold(a.str(TraceloopSpanKind), TraceloopKindTool) {
			name = a.str(TraceloopEntityName)
		}
		put(record.MetaToolName, name)
		put(MetaToolCallID, a.str(toolCallKeys...))
	case record.TaskEvent:
		evaluationMetadata(a, m)
	}
	agent := a.str(agentKeys...)
	if agent == "" && st.task == record.TaskAgent && strings.EqualFold(a.str(TraceloopSpanKind), TraceloopKindAgent) {
		agent = a.str(TraceloopEntityName)
	}
	put(record.MetaAgentName, agent)
	put(MetaFunctionID, a.str(AITelemetryFunctionID))
	if tags := a.strings(OITagTags); len(tags) > 0 {
		m[MetaTags] = tags
	}
	usageMetadata(st, m)
	if s.DroppedAttributes > 0 {
		m[record.MetaDroppedAttributes] = int64(s.DroppedAttributes)
		m[MetaTruncated] = true
	}
	if msg, failed := spanError(s, a); failed {
		m[record.MetaStatus] = "error"
		if msg != "" {
			m[record.MetaError] = msg
		}
	}
	return m
}

// finishReason is the first finish reason: gen_ai.response.finish_reasons, llm.finish_reason,
// ai.response.finishReason, else the first one on the output messages.
func finishReason(st *step) string {
	if fr := st.a.strings(GenAIResponseFinishReasons); len(fr) > 0 && fr[0] != "" {
		return fr[0]
	}
	if fr := st.a.str(OILLMFinishReason, AIResponseFinishReason); fr != "" {
		return fr
	}
	for _, msg := range st.out {
		if msg.FinishReason != "" {
			return msg.FinishReason
		}
	}
	return ""
}

func evaluationMetadata(a attrs, m map[string]any) {
	if v := a.str(GenAIEvaluationName); v != "" {
		m[MetaEvaluationName] = v
	}
	if v, ok := a.get(GenAIEvaluationScoreValue); ok {
		if f, ok := valueFloat(v); ok {
			m[MetaEvaluationScore] = f
		}
	}
	if v := a.str(GenAIEvaluationScoreLabel); v != "" {
		m[MetaEvaluationLabel] = v
	}
	if v := a.str(GenAIEvaluationExplanation); v != "" {
		m[MetaEvaluationExplanation] = v
	}
}

// spanError reports whether the span failed and why: an Error status or error.type fail it;
// the message is the status description, else error.type, else the first exception event's
// message. An exception event alone does not fail a span (it may have been handled).
func spanError(s *Span, a attrs) (string, bool) {
	failed := s.StatusCode == codes.Error
	msg := s.StatusDesc
	if et := a.str(ErrorType); et != "" {
		failed = true
		if msg == "" {
			msg = et
		}
	}
	if msg == "" && failed {
		for i := range s.Events {
			if ev := &s.Events[i]; ev.Name == ExceptionEventName {
				if msg = first(eventStr(ev, ExceptionMessage), eventStr(ev, ExceptionType)); msg != "" {
					break
				}
			}
		}
	}
	return msg, failed
}
