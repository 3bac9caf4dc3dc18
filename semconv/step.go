package semconv

import (
	"go.opentelemetry.io/otel/codes"

	"github.com/tracebridge/tracebridge/record"
)

// detectTask decides what record a span is, from the most specific signal it carries.
func detectTask(a attrs) record.Task {
	switch a.str(GenAIOperationName) {
	case GenAIOperationChat, GenAIOperationTextCompletion, GenAIOperationGenerateContent, GenAIOperationEmbeddings:
		return record.TaskGeneration
	case GenAIOperationRetrieval:
		return record.TaskRetrieval
	case GenAIOperationExecuteTool:
		return record.TaskTool
	case GenAIOperationCreateAgent, GenAIOperationInvokeAgent, GenAIOperationInvokeWorkflow:
		return record.TaskAgent
	}
	switch {
	case a.str(GenAIToolName, GenAIToolCallID) != "":
		return record.TaskTool
	case a.str(GenAIRetrievalQueryText, GenAIRetrievalDocuments) != "":
		return record.TaskRetrieval
	case a.str(GenAIRequestModel, GenAIResponseModel) != "":
		return record.TaskGeneration
	}
	return ""
}

func (st *step) parseContent() {
	switch st.task {
	case record.TaskGeneration, record.TaskAgent:
		if text := st.a.str(GenAIInputMessages); text != "" {
			if msgs, ok := ParseMessages(text); ok {
				st.in = msgs
			}
		}
		if sys := st.a.str(GenAISystemInstructions); sys != "" {
			st.in = append(systemMessages(sys), st.in...)
		}
		if text := st.a.str(GenAIOutputMessages); text != "" {
			if msgs, ok := ParseMessages(text); ok {
				st.out = msgs
			}
		}
	}
}

// stepRecord builds the record of one kept span, without its parent.
func stepRecord(st *step, id *traceIdentity) record.Record {
	s := st.span
	r := id.base(s)
	r.TraceID = RecordID(s.TraceID, s.SpanID)
	r.Task = st.task
	r.Metadata = spanMetadata(st)
	switch st.task {
	case record.TaskGeneration, record.TaskAgent:
		r.Input = contentOrRaw(st.in, st.a.str(GenAIInputMessages))
		r.Output = contentOrRaw(st.out, st.a.str(GenAIOutputMessages))
	case record.TaskRetrieval:
		r.Input = st.a.str(GenAIRetrievalQueryText)
		if text := st.a.str(GenAIRetrievalDocuments); text != "" {
			if docs, ok := ParseDocuments(text); ok {
				r.Output = EncodeDocuments(docs)
			} else {
				r.Output = text
			}
		}
	case record.TaskTool:
		r.Input = st.a.str(GenAIToolCallArguments)
		r.Output = st.a.str(GenAIToolCallResult)
	}
	if st.task == record.TaskGeneration {
		if u, ok := st.usage(); ok {
			r.Metadata[record.MetaInputTokens] = u.Input
			r.Metadata[record.MetaOutputTokens] = u.Output
			r.Metadata[record.MetaTotalTokens] = u.Total
		}
	}
	return r
}

// Usage is a generation's token usage.
type Usage struct {
	Input, Output, Total int64
}

// usage is the span's own token usage: input and output from the newest key present, total
// as their sum (GenAI defines no total).
func (st *step) usage() (Usage, bool) {
	in, hasIn := st.a.int(GenAIUsageInputTokens, GenAIUsagePromptTokens)
	out, hasOut := st.a.int(GenAIUsageOutputTokens, GenAIUsageCompletionTokens)
	if !hasIn && !hasOut {
		return Usage{}, false
	}
	return Usage{Input: in, Output: out, Total: in + out}, true
}

// ownText is the span's own input and output as plain text, for a message record built from
// it: the last user message and the final answer of its conversation.
func (st *step) ownText() (in, out string) {
	if st.task == "" {
		return "", ""
	}
	if st.in == nil && st.out == nil {
		st.parseContent()
	}
	return st.userText(), st.answerText()
}

// userText is the text of the last user message of the span's input.
func (st *step) userText() string { return lastText(st.in, "user") }

// answerText is the text of the final assistant message of the span's output.
func (st *step) answerText() string { return lastText(st.out, "assistant") }

// contentOrRaw prefers the normalised messages and falls back to the attribute's own text
// when it could not be read as messages, so malformed content is shown rather than lost.
func contentOrRaw(msgs []Message, raw string) string {
	if len(msgs) > 0 {
		return EncodeMessages(msgs)
	}
	return raw
}

// spanMetadata collects what the v1 body has no field for.
func spanMetadata(st *step) map[string]any {
	s, a := st.span, st.a
	m := map[string]any{
		record.MetaSpanName:    s.Name,
		record.MetaOTelTraceID: s.TraceID.String(),
		record.MetaOTelSpanID:  s.SpanID.String(),
		record.MetaStatus:      "ok",
	}
	if s.ParentSpanID.IsValid() {
		m[record.MetaOTelParentSpanID] = s.ParentSpanID.String()
	}
	if v := a.str(GenAIOperationName); v != "" {
		m[record.MetaOperation] = v
	}
	if v := a.str(GenAIResponseModel, GenAIRequestModel); v != "" {
		m[record.MetaModel] = v
	}
	if v := a.str(GenAIProviderName, GenAISystem); v != "" {
		m[record.MetaProvider] = v
	}
	if fr := a.strings(GenAIResponseFinishReasons); len(fr) > 0 {
		m[record.MetaFinishReason] = fr[0]
	}
	if v := a.str(GenAIToolName); v != "" && st.task == record.TaskTool {
		m[record.MetaToolName] = v
	}
	if v := a.str(GenAIAgentName); v != "" {
		m[record.MetaAgentName] = v
	}
	if s.DroppedAttributes > 0 {
		m[record.MetaDroppedAttributes] = int64(s.DroppedAttributes)
	}
	if msg, failed := spanError(s, a); failed {
		m[record.MetaStatus] = "error"
		if msg != "" {
			m[record.MetaError] = msg
		}
	}
	return m
}

// spanError reports whether the span failed and why: an Error status, error.type, or an
// exception event.
func spanError(s *Span, a attrs) (string, bool) {
	failed := s.StatusCode == codes.Error
	msg := s.StatusDesc
	if et := a.str(ErrorType); et != "" {
		failed = true
		if msg == "" {
			msg = et
		}
	}
	for _, ev := range s.Events {
		if ev.Name != ExceptionEventName {
			continue
		}
		ea := newAttrs(ev.Attributes)
		if msg == "" {
			msg = ea.str(ExceptionMessage, ExceptionType)
		}
	}
	return msg, failed
}
