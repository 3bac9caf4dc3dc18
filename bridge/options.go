package bridge

import "go.opentelemetry.io/otel/attribute"

// Option sets something on a step: when it starts, with Update, or at End. Options that do
// not apply to a step's kind set their attribute all the same.
//
// An Option is a plain value (no closure), so passing options costs no allocation.
type Option struct {
	what optionKind
	text string
	n, m int64
	list []string
	kvs  []attribute.KeyValue
	err  error
}

type optionKind uint8

// attrCount is how many attributes opts set at most.
func attrCount(opts []Option) int {
	n := 0
	for i := range opts {
		switch opts[i].what {
		case optUsage:
			n += 2
		case optAttributes:
			n += len(opts[i].kvs)
		default:
			n++
		}
	}
	return n
}

const (
	optName optionKind = iota + 1
	optModel
	optResponseModel
	optProvider
	optOperation
	optUsage
	optFinishReasons
	optInputMessages
	optOutputMessages
	optSystemInstructions
	optDocuments
	optDataSource
	optToolCallID
	optInteractionID
	optOutput
	optTags
	optAttributes
	optSuccess
	optFailure
	optError
)

// Name names the step: the tool (gen_ai.tool.name), the agent (gen_ai.agent.name), and the
// second word of the span name of any step.
func Name(name string) Option { return Option{what: optName, text: name} }

// Model is the model asked for (gen_ai.request.model).
func Model(model string) Option { return Option{what: optModel, text: model} }

// ResponseModel is the model that answered (gen_ai.response.model), when the provider
// reports it.
func ResponseModel(model string) Option { return Option{what: optResponseModel, text: model} }

// Provider is the model provider (gen_ai.provider.name): openai, anthropic, aws.bedrock, …
func Provider(name string) Option { return Option{what: optProvider, text: name} }

// Operation replaces the step's gen_ai.operation.name: a generation is "chat" unless told
// "text_completion", "generate_content" or "embeddings"; an agent is "invoke_agent" unless
// told "create_agent" or "invoke_workflow".
func Operation(name string) Option { return Option{what: optOperation, text: name} }

// Usage is the token usage of a generation (gen_ai.usage.input_tokens, output_tokens).
func Usage(inputTokens, outputTokens int64) Option {
	return Option{what: optUsage, n: inputTokens, m: outputTokens}
}

// FinishReasons are why the model stopped (gen_ai.response.finish_reasons).
func FinishReasons(reasons ...string) Option { return Option{what: optFinishReasons, list: reasons} }

// InputMessages is the conversation sent to the model (gen_ai.input.messages). Without
// it, a generation's or agent's text input is recorded as one user message.
func InputMessages(msgs ...Message) Option {
	return Option{what: optInputMessages, text: encodeMessages(msgs)}
}

// OutputMessages is what the model answered (gen_ai.output.messages). Without it, a
// generation's or agent's text output is recorded as one assistant message.
func OutputMessages(msgs ...Message) Option {
	return Option{what: optOutputMessages, text: encodeMessages(msgs)}
}

// SystemInstructions are the system instructions of a generation
// (gen_ai.system_instructions).
func SystemInstructions(text string) Option {
	return Option{what: optSystemInstructions, text: textParts(text)}
}

// Documents are what a retrieval found (gen_ai.retrieval.documents).
func Documents(docs ...Document) Option {
	return Option{what: optDocuments, text: encodeDocuments(docs)}
}

// DataSource names the store a retrieval searched (gen_ai.data_source.id).
func DataSource(id string) Option { return Option{what: optDataSource, text: id} }

// ToolCallID is the id of the model's tool call that a tool step answers
// (gen_ai.tool.call.id).
func ToolCallID(id string) Option { return Option{what: optToolCallID, text: id} }

// InteractionID gives a message the application's own interaction id
// (tracebridge.interaction.id) instead of the one derived from its trace id.
func InteractionID(id string) Option { return Option{what: optInteractionID, text: id} }

// Output is the step's output before End: the route a router took, the result of an event.
func Output(text string) Option { return Option{what: optOutput, text: text} }

// Tags adds tags to the step (tag.tags).
func Tags(tags ...string) Option { return Option{what: optTags, list: tags} }

// Attributes sets any attributes on the step's span: request parameters, prompt ids, cost,
// the application's own.
func Attributes(kvs ...attribute.KeyValue) Option { return Option{what: optAttributes, kvs: kvs} }

// Success marks the step as succeeded (OTel status Ok).
func Success() Option { return Option{what: optSuccess} }

// Failure marks the step as failed (OTel status Error) with a description of why.
func Failure(description string) Option { return Option{what: optFailure, text: description} }

// Error records err on the step: an exception event, error.type, and a failure described
// by err's message. A nil err records nothing.
func Error(err error) Option { return Option{what: optError, err: err} }

// FeedbackTag is the user's verdict in feedback.
type FeedbackTag string

// The feedback tags of the NeuralTrust API.
const (
	FeedbackPositive FeedbackTag = "positive"
	FeedbackNegative FeedbackTag = "negative"
	FeedbackNeutral  FeedbackTag = "neutral"
)

// Evaluation is the result of an evaluation of a step (gen_ai.evaluation.*): a score, a
// label, or both.
type Evaluation struct {
	Name        string   // gen_ai.evaluation.name: what was evaluated (relevance, faithfulness, …)
	Score       *float64 // gen_ai.evaluation.score.value, when there is one
	Label       string   // gen_ai.evaluation.score.label: pass, fail, relevant, …
	Explanation string   // gen_ai.evaluation.explanation
}
