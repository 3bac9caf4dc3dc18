package bridge

import (
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/semconv"
)

const textPlain = "text/plain"

// builder collects the attributes and status of one start, Update or End of a step.
type builder struct {
	kind  Kind
	attrs []attribute.KeyValue

	name, model, operation, dataSource string
	interaction                        string // InteractionID
	outputText                         string // Output
	inMsgs, outMsgs                    bool   // the conversation was given as messages
	hasDocs                            bool
	tags                               []string
	tagsChanged                        bool
	success, failed                    bool
	failure                            string // why, when failed
	err                                error
}

func (b *builder) add(k attribute.Key, v string) { b.attrs = append(b.attrs, k.String(v)) }

func (b *builder) applyAll(opts []Option) {
	for i := range opts {
		b.apply(&opts[i])
	}
}

func (b *builder) apply(o *Option) {
	switch o.what {
	case optName:
		b.name = o.text
		switch b.kind {
		case KindTool:
			b.add(semconv.GenAIToolName, o.text)
		case KindAgent:
			b.add(semconv.GenAIAgentName, o.text)
		}
	case optModel:
		b.model = o.text
		b.add(semconv.GenAIRequestModel, o.text)
	case optResponseModel:
		b.add(semconv.GenAIResponseModel, o.text)
	case optProvider:
		b.add(semconv.GenAIProviderName, o.text)
	case optOperation:
		b.operation = o.text
	case optUsage:
		b.attrs = append(b.attrs, semconv.GenAIUsageInputTokens.Int64(o.n), semconv.GenAIUsageOutputTokens.Int64(o.m))
	case optFinishReasons:
		b.attrs = append(b.attrs, semconv.GenAIResponseFinishReasons.StringSlice(o.list))
	case optInputMessages:
		b.inMsgs = true
		b.add(semconv.GenAIInputMessages, o.text)
	case optOutputMessages:
		b.outMsgs = true
		b.add(semconv.GenAIOutputMessages, o.text)
	case optSystemInstructions:
		b.add(semconv.GenAISystemInstructions, o.text)
	case optDocuments:
		b.hasDocs = true
		b.add(semconv.GenAIRetrievalDocuments, o.text)
	case optDataSource:
		b.dataSource = o.text
		b.add(semconv.GenAIDataSourceID, o.text)
	case optToolCallID:
		b.add(semconv.GenAIToolCallID, o.text)
	case optInteractionID:
		b.interaction = o.text
		b.add(semconv.TracebridgeInteractionID, o.text)
	case optOutput:
		b.outputText = o.text
	case optTags:
		b.tags = append(b.tags, o.list...)
		b.tagsChanged = true
	case optAttributes:
		b.attrs = append(b.attrs, o.kvs...)
	case optSuccess:
		b.success = true
	case optFailure:
		b.failed, b.failure = true, o.text
	case optError:
		if o.err != nil {
			b.err = o.err
			b.add(semconv.ErrorType, fmt.Sprintf("%T", o.err))
		}
	}
}

// kindAttributes says what the step is: gen_ai.operation.name where GenAI has an operation
// for it, tracebridge.task where it has none; the conversation on model and agent calls,
// as GenAI recommends.
func (b *builder) kindAttributes(conversationID string) {
	switch b.kind {
	case KindGeneration:
		b.add(semconv.GenAIOperationName, first(b.operation, semconv.GenAIOperationChat))
		b.add(semconv.GenAIConversationID, conversationID)
	case KindAgent:
		b.add(semconv.GenAIOperationName, first(b.operation, semconv.GenAIOperationInvokeAgent))
		b.add(semconv.GenAIConversationID, conversationID)
	case KindRetrieval:
		b.add(semconv.GenAIOperationName, semconv.GenAIOperationRetrieval)
	case KindTool:
		b.add(semconv.GenAIOperationName, semconv.GenAIOperationExecuteTool)
	case KindEvaluation: // gen_ai.evaluation.* says it
	default: // message, router, event, system, feedback
		b.add(semconv.TracebridgeTask, string(b.kind))
	}
}

// input records the step's input text under the kind's standard key, and as
// tracebridge.input when that key would not give the text back as it is.
func (b *builder) input(text string) {
	if text == "" {
		return
	}
	switch b.kind {
	case KindGeneration, KindAgent:
		if !b.inMsgs {
			b.add(semconv.GenAIInputMessages, textMessage("user", text))
		}
		b.add(semconv.TracebridgeInput, text) // a message list is not the text itself
	case KindTool:
		b.textOrExplicit(semconv.GenAIToolCallArguments, semconv.TracebridgeInput, text)
	case KindRetrieval:
		b.textOrExplicit(semconv.GenAIRetrievalQueryText, semconv.TracebridgeInput, text)
	default:
		b.add(semconv.OIInputValue, text)
		b.add(semconv.OIInputMimeType, textPlain)
	}
}

// output records the step's output text, as input does.
func (b *builder) output(text string) {
	if text == "" {
		return
	}
	switch b.kind {
	case KindGeneration, KindAgent:
		if !b.outMsgs {
			b.add(semconv.GenAIOutputMessages, textMessage("assistant", text))
		}
		b.add(semconv.TracebridgeOutput, text)
	case KindTool:
		b.textOrExplicit(semconv.GenAIToolCallResult, semconv.TracebridgeOutput, text)
	default:
		b.add(semconv.OIOutputValue, text)
		b.add(semconv.OIOutputMimeType, textPlain)
		if b.hasDocs { // documents would be the record's output: the text is, as given
			b.add(semconv.TracebridgeOutput, text)
		}
	}
}

// textOrExplicit sets the standard key, and the explicit one too when the text is a JSON
// string literal, which mappers read unquoted.
func (b *builder) textOrExplicit(standard, explicit attribute.Key, text string) {
	b.add(standard, text)
	if t := strings.TrimSpace(text); len(t) >= 2 && t[0] == '"' && t[len(t)-1] == '"' {
		b.add(explicit, text)
	}
}

func (b *builder) flushTags() {
	if b.tagsChanged || (len(b.tags) > 0 && b.kind == KindMessage) {
		b.attrs = append(b.attrs, semconv.OITagTags.StringSlice(b.tags))
	}
}

func (b *builder) setStatus(span trace.Span, at time.Time) {
	switch {
	case b.err != nil:
		span.RecordError(b.err, trace.WithTimestamp(at))
		span.SetStatus(codes.Error, b.err.Error())
	case b.failed:
		span.SetStatus(codes.Error, b.failure)
	case b.success:
		span.SetStatus(codes.Ok, "")
	}
}

// spanName follows GenAI's "{operation} {model, agent, tool or data source}".
func (b *builder) spanName() string {
	var op, what string
	switch b.kind {
	case KindGeneration:
		op, what = first(b.operation, semconv.GenAIOperationChat), first(b.name, b.model)
	case KindAgent:
		op, what = first(b.operation, semconv.GenAIOperationInvokeAgent), b.name
	case KindTool:
		op, what = semconv.GenAIOperationExecuteTool, b.name
	case KindRetrieval:
		op, what = semconv.GenAIOperationRetrieval, first(b.name, b.dataSource)
	default:
		op, what = string(b.kind), b.name
	}
	if what == "" {
		return op
	}
	return op + " " + what
}

// spanKind: model calls and retrievals reach another service (CLIENT, as GenAI says); the
// rest run in process.
func (b *builder) spanKind() trace.SpanKind {
	switch b.kind {
	case KindGeneration, KindRetrieval:
		return trace.SpanKindClient
	}
	return trace.SpanKindInternal
}

func feedbackAttributes(interactionID string, tag FeedbackTag, text string) []attribute.KeyValue {
	kvs := make([]attribute.KeyValue, 0, 3)
	kvs = append(kvs, semconv.TracebridgeFeedbackTag.String(string(tag)))
	if interactionID != "" {
		kvs = append(kvs, semconv.TracebridgeInteractionID.String(interactionID))
	}
	if text != "" {
		kvs = append(kvs, semconv.TracebridgeFeedbackText.String(text))
	}
	return kvs
}

func (e *Evaluation) attributes() []attribute.KeyValue {
	kvs := make([]attribute.KeyValue, 0, 4)
	if e.Name != "" {
		kvs = append(kvs, semconv.GenAIEvaluationName.String(e.Name))
	}
	if e.Score != nil {
		kvs = append(kvs, semconv.GenAIEvaluationScoreValue.Float64(*e.Score))
	}
	if e.Label != "" {
		kvs = append(kvs, semconv.GenAIEvaluationScoreLabel.String(e.Label))
	}
	if e.Explanation != "" {
		kvs = append(kvs, semconv.GenAIEvaluationExplanation.String(e.Explanation))
	}
	return kvs
}
