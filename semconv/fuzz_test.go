package semconv_test

import (
	"encoding/json"
	"testing"

	"go.opentelemetry.io/otel/attribute"

	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/semconv"
)

// FuzzMapTrace feeds arbitrary text and numbers into every content and usage attribute and
// arbitrary parent links, and checks the invariants: no panic, valid JSON on the wire, every
// non-message record has a parent that is sent.
func FuzzMapTrace(f *testing.F) {
	f.Add("chat", `[{"role":"user","parts":[{"type":"text","content":"hi"}]}]`, `[{"role":"assistant","content":"x"}]`, "12", byte(1), byte(0))
	f.Add("retrieval", `[{"id":1,"score":"high"}]`, `{`, "-5", byte(2), byte(9))
	f.Add("execute_tool", "\xff\xfe", `[[[[`, "1e400", byte(3), byte(3))
	f.Add("invoke_agent", `[{"role":1,"parts":{"type":[]}}]`, `null`, "NaN", byte(0), byte(1))
	f.Add("message", `[]`, `x`, "turn-1", byte(0), byte(1))
	f.Add("feedback", ``, ``, "", byte(2), byte(0))
	f.Fuzz(func(t *testing.T, op, in, out, num string, p1, p2 byte) {
		attrs := []attribute.KeyValue{
			attribute.String("gen_ai.operation.name", op),
			attribute.String("gen_ai.input.messages", in),
			attribute.String("gen_ai.output.messages", out),
			attribute.String("gen_ai.system_instructions", in),
			attribute.String("gen_ai.retrieval.documents", out),
			attribute.String("gen_ai.usage.input_tokens", num),
			attribute.String("gen_ai.usage.output_tokens", num),
			attribute.String("gen_ai.response.finish_reasons", in),
			attribute.String("gen_ai.request.model", out),
		}
		// op is also b's tracebridge.task (message, feedback…) and num c's target interaction.
		spans := []semconv.Span{
			span(1, p1%4, "a", 0, 10, attrs...),
			span(2, p2%4, "b", 1, 5, append(attrs, attribute.String("tracebridge.task", op))...),
			span(3, 2, "c", 2, 3, append(attrs, attribute.String("tracebridge.interaction.id", num))...),
		}
		recs := semconv.MapTrace(spans, semconv.Options{})
		sent := map[string]bool{}
		for _, r := range recs {
			sent[r.TraceID] = true
		}
		for _, r := range recs {
			if !json.Valid(r.AppendJSON(nil)) {
				t.Fatalf("invalid JSON: %s", r.AppendJSON(nil))
			}
			if r.Task == record.TaskMessage {
				if r.TraceID != semconv.MessageIDOf(r.InteractionID) {
					t.Fatalf("message %s is not its interaction's (%s)", r.TraceID, r.InteractionID)
				}
				continue
			}
			if r.ParentID == "" {
				t.Fatalf("%s record without parent", r.Task)
			}
			// A parent is sent, or is the message of the record's interaction (one recorded
			// in another trace, for a targeted record).
			if !sent[r.ParentID] && r.ParentID != semconv.MessageIDOf(r.InteractionID) {
				t.Fatalf("dangling parent %s", r.ParentID)
			}
		}
	})
}
