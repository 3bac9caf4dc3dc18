package semconv

import "go.opentelemetry.io/otel/attribute"

// tracebridge's own attributes. A span that carries them says what it is, so they win over
// every dialect.
const (
	// TracebridgeTask names the record a span becomes: one of the record.Task values. "message"
	// is not a step (the local root is the message) and is read as "no record of its own".
	TracebridgeTask   attribute.Key = "tracebridge.task"
	TracebridgeInput  attribute.Key = "tracebridge.input"  // the record's input, as sent
	TracebridgeOutput attribute.Key = "tracebridge.output" // the record's output, as sent
	// Feedback records: the tag (positive, negative, neutral) and free text.
	TracebridgeFeedbackTag  attribute.Key = "tracebridge.feedback.tag"
	TracebridgeFeedbackText attribute.Key = "tracebridge.feedback.text"
	// TracebridgeInteractionID names the interaction a span's records belong to. On the
	// message span it is the interaction's id (instead of the one derived from the trace id);
	// on any other span it targets an interaction recorded elsewhere (feedback given in a
	// later request): that span's records land there, under that interaction's message.
	TracebridgeInteractionID attribute.Key = "tracebridge.interaction.id"
	TracebridgeChannelID     attribute.Key = "tracebridge.channel.id" // the record's channel_id
	TracebridgeCustom        attribute.Key = "tracebridge.custom"     // the record's custom text, as sent
	// TracebridgeUserPhone is the user's phone (user_phone); other tracebridge.user.<key>
	// attributes are further keys of the record's user object.
	TracebridgeUserPhone  attribute.Key = "tracebridge.user.phone"
	TracebridgeUserPrefix               = "tracebridge.user."
	// TracebridgeMetadataPrefix: tracebridge.metadata.<key> is the key of the record's
	// metadata object (timezone, locale, location, browser, device, os, or any other).
	TracebridgeMetadataPrefix = "tracebridge.metadata."
)

// OpenTelemetry keys of the user and the client, read into the record's user and metadata.
const (
	UserEmail         attribute.Key = "user.email"          // user_email
	UserAgentOriginal attribute.Key = "user_agent.original" // metadata user_agent
)

// OpenTelemetry GenAI keys (semantic conventions up to v1.41 and the genai repo after it).
// They are defined here rather than imported because Go's semconv packages from v1.42 on no
// longer carry them.
const (
	GenAIOperationName                 attribute.Key = "gen_ai.operation.name"
	GenAIProviderName                  attribute.Key = "gen_ai.provider.name"
	GenAISystem                        attribute.Key = "gen_ai.system" // ≤1.36, replaced by gen_ai.provider.name
	GenAIRequestModel                  attribute.Key = "gen_ai.request.model"
	GenAIResponseModel                 attribute.Key = "gen_ai.response.model"
	GenAIResponseID                    attribute.Key = "gen_ai.response.id"
	GenAIResponseFinishReasons         attribute.Key = "gen_ai.response.finish_reasons"
	GenAIUsageInputTokens              attribute.Key = "gen_ai.usage.input_tokens"
	GenAIUsageOutputTokens             attribute.Key = "gen_ai.usage.output_tokens"
	GenAIUsagePromptTokens             attribute.Key = "gen_ai.usage.prompt_tokens"     // ≤1.26
	GenAIUsageCompletionTokens         attribute.Key = "gen_ai.usage.completion_tokens" // ≤1.26
	GenAIUsageCacheReadInputTokens     attribute.Key = "gen_ai.usage.cache_read.input_tokens"
	GenAIUsageCacheCreationInputTokens attribute.Key = "gen_ai.usage.cache_creation.input_tokens"
	GenAIUsageReasoningOutputTokens    attribute.Key = "gen_ai.usage.reasoning.output_tokens"
	GenAIInputMessages                 attribute.Key = "gen_ai.input.messages"
	GenAIOutputMessages                attribute.Key = "gen_ai.output.messages"
	GenAISystemInstructions            attribute.Key = "gen_ai.system_instructions"
	GenAIConversationID                attribute.Key = "gen_ai.conversation.id"
	GenAIAgentID                       attribute.Key = "gen_ai.agent.id"
	GenAIAgentName                     attribute.Key = "gen_ai.agent.name"
	GenAIToolName                      attribute.Key = "gen_ai.tool.name"
	GenAIToolCallID                    attribute.Key = "gen_ai.tool.call.id"
	GenAIToolCallArguments             attribute.Key = "gen_ai.tool.call.arguments"
	GenAIToolCallResult                attribute.Key = "gen_ai.tool.call.result"
	GenAIDataSourceID                  attribute.Key = "gen_ai.data_source.id"
	GenAIRetrievalQueryText            attribute.Key = "gen_ai.retrieval.query.text"
	GenAIRetrievalDocuments            attribute.Key = "gen_ai.retrieval.documents"
	GenAIEvaluationName                attribute.Key = "gen_ai.evaluation.name"
	GenAIEvaluationScoreValue          attribute.Key = "gen_ai.evaluation.score.value"
	GenAIEvaluationScoreLabel          attribute.Key = "gen_ai.evaluation.score.label"
	GenAIEvaluationExplanation         attribute.Key = "gen_ai.evaluation.explanation"
	GenAIPrompt                        attribute.Key = "gen_ai.prompt"     // ≤1.27, on the gen_ai.content.prompt event
	GenAICompletion                    attribute.Key = "gen_ai.completion" // ≤1.27, on the gen_ai.content.completion event
	ErrorType                          attribute.Key = "error.type"
	ExceptionMessage                   attribute.Key = "exception.message"
	ExceptionType                      attribute.Key = "exception.type"
	ExceptionEventName                               = "exception"
	GenAIOperationChat                               = "chat"
	GenAIOperationTextCompletion                     = "text_completion"
	GenAIOperationGenerateContent                    = "generate_content"
	GenAIOperationEmbeddings                         = "embeddings"
	GenAIOperationRetrieval                          = "retrieval"
	GenAIOperationSearchMemory                       = "search_memory"
	GenAIOperationExecuteTool                        = "execute_tool"
	GenAIOperationCreateAgent                        = "create_agent"
	GenAIOperationInvokeAgent                        = "invoke_agent"
	GenAIOperationInvokeWorkflow                     = "invoke_workflow"
	GenAIEventContentPrompt                          = "gen_ai.content.prompt"     // ≤1.27
	GenAIEventContentCompletion                      = "gen_ai.content.completion" // ≤1.27
	GenAIEventSystemMessage                          = "gen_ai.system.message"     // 1.28–1.36
	GenAIEventUserMessage                            = "gen_ai.user.message"
	GenAIEventAssistantMessage                       = "gen_ai.assistant.message"
	GenAIEventToolMessage                            = "gen_ai.tool.message"
	GenAIEventChoice                                 = "gen_ai.choice"
	GenAIEventOperationDetails                       = "gen_ai.client.inference.operation.details" // ≥1.37
)

// Anthropic-style usage keys some instrumentations (OpenLLMetry among them) put beside the
// GenAI ones: cache reads and writes named as in Anthropic's API rather than as OTel subsets.
const (
	GenAIUsageCacheReadInputTokensAlt     attribute.Key = "gen_ai.usage.cache_read_input_tokens"
	GenAIUsageCacheCreationInputTokensAlt attribute.Key = "gen_ai.usage.cache_creation_input_tokens"
	GenAIUsageTotalTokens                 attribute.Key = "gen_ai.usage.total_tokens" // not in the spec; some SDKs send it
)

// OpenInference keys (Arize Phoenix). Lists are flattened: llm.input_messages.0.message.role.
const (
	OISpanKind                      attribute.Key = "openinference.span.kind"
	OIInputValue                    attribute.Key = "input.value"
	OIInputMimeType                 attribute.Key = "input.mime_type"
	OIOutputValue                   attribute.Key = "output.value"
	OIOutputMimeType                attribute.Key = "output.mime_type"
	OILLMModelName                  attribute.Key = "llm.model_name"
	OILLMProvider                   attribute.Key = "llm.provider"
	OILLMSystem                     attribute.Key = "llm.system"
	OILLMFinishReason               attribute.Key = "llm.finish_reason"
	OITokenCountPrompt              attribute.Key = "llm.token_count.prompt"
	OITokenCountCompletion          attribute.Key = "llm.token_count.completion"
	OITokenCountTotal               attribute.Key = "llm.token_count.total"
	OITokenCountCacheRead           attribute.Key = "llm.token_count.prompt_details.cache_read"
	OITokenCountCacheWrite          attribute.Key = "llm.token_count.prompt_details.cache_write"
	OITokenCountReasoning           attribute.Key = "llm.token_count.completion_details.reasoning"
	OIEmbeddingModelName            attribute.Key = "embedding.model_name"
	OIRerankerModelName             attribute.Key = "reranker.model_name"
	OIRerankerQuery                 attribute.Key = "reranker.query"
	OIToolName                      attribute.Key = "tool.name"
	OIToolCallID                    attribute.Key = "tool_call.id"
	OIToolCallFunctionName          attribute.Key = "tool_call.function.name"
	OIToolCallFunctionArgs          attribute.Key = "tool_call.function.arguments"
	OIAgentName                     attribute.Key = "agent.name"
	OITagTags                       attribute.Key = "tag.tags"
	OISpanKindLLM                                 = "LLM"
	OISpanKindEmbedding                           = "EMBEDDING"
	OISpanKindChain                               = "CHAIN"
	OISpanKindTool                                = "TOOL"
	OISpanKindRetriever                           = "RETRIEVER"
	OISpanKindReranker                            = "RERANKER"
	OISpanKindAgent                               = "AGENT"
	OISpanKindGuardrail                           = "GUARDRAIL"
	OISpanKindEvaluator                           = "EVALUATOR"
	OISpanKindPrompt                              = "PROMPT"
	OISpanKindUnknown                             = "UNKNOWN"
	oiMimeText                                    = "text/plain"
	oiPrefixInputMessages                         = "llm.input_messages."
	oiPrefixOutputMessages                        = "llm.output_messages."
	oiPrefixRetrievalDocuments                    = "retrieval.documents."
	oiPrefixRerankerOutputDocuments               = "reranker.output_documents."
	oiPrefixEmbeddings                            = "embedding.embeddings."
)

// OpenLLMetry / Traceloop keys, and the old Go SDK's llm.* keys.
const (
	TraceloopSpanKind        attribute.Key = "traceloop.span.kind"
	TraceloopEntityName      attribute.Key = "traceloop.entity.name"
	TraceloopEntityInput     attribute.Key = "traceloop.entity.input"
	TraceloopEntityOutput    attribute.Key = "traceloop.entity.output"
	TraceloopWorkflowName    attribute.Key = "traceloop.workflow.name"
	LLMRequestType           attribute.Key = "llm.request.type"
	LLMRequestModel          attribute.Key = "llm.request.model"
	LLMResponseModel         attribute.Key = "llm.response.model"
	LLMVendor                attribute.Key = "llm.vendor"
	LLMUsagePromptTokens     attribute.Key = "llm.usage.prompt_tokens"
	LLMUsageCompletionTokens attribute.Key = "llm.usage.completion_tokens"
	LLMUsageTotalTokens      attribute.Key = "llm.usage.total_tokens"
	TraceloopKindWorkflow                  = "workflow"
	TraceloopKindTask                      = "task"
	TraceloopKindAgent                     = "agent"
	TraceloopKindTool                      = "tool"
	LLMRequestTypeChat                     = "chat"
	LLMRequestTypeCompletion               = "completion"
	LLMRequestTypeEmbedding                = "embedding"
	LLMRequestTypeRerank                   = "rerank"
	tlPrefixPrompt                         = "gen_ai.prompt."     // legacy flattened: gen_ai.prompt.0.role
	tlPrefixCompletion                     = "gen_ai.completion." // legacy flattened: gen_ai.completion.0.content
	goPrefixPrompts                        = "llm.prompts."       // old Go SDK: llm.prompts.0.content
	goPrefixCompletions                    = "llm.completions."
)

// Vector-store spans (OpenLLMetry's Chroma, Pinecone, Qdrant... instrumentations).
const (
	DBSystem               attribute.Key = "db.system"
	DBSystemName           attribute.Key = "db.system.name"
	DBOperation            attribute.Key = "db.operation"
	DBOperationName        attribute.Key = "db.operation.name"
	DBQueryText            attribute.Key = "db.query.text"
	DBVectorQueryTopK      attribute.Key = "db.vector.query.top_k"
	DBQueryResultEventName               = "db.query.result"
	DBQueryResultID        attribute.Key = "db.query.result.id"
	DBQueryResultScore     attribute.Key = "db.query.result.score"
	DBQueryResultDocument  attribute.Key = "db.query.result.document"
)

// Vercel AI SDK keys. The operation is in ai.operationId and the span name.
const (
	AIOperationID            attribute.Key = "ai.operationId"
	AIModelID                attribute.Key = "ai.model.id"
	AIModelProvider          attribute.Key = "ai.model.provider"
	AIResponseModel          attribute.Key = "ai.response.model"
	AIPrompt                 attribute.Key = "ai.prompt"
	AIPromptMessages         attribute.Key = "ai.prompt.messages"
	AIResponseText           attribute.Key = "ai.response.text"
	AIResponseObject         attribute.Key = "ai.response.object"
	AIResponseToolCalls      attribute.Key = "ai.response.toolCalls"
	AIResponseFinishReason   attribute.Key = "ai.response.finishReason"
	AIValue                  attribute.Key = "ai.value"              // ai.embed: the embedded value (JSON)
	AIValues                 attribute.Key = "ai.values"             // ai.embedMany, doEmbed: values (JSON each)
	AIUsageInputTokens       attribute.Key = "ai.usage.inputTokens"  // AI SDK 5+
	AIUsageOutputTokens      attribute.Key = "ai.usage.outputTokens" // AI SDK 5+
	AIUsageTotalTokens       attribute.Key = "ai.usage.totalTokens"
	AIUsagePromptTokens      attribute.Key = "ai.usage.promptTokens"     // AI SDK ≤4
	AIUsageCompletionTokens  attribute.Key = "ai.usage.completionTokens" // AI SDK ≤4
	AIUsageTokens            attribute.Key = "ai.usage.tokens"           // embeddings
	AIUsageCachedInputTokens attribute.Key = "ai.usage.cachedInputTokens"
	AIUsageReasoningTokens   attribute.Key = "ai.usage.reasoningTokens"
	AIUsageCacheReadTokens   attribute.Key = "ai.usage.inputTokenDetails.cacheReadTokens"
	AIUsageCacheWriteTokens  attribute.Key = "ai.usage.inputTokenDetails.cacheWriteTokens"
	AIUsageReasoningTokensV6 attribute.Key = "ai.usage.outputTokenDetails.reasoningTokens"
	AIToolCallName           attribute.Key = "ai.toolCall.name"
	AIToolCallID             attribute.Key = "ai.toolCall.id"
	AIToolCallArgs           attribute.Key = "ai.toolCall.args"
	AIToolCallResult         attribute.Key = "ai.toolCall.result"
	AIToolCallOutput         attribute.Key = "ai.toolCall.output"
	AITelemetryFunctionID    attribute.Key = "ai.telemetry.functionId"
	vercelOperationNameKey   attribute.Key = "operation.name" // "ai.generateText.doGenerate <functionId>"
	vercelOpToolCall                       = "ai.toolCall"
	vercelPrefix                           = "ai."
	vercelSuffixDoGenerate                 = ".doGenerate"
	vercelSuffixDoStream                   = ".doStream"
	vercelSuffixDoEmbed                    = ".doEmbed"
	vercelGenerateText                     = "ai.generateText"
	vercelStreamText                       = "ai.streamText"
	vercelGenerateObject                   = "ai.generateObject"
	vercelStreamObject                     = "ai.streamObject"
	vercelEmbed                            = "ai.embed"
	vercelEmbedMany                        = "ai.embedMany"
)

// Identity keys shared across dialects, in precedence order.
var (
	// SessionKeys name the session of a trace, most specific first.
	SessionKeys = []attribute.Key{
		"session.id", // OpenInference
		"traceloop.association.properties.session_id",
		"ai.telemetry.metadata.sessionId",
		"ai.telemetry.metadata.session_id",
		"langfuse.session.id",
	}
	// UserKeys name the end user of a trace, most specific first.
	UserKeys = []attribute.Key{
		"user.id", // OpenInference, OTel user registry
		"enduser.id",
		"traceloop.association.properties.user_id",
		"ai.telemetry.metadata.userId",
		"ai.telemetry.metadata.user_id",
		"langfuse.user.id",
	}
	// ConversationKeys name the conversation a trace belongs to. NeuralTrust keeps the
	// conversation apart from the session, so session keys are not read here.
	ConversationKeys = []attribute.Key{
		GenAIConversationID,
		"traceloop.association.properties.conversation_id",
		"ai.telemetry.metadata.conversationId",
	}
)
