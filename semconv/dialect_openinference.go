package semconv

import (
	"strings"

	"go.opentelemetry.io/otel/attribute"
)

// OpenInference content: flattened message and document lists, and the generic
// input.value/output.value every span kind may carry.

func oiMessagesIn(st *step) conv  { return conv{msgs: st.view().messages(flatOIInput)} }
func oiMessagesOut(st *step) conv { return conv{msgs: st.view().messages(flatOIOutput)} }

// oiValueIn reads input.value: a conversation when it is JSON that holds one (an OpenAI or
// Anthropic request body), else its text.
func oiValueIn(st *step) conv { return oiValue(st, OIInputValue, OIInputMimeType) }

func oiValueOut(st *step) conv { return oiValue(st, OIOutputValue, OIOutputMimeType) }

func oiValue(st *step, k, mime attribute.Key) conv {
	s := st.a.str(k)
	if s == "" {
		return conv{}
	}
	if strings.HasPrefix(st.a.str(mime), oiMimeText) {
		return conv{raw: s, verbatim: true}
	}
	c := flexibleMessages(s)
	if c.raw != "" {
		c.raw = unquote(c.raw)
	}
	return c
}

// oiTextIn and oiTextOut read input.value/output.value as text, for records whose input is
// not a conversation (tools, retrievals, events): as given when the mime type says
// text/plain, else a JSON string literal unquoted.
func oiTextIn(st *step) conv  { return oiText(st, OIInputValue, OIInputMimeType) }
func oiTextOut(st *step) conv { return oiText(st, OIOutputValue, OIOutputMimeType) }

func oiText(st *step, k, mime attribute.Key) conv {
	if strings.HasPrefix(st.a.str(mime), oiMimeText) {
		if s := st.a.str(k); s != "" {
			return conv{raw: s, verbatim: true}
		}
		return conv{}
	}
	return rawOf(k)(st)
}

func oiToolArgs(st *step) conv { return rawOf(OIToolCallFunctionArgs)(st) }

func oiDocuments(st *step) conv {
	return docsConv(st.view().documents(flatOIDocuments))
}

func oiReranked(st *step) conv {
	return docsConv(st.view().documents(flatOIReranked))
}

func oiRerankerQuery(st *step) conv { return rawOf(OIRerankerQuery)(st) }

// oiEmbeddingTexts reads embedding.embeddings.N.embedding.text as the user messages of an
// embeddings call.
func oiEmbeddingTexts(st *step) conv { return textsAsUser(st.view().embeddingTexts()) }

func textsAsUser(texts []string) conv {
	var msgs []Message
	for _, t := range texts {
		if t != "" {
			msgs = append(msgs, Message{Role: "user", Content: t})
		}
	}
	return conv{msgs: msgs}
}
