package semconv

// OpenLLMetry (Traceloop) content: the legacy flattened gen_ai.prompt.N / gen_ai.completion.N
// lists, the old Go SDK's llm.prompts.N / llm.completions.N, and the decorators'
// traceloop.entity.input/output (JSON of the function's arguments and result).

func tlPromptIn(st *step) conv      { return conv{msgs: st.view().messages(flatTLPrompt)} }
func tlCompletionOut(st *step) conv { return conv{msgs: st.view().messages(flatTLCompletion)} }
func goPromptsIn(st *step) conv     { return conv{msgs: st.view().messages(flatGoPrompts)} }
func goCompletionsOut(st *step) conv {
	return conv{msgs: st.view().messages(flatGoCompletions)}
}

func tlEntityIn(st *step) conv  { return rawOf(TraceloopEntityInput)(st) }
func tlEntityOut(st *step) conv { return rawOf(TraceloopEntityOutput)(st) }

// tlRerankQuery is the query of an OpenLLMetry rerank span, which lists the documents as
// prompt messages and the query as the last user message.
func tlRerankQuery(st *step) conv {
	if q := lastText(st.view().messages(flatTLPrompt), "user"); q != "" {
		return conv{raw: q}
	}
	return conv{}
}

// tlRerankDocs reads the completions of an OpenLLMetry rerank span as documents.
func tlRerankDocs(st *step) conv {
	var docs []Document
	for _, m := range st.view().messages(flatTLCompletion) {
		if m.Content != "" {
			docs = append(docs, Document{Content: m.Content})
		}
	}
	return docsConv(docs)
}

// vectorResults reads the db.query.result events of a vector-store query (OpenLLMetry).
func vectorResults(st *step) conv {
	var docs []Document
	for i := range st.span.Events {
		ev := &st.span.Events[i]
		if ev.Name != DBQueryResultEventName {
			continue
		}
		d := Document{ID: eventStr(ev, DBQueryResultID), Content: eventStr(ev, DBQueryResultDocument)}
		if v, ok := eventValue(ev, DBQueryResultScore); ok {
			if f, ok := valueFloat(v); ok {
				d.Score = &f
			}
		}
		docs = append(docs, d)
	}
	return docsConv(docs)
}

func dbQueryText(st *step) conv { return rawOf(DBQueryText)(st) }
