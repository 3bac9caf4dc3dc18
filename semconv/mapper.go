package semconv

import (
	"sort"
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/record"
)

// Options tune the mapping. The zero value is the documented default.
type Options struct {
	// KeepAllSpans turns every span into a record (task "event" for spans with no LLM
	// meaning) instead of dropping spans that are not LLM steps.
	KeepAllSpans bool
}

// Map turns ended spans, possibly of several traces, into records: the spans are grouped by
// trace id and each group is mapped by [MapTrace]. Records of one trace stay together, traces
// in the order their first span appears.
func Map(spans []Span, opts Options) []record.Record {
	if len(spans) == 0 {
		return nil
	}
	first := spans[0].TraceID
	same := true
	for i := range spans {
		if spans[i].TraceID != first {
			same = false
			break
		}
	}
	if same {
		return MapTrace(spans, opts)
	}
	var order []trace.TraceID
	groups := map[trace.TraceID][]Span{}
	for _, s := range spans {
		if _, ok := groups[s.TraceID]; !ok {
			order = append(order, s.TraceID)
		}
		groups[s.TraceID] = append(groups[s.TraceID], s)
	}
	var out []record.Record
	for _, id := range order {
		out = append(out, MapTrace(groups[id], opts)...)
	}
	return out
}

// step is one span under mapping.
type step struct {
	span *Span
	a    attrs
	task record.Task // empty: the span is not a record of its own
	in   []Message   // parsed input messages, when the span has them
	out  []Message   // parsed output messages
	v    *spanView   // dialect view: flattened lists and resolved content (view.go)
}

// traceIdentity holds what every record of one trace shares.
type traceIdentity struct {
	interactionID  string
	conversationID string
	sessionID      string
	user           *record.User
	messageID      string
}

// MapTrace turns the spans of one trace into records. spans may be the whole trace or the
// part known so far: records are always consistent, so mapping again with more spans yields
// the same records for the same steps (re-sent under the same ids) plus the new ones.
//
// The local root becomes the trace's message record; spans with an LLM meaning become
// generation, retrieval, tool, agent, router and event records under their nearest kept
// ancestor, or under the message when no ancestor is kept or known; other spans are
// dropped. A trace with no LLM step gives no records. When the root is not among spans (it
// has not ended, or lives in another process), a provisional message stands in for it so
// that no parent_id points at a record that is not sent; the real one replaces it later
// under the same id.
func MapTrace(spans []Span, opts Options) []record.Record {
	if len(spans) == 0 {
		return nil
	}
	steps := make([]step, len(spans))
	byID := make(map[trace.SpanID]*step, len(spans))
	var root *step
	for i := range spans {
		st := &steps[i]
		st.span = &spans[i]
		st.a = newAttrs(spans[i].Attributes)
		st.task = detectTask(st)
		byID[spans[i].SpanID] = st
		if spans[i].IsLocalRoot() && (root == nil || betterRoot(&spans[i], root.span)) {
			root = st
		}
	}
	dropOuterGenerations(steps, byID)

	llm := false
	for i := range steps {
		if steps[i].task != "" {
			llm = true
			break
		}
	}
	if !llm && !opts.KeepAllSpans {
		return nil
	}
	if opts.KeepAllSpans {
		// Every span but the root becomes a record; the root is the message already.
		for i := range steps {
			if st := &steps[i]; st.task == "" && st != root {
				st.task = record.TaskEvent
			}
		}
	}

	tid := spans[0].TraceID
	id := traceIdentity{
		interactionID: InteractionID(tid),
		messageID:     MessageID(tid),
	}
	id.resolve(steps, root)

	out := make([]record.Record, 0, len(steps)+1)
	var kept []*step
	for i := range steps {
		st := &steps[i]
		if st.task == "" {
			continue
		}
		st.parseContent()
		kept = append(kept, st)
	}
	sort.SliceStable(kept, func(i, j int) bool { return earlier(kept[i].span, kept[j].span) })
	msgRoot := root
	if msgRoot == nil {
		msgRoot = standInRoot(spans)
	}
	msg := messageRecord(msgRoot, kept, &id)
	if root == nil || root.span.ParentRemote || root.span.Open {
		msg.Metadata[record.MetaProvisional] = true
	}
	out = append(out, msg)
	for _, st := range kept {
		r := stepRecord(st, &id)
		r.ParentID = parentRecordID(st, byID, root, &id)
		if st.span.Open {
			r.Metadata[record.MetaProvisional] = true
		}
		out = append(out, r)
	}
	return out
}

// dropOuterGenerations keeps one generation per model call: a generation with a generation
// below it (an SDK span such as a framework's LLM span wrapping the provider client's span)
// repeats the inner call, its content and its usage, so only the innermost is kept.
func dropOuterGenerations(steps []step, byID map[trace.SpanID]*step) {
	var outer []*step
	for i := range steps {
		if steps[i].task != record.TaskGeneration {
			continue
		}
		p := steps[i].span.ParentSpanID
		for n := 0; p.IsValid() && n < len(steps); n++ {
			anc, ok := byID[p]
			if !ok {
				break
			}
			if anc.task == record.TaskGeneration {
				outer = append(outer, anc)
			}
			if anc.span.ParentRemote {
				break
			}
			p = anc.span.ParentSpanID
		}
	}
	for _, st := range outer {
		st.task = ""
	}
}

// standInRoot is the root of a trace whose root span is not in view: it spans the known
// spans, and has no attributes or span id of its own.
func standInRoot(spans []Span) *step {
	s := Span{TraceID: spans[0].TraceID, Start: spans[0].Start, End: spans[0].End}
	for i := range spans {
		if spans[i].Start.Before(s.Start) {
			s.Start = spans[i].Start
		}
		if spans[i].End.After(s.End) {
			s.End = spans[i].End
		}
	}
	return &step{span: &s, a: attrs{}}
}

// betterRoot prefers the true root (no parent at all) over a local root under a remote
// parent, then the earlier span.
func betterRoot(a, b *Span) bool {
	if a.ParentSpanID.IsValid() != b.ParentSpanID.IsValid() {
		return !a.ParentSpanID.IsValid()
	}
	return earlier(a, b)
}

func earlier(a, b *Span) bool {
	if !a.Start.Equal(b.Start) {
		return a.Start.Before(b.Start)
	}
	return strings.Compare(a.SpanID.String(), b.SpanID.String()) < 0
}

// parentRecordID walks up from st to the nearest ancestor that is a record. The root's
// message stands in for any ancestor that is not known (yet) or not kept.
func parentRecordID(st *step, byID map[trace.SpanID]*step, root *step, id *traceIdentity) string {
	if st == root {
		return id.messageID
	}
	if st.span.ParentRemote {
		return id.messageID // a service's local root hangs under the interaction's message
	}
	seen := 0
	for p := st.span.ParentSpanID; p.IsValid() && seen <= len(byID); seen++ {
		anc, ok := byID[p]
		if !ok || anc == root {
			if ok && anc.task != "" {
				return RecordID(anc.span.TraceID, anc.span.SpanID)
			}
			return id.messageID
		}
		if anc.task != "" {
			return RecordID(anc.span.TraceID, anc.span.SpanID)
		}
		if anc.span.ParentRemote {
			break
		}
		p = anc.span.ParentSpanID
	}
	return id.messageID
}

// resolve takes conversation, session and user from whichever span carries them, the root
// first, so every record of the trace shares them.
func (id *traceIdentity) resolve(steps []step, root *step) {
	order := make([]*step, 0, len(steps))
	if root != nil {
		order = append(order, root)
	}
	for i := range steps {
		if &steps[i] != root {
			order = append(order, &steps[i])
		}
	}
	first := func(keys []attribute.Key) string {
		for _, st := range order {
			for _, k := range keys {
				if v := st.a.str(k); v != "" {
					return v
				}
			}
		}
		return ""
	}
	id.conversationID = first(ConversationKeys)
	if id.conversationID == "" {
		id.conversationID = id.interactionID
	}
	id.sessionID = first(SessionKeys)
	if u := first(UserKeys); u != "" {
		id.user = &record.User{ID: u}
	}
}

// messageRecord builds the interaction's message record from the local root. Its input and
// output are the root's own when it has them, else the first user input and the final
// answer of the generations below it. Its metadata sums the usage of the generations once.
func messageRecord(root *step, kept []*step, id *traceIdentity) record.Record {
	s := root.span
	r := id.base(s)
	r.TraceID = id.messageID
	r.Task = record.TaskMessage
	r.Metadata = messageMetadata(s, root.a)

	var gens []*step
	for _, st := range kept {
		if st.task == record.TaskGeneration {
			gens = append(gens, st)
		}
	}
	r.Input, r.Output = root.ownText()
	if r.Input == "" {
		for _, g := range gens { // kept is in start order
			if t := g.userText(); t != "" {
				r.Input = t
				break
			}
		}
	}
	if r.Output == "" {
		var last *step
		for _, g := range gens {
			if g.answerText() != "" && (last == nil || !g.span.End.Before(last.span.End)) {
				last = g
			}
		}
		if last != nil {
			r.Output = last.answerText()
		}
	}
	var sum Usage
	var has bool
	for _, g := range gens {
		if u, ok := g.usage(); ok {
			sum.Input += u.Input
			sum.Output += u.Output
			sum.Total += u.Total // a generation may report only a total
			has = true
		}
	}
	if has {
		r.Metadata[record.MetaInputTokens] = sum.Input
		r.Metadata[record.MetaOutputTokens] = sum.Output
		r.Metadata[record.MetaTotalTokens] = sum.Total
	}
	return r
}

// messageMetadata describes the root span of the message: the step fields (model, usage,
// operation) belong to the step's own record, not to the interaction.
func messageMetadata(s *Span, a attrs) map[string]any {
	m := map[string]any{
		record.MetaOTelTraceID: s.TraceID.String(),
		record.MetaStatus:      "ok",
	}
	if !s.SpanID.IsValid() { // a stand-in for a root not in view
		return m
	}
	m[record.MetaSpanName] = s.Name
	m[record.MetaOTelSpanID] = s.SpanID.String()
	if s.ParentSpanID.IsValid() {
		m[record.MetaOTelParentSpanID] = s.ParentSpanID.String()
	}
	if s.DroppedAttributes > 0 {
		m[record.MetaDroppedAttributes] = int64(s.DroppedAttributes)
		m[record.MetaTruncated] = true
	}
	if msg, failed := spanError(s, a); failed {
		m[record.MetaStatus] = "error"
		if msg != "" {
			m[record.MetaError] = msg
		}
	}
	return m
}

// base fills the fields every record of the trace shares, and the span's times.
func (id *traceIdentity) base(s *Span) record.Record {
	r := record.Record{
		ConversationID: id.conversationID,
		InteractionID:  id.interactionID,
		SessionID:      id.sessionID,
		User:           id.user,
		StartTimestamp: s.Start.UnixMilli(),
		EndTimestamp:   s.End.UnixMilli(),
	}
	if d := s.End.Sub(s.Start).Milliseconds(); d > 0 {
		r.Latency = d
	}
	return r
}
