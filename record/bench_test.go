package record_test

import (
	"hash/maphash"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/record"
)

// benchRecord is a generation record of typical size: a conversation of ~1 KB each way.
func benchRecord() record.Record {
	msg := strings.Repeat("Refunds are accepted within 30 days of delivery for unworn items. ", 16)
	return record.Record{
		TraceID: "0f8e2c1a-9d3b-5c5e-8f7a-6b5c4d3e2f1a", ConversationID: "conv-1", InteractionID: "5e1f0b3d-8a7c-5e9f-8b4d-1a0c3e5f7b9d",
		ParentID: "7b9d2a4c-6e8f-5b1d-9f5a-7c9e1b3d5f7a", SessionID: "sess-1", Task: record.TaskGeneration,
		Input: `[{"role":"user","content":"` + msg + `"}]`, Output: `[{"role":"assistant","content":"` + msg + `"}]`,
		StartTimestamp: 1764410000123, EndTimestamp: 1764410000456, Latency: 333, User: &record.User{ID: "u-1"},
		Metadata: map[string]any{"span_name": "chat gpt-4o-mini", "model": "gpt-4o-mini", "provider": "openai",
			"input_tokens": int64(420), "output_tokens": int64(38), "total_tokens": int64(458), "status": "ok",
			"otel_trace_id": "4bf92f3577b34da6a3ce929d0e0e4736", "otel_span_id": "00f067aa0ba902b7"},
	}
}

func BenchmarkAppendJSON(b *testing.B) {
	r := benchRecord()
	buf := make([]byte, 0, 4096)
	b.ReportAllocs()
	for b.Loop() {
		buf = r.AppendJSON(buf[:0])
	}
	b.SetBytes(int64(len(buf)))
}

func BenchmarkHash(b *testing.B) {
	r := benchRecord()
	seed := maphash.MakeSeed()
	b.ReportAllocs()
	for b.Loop() {
		_ = r.Hash(seed)
	}
}
