package semconv_test

import (
	"testing"

	"go.opentelemetry.io/otel/attribute"

	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/semconv"
)

var explicitMessage = attribute.String("tracebridge.task", "message")

// TestExplicitMessageKeepAllSpans keeps every span: the spans below and beside the explicit
// message become events, the HTTP spans above it still give no record.
func TestExplicitMessageKeepAllSpans(t *testing.T) {
	spans := []semconv.Span{
		span(1, 0, "POST /chat", 0, 100),
		span(2, 1, "middleware", 1, 99),
		span(3, 2, "message", 2, 98, explicitMessage),
		span(4, 3, "SELECT", 3, 4),
		span(5, 2, "audit", 97, 98),
	}
	recs := semconv.MapTrace(spans, semconv.Options{KeepAllSpans: true})
	got := map[string]record.Record{}
	for _, r := range recs {
		got[r.Metadata["span_name"].(string)] = r
	}
	if len(recs) != 3 || got["message"].Task != record.TaskMessage || got["SELECT"].Task != record.TaskEvent || got["audit"].Task != record.TaskEvent {
		t.Fatalf("want the message and two events, got %+v", recs)
	}
	msgID := semconv.MessageID(tid)
	if got["SELECT"].ParentID != msgID || got["audit"].ParentID != msgID {
		t.Errorf("events must hang under the message")
	}
	if _, provisional := got["message"].Metadata["provisional"]; provisional {
		t.Errorf("an ended explicit message is final")
	}
}

// TestExplicitMessageAlone: a message with no step is still the interaction's record.
func TestExplicitMessageAlone(t *testing.T) {
	recs := semconv.MapTrace([]semconv.Span{span(1, 0, "message", 0, 10, explicitMessage,
		attribute.String("input.value", "hi"), attribute.String("input.mime_type", "text/plain"))}, semconv.Options{})
	if len(recs) != 1 || recs[0].Task != record.TaskMessage || recs[0].Input != "hi" || recs[0].ParentID != "" {
		t.Fatalf("want one message record: %+v", recs)
	}
}

// TestExplicitMessageUnderRemoteParent: a service's request span continues a trace from
// elsewhere; the explicit message below it is the interaction's message, not a provisional
// stand-in — until it has ended.
func TestExplicitMessageUnderRemoteParent(t *testing.T) {
	root := span(1, 9, "POST /chat", 0, 100)
	root.ParentRemote = true
	msg := span(2, 1, "message", 1, 90, explicitMessage)
	gen := span(3, 2, "chat m", 2, 50, attribute.String("gen_ai.operation.name", "chat"))
	recs := semconv.MapTrace([]semconv.Span{root, msg, gen}, semconv.Options{})
	if len(recs) != 2 || recs[0].Metadata["span_name"] != "message" || recs[0].Metadata["provisional"] != nil {
		t.Fatalf("want the final message from the explicit span: %+v", recs)
	}
	if recs[1].ParentID != recs[0].TraceID {
		t.Errorf("generation parent %s", recs[1].ParentID)
	}
	msg.Open = true
	recs = semconv.MapTrace([]semconv.Span{root, msg, gen}, semconv.Options{})
	if recs[0].Metadata["provisional"] != true {
		t.Errorf("an open explicit message is provisional: %+v", recs[0])
	}
}
