package semconv

import (
	"strings"

	"github.com/tracebridge/tracebridge/record"
)

// detectTask decides what record a span is. The most specific signal wins:
//
//  1. tracebridge.task, the project's own attribute;
//  2. gen_ai.operation.name;
//  3. openinference.span.kind, unless a generic kind (CHAIN, UNKNOWN, PROMPT);
//  4. traceloop.span.kind agent/tool, then llm.request.type;
//  5. the Vercel AI SDK operation (ai.operationId, else the span name): the inner
//     doGenerate/doStream/doEmbed call is the generation, ai.toolCall a tool, and the outer
//     ai.generateText/streamText/generateObject/streamObject/embed/embedMany span is a
//     container whose usage repeats its inner calls';
//  6. heuristics: gen_ai.tool.* → tool, gen_ai.retrieval.* or a vector-store query →
//     retrieval, gen_ai.evaluation.* → event, a model key → generation;
//  7. a generic container (OpenInference CHAIN, Traceloop workflow/task) whose name has the
//     word "router" → router;
//  8. anything else is no record of its own ("").
func detectTask(st *step) record.Task {
	a := st.a
	// 1. Explicit.
	if t := record.Task(a.str(TracebridgeTask)); t.Valid() {
		if t == record.TaskMessage {
			return ""
		}
		return t
	}
	// 2. OTel GenAI operation.
	switch a.str(GenAIOperationName) {
	case GenAIOperationChat, GenAIOperationTextCompletion, GenAIOperationGenerateContent, GenAIOperationEmbeddings:
		return record.TaskGeneration
	case GenAIOperationRetrieval, GenAIOperationSearchMemory:
		return record.TaskRetrieval
	case GenAIOperationExecuteTool:
		return record.TaskTool
	case GenAIOperationCreateAgent, GenAIOperationInvokeAgent, GenAIOperationInvokeWorkflow:
		return record.TaskAgent
	}
	generic := false
	// 3. OpenInference span kind.
	switch strings.ToUpper(a.str(OISpanKind)) {
	case OISpanKindLLM, OISpanKindEmbedding:
		return record.TaskGeneration
	case OISpanKindRetriever, OISpanKindReranker:
		return record.TaskRetrieval
	case OISpanKindTool:
		return record.TaskTool
	case OISpanKindAgent:
		return record.TaskAgent
	case OISpanKindGuardrail, OISpanKindEvaluator:
		return record.TaskEvent
	case OISpanKindChain:
		generic = true
	}
	// 4. OpenLLMetry: the span kind of its decorators, then the request type of its LLM spans.
	tlKind := strings.ToLower(a.str(TraceloopSpanKind))
	switch tlKind {
	case TraceloopKindAgent:
		return record.TaskAgent
	case TraceloopKindTool:
		return record.TaskTool
	case TraceloopKindWorkflow, TraceloopKindTask:
		generic = true
	}
	switch strings.ToLower(a.str(LLMRequestType)) {
	case LLMRequestTypeChat, LLMRequestTypeCompletion, LLMRequestTypeEmbedding:
		return record.TaskGeneration
	case LLMRequestTypeRerank:
		return record.TaskRetrieval
	}
	// 5. Vercel AI SDK.
	if t, known := vercelTask(st); known {
		return t
	}
	// 6. Heuristics on keys that only one kind of step carries.
	switch {
	case a.str(GenAIToolName, GenAIToolCallID) != "":
		return record.TaskTool
	case a.str(GenAIRetrievalQueryText, GenAIRetrievalDocuments) != "" || isVectorQuery(st):
		return record.TaskRetrieval
	case a.str(GenAIEvaluationName, GenAIEvaluationScoreLabel, GenAIEvaluationScoreValue) != "":
		return record.TaskEvent
	case a.str(GenAIRequestModel, GenAIResponseModel, OILLMModelName, LLMRequestModel) != "":
		return record.TaskGeneration
	}
	// 7. A router among generic containers.
	if generic && hasWord(first(a.str(TraceloopEntityName), st.span.Name), "router") {
		return record.TaskRouter
	}
	return ""
}

// vercelTask reads the Vercel AI SDK operation. known is false when the span is not one of
// the SDK's operations.
func vercelTask(st *step) (t record.Task, known bool) {
	op := vercelOperation(st)
	switch {
	case op == "":
		return "", false
	case op == vercelOpToolCall:
		return record.TaskTool, true
	case strings.HasSuffix(op, vercelSuffixDoGenerate), strings.HasSuffix(op, vercelSuffixDoStream), strings.HasSuffix(op, vercelSuffixDoEmbed):
		return record.TaskGeneration, true
	}
	switch op {
	case vercelGenerateText, vercelStreamText, vercelGenerateObject, vercelStreamObject, vercelEmbed, vercelEmbedMany:
		return "", true // the outer call: its inner doGenerate/doStream/doEmbed is the record
	}
	return "", false
}

// vercelOperation is the AI SDK operation id of the span: ai.operationId, else the first word
// of operation.name or the span name when they name an ai.* operation.
func vercelOperation(st *step) string {
	if op := st.a.str(AIOperationID); op != "" {
		return op
	}
	for _, s := range []string{st.a.str(vercelOperationNameKey), st.span.Name} {
		if strings.HasPrefix(s, vercelPrefix) {
			if i := strings.IndexByte(s, ' '); i > 0 {
				s = s[:i]
			}
			if isVercelOp(s) {
				return s
			}
		}
	}
	return ""
}

func isVercelOp(s string) bool {
	base, _, _ := strings.Cut(s, ".do")
	switch base {
	case vercelGenerateText, vercelStreamText, vercelGenerateObject, vercelStreamObject, vercelEmbed, vercelEmbedMany, vercelOpToolCall:
		return true
	}
	return false
}

// vectorStores are the db.system values of the vector databases OpenLLMetry instruments.
var vectorStores = map[string]bool{
	"chroma": true, "chromadb": true, "pinecone": true, "qdrant": true, "weaviate": true,
	"milvus": true, "lancedb": true, "marqo": true, "pgvector": true,
}

// isVectorQuery reports a vector-store query: top-k or result events, or a query/search
// operation on a known vector database.
func isVectorQuery(st *step) bool {
	if st.a.has(DBVectorQueryTopK) {
		return true
	}
	for i := range st.span.Events {
		if st.span.Events[i].Name == DBQueryResultEventName {
			return true
		}
	}
	if !vectorStores[strings.ToLower(st.a.str(DBSystemName, DBSystem))] {
		return false
	}
	switch strings.ToLower(st.a.str(DBOperationName, DBOperation)) {
	case "query", "search":
		return true
	}
	return false
}

// hasWord reports whether name, split into words at punctuation and at camel-case
// boundaries, has word (lower case): "intent_router" and "LLMRouterChain" have "router",
// "routers" and "route_question" do not.
func hasWord(name, word string) bool {
	start := 0
	for i := 1; i <= len(name); i++ {
		if i < len(name) && !wordBoundary(name, i) {
			continue
		}
		if strings.EqualFold(strings.Trim(name[start:i], " ._-:/"), word) {
			return true
		}
		start = i
	}
	return false
}

// wordBoundary reports whether a word starts at name[i].
func wordBoundary(name string, i int) bool {
	c, p := name[i], name[i-1]
	switch {
	case !isAlnum(c) || !isAlnum(p):
		return true
	case isUpper(c) && isLower(p): // fooBar
		return true
	case isUpper(c) && isUpper(p) && i+1 < len(name) && isLower(name[i+1]): // LLMRouter
		return true
	}
	return false
}

func isUpper(c byte) bool { return c >= 'A' && c <= 'Z' }
func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isAlnum(c byte) bool { return isUpper(c) || isLower(c) || c >= '0' && c <= '9' }
