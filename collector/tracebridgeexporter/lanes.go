package tracebridgeexporter

import (
	"context"
	"encoding/binary"
	"sync"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/internal/assembly"
	"github.com/tracebridge/tracebridge/internal/transport"
	"github.com/tracebridge/tracebridge/semconv"
)

// shardsPerLane lets batches of different traces be mapped and sent at once (the queue's
// consumers run in parallel) while batches that touch one trace take turns.
const shardsPerLane = 8

// lane is everything sent with one API key: its own sender (the key is in its header) and
// its own assemblers, so that a batch never collects another tenant's records.
type lane struct {
	sender *transport.Sender
	// dropContent clears content from the records before they are encoded (capture_content
	// off).
	dropContent bool
	shards      [shardsPerLane]shard
	users       int // exports using the lane now; guarded by lanes.mu
}

// shard holds the traces whose id falls to it. Its lock is held from End to Commit: a batch
// then collects only its own traces' changes and delivers them before another batch of the
// same traces maps them again, so that every batch is acknowledged only once the records
// reflecting its spans arrived, and a record's newer version is never overtaken by an older
// one in flight.
type shard struct {
	mu  sync.Mutex
	asm *assembly.Assembler
}

func shardOf(id trace.TraceID) int {
	return int(binary.LittleEndian.Uint64(id[8:]) % shardsPerLane)
}

// work is what one batch gives the lane: ended spans (a traces batch) or events that came
// on their own (a logs batch). Both go to the shard of their trace id, so that a log record
// and its span meet in the same assembler.
type work struct {
	spans  []semconv.Span
	events []spanEvent
}

func (w *work) empty() bool { return len(w.spans) == 0 && len(w.events) == 0 }

// export maps the spans and events of w with what the lane remembers of their traces and
// delivers the records that are new or changed.
func (l *lane) export(ctx context.Context, w work) outcome {
	var groups [shardsPerLane]work
	for i := range w.spans {
		g := &groups[shardOf(w.spans[i].TraceID)]
		g.spans = append(g.spans, w.spans[i])
	}
	for i := range w.events {
		g := &groups[shardOf(w.events[i].traceID)]
		g.events = append(g.events, w.events[i])
	}
	var results [shardsPerLane]outcome
	var wg sync.WaitGroup
	for n := range groups {
		if !groups[n].empty() {
			wg.Go(func() { results[n] = l.shards[n].export(ctx, l, groups[n]) })
		}
	}
	wg.Wait()
	var o outcome
	for _, r := range results {
		o.merge(r)
	}
	return o
}

func (s *shard) export(ctx context.Context, l *lane, w work) (o outcome) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range w.spans {
		s.asm.End(w.spans[i]) // a span given again (a retried batch) replaces itself
	}
	for i := range w.events {
		// An event given again (a retried batch) is held once, and its trace is mapped
		// again so that what the first attempt did not deliver is sent.
		ev := &w.events[i]
		s.asm.AddEventOnce(ev.traceID, ev.spanID, ev.event)
	}
	// Flush: incomplete traces go out provisionally now, since after this batch is
	// acknowledged the assembler's copy is the only one left in this process. Events whose
	// span is not here yet change no record: they wait for it (enrichment only).
	b := s.asm.Collect(time.Now(), true)
	if len(b.Records) == 0 {
		return o
	}
	if l.dropContent {
		// After mapping and hashing, before any encoding: what is cleared never leaves.
		for i := range b.Records {
			b.Records[i].DropContent()
		}
	}
	errs := l.sender.Deliver(ctx, b.Records)
	s.asm.Commit(b, func(i int) bool { return errs[i] == nil })
	o.add(b.Records, errs)
	return o
}

// held reports how much the lane remembers (spans and traces, so that a trace holding only
// events waiting for their span counts), after letting each idle shard forget the traces
// whose linger is over. A busy shard counts as holding some.
func (l *lane) held(now time.Time) int {
	n := 0
	for i := range l.shards {
		s := &l.shards[i]
		if !s.mu.TryLock() {
			n++
			continue
		}
		// Every export flushes, so nothing is due here: this only forgets.
		s.asm.Collect(now, false)
		st := s.asm.Stats()
		n += st.HeldSpans + st.HeldTraces
		s.mu.Unlock()
	}
	return n
}

// lanes are the lanes by API key.
type lanes struct {
	newLane func(key string) *lane

	mu    sync.Mutex
	byKey map[string]*lane
}

func newLanes(newLane func(key string) *lane) *lanes {
	return &lanes{newLane: newLane, byKey: map[string]*lane{}}
}

func (ls *lanes) acquire(key string) *lane {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	l := ls.byKey[key]
	if l == nil {
		l = ls.newLane(key)
		ls.byKey[key] = l
	}
	l.users++
	return l
}

func (ls *lanes) release(l *lane) {
	ls.mu.Lock()
	l.users--
	ls.mu.Unlock()
}

// sweep forgets traces whose linger is over and drops the lanes left empty, so that a
// gateway serving many tenants holds memory only for the active ones.
func (ls *lanes) sweep(now time.Time) {
	ls.mu.Lock()
	defer ls.mu.Unlock()
	for key, l := range ls.byKey {
		if l.held(now) == 0 && l.users == 0 {
			delete(ls.byKey, key)
		}
	}
}
