package semconv

import (
	"strings"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/record"
)

// interaction is one interaction the records of a trace belong to: the trace's own, whose
// message this mapping builds, or one recorded elsewhere that a span targets with
// tracebridge.interaction.id (feedback given in a later request), whose message is only
// named as a parent.
type interaction struct {
	id             string
	conversationID string
	messageID      string
}

// traceIdentity holds what the records of one trace share: the interactions, and the
// session, user, channel, custom text and metadata of the trace, which every record carries
// (as the vendor SDK sends them on every record).
type traceIdentity struct {
	own       *interaction
	targets   map[string]*interaction
	traceConv string // the first conversation key of the trace, "" when none
	sessionID string
	user      *record.User
	channelID string
	custom    string
	metadata  map[string]any // tracebridge.metadata.* and user_agent.original
}

// resolve reads the trace's identity from whichever span carries it, in order (the
// message's span first, then the root, then the rest).
func (id *traceIdentity) resolve(tid trace.TraceID, order []*step) {
	firstOf := func(keys ...attribute.Key) string {
		for _, st := range order {
			if v := st.a.str(keys...); v != "" {
				return v
			}
		}
		return ""
	}
	ownID := InteractionID(tid)
	if len(order) > 0 && isExplicitMessage(order[0]) {
		if v := order[0].a.str(TracebridgeInteractionID); v != "" {
			ownID = v
		}
	}
	id.traceConv = firstOf(ConversationKeys...)
	id.own = &interaction{id: ownID, conversationID: first(id.traceConv, ownID), messageID: MessageIDOf(ownID)}
	id.sessionID = firstOf(SessionKeys...)
	id.channelID = firstOf(TracebridgeChannelID)
	id.custom = firstOf(TracebridgeCustom)
	u := record.User{ID: firstOf(UserKeys...), Email: firstOf(UserEmail), Phone: firstOf(TracebridgeUserPhone)}
	id.readPrefixed(order, &u)
	if !u.IsZero() {
		id.user = &u
	}
}

// readPrefixed collects the extra user keys (tracebridge.user.<key>) and the metadata keys
// (tracebridge.metadata.<key>, and user_agent.original of the end user: on server and
// internal spans, not on the app's own outgoing calls), the first value of each key winning.
func (id *traceIdentity) readPrefixed(order []*step, u *record.User) {
	for _, st := range order {
		for _, kv := range st.span.Attributes {
			k := string(kv.Key)
			if len(k) < 10 || (k[0] != 't' && k[0] != 'u') { // cheap skip of every other key
				continue
			}
			switch {
			case kv.Key == UserAgentOriginal:
				if k := st.span.Kind; k != trace.SpanKindClient && k != trace.SpanKindProducer {
					id.putMetadata("user_agent", kv.Value) // a client span's is the app's own
				}
			case strings.HasPrefix(k, TracebridgeMetadataPrefix):
				id.putMetadata(k[len(TracebridgeMetadataPrefix):], kv.Value)
			case strings.HasPrefix(k, TracebridgeUserPrefix) && kv.Key != TracebridgeUserPhone:
				name := k[len(TracebridgeUserPrefix):]
				if v := valueString(kv.Value); v != "" && name != "" && u.Extra[name] == "" {
					if u.Extra == nil {
						u.Extra = map[string]string{}
					}
					u.Extra[name] = v
				}
			}
		}
	}
}

func (id *traceIdentity) putMetadata(k string, v attribute.Value) {
	if k == "" {
		return
	}
	if _, ok := id.metadata[k]; ok {
		return
	}
	var val any
	switch v.Type() {
	case attribute.BOOL:
		val = v.AsBool()
	case attribute.INT64:
		val = v.AsInt64()
	case attribute.FLOAT64:
		val = v.AsFloat64()
	case attribute.STRINGSLICE:
		val = v.AsStringSlice()
	default:
		s := valueString(v)
		if s == "" {
			return
		}
		val = s
	}
	if id.metadata == nil {
		id.metadata = map[string]any{}
	}
	id.metadata[k] = val
}

// target returns the interaction a span targets with tracebridge.interaction.id: the trace's
// own when the ids are equal, else one recorded elsewhere. Its conversation is the span's
// conversation key, else the trace's, else (as for any interaction without one) its id.
func (id *traceIdentity) target(x string, head *step) *interaction {
	if x == id.own.id {
		return id.own
	}
	if t := id.targets[x]; t != nil {
		return t
	}
	t := &interaction{id: x, conversationID: first(head.a.str(ConversationKeys...), id.traceConv, x), messageID: MessageIDOf(x)}
	if id.targets == nil {
		id.targets = map[string]*interaction{}
	}
	id.targets[x] = t
	return t
}

// base fills the fields every record of the interaction shares, and the span's times.
func (id *traceIdentity) base(s *Span, in *interaction) record.Record {
	r := record.Record{
		ConversationID: in.conversationID,
		InteractionID:  in.id,
		SessionID:      id.sessionID,
		ChannelID:      id.channelID,
		Custom:         id.custom,
		User:           id.user,
		StartTimestamp: s.Start.UnixMilli(),
		EndTimestamp:   s.End.UnixMilli(),
	}
	if d := s.End.Sub(s.Start).Milliseconds(); d > 0 {
		r.Latency = d
	}
	return r
}

// addMetadata puts the trace's metadata into a record's: the keys the application gave win
// over tracebridge's own, as they are what the vendor SDK would send.
func (id *traceIdentity) addMetadata(m map[string]any) {
	for k, v := range id.metadata {
		m[k] = v
	}
}

// isExplicitMessage reports a span that says it is the interaction's message.
func isExplicitMessage(st *step) bool {
	return record.Task(st.a.str(TracebridgeTask)) == record.TaskMessage
}

// interactionOf resolves the interaction a span's records belong to: the nearest
// tracebridge.interaction.id on the span or its ancestors (below the message's span), else
// the trace's own. targeted reports that an explicit id was found: such a span alone does
// not make the trace's own message (its interaction's message is recorded elsewhere, or
// already was).
func (m *mapping) interactionOf(st *step) (in *interaction, targeted bool) {
	if st.inter != nil {
		return st.inter, st.targeted
	}
	var path []*step
	cur := st
	in = m.id.own
	for n := 0; cur != nil && n <= len(m.steps); n++ {
		if cur.inter != nil {
			in, targeted = cur.inter, cur.targeted
			break
		}
		path = append(path, cur)
		if cur == m.msg {
			break
		}
		if x := cur.a.str(TracebridgeInteractionID); x != "" {
			in, targeted = m.id.target(x, cur), true
			break
		}
		if cur.span.ParentRemote {
			break
		}
		cur = m.byID[cur.span.ParentSpanID]
	}
	for _, s := range path {
		s.inter, s.targeted = in, targeted
	}
	return in, targeted
}
