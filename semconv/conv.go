package semconv

import "go.opentelemetry.io/otel/attribute"

// conv is one side of a conversation as read from one source: messages, or the source's
// own text when it could not be read as messages (kept, never lost).
type conv struct {
	msgs []Message
	raw  string
	// verbatim marks text that says it is the record's text as it is (tracebridge.input,
	// a text/plain input.value): it is sent as given, even when it reads as JSON.
	verbatim bool
}

func (c conv) empty() bool { return len(c.msgs) == 0 && c.raw == "" }

// text is the record form: verbatim text as given, else messages as JSON, else the raw text.
func (c conv) text() string {
	if c.verbatim {
		return c.raw
	}
	if len(c.msgs) > 0 {
		return EncodeMessages(c.msgs)
	}
	return c.raw
}

// source reads one side of a span's conversation from one dialect's keys.
type source func(st *step) conv

// firstConv returns the first source that has content: one source per field.
func firstConv(st *step, sources []source) conv {
	for _, src := range sources {
		if c := src(st); !c.empty() {
			return c
		}
	}
	return conv{}
}

// conversation reads one side of a conversation: the record's text from the first source
// that has content, and the messages from the same source — or, when that source is
// verbatim text, from the next source that has messages, so that a message record still
// finds the user's words and the answer of a step whose text was given as is.
func conversation(st *step, sources []source) (conv, []Message) {
	var text conv
	for _, src := range sources {
		c := src(st)
		if c.empty() {
			continue
		}
		if text.empty() {
			text = c
		}
		if len(c.msgs) > 0 || !text.verbatim {
			return text, c.msgs
		}
	}
	return text, nil
}

// messagesOrRaw reads text as a JSON list of messages, or keeps it as it is.
func messagesOrRaw(text string) conv {
	if text == "" {
		return conv{}
	}
	if msgs, ok := readMessages(text); ok {
		return conv{msgs: msgs}
	}
	return conv{raw: text}
}

// readMessages is ParseMessages for content: a list in which no item has a role is some
// other JSON (documents, values), not messages, and is kept as text rather than emptied.
func readMessages(text string) ([]Message, bool) {
	msgs, ok := ParseMessages(text)
	if !ok {
		return nil, false
	}
	for _, m := range msgs {
		if m.Role != "" {
			return msgs, true
		}
	}
	return nil, len(msgs) == 0
}

// flexibleMessages reads text that may be a list of messages, a request object holding them
// (promptObject) or a response with choices, else keeps it as it is.
func flexibleMessages(text string) conv {
	if text == "" {
		return conv{}
	}
	if looksJSON(text) {
		if msgs, ok := readMessages(text); ok {
			return conv{msgs: msgs}
		}
		if msgs, ok := parsePromptObject(text); ok {
			return conv{msgs: msgs}
		}
		if msgs, ok := parseChoicesObject(text); ok {
			return conv{msgs: msgs}
		}
	}
	return conv{raw: text}
}

// rawOf is a source that keeps one attribute's text (a JSON string literal unquoted).
func rawOf(k attribute.Key) source {
	return func(st *step) conv {
		if s := st.a.str(k); s != "" {
			return conv{raw: unquote(s)}
		}
		return conv{}
	}
}

// explicitIn and explicitOut read tracebridge.input/output, which win over every dialect:
// the record's text exactly as given, and the messages it holds when it is a conversation.
func explicitIn(st *step) conv  { return explicit(st.a.str(TracebridgeInput)) }
func explicitOut(st *step) conv { return explicit(st.a.str(TracebridgeOutput)) }

func explicit(s string) conv {
	if s == "" {
		return conv{}
	}
	return conv{msgs: flexibleMessages(s).msgs, raw: s, verbatim: true}
}

// eventStr returns an event attribute as text, without building a map for a handful of keys.
func eventStr(ev *Event, k attribute.Key) string {
	for _, kv := range ev.Attributes {
		if kv.Key == k {
			return valueString(kv.Value)
		}
	}
	return ""
}

func eventValue(ev *Event, k attribute.Key) (attribute.Value, bool) {
	for _, kv := range ev.Attributes {
		if kv.Key == k {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}
