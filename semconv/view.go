package semconv

import (
	"sort"
	"strings"

	"go.opentelemetry.io/otel/attribute"
)

// flatList names a family of flattened list attributes (prefix.N.field).
type flatList uint8

const (
	flatOIInput       flatList = iota // llm.input_messages.N.message.*
	flatOIOutput                      // llm.output_messages.N.message.*
	flatTLPrompt                      // gen_ai.prompt.N.* (OpenLLMetry legacy)
	flatTLCompletion                  // gen_ai.completion.N.*
	flatGoPrompts                     // llm.prompts.N.* (old Go SDK)
	flatGoCompletions                 // llm.completions.N.*
	flatOIDocuments                   // retrieval.documents.N.document.*
	flatOIReranked                    // reranker.output_documents.N.document.*
	flatOIEmbeddings                  // embedding.embeddings.N.embedding.*
	flatLists
)

var flatPrefixes = [flatLists]string{
	flatOIInput:       oiPrefixInputMessages,
	flatOIOutput:      oiPrefixOutputMessages,
	flatTLPrompt:      tlPrefixPrompt,
	flatTLCompletion:  tlPrefixCompletion,
	flatGoPrompts:     goPrefixPrompts,
	flatGoCompletions: goPrefixCompletions,
	flatOIDocuments:   oiPrefixRetrievalDocuments,
	flatOIReranked:    oiPrefixRerankerOutputDocuments,
	flatOIEmbeddings:  oiPrefixEmbeddings,
}

// flatAttr is one attribute of a flattened list: prefix.index.rest.
type flatAttr struct {
	list  flatList
	index int
	rest  string
	value attribute.Value
}

// spanView is what the mapping reads from one span beyond direct attribute lookups: its
// flattened lists, indexed once, and the content resolved for its record.
type spanView struct {
	indexed bool
	flat    []flatAttr
	has     [flatLists]bool

	parsed            bool
	input, output     string // the record's input and output text
	plainIn, plainOut string // prose (not JSON) input and output, for a message built from this span
	exactIn, exactOut string // text given as is (verbatim sources), for a message built from this span
}

// view returns the span's view, building it on first use.
func (st *step) view() *spanView {
	if st.v == nil {
		st.v = &spanView{}
	}
	if !st.v.indexed {
		st.v.index(st.span.Attributes)
	}
	return st.v
}

// index finds the flattened list attributes in one pass. A list key needs a numeric index
// right after its prefix: gen_ai.prompt.0.content is a message, gen_ai.prompt.name is not.
func (v *spanView) index(kvs []attribute.KeyValue) {
	v.indexed = true
	for _, kv := range kvs {
		k := string(kv.Key)
		if len(k) < 8 {
			continue
		}
		switch k[0] {
		case 'l', 'g', 'r', 'e':
		default:
			continue
		}
		for l, p := range flatPrefixes {
			if !strings.HasPrefix(k, p) {
				continue
			}
			n, rest, ok := splitIndex(k[len(p):])
			if ok {
				v.flat = append(v.flat, flatAttr{list: flatList(l), index: n, rest: rest, value: kv.Value})
				v.has[l] = true
			}
			break
		}
	}
}

// splitIndex reads "N.rest": a decimal index, a dot, and a non-empty rest.
func splitIndex(s string) (int, string, bool) {
	n, i := 0, 0
	for ; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		if n > 1<<24 { // no real list is this long; refuse rather than overflow
			return 0, "", false
		}
		n = n*10 + int(s[i]-'0')
	}
	if i == 0 || i+1 >= len(s) || s[i] != '.' {
		return 0, "", false
	}
	return n, s[i+1:], true
}

// msgBuild gathers the fields of one flattened message.
type msgBuild struct {
	m       Message
	content string
	parts   map[int]string
	kinds   map[int]string
	calls   map[int]*ToolCall
}

// messages assembles a flattened message list in index order. It reads OpenInference's
// message.{role,content,name,tool_call_id,contents.M.message_content.*,tool_calls.M.tool_call.*}
// and OpenLLMetry's {role,content,tool_call_id,finish_reason,tool_calls.M.*,function_call.*}.
func (v *spanView) messages(list flatList) []Message {
	if !v.has[list] {
		return nil
	}
	byIdx := map[int]*msgBuild{}
	for i := range v.flat {
		f := &v.flat[i]
		if f.list != list {
			continue
		}
		b := byIdx[f.index]
		if b == nil {
			b = &msgBuild{}
			byIdx[f.index] = b
		}
		b.set(strings.TrimPrefix(f.rest, "message."), valueString(f.value))
	}
	idx := make([]int, 0, len(byIdx))
	for n := range byIdx {
		idx = append(idx, n)
	}
	sort.Ints(idx)
	// A message without a role is the list's usual one: prompts are the user's words,
	// completions the model's.
	role := "user"
	switch list {
	case flatOIOutput, flatTLCompletion, flatGoCompletions:
		role = "assistant"
	}
	msgs := make([]Message, 0, len(idx))
	for _, n := range idx {
		m := byIdx[n].message()
		if m.Role == "" {
			m.Role = role
		}
		msgs = append(msgs, m)
	}
	return msgs
}

func (b *msgBuild) set(rest, s string) {
	switch rest {
	case "role":
		b.m.Role = s
	case "content":
		b.content = s
	case "name":
		b.m.Name = s
	case "tool_call_id":
		b.m.ToolCallID = s
	case "finish_reason":
		b.m.FinishReason = s
	case "function_call.name": // OpenAI's pre-tools function calling
		b.call(1 << 30).Name = s
	case "function_call.arguments":
		b.call(1 << 30).Arguments = argsJSON(s)
	}
	if r, ok := strings.CutPrefix(rest, "contents."); ok {
		if j, field, ok := splitIndex(r); ok {
			switch strings.TrimPrefix(field, "message_content.") {
			case "text":
				if b.parts == nil {
					b.parts = map[int]string{}
				}
				b.parts[j] = s
			case "type":
				if b.kinds == nil {
					b.kinds = map[int]string{}
				}
				b.kinds[j] = s
			}
		}
	}
	if r, ok := strings.CutPrefix(rest, "tool_calls."); ok {
		if j, field, ok := splitIndex(r); ok {
			switch strings.TrimPrefix(field, "tool_call.") {
			case "id":
				b.call(j).ID = s
			case "function.name", "name":
				b.call(j).Name = s
			case "function.arguments", "arguments":
				b.call(j).Arguments = argsJSON(s)
			}
		}
	}
}

func (b *msgBuild) call(j int) *ToolCall {
	if b.calls == nil {
		b.calls = map[int]*ToolCall{}
	}
	c := b.calls[j]
	if c == nil {
		c = &ToolCall{}
		b.calls[j] = c
	}
	return c
}

func (b *msgBuild) message() Message {
	m := b.m
	var text []string
	if b.content != "" {
		text = append(text, textOrParts(b.content))
	}
	for _, j := range sortedIndexes(b.parts, b.kinds) {
		if t := b.parts[j]; t != "" {
			text = append(text, t)
		} else if k := b.kinds[j]; k != "" && k != "text" {
			text = append(text, "["+k+"]")
		}
	}
	m.Content = strings.Join(text, "\n")
	if len(b.calls) > 0 {
		js := make([]int, 0, len(b.calls))
		for j := range b.calls {
			js = append(js, j)
		}
		sort.Ints(js)
		for _, j := range js {
			m.ToolCalls = append(m.ToolCalls, *b.calls[j])
		}
	}
	return m
}

func sortedIndexes(a, b map[int]string) []int {
	if len(a) == 0 && len(b) == 0 {
		return nil
	}
	seen := make(map[int]bool, len(a)+len(b))
	var idx []int
	for _, m := range [2]map[int]string{a, b} {
		for j := range m {
			if !seen[j] {
				seen[j] = true
				idx = append(idx, j)
			}
		}
	}
	sort.Ints(idx)
	return idx
}

// documents assembles a flattened OpenInference document list
// (N.document.{id,content,score}) in index order.
func (v *spanView) documents(list flatList) []Document {
	if !v.has[list] {
		return nil
	}
	byIdx := map[int]*Document{}
	for i := range v.flat {
		f := &v.flat[i]
		if f.list != list {
			continue
		}
		d := byIdx[f.index]
		if d == nil {
			d = &Document{}
			byIdx[f.index] = d
		}
		switch strings.TrimPrefix(f.rest, "document.") {
		case "id":
			d.ID = valueString(f.value)
		case "content":
			d.Content = valueString(f.value)
		case "score":
			if s, ok := valueFloat(f.value); ok {
				d.Score = &s
			}
		}
	}
	idx := make([]int, 0, len(byIdx))
	for n := range byIdx {
		idx = append(idx, n)
	}
	sort.Ints(idx)
	docs := make([]Document, 0, len(idx))
	for _, n := range idx {
		docs = append(docs, *byIdx[n])
	}
	return docs
}

// embeddingTexts returns OpenInference's embedding.embeddings.N.embedding.text in index
// order; the vectors are not readable content and are left out.
func (v *spanView) embeddingTexts() []string {
	if !v.has[flatOIEmbeddings] {
		return nil
	}
	byIdx := map[int]string{}
	for i := range v.flat {
		f := &v.flat[i]
		if f.list == flatOIEmbeddings && f.rest == "embedding.text" {
			byIdx[f.index] = valueString(f.value)
		}
	}
	idx := sortedIndexes(byIdx, nil)
	out := make([]string, 0, len(idx))
	for _, n := range idx {
		out = append(out, byIdx[n])
	}
	return out
}
