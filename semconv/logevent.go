package semconv

import (
	"time"

	"go.opentelemetry.io/otel/attribute"
)

// GenAI event names that carry content as log records (semantic conventions 1.28–1.36 and
// the ≥1.37 operation details event).
var genAILogEvents = map[string]bool{
	GenAIEventSystemMessage:     true,
	GenAIEventUserMessage:       true,
	GenAIEventAssistantMessage:  true,
	GenAIEventToolMessage:       true,
	GenAIEventChoice:            true,
	GenAIEventOperationDetails:  true,
	GenAIEventContentPrompt:     true,
	GenAIEventContentCompletion: true,
}

// IsGenAILogEvent reports whether a log record's event name is one the mapping reads.
func IsGenAILogEvent(name string) bool { return genAILogEvents[name] }

// LogEventName is the event name of a log record: its EventName field, else the older
// event.name attribute.
func LogEventName(eventName string, attrs []attribute.KeyValue) string {
	if eventName != "" {
		return eventName
	}
	for _, kv := range attrs {
		if kv.Key == "event.name" && kv.Value.Type() == attribute.STRING {
			return kv.Value.AsString()
		}
	}
	return ""
}

// EventFromLog turns a GenAI log record into the span event the mapping reads: the body's
// fields become the event's attributes (content, role, tool_calls, index, finish_reason,
// message, …; structured values are read as JSON), then the record's own attributes where the
// body has no field of the same name. A body that is not a map is kept as "content".
func EventFromLog(name string, ts time.Time, attrs []attribute.KeyValue, body attribute.Value) Event {
	ev := Event{Name: name, Time: ts}
	seen := map[attribute.Key]bool{}
	switch body.Type() {
	case attribute.MAP:
		for _, kv := range body.AsMap() {
			ev.Attributes = append(ev.Attributes, kv)
			seen[kv.Key] = true
		}
	case attribute.EMPTY:
	default:
		ev.Attributes = append(ev.Attributes, attribute.KeyValue{Key: "content", Value: body})
		seen["content"] = true
	}
	for _, kv := range attrs {
		if !seen[kv.Key] {
			ev.Attributes = append(ev.Attributes, kv)
		}
	}
	return ev
}
