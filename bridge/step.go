package bridge

import (
	"context"
	"slices"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/semconv"
)

// Kind is what a step is: the task of its NeuralTrust record.
type Kind string

// The kinds of step. An evaluation's record is an event.
const (
	KindMessage    Kind = "message"
	KindGeneration Kind = "generation"
	KindRouter     Kind = "router"
	KindRetrieval  Kind = "retrieval"
	KindAgent      Kind = "agent"
	KindTool       Kind = "tool"
	KindEvent      Kind = "event"
	KindSystem     Kind = "system"
	KindFeedback   Kind = "feedback"
	KindEvaluation Kind = "evaluation"
)

// instant reports the kinds recorded at once, start and end at the same time, as the
// NeuralTrust SDK posts them: they have no duration and nothing to end.
func (k Kind) instant() bool {
	switch k {
	case KindRouter, KindEvent, KindSystem, KindFeedback, KindEvaluation:
		return true
	}
	return false
}

// Interaction names one interaction (one user turn): what feedback given later targets.
type Interaction struct {
	ConversationID string
	InteractionID  string
}

// Step is one step of an interaction, recorded as one OpenTelemetry span: the message, or a
// generation, router, retrieval, agent, tool, event, system, feedback or evaluation under
// it. Its methods are safe for concurrent use.
type Step struct {
	client      *Client
	conv        *Conversation
	kind        Kind
	parent      *Step
	span        trace.Span
	interaction string

	mu       sync.Mutex
	ended    bool
	children []*Step // started and not ended yet: ending this step ends them
	tags     []string
	hasDocs  bool // documents were given: a text output must then be explicit
}

// Kind is what the step is.
func (s *Step) Kind() Kind { return s.kind }

// SpanContext identifies the step's span (its OTel trace and span ids).
func (s *Step) SpanContext() trace.SpanContext { return s.span.SpanContext() }

// Interaction is the interaction the step belongs to: give it to Conversation.Feedback to
// record feedback on it later.
func (s *Step) Interaction() Interaction {
	return Interaction{ConversationID: s.conv.id, InteractionID: s.interaction}
}

// Generation starts a model call under the step: input is the prompt as text (give the
// conversation with InputMessages), model, provider and usage come as options.
func (s *Step) Generation(ctx context.Context, input string, opts ...Option) (context.Context, *Step) {
	return s.child(ctx, KindGeneration, input, opts)
}

// Router records a routing decision under the step, at once: input is what was routed,
// the route goes in Output. Its children (the route taken) hang under it.
func (s *Step) Router(ctx context.Context, input string, opts ...Option) (context.Context, *Step) {
	return s.child(ctx, KindRouter, input, opts)
}

// Retrieval starts a retrieval under the step: query is what is searched for; End it with
// the result as text, or with Documents.
func (s *Step) Retrieval(ctx context.Context, query string, opts ...Option) (context.Context, *Step) {
	return s.child(ctx, KindRetrieval, query, opts)
}

// Agent starts an agent's run under the step (Name names the agent).
func (s *Step) Agent(ctx context.Context, input string, opts ...Option) (context.Context, *Step) {
	return s.child(ctx, KindAgent, input, opts)
}

// Tool starts a tool call under the step: input is its arguments (Name names the tool,
// ToolCallID the model's call it answers); End it with the result.
func (s *Step) Tool(ctx context.Context, input string, opts ...Option) (context.Context, *Step) {
	return s.child(ctx, KindTool, input, opts)
}

// Event records a custom event under the step, at once.
func (s *Step) Event(ctx context.Context, input string, opts ...Option) (context.Context, *Step) {
	return s.child(ctx, KindEvent, input, opts)
}

// System records the system prompt in use, at once.
func (s *Step) System(ctx context.Context, prompt string, opts ...Option) (context.Context, *Step) {
	return s.child(ctx, KindSystem, prompt, opts)
}

// Feedback records the user's feedback on this step, at once. For feedback that comes in a
// later request, use Conversation.Feedback with the step's Interaction.
func (s *Step) Feedback(ctx context.Context, tag FeedbackTag, text string, opts ...Option) (context.Context, *Step) {
	return s.child(ctx, KindFeedback, "", opts, feedbackAttributes(s.interaction, tag, text)...)
}

// Evaluation records the result of an evaluation of this step (gen_ai.evaluation.*), at
// once.
func (s *Step) Evaluation(ctx context.Context, e Evaluation, opts ...Option) (context.Context, *Step) {
	opts = append([]Option{Name(e.Name)}, opts...) // the evaluation's name names the span
	return s.child(ctx, KindEvaluation, "", opts, e.attributes()...)
}

// End ends the step with its output (none when empty) and the options: usage, response
// model, documents, status, error… Open steps under it are ended first, at the same time.
// Only the first End counts; ending an instant step (router, event, system, feedback,
// evaluation) does nothing.
func (s *Step) End(output string, opts ...Option) {
	s.end(s.client.now(), output, opts)
}

// Update changes a running step: its status, tags, attributes, usage… Updating an ended
// step does nothing.
func (s *Step) Update(opts ...Option) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ended {
		return
	}
	b := builder{kind: s.kind, attrs: make([]attribute.KeyValue, 0, attrCount(opts)+3), tags: slices.Clip(s.tags), hasDocs: s.hasDocs}
	b.applyAll(opts)
	b.output(b.outputText)
	b.flushTags()
	s.tags, s.hasDocs = b.tags, b.hasDocs
	if len(b.attrs) > 0 {
		s.span.SetAttributes(b.attrs...)
	}
	b.setStatus(s.span, s.client.now())
}

func (s *Step) child(ctx context.Context, kind Kind, text string, opts []Option, extra ...attribute.KeyValue) (context.Context, *Step) {
	if ctx == nil {
		ctx = context.Background()
	}
	if trace.SpanFromContext(ctx) != s.span { // usually ctx is the one s returned
		ctx = trace.ContextWithSpan(ctx, s.span)
	}
	c := &Step{client: s.client, conv: s.conv, kind: kind, parent: s, interaction: s.interaction}
	return c.begin(ctx, trace.SpanContext{}, text, opts, extra, nil)
}

// begin starts the step's span under ctx's span — or, when link is valid, as the root of a
// trace of its own linked to link — with its attributes: extra (identity, feedback), the
// kind's, the options', then the text's. An instant step ends at once.
func (s *Step) begin(ctx context.Context, link trace.SpanContext, text string, opts []Option, extra []attribute.KeyValue, tags []string) (context.Context, *Step) {
	if ctx == nil {
		ctx = context.Background()
	}
	now := s.client.now()
	// kind and conversation, input (2), output (2), tags: sized once, as every byte here is
	// garbage the moment the span has copied it.
	b := builder{kind: s.kind, attrs: make([]attribute.KeyValue, 0, len(extra)+attrCount(opts)+7), tags: slices.Clip(tags)}
	b.attrs = append(b.attrs, extra...)
	b.applyAll(opts)
	b.kindAttributes(s.conv.id)
	b.input(text)
	b.output(b.outputText)
	b.flushTags()
	s.tags, s.hasDocs = b.tags, b.hasDocs

	if link.IsValid() {
		ctx, s.span = s.client.tracer.Start(ctx, b.spanName(), trace.WithTimestamp(now), trace.WithSpanKind(b.spanKind()),
			trace.WithAttributes(b.attrs...), trace.WithNewRoot(), trace.WithLinks(trace.Link{SpanContext: link}))
	} else {
		ctx, s.span = s.client.tracer.Start(ctx, b.spanName(), trace.WithTimestamp(now),
			trace.WithSpanKind(b.spanKind()), trace.WithAttributes(b.attrs...))
	}
	b.setStatus(s.span, now)
	if s.interaction == "" {
		s.interaction = b.interaction
	}
	if s.interaction == "" { // a message: one trace is one interaction
		s.interaction = semconv.InteractionID(s.span.SpanContext().TraceID())
	}
	switch {
	case s.kind.instant():
		s.ended = true
		s.span.End(trace.WithTimestamp(now))
	case s.parent != nil:
		s.parent.adopt(s)
	}
	return ctx, s
}

// adopt notes a child started under s, so that ending s ends it. A child started after s
// ended (under a router, say) is on its own.
func (s *Step) adopt(c *Step) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.ended {
		s.children = append(s.children, c)
	}
}

// forget removes an ended child. Children usually end last-started first, so the search
// runs from the end.
func (s *Step) forget(c *Step) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := len(s.children) - 1; i >= 0; i-- {
		if s.children[i] == c {
			s.children = slices.Delete(s.children, i, i+1)
			return
		}
	}
}

// end ends the step at the given time: its open children first (latest first), then its
// span with the output and options.
func (s *Step) end(at time.Time, output string, opts []Option) {
	s.mu.Lock()
	if s.ended {
		s.mu.Unlock()
		return
	}
	s.ended = true
	kids := s.children
	s.children = nil
	b := builder{kind: s.kind, tags: slices.Clip(s.tags), hasDocs: s.hasDocs}
	s.mu.Unlock()
	if output != "" || len(opts) > 0 {
		b.attrs = make([]attribute.KeyValue, 0, attrCount(opts)+3) // output (2), tags
	}

	for i := len(kids) - 1; i >= 0; i-- {
		kids[i].end(at, "", nil)
	}
	b.applyAll(opts)
	b.output(first(output, b.outputText))
	b.flushTags()
	if len(b.attrs) > 0 {
		s.span.SetAttributes(b.attrs...)
	}
	b.setStatus(s.span, at)
	s.span.End(trace.WithTimestamp(at))
	if s.parent != nil {
		s.parent.forget(s)
	}
}

func first(a, b string) string {
	if a != "" {
		return a
	}
	return b
}
