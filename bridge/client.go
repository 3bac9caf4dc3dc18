package bridge

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"sort"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/semconv"
)

// instrumentationName names the bridge's tracer (its instrumentation scope).
const instrumentationName = "github.com/tracebridge/tracebridge/bridge"

// Client starts conversations and their steps on an OpenTelemetry TracerProvider. It is safe
// for concurrent use; one per process is enough.
type Client struct {
	tracer trace.Tracer
	now    func() time.Time
}

// ClientOption configures a Client.
type ClientOption func(*Client)

// WithClock makes the Client read step times from now instead of time.Now: for tests and
// replays that need known timestamps.
func WithClock(now func() time.Time) ClientOption {
	return func(c *Client) { c.now = now }
}

// New returns a Client that records steps as spans of tp (otel.GetTracerProvider() when tp
// is nil).
func New(tp trace.TracerProvider, opts ...ClientOption) *Client {
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	c := &Client{tracer: tp.Tracer(instrumentationName), now: time.Now}
	for _, o := range opts {
		o(c)
	}
	return c
}

// User is the end user of a conversation: the record's user object.
type User struct {
	ID    string            // user.id
	Email string            // user.email
	Phone string            // tracebridge.user.phone
	Extra map[string]string // tracebridge.user.<key>: further keys of the user object
}

// Metadata describes the end user's client: the record's metadata object. Every field is
// optional.
type Metadata struct {
	UserAgent string            // user_agent.original
	Timezone  string            // tracebridge.metadata.timezone
	Locale    string            // tracebridge.metadata.locale
	Location  string            // tracebridge.metadata.location
	Browser   string            // tracebridge.metadata.browser
	Device    string            // tracebridge.metadata.device
	OS        string            // tracebridge.metadata.os
	Extra     map[string]string // tracebridge.metadata.<key>
}

// ConversationInfo is what every interaction of a conversation shares — what the
// NeuralTrust SDK's trace(...) takes, Freeplay calls a session, and an Adaline trace carries
// as its session id, attributes and tags.
type ConversationInfo struct {
	// ID is the conversation id (gen_ai.conversation.id). When empty a random UUID is used,
	// shared by the conversation's messages, as the NeuralTrust SDK does.
	ID        string
	SessionID string // session.id
	ChannelID string // tracebridge.channel.id
	User      User
	Metadata  Metadata
	// Custom is the record's custom data (tracebridge.custom): a string is sent as it is,
	// any other value as JSON text.
	Custom any
	Tags   []string // tag.tags on each message
}

// Conversation starts the messages (interactions) of one conversation. It is immutable and
// safe for concurrent use.
type Conversation struct {
	client *Client
	id     string
	// identity holds the attributes every message and conversation-level feedback carries.
	identity []attribute.KeyValue
	tags     []string
}

// Conversation returns a conversation described by info.
func (c *Client) Conversation(info ConversationInfo) *Conversation {
	id := info.ID
	if id == "" {
		id = newUUID()
	}
	return &Conversation{client: c, id: id, identity: identityAttributes(id, &info), tags: slices.Clone(info.Tags)}
}

// ID is the conversation id.
func (cv *Conversation) ID() string { return cv.id }

// Message starts the message step of a new interaction (one user turn) with the user's
// input. Its span is a child of ctx's span, if any (the HTTP request that carries the turn);
// the returned context carries the message's span, so spans started from it by other
// libraries nest under it. End the message when the turn is answered.
//
// Each message is an interaction of its own: started from a context that comes from another
// message (an earlier turn's, passed on by mistake), it starts a trace of its own, linked to
// that context's span, rather than joining the earlier turn.
func (cv *Conversation) Message(ctx context.Context, input string, opts ...Option) (context.Context, *Step) {
	if ctx == nil {
		ctx = context.Background()
	}
	var link trace.SpanContext
	if ctx.Value(messageKey{}) != nil {
		link = trace.SpanContextFromContext(ctx)
	}
	s := &Step{client: cv.client, conv: cv, kind: KindMessage}
	ctx, s = s.begin(ctx, link, input, opts, cv.identity, cv.tags)
	return context.WithValue(ctx, messageKey{}, s), s
}

// messageKey marks the contexts that come from a message.
type messageKey struct{}

// Feedback records the user's feedback on an interaction answered earlier — usually in
// another request, so in another trace: its record lands on that interaction
// (interactionID, from Step.Interaction), under its message, in this conversation.
// It is recorded at once.
func (cv *Conversation) Feedback(ctx context.Context, interactionID string, tag FeedbackTag, text string, opts ...Option) (context.Context, *Step) {
	s := &Step{client: cv.client, conv: cv, kind: KindFeedback, interaction: interactionID}
	extra := make([]attribute.KeyValue, 0, len(cv.identity)+3)
	extra = append(extra, cv.identity...)
	extra = append(extra, feedbackAttributes(interactionID, tag, text)...)
	return s.begin(ctx, trace.SpanContext{}, "", opts, extra, nil)
}

// identityAttributes are the attributes of a conversation: standard keys first
// (gen_ai.conversation.id, session.id, user.id, user.email, user_agent.original), then
// tracebridge.* for what no convention has.
func identityAttributes(id string, info *ConversationInfo) []attribute.KeyValue {
	kvs := []attribute.KeyValue{semconv.GenAIConversationID.String(id)}
	add := func(k attribute.Key, v string) {
		if v != "" {
			kvs = append(kvs, k.String(v))
		}
	}
	add(semconv.SessionKeys[0], info.SessionID)
	add(semconv.TracebridgeChannelID, info.ChannelID)
	u := &info.User
	add(semconv.UserKeys[0], u.ID)
	add(semconv.UserEmail, u.Email)
	add(semconv.TracebridgeUserPhone, u.Phone)
	for _, k := range sortedKeys(u.Extra) {
		add(attribute.Key(semconv.TracebridgeUserPrefix+k), u.Extra[k])
	}
	md := &info.Metadata
	add(semconv.UserAgentOriginal, md.UserAgent)
	for _, f := range [...]struct{ k, v string }{
		{"timezone", md.Timezone}, {"locale", md.Locale}, {"location", md.Location},
		{"browser", md.Browser}, {"device", md.Device}, {"os", md.OS},
	} {
		add(attribute.Key(semconv.TracebridgeMetadataPrefix+f.k), f.v)
	}
	for _, k := range sortedKeys(md.Extra) {
		add(attribute.Key(semconv.TracebridgeMetadataPrefix+k), md.Extra[k])
	}
	add(semconv.TracebridgeCustom, customText(info.Custom))
	return kvs
}

// customText renders custom data as the SDK's str(custom) would, in JSON rather than Python.
func customText(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case []byte: // json.RawMessage included: already text
		return string(x)
	}
	return jsonText(v)
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// newUUID returns a random (version 4) UUID.
func newUUID() string {
	var u [16]byte
	_, _ = rand.Read(u[:]) // never fails (crypto/rand panics rather than return an error)
	u[6] = u[6]&0x0f | 0x40
	u[8] = u[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}
