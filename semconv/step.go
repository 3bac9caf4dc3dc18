package semconv

import (
	"strings"

	"github.com/tracebridge/tracebridge/record"
)

// The content sources of each kind of record, in precedence order: the first source that
// has content gives the field (one source per field). docs/mapping.md lists them.
var (
	// Generations, agents, and containers read as a message's own text.
	conversationIn = []source{
		explicitIn,
		genaiAttrIn,          // gen_ai.input.messages + gen_ai.system_instructions (≥1.37)
		genaiDetailsIn,       // gen_ai.client.inference.operation.details event (≥1.37)
		genaiMessageEventsIn, // gen_ai.{system,user,assistant,tool}.message events (1.28–1.36)
		genaiContentEventIn,  // gen_ai.content.prompt event / gen_ai.prompt JSON (≤1.27)
		oiMessagesIn,         // llm.input_messages.N (OpenInference)
		tlPromptIn,           // gen_ai.prompt.N (OpenLLMetry legacy)
		goPromptsIn,          // llm.prompts.N (old Go SDK)
		vercelPromptIn,       // ai.prompt.messages, else ai.prompt (Vercel AI SDK)
		oiEmbeddingTexts,     // embedding.embeddings.N.embedding.text
		vercelEmbedIn,        // ai.values / ai.value
		oiValueIn,            // input.value
		tlEntityIn,           // traceloop.entity.input
	}
	conversationOut = []source{
		explicitOut,
		genaiAttrOut,
		genaiDetailsOut,
		genaiChoiceEventsOut,
		genaiContentEventOut,
		oiMessagesOut,
		tlCompletionOut,
		goCompletionsOut,
		vercelResponseOut,
		oiValueOut,
		tlEntityOut,
	}
	retrievalIn = []source{
		explicitIn, rawOf(GenAIRetrievalQueryText), oiTextIn, oiRerankerQuery, dbQueryText,
		tlRerankQuery, tlEntityIn,
	}
	retrievalOut = []source{
		explicitOut, genaiRetrievalDocs, oiDocuments, oiReranked, vectorResults, tlRerankDocs,
		oiTextOut, tlEntityOut,
	}
	toolIn = []source{
		explicitIn, rawOf(GenAIToolCallArguments), oiToolArgs, vercelToolArgs, oiTextIn, tlEntityIn,
	}
	toolOut = []source{
		explicitOut, rawOf(GenAIToolCallResult), vercelToolResult, oiTextOut, tlEntityOut,
	}
	// Events, routers, system and feedback records.
	otherIn  = []source{explicitIn, oiTextIn, tlEntityIn}
	otherOut = []source{explicitOut, oiTextOut, tlEntityOut, genaiEvaluation}
)

// parseContent resolves the span's input and output once: the record's text, and for
// conversations the messages a message record reads its user text and answer from.
func (st *step) parseContent() {
	v := st.view()
	if v.parsed {
		return
	}
	v.parsed = true
	var in, out conv
	switch st.task {
	case record.TaskGeneration, record.TaskAgent, "":
		in, st.in = conversation(st, conversationIn)
		out, st.out = conversation(st, conversationOut)
		if isEmbedding(st) {
			st.in = nil // embedded texts are data, not a user's turn of the conversation
		}
	case record.TaskRetrieval:
		in, out = firstConv(st, retrievalIn), firstConv(st, retrievalOut)
	case record.TaskTool:
		in, out = firstConv(st, toolIn), firstConv(st, toolOut)
	default:
		in, out = firstConv(st, otherIn), firstConv(st, otherOut)
	}
	v.input, v.output = in.text(), out.text()
	v.plainIn, v.plainOut = prose(in), prose(out)
	if in.verbatim {
		v.exactIn = in.raw
	}
	if out.verbatim {
		v.exactOut = out.raw
	}
}

// prose is a source's raw text when it reads as words rather than data.
func prose(c conv) string {
	if len(c.msgs) > 0 || looksJSON(c.raw) {
		return ""
	}
	return c.raw
}

// stepRecord builds the record of one kept span of interaction in, without its parent.
func stepRecord(st *step, id *traceIdentity, in *interaction) record.Record {
	s := st.span
	st.parseContent()
	r := id.base(s, in)
	r.TraceID = RecordID(s.TraceID, s.SpanID)
	r.Task = st.task
	r.Metadata = spanMetadata(st)
	id.addMetadata(r.Metadata)
	r.Input, r.Output = st.v.input, st.v.output
	if st.task == record.TaskFeedback {
		if tag := st.a.str(TracebridgeFeedbackTag); record.ValidFeedbackTag(tag) {
			r.FeedbackTag = tag
		}
		r.FeedbackText = st.a.str(TracebridgeFeedbackText)
	}
	return r
}

// ownText is the span's own input and output as plain text, for a message record built from
// it: its text when given as is (tracebridge.input/output, a text/plain input.value), else the
// last user message and the final answer of its conversation, else its input and output when
// they are prose (an agent's or a chain's text). Spans that are no record of their own (the
// usual root) are read too.
func (st *step) ownText() (in, out string) {
	st.parseContent()
	in, out = st.v.exactIn, st.v.exactOut // text given as is wins
	if in == "" {
		in = first(st.userText(), st.v.plainIn)
	}
	if out == "" {
		out = first(st.answerText(), st.v.plainOut)
	}
	return in, out
}

// userText is the text of the last user message of the span's input.
func (st *step) userText() string { return lastText(st.in, "user") }

// answerText is the text of the final assistant message of the span's output.
func (st *step) answerText() string { return lastText(st.out, "assistant") }

// isEmbedding reports an embeddings call in any dialect.
func isEmbedding(st *step) bool {
	switch {
	case st.a.str(GenAIOperationName) == GenAIOperationEmbeddings,
		strings.EqualFold(st.a.str(OISpanKind), OISpanKindEmbedding),
		strings.EqualFold(st.a.str(LLMRequestType), LLMRequestTypeEmbedding):
		return true
	}
	return strings.HasSuffix(vercelOperation(st), vercelSuffixDoEmbed)
}
