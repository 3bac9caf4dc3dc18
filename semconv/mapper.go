package semconv

import (
	"sort"
	"strings"

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

	inter    *interaction // the interaction its records belong to, once resolved
	targeted bool         // inter comes from an explicit tracebridge.interaction.id
	above    bool         // an ancestor of the message's span: never a record
}

// mapping is one trace under mapping.
type mapping struct {
	steps []step
	byID  map[trace.SpanID]*step
	root  *step // the local root; nil when it is not in view
	msg   *step // the span with tracebridge.task=message; nil when none
	top   *step // the span the message is built from: msg, else root
	id    traceIdentity
}

// MapTrace turns the spans of one trace into records. spans may be the whole trace or the
// part known so far: records are always consistent, so mapping again with more spans yields
// the same records for the same steps (re-sent under the same ids) plus the new ones.
//
// The span that says it is the message (tracebridge.task=message), else the local root,
// becomes the trace's message record; spans with an LLM meaning become generation,
// retrieval, tool, agent, router and event records under their nearest kept ancestor, or
// under the message when no ancestor is kept or known; other spans are dropped, and so are
// the spans above an explicit message. A trace with no LLM step gives no records. When the
// root is not among spans (it has not ended, or lives in another process), a provisional
// message stands in for it so that no parent_id points at a record that is not sent; the
// real one replaces it later under the same id. Spans that target another interaction
// (tracebridge.interaction.id) give records of that interaction, under its message, which
// this trace does not send.
func MapTrace(spans []Span, opts Options) []record.Record {
	if len(spans) == 0 {
		return nil
	}
	m := newMapping(spans)
	dropOuterGenerations(m.steps, m.byID)

	llm := m.msg != nil
	for i := range m.steps {
		if m.steps[i].task != "" {
			llm = true
			break
		}
	}
	if !llm && !opts.KeepAllSpans {
		return nil
	}
	if opts.KeepAllSpans {
		// Every span but the message's becomes a record, spans above an explicit message
		// excepted.
		for i := range m.steps {
			if st := &m.steps[i]; st.task == "" && st != m.top && !st.above {
				st.task = record.TaskEvent
			}
		}
	}
	m.id.resolve(spans[0].TraceID, m.identityOrder())

	var kept []*step
	ownSteps := false
	for i := range m.steps {
		st := &m.steps[i]
		if st.task == "" {
			continue
		}
		st.parseContent()
		kept = append(kept, st)
		if in, targeted := m.interactionOf(st); in == m.id.own && !targeted {
			ownSteps = true
		}
	}
	sort.SliceStable(kept, func(i, j int) bool { return earlier(kept[i].span, kept[j].span) })

	out := make([]record.Record, 0, len(kept)+1)
	if m.msg != nil || ownSteps {
		out = append(out, m.messageRecord(kept))
	}
	for _, st := range kept {
		in, _ := m.interactionOf(st)
		r := stepRecord(st, &m.id, in)
		r.ParentID = m.parentRecordID(st)
		if st.span.Open {
			r.Metadata[record.MetaProvisional] = true
		}
		out = append(out, r)
	}
	return out
}

// newMapping indexes the spans, detects their tasks, and finds the root and the message.
func newMapping(spans []Span) *mapping {
	m := &mapping{steps: make([]step, len(spans)), byID: make(map[trace.SpanID]*step, len(spans))}
	for i := range spans {
		st := &m.steps[i]
		st.span = &spans[i]
		st.a = newAttrs(spans[i].Attributes)
		st.task = detectTask(st)
		m.byID[spans[i].SpanID] = st
		if spans[i].IsLocalRoot() && (m.root == nil || betterRoot(&spans[i], m.root.span)) {
			m.root = st
		}
	}
	m.msg = m.explicitMessage()
	m.top = m.root
	if m.msg != nil {
		m.top = m.msg
		m.markAbove(m.msg)
	}
	return m
}

// explicitMessage is the outermost, earliest span with tracebridge.task=message. Its
// records' interaction is the trace's own, even when spans (an HTTP server span) are above
// it.
func (m *mapping) explicitMessage() *step {
	var best *step
	for i := range m.steps {
		st := &m.steps[i]
		if !isExplicitMessage(st) || m.hasMessageAbove(st) {
			continue
		}
		if best == nil || earlier(st.span, best.span) {
			best = st
		}
	}
	return best
}

func (m *mapping) hasMessageAbove(st *step) bool {
	for n, cur := 0, st; n < len(m.steps) && !cur.span.ParentRemote; n++ {
		p := m.byID[cur.span.ParentSpanID]
		if p == nil {
			return false
		}
		if isExplicitMessage(p) {
			return true
		}
		cur = p
	}
	return false
}

// markAbove drops the ancestors of the message's span: they are the transport of the
// interaction (HTTP server, handler spans), not steps of it.
func (m *mapping) markAbove(msg *step) {
	for n, cur := 0, msg; n < len(m.steps) && !cur.span.ParentRemote; n++ {
		p := m.byID[cur.span.ParentSpanID]
		if p == nil {
			return
		}
		p.task, p.above = "", true
		cur = p
	}
}

// identityOrder is the order in which spans give the trace's identity: the message's span,
// the root, then the others.
func (m *mapping) identityOrder() []*step {
	order := make([]*step, 0, len(m.steps))
	if m.msg != nil {
		order = append(order, m.msg)
	}
	if m.root != nil && m.root != m.msg {
		order = append(order, m.root)
	}
	for i := range m.steps {
		if st := &m.steps[i]; st != m.msg && st != m.root {
			order = append(order, st)
		}
	}
	return order
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
func standInRoot(steps []step) *step {
	first := steps[0].span
	s := Span{TraceID: first.TraceID, Start: first.Start, End: first.End}
	for i := range steps {
		if sp := steps[i].span; sp.Start.Before(s.Start) {
			s.Start = sp.Start
		}
		if sp := steps[i].span; sp.End.After(s.End) {
			s.End = sp.End
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

// parentRecordID walks up from st to the nearest ancestor of the same interaction that is
// a record. The interaction's message stands in for any ancestor that is not known (yet),
// not kept, or of another interaction.
func (m *mapping) parentRecordID(st *step) string {
	in, _ := m.interactionOf(st)
	if st == m.top || st.span.ParentRemote {
		return in.messageID // a service's local root hangs under the interaction's message
	}
	seen := 0
	for p := st.span.ParentSpanID; p.IsValid() && seen <= len(m.byID); seen++ {
		anc, ok := m.byID[p]
		if !ok {
			break
		}
		if ai, _ := m.interactionOf(anc); ai != in {
			break
		}
		if anc.task != "" {
			return RecordID(anc.span.TraceID, anc.span.SpanID)
		}
		if anc == m.top || anc.span.ParentRemote {
			break
		}
		p = anc.span.ParentSpanID
	}
	return in.messageID
}

// messageRecord builds the trace's own message record from the message's span (or the
// local root, or a stand-in when neither is in view). Its input and output are the span's
// own when it has them, else the first user input and the final answer of the interaction's
// generations. Its metadata sums the usage of the generations once.
func (m *mapping) messageRecord(kept []*step) record.Record {
	top := m.top
	if top == nil {
		top = standInRoot(m.steps)
	}
	s := top.span
	own := m.id.own
	r := m.id.base(s, own)
	r.TraceID = own.messageID
	r.Task = record.TaskMessage
	r.Metadata = messageMetadata(s, top.a)
	m.id.addMetadata(r.Metadata)
	provisional := s.Open
	if m.msg == nil {
		provisional = m.root == nil || m.root.span.ParentRemote || m.root.span.Open
	}
	if provisional {
		r.Metadata[record.MetaProvisional] = true
	}

	var gens []*step
	for _, st := range kept {
		if in, _ := m.interactionOf(st); st.task == record.TaskGeneration && in == own {
			gens = append(gens, st)
		}
	}
	r.Input, r.Output = top.ownText()
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
	if tags := a.strings(OITagTags); len(tags) > 0 {
		m[MetaTags] = tags
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
