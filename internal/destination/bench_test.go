package destination

import (
	"fmt"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/record"
)

// benchRecords builds n records shaped like the mapper's output: interactions of eight
// records (a message root, three generations with ~1 KB message lists in and out, two
// retrievals returning documents, a tool call and an evaluation).
func benchRecords(n int) []record.Record {
	recs := make([]record.Record, 0, n)
	for i := 0; len(recs) < n; i++ {
		recs = append(recs, benchInteraction(i)...)
	}
	return recs[:n]
}

func benchInteraction(i int) []record.Record {
	const start = int64(1_760_000_000_000)
	t0 := start + int64(i)*10_000
	ids := func(k int) string { return fmt.Sprintf("%08x-3a4b-5c6d-8e7f-%012x", i, k) }
	otel := fmt.Sprintf("%032x", i+1)
	base := record.Record{
		ConversationID: fmt.Sprintf("conv-%d", i/4), InteractionID: ids(0), SessionID: fmt.Sprintf("sess-%d", i/16),
		ChannelID: "web", User: &record.User{ID: fmt.Sprintf("user-%d", i%50), Email: "someone@example.com"},
	}
	meta := func(k int, name string, extra map[string]any) map[string]any {
		m := map[string]any{
			record.MetaSpanName: name, record.MetaOTelTraceID: otel, record.MetaOTelSpanID: fmt.Sprintf("%016x", k+1),
			record.MetaStatus: "ok",
		}
		if k > 0 {
			m[record.MetaOTelParentSpanID] = fmt.Sprintf("%016x", 1)
		}
		for key, v := range extra {
			m[key] = v
		}
		return m
	}
	step := func(k int, task record.Task, from, to int64) record.Record {
		r := base
		r.TraceID, r.Task = ids(k), task
		if k > 0 {
			r.ParentID = ids(0)
		}
		r.StartTimestamp, r.EndTimestamp, r.Latency = t0+from, t0+to, to-from
		return r
	}
	question := fmt.Sprintf("What is the refund window for order #%d? I bought it in Zürich — 3 weeks ago.", i)
	answer := "Refunds are accepted within 30 days of delivery.\nYour order qualifies: you have 9 days left. «Merci»."

	msg := step(0, record.TaskMessage, 0, 4200)
	msg.Input, msg.Output = question, answer
	msg.Metadata = meta(0, "POST /chat", map[string]any{
		record.MetaInputTokens: int64(1800), record.MetaOutputTokens: int64(240), record.MetaTotalTokens: int64(2040),
		"tags": []string{"prod", "support"},
	})
	recs := []record.Record{msg}
	for g := range 3 {
		gen := step(1+g, record.TaskGeneration, int64(100+g*1200), int64(1200+g*1200))
		gen.Input, gen.Output = benchMessagesIn(question, g), benchMessagesOut(answer, g)
		gen.Metadata = meta(1+g, "chat gpt-4o", map[string]any{
			record.MetaOperation: "chat", record.MetaModel: "gpt-4o-2024-08-06", record.MetaProvider: "openai",
			record.MetaFinishReason: "stop", record.MetaInputTokens: int64(600), record.MetaOutputTokens: int64(80),
			record.MetaTotalTokens: int64(680),
		})
		recs = append(recs, gen)
	}
	for q := range 2 {
		ret := step(4+q, record.TaskRetrieval, int64(20+q*10), int64(90+q*10))
		ret.Input, ret.Output = question, benchDocuments(q)
		ret.Metadata = meta(4+q, "retrieve kb", map[string]any{record.MetaOperation: "retrieval"})
		recs = append(recs, ret)
	}
	tool := step(6, record.TaskTool, 3700, 3900)
	tool.Input, tool.Output = `{"order_id":"`+fmt.Sprint(i)+`","fields":["delivered_at","status"]}`, "delivered 2025-10-01, status: closed"
	tool.Metadata = meta(6, "execute_tool lookup_order", map[string]any{
		record.MetaOperation: "execute_tool", record.MetaToolName: "lookup_order", "tool_call_id": "call_" + ids(6)[:8],
	})
	ev := step(7, record.TaskEvent, 4100, 4100)
	ev.Metadata = meta(7, "relevance", map[string]any{
		"evaluation_name": "relevance", "evaluation_score": 0.875, "evaluation_label": "relevant",
		"evaluation_explanation": "The answer cites the refund policy.",
	})
	return append(recs, tool, ev)
}

func benchMessagesIn(question string, g int) string {
	system := strings.Repeat("You are a helpful support assistant for an online shop. Answer briefly and cite the policy. ", 6)
	return `[{"role":"system","content":"` + system + `"},{"role":"user","content":"` + question +
		`"},{"role":"assistant","content":"Let me look that up (step ` + fmt.Sprint(g) + `)."}]`
}

func benchMessagesOut(answer string, g int) string {
	content := strings.ReplaceAll(answer, "\n", `\n`) + strings.Repeat(" Policy §4.2 applies; see the \"Returns\" page.", 8)
	return `[{"role":"assistant","content":"` + content + `","finish_reason":"stop","index":` + fmt.Sprint(g) + `}]`
}

func benchDocuments(q int) string {
	var b strings.Builder
	b.WriteByte('[')
	for d := range 4 {
		if d > 0 {
			b.WriteByte(',')
		}
		fmt.Fprintf(&b, `{"id":"doc-%d-%d","score":0.%d2,"content":"Refunds are possible within 30 days of delivery for unused items. Section %d of the policy, revision %d."}`, q, d, 9-d, d+1, q)
	}
	b.WriteByte(']')
	return b.String()
}

// BenchmarkEncode encodes 512 records for each destination; "-reference" are the
// reflection-based encoders the hand-written ones replaced (reference_test.go).
func BenchmarkEncode(b *testing.B) {
	recs := benchRecords(512)
	dest := func(s Settings) Destination {
		d, err := New(s)
		if err != nil {
			b.Fatal(err)
		}
		return d
	}
	nt := dest(Settings{Name: NeuralTrust})
	bt := dest(Settings{Name: NeuralTrustBatch}).(batch)
	ad := dest(Settings{Name: Adaline, ProjectID: adalineProj}).(adaline)
	fp := dest(Settings{Name: Freeplay, ProjectID: freeplayPID}).(freeplay)
	for _, c := range []struct {
		name   string
		encode func([]record.Record) []Request
	}{
		{"neuraltrust", nt.Encode},
		{"batch", bt.Encode},
		{"batch-reference", func(recs []record.Record) []Request { return refBatchEncode(bt, recs) }},
		{"adaline", ad.Encode},
		{"adaline-reference", func(recs []record.Record) []Request { return refAdalineEncode(ad, recs) }},
		{"freeplay", fp.Encode},
		{"freeplay-reference", func(recs []record.Record) []Request { return refFreeplayEncode(fp, recs) }},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			size := 0
			cpu := cpuTime()
			for b.Loop() {
				size = 0
				for _, r := range c.encode(recs) {
					size += len(r.Body)
				}
			}
			// CPU time (GC included) is steadier than wall time on a shared machine.
			b.ReportMetric(float64(cpuTime()-cpu)/float64(b.N*len(recs)), "cpu-ns/record")
			b.ReportMetric(float64(size), "body-bytes")
		})
	}
}

// cpuTime is the process's user and system CPU time.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
