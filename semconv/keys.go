package semconv

import "go.opentelemetry.io/otel/attribute"

// OpenTelemetry GenAI keys (semantic conventions up to v1.41 and the genai repo after it).
// They are defined here rather than imported because Go's semconv packages from v1.42 on no
// longer carry them.
const (
	GenAIOperationName            attribute.Key = "gen_ai.operation.name"
	GenAIProviderName             attribute.Key = "gen_ai.provider.name"
	GenAISystem                   attribute.Key = "gen_ai.system" // ≤1.36, replaced by gen_ai.provider.name
	GenAIRequestModel             attribute.Key = "gen_ai.request.model"
	GenAIResponseModel            attribute.Key = "gen_ai.response.model"
	GenAIResponseID               attribute.Key = "gen_ai.response.id"
	GenAIResponseFinishReasons    attribute.Key = "gen_ai.response.finish_reasons"
	GenAIUsageInputTokens         attribute.Key = "gen_ai.usage.input_tokens"
	GenAIUsageOutputTokens        attribute.Key = "gen_ai.usage.output_tokens"
	GenAIUsagePromptTokens        attribute.Key = "gen_ai.usage.prompt_tokens"     // ≤1.26
	GenAIUsageCompletionTokens    attribute.Key = "gen_ai.usage.completion_tokens" // ≤1.26
	GenAIInputMessages            attribute.Key = "gen_ai.input.messages"
	GenAIOutputMessages           attribute.Key = "gen_ai.output.messages"
	GenAISystemInstructions       attribute.Key = "gen_ai.system_instructions"
	GenAIConversationID           attribute.Key = "gen_ai.conversation.id"
	GenAIAgentID                  attribute.Key = "gen_ai.agent.id"
	GenAIAgentName                attribute.Key = "gen_ai.agent.name"
	GenAIToolName                 attribute.Key = "gen_ai.tool.name"
	GenAIToolCallID               attribute.Key = "gen_ai.tool.call.id"
	GenAIToolCallArguments        attribute.Key = "gen_ai.tool.call.arguments"
	GenAIToolCallResult           attribute.Key = "gen_ai.tool.call.result"
	GenAIDataSourceID             attribute.Key = "gen_ai.data_source.id"
	GenAIRetrievalQueryText       attribute.Key = "gen_ai.retrieval.query.text"
	GenAIRetrievalDocuments       attribute.Key = "gen_ai.retrieval.documents"
	ErrorType                     attribute.Key = "error.type"
	ExceptionMessage              attribute.Key = "exception.message"
	ExceptionType                 attribute.Key = "exception.type"
	ExceptionEventName                          = "exception"
	GenAIOperationChat                          = "chat"
	GenAIOperationTextCompletion                = "text_completion"
	GenAIOperationGenerateContent               = "generate_content"
	GenAIOperationEmbeddings                    = "embeddings"
	GenAIOperationRetrieval                     = "retrieval"
	GenAIOperationExecuteTool                   = "execute_tool"
	GenAIOperationCreateAgent                   = "create_agent"
	GenAIOperationInvokeAgent                   = "invoke_agent"
	GenAIOperationInvokeWorkflow                = "invoke_workflow"
)

// Identity keys shared across dialects, in precedence order.
var (
	// SessionKeys name the session of a trace, most specific first.
	SessionKeys = []attribute.Key{
		"session.id",
		"traceloop.association.properties.session_id",
		"ai.telemetry.metadata.sessionId",
		"langfuse.session.id",
	}
	// UserKeys name the end user of a trace, most specific first.
	UserKeys = []attribute.Key{
		"user.id",
		"enduser.id",
		"traceloop.association.properties.user_id",
		"ai.telemetry.metadata.userId",
	}
	// ConversationKeys name the conversation a trace belongs to.
	ConversationKeys = []attribute.Key{GenAIConversationID}
)
