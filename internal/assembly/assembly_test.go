package assembly

import (
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/semconv"
)

var t0 = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

func sp(tr byte, id, parent byte, llm bool) semconv.Span {
	s := semconv.Span{TraceID: trace.TraceID{tr}, SpanID: trace.SpanID{id}, Name: "s", Start: t0, End: t0.Add(time.Millisecond)}
	if parent != 0 {
		s.ParentSpanID = trace.SpanID{parent}
	}
	if llm {
		s.Attributes = []attribute.KeyValue{attribute.String("gen_ai.operation.name", "chat")}
	}
	return s
}

func open(s semconv.Span) Snapshot {
	return func(now time.Time) semconv.Span { s.End, s.Open = now, true; return s }
}

// collect is Collect then Commit of everything, as a sender whose every request succeeds.
func collect(a *Assembler, now time.Time, flush bool) []record.Record {
	b := a.Collect(now, flush)
	a.Commit(b, nil)
	return b.Records
}

func tasks(recs []record.Record) map[record.Task]int {
	m := map[record.Task]int{}
	for _, r := range recs {
		m[r.Task]++
	}
	return m
}

func TestCompleteTraceIsSentOnceWhole(t *testing.T) {
	a := New(Config{})
	root, chat := sp(1, 1, 0, false), sp(1, 2, 1, true)
	a.Start(root.TraceID, root.SpanID, open(root))
	a.Start(chat.TraceID, chat.SpanID, open(chat))
	if a.End(chat) {
		t.Fatal("complete before the root ended")
	}
	if recs := collect(a, time.Now(), false); len(recs) != 0 {
		t.Fatalf("an incomplete trace within its wait must not be sent: %+v", recs)
	}
	if !a.End(root) {
		t.Fatal("the root ended with nothing open: the trace is complete")
	}
	recs := collect(a, time.Now(), false)
	if got := tasks(recs); got[record.TaskMessage] != 1 || got[record.TaskGeneration] != 1 || len(recs) != 2 {
		t.Fatalf("%+v", recs)
	}
	if recs := collect(a, time.Now(), true); len(recs) != 0 {
		t.Fatalf("nothing changed, nothing re-sent: %+v", recs)
	}
}

func TestOpenChildKeepsTraceIncomplete(t *testing.T) {
	a := New(Config{})
	root, bg := sp(1, 1, 0, false), sp(1, 2, 1, true)
	a.Start(root.TraceID, root.SpanID, open(root))
	a.Start(bg.TraceID, bg.SpanID, open(bg))
	if a.End(root) {
		t.Fatal("a child still runs: not complete")
	}
	if !a.End(bg) {
		t.Fatal("now complete")
	}
}

func TestMaxWaitSendsProvisionalThenResendsChanges(t *testing.T) {
	a := New(Config{MaxWait: time.Minute})
	root, chat := sp(1, 1, 0, false), sp(1, 2, 1, true)
	a.Start(root.TraceID, root.SpanID, open(root))
	a.End(chat)
	recs := collect(a, time.Now().Add(2*time.Minute), false)
	if len(recs) != 2 || recs[0].Metadata[record.MetaProvisional] != true {
		t.Fatalf("want a provisional message and the chat: %+v", recs)
	}
	if recs := collect(a, time.Now().Add(3*time.Minute), false); len(recs) != 0 {
		t.Fatalf("no new span, no re-send: %+v", recs)
	}
	a.End(root)
	recs = collect(a, time.Now(), false)
	if len(recs) != 1 || recs[0].Task != record.TaskMessage || recs[0].Metadata[record.MetaProvisional] != nil {
		t.Fatalf("only the message changed: %+v", recs)
	}
	if st := a.Stats(); st.ResentChange != 1 || st.Provisional != 1 {
		t.Errorf("stats %+v", st)
	}
}

func TestLateSpanJoinsItsTrace(t *testing.T) {
	a := New(Config{})
	root, late := sp(1, 1, 0, false), sp(1, 3, 2, true)
	agent := sp(1, 2, 1, false)
	agent.Attributes = []attribute.KeyValue{attribute.String("gen_ai.operation.name", "invoke_agent"), attribute.String("session.id", "s")}
	a.End(agent)
	a.End(root)
	_ = collect(a, time.Now(), false)
	a.End(late) // ends after its trace was sent
	recs := collect(a, time.Now(), false)
	if len(recs) != 1 || recs[0].ParentID != semconv.RecordID(late.TraceID, agent.SpanID) || recs[0].SessionID != "s" {
		t.Fatalf("the late span must be mapped with its trace (parent agent, shared session): %+v", recs)
	}
}

func TestLingerAndStaleTracesAreForgotten(t *testing.T) {
	a := New(Config{MaxWait: time.Second, Linger: time.Second})
	a.End(sp(1, 1, 0, true)) // complete
	a.End(sp(2, 2, 9, true)) // its root never comes
	_ = collect(a, time.Now().Add(2*time.Second), false)
	_ = collect(a, time.Now().Add(10*time.Second), false)
	if st := a.Stats(); st.HeldTraces != 0 || st.HeldSpans != 0 {
		t.Fatalf("held after linger: %+v", st)
	}
}

// fillOpenTraces starts traces whose roots never end, each with 4 ended chats, calling
// between() after each trace.
func fillOpenTraces(t *testing.T, a *Assembler, n int, between func()) {
	t.Helper()
	for tr := 1; tr <= n; tr++ {
		root := sp(byte(tr), 1, 0, false)
		a.Start(root.TraceID, root.SpanID, open(root))
		for i := 2; i < 6; i++ {
			a.End(sp(byte(tr), byte(i), 1, true))
		}
		if st := a.Stats(); st.HeldSpans > 150 {
			t.Fatalf("held %d spans over the bound of 1.5 × 100", st.HeldSpans)
		}
		between()
	}
}

func TestMaxSpansEvictsToASenderKeepingUp(t *testing.T) {
	a := New(Config{MaxSpans: 100})
	messages := 0
	fillOpenTraces(t, a, 50, func() { messages += tasks(collect(a, time.Now(), false))[record.TaskMessage] })
	st := a.Stats()
	if st.Evicted == 0 || st.DroppedSpans != 0 {
		t.Fatalf("stats %+v", st)
	}
	if messages != int(st.Evicted) {
		t.Errorf("each evicted trace is sent provisionally with its message: %d messages for %d evicted", messages, st.Evicted)
	}
}

func TestMaxSpansDropsWhenTheSenderIsStuck(t *testing.T) {
	a := New(Config{MaxSpans: 100})
	fillOpenTraces(t, a, 50, func() {}) // nothing collects: a sender stuck on a dead API
	st := a.Stats()
	if st.DroppedSpans == 0 || st.DroppedSpans%5 != 0 {
		t.Fatalf("whole evicted traces must be dropped once the backlog is half the bound: %+v", st)
	}
	messages := tasks(collect(a, time.Now(), false))[record.TaskMessage]
	if messages != int(st.Evicted)-int(st.DroppedSpans/5) {
		t.Errorf("%d messages sent, %d traces evicted, %d dropped", messages, st.Evicted, st.DroppedSpans/5)
	}
}

func TestMaxBytesBoundsMemory(t *testing.T) {
	a := New(Config{MaxBytes: 100_000})
	big := strings.Repeat("x", 10_000)
	for tr := 1; tr <= 40; tr++ {
		s := sp(byte(tr), 2, 1, true)
		s.Attributes = append(s.Attributes, attribute.String("gen_ai.input.messages", big))
		a.End(s)
		if st := a.Stats(); st.HeldBytes > 150_000 {
			t.Fatalf("held %d bytes over the bound", st.HeldBytes)
		}
	}
}

func TestUndeliveredRecordsAreSentAgain(t *testing.T) {
	a := New(Config{})
	root, chat := sp(1, 1, 0, false), sp(1, 2, 1, true)
	a.End(chat)
	a.End(root)
	b := a.Collect(time.Now(), false)
	if len(b.Records) != 2 {
		t.Fatalf("%+v", b.Records)
	}
	a.Commit(b, func(i int) bool { return b.Records[i].Task == record.TaskMessage }) // the chat failed
	a.End(chat)                                                                      // the same batch given again, as a collector retrying it
	recs := collect(a, time.Now(), false)
	if len(recs) != 1 || recs[0].Task != record.TaskGeneration {
		t.Fatalf("want only the undelivered chat again: %+v", recs)
	}
	if st := a.Stats(); st.HeldSpans != 2 {
		t.Errorf("a span given twice is held once: %+v", st)
	}
}

func TestEventsJoinTheirSpanAndOrphansAreCounted(t *testing.T) {
	a := New(Config{MaxWait: time.Second, Linger: time.Second})
	chat := sp(1, 2, 1, true)
	ev := semconv.Event{Name: "gen_ai.choice", Time: t0, Attributes: []attribute.KeyValue{
		attribute.String("message", `{"content":"hi"}`), attribute.String("finish_reason", "stop")}}
	a.AddEvent(chat.TraceID, chat.SpanID, ev) // before the span ends
	a.End(chat)
	a.End(sp(1, 1, 0, false))
	recs := collect(a, time.Now(), false)
	if len(recs) != 2 || recs[1].Output != `[{"role":"assistant","content":"hi","finish_reason":"stop"}]` {
		t.Fatalf("the event must join its span: %+v", recs)
	}
	a.AddEvent(trace.TraceID{7}, trace.SpanID{7}, ev) // its span never comes
	_ = collect(a, time.Now().Add(2*time.Second), false)
	_ = collect(a, time.Now().Add(10*time.Second), false)
	if st := a.Stats(); st.OrphanEvents != 1 || st.Events != 2 || st.HeldTraces != 0 {
		t.Errorf("stats %+v", st)
	}
}

// TestAddEventOnce: an event given again (a collector retrying a logs batch) is held once,
// and still makes its mapped trace be mapped again so that what failed to arrive is sent.
func TestAddEventOnce(t *testing.T) {
	a := New(Config{})
	root, chat := sp(1, 1, 0, false), sp(1, 2, 1, true)
	user := semconv.Event{Name: "gen_ai.user.message", Time: t0, Attributes: []attribute.KeyValue{
		attribute.String("content", "hi"), {Key: "meta", Value: attribute.MapValue(attribute.Int("n", 1), attribute.String("s", "x"))}}}
	if !a.AddEventOnce(chat.TraceID, chat.SpanID, user) {
		t.Fatal("a new event must be added")
	}
	again := user
	again.Attributes = []attribute.KeyValue{
		attribute.String("content", "hi"), {Key: "meta", Value: attribute.MapValue(attribute.String("s", "x"), attribute.Int("n", 1))}}
	if a.AddEventOnce(chat.TraceID, chat.SpanID, again) {
		t.Fatal("an equal event (maps compare by content) must not be added again")
	}
	later := user
	later.Time = t0.Add(time.Millisecond)
	if !a.AddEventOnce(chat.TraceID, chat.SpanID, later) {
		t.Fatal("the same content at another time is another event")
	}
	a.End(root)
	a.End(chat)
	recs := collect(a, time.Now(), false)
	if len(recs) != 2 || recs[1].Input != `[{"role":"user","content":"hi"},{"role":"user","content":"hi"}]` {
		t.Fatalf("want two user messages, not three: %+v", recs)
	}

	// An event after the trace was sent; its delivery fails, and the batch is given again.
	choice := semconv.Event{Name: "gen_ai.choice", Time: t0.Add(time.Second), Attributes: []attribute.KeyValue{
		attribute.String("message", `{"content":"hello"}`)}}
	a.AddEventOnce(chat.TraceID, chat.SpanID, choice)
	b := a.Collect(time.Now(), false)
	if len(b.Records) == 0 {
		t.Fatal("an event after its span was sent must re-send the record")
	}
	a.Commit(b, func(int) bool { return false })
	if a.AddEventOnce(chat.TraceID, chat.SpanID, choice) {
		t.Fatal("the retried event must not be added twice")
	}
	recs = collect(a, time.Now(), false)
	if len(recs) != len(b.Records) || tasks(recs)[record.TaskGeneration] != 1 {
		t.Fatalf("the retry must re-send what was not delivered: %+v", recs)
	}
	for _, r := range recs {
		if r.Task == record.TaskGeneration && r.Output != `[{"role":"assistant","content":"hello"}]` {
			t.Errorf("generation output %s", r.Output)
		}
	}
	if st := a.Stats(); st.Events != 3 {
		t.Errorf("Events = %d, want 3 (the ones added)", st.Events)
	}
}
