// Package assembly gathers the spans of traces until each is whole and decides which
// records to send: a trace's records once it is complete, provisional records for a trace
// that is flushed or has waited too long while incomplete, and re-sends of the records that
// change as more of a trace becomes known. The SDK span processor, the SDK exporter and the
// Collector component share it, so the three paths keep the same invariants: one message per
// trace and no parent_id that points at a record not sent.
package assembly

import (
	"hash/maphash"
	"maps"
	"sort"
	"sync"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/semconv"
)

// Config bounds an Assembler.
type Config struct {
	Mapping semconv.Options
	// MaxWait is how long an incomplete trace waits, from its first span, before its records
	// are sent provisionally. Later spans re-send what changes.
	MaxWait time.Duration
	// Linger is how long a complete trace's spans are kept after it was sent, so that a span
	// ending late is mapped with its whole trace (right parent, shared ids, the message
	// updated) rather than alone.
	Linger time.Duration
	// MaxSpans and MaxBytes bound the spans held in traces (ended and open) and their
	// approximate size. Past either, the oldest traces go: lingering complete ones are
	// forgotten, incomplete ones are evicted (mapped and sent provisionally by the next
	// Collect). Evicted spans waiting for a Collect may add up to half the bounds again; past
	// that (the sender is stuck) the oldest of them are dropped and counted. So memory holds
	// at most 1.5 × MaxSpans spans and about 1.5 × MaxBytes.
	MaxSpans int
	MaxBytes int64
}

// Defaults for Config fields left zero.
const (
	DefaultMaxWait  = 30 * time.Second
	DefaultLinger   = 30 * time.Second
	DefaultMaxSpans = 50_000
	DefaultMaxBytes = 32 << 20
)

func (c Config) withDefaults() Config {
	if c.MaxWait <= 0 {
		c.MaxWait = DefaultMaxWait
	}
	if c.Linger <= 0 {
		c.Linger = DefaultLinger
	}
	if c.MaxSpans <= 0 {
		c.MaxSpans = DefaultMaxSpans
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = DefaultMaxBytes
	}
	return c
}

// Snapshot returns the current state of a span that has not ended, with Open set.
type Snapshot func(now time.Time) semconv.Span

// Assembler is safe for concurrent use. Start and End are short and never wait on I/O or
// mapping, so they can run on the application's goroutines.
type Assembler struct {
	cfg  Config
	seed maphash.Seed

	mu      sync.Mutex
	traces  map[trace.TraceID]*traceState
	spans   int        // spans held: ended, open, and evicted waiting for Collect
	bytes   int64      // their approximate size
	evicted []evictedT // traces forced out by the bounds, to be sent by the next Collect
	pending int        // spans in evicted
	// pendingBytes is the approximate size of the spans in evicted.
	pendingBytes int64
	stats        Stats
}

// Stats count what the assembler did.
type Stats struct {
	Spans         int64 // spans ended
	Traces        int64 // traces seen
	Provisional   int64 // provisional mappings of incomplete traces
	Evicted       int64 // incomplete traces forced out by the bounds before they completed
	DroppedSpans  int64 // spans dropped at the bounds without ever being mapped
	DroppedTraces int64 // the traces they belonged to (a trace evicted twice counts twice)
	Events        int64 // events joined through AddEvent and AddEventOnce (not those given again)
	OrphanEvents  int64 // events dropped because their span never ended here in time
	HeldSpans     int   // spans held now
	HeldBytes     int64 // their approximate size
	HeldTraces    int   // traces held now
	LateSpans     int64 // spans that ended after their trace was complete
	ResentChange  int64 // records re-sent because they changed
}

type traceState struct {
	bytes int64 // approximate size of ended and open spans
	ended []semconv.Span
	index map[trace.SpanID]int // position in ended, so a span given twice is kept once
	// events are span events that arrived on their own (GenAI content emitted as log
	// records), by span id; they join their span when the trace is mapped.
	events     map[trace.SpanID][]semconv.Event
	open       map[trace.SpanID]Snapshot
	rootEnded  bool
	first      time.Time
	last       time.Time // when a span last ended
	completeAt time.Time // zero while incomplete
	dirty      bool      // spans ended since the last mapping
	mappedOnce bool
	sent       map[string]uint64 // record id → hash of the body last handed out
}

type evictedT struct {
	id    trace.TraceID
	spans []semconv.Span
	sent  map[string]uint64
	bytes int64
}

// openSpanBytes is what an open span is taken to weigh: the SDK holds it, we hold a
// reference and its future copy.
const openSpanBytes = 1024

// spanBytes estimates what an ended span weighs in memory: its strings and a fixed part.
func spanBytes(s *semconv.Span) int64 {
	// The fixed parts are what Go spends besides the strings: the span struct, the
	// attribute slice (a KeyValue is 56 bytes) and allocation overhead, measured as roughly
	// twice the raw sizes.
	n := int64(400 + len(s.Name))
	for _, kv := range s.Attributes {
		n += int64(len(kv.Key)) + 80
		if kv.Value.Type() == attribute.STRING {
			n += int64(len(kv.Value.AsString()))
		}
	}
	for i := range s.Events {
		n += eventBytes(&s.Events[i])
	}
	return n
}

func eventBytes(ev *semconv.Event) int64 {
	n := 64 + int64(len(ev.Name))
	for _, kv := range ev.Attributes {
		n += int64(len(kv.Key)) + 32
		if kv.Value.Type() == attribute.STRING {
			n += int64(len(kv.Value.AsString()))
		} else {
			n += int64(len(kv.Value.String()))
		}
	}
	return n
}

// mappingSpans is what a mapping of the trace reads: its ended spans, snapshots of the open
// ones when provisional is set, and the events that arrived on their own joined to their
// spans in time order.
func (ts *traceState) mappingSpans(now time.Time, provisional bool) []semconv.Span {
	spans := ts.ended[:len(ts.ended):len(ts.ended)]
	if provisional && len(ts.open) > 0 {
		spans = append(spans, snapshots(ts.open, now)...)
	}
	if len(ts.events) == 0 {
		return spans
	}
	out := make([]semconv.Span, len(spans))
	copy(out, spans)
	for i := range out {
		extra := ts.events[out[i].SpanID]
		if len(extra) == 0 {
			continue
		}
		merged := make([]semconv.Event, 0, len(out[i].Events)+len(extra))
		merged = append(append(merged, out[i].Events...), extra...)
		sort.SliceStable(merged, func(a, b int) bool { return merged[a].Time.Before(merged[b].Time) })
		out[i].Events = merged
	}
	return out
}

// forgetLocked removes a trace, counting the events that never met their span.
func (a *Assembler) forgetLocked(id trace.TraceID, ts *traceState, mapped []semconv.Span) {
	delete(a.traces, id)
	for sid, evs := range ts.events {
		found := false
		for i := range mapped {
			if mapped[i].SpanID == sid {
				found = true
				break
			}
		}
		if !found {
			a.stats.OrphanEvents += int64(len(evs))
		}
	}
}

// New returns an Assembler.
func New(cfg Config) *Assembler {
	return &Assembler{cfg: cfg.withDefaults(), seed: maphash.MakeSeed(), traces: map[trace.TraceID]*traceState{}}
}

func (a *Assembler) state(id trace.TraceID, now time.Time) *traceState {
	ts := a.traces[id]
	if ts == nil {
		ts = &traceState{first: now}
		a.traces[id] = ts
		a.stats.Traces++
	}
	return ts
}

// Start notes a span that started in this process. snap reads it while it is open, so that
// a provisional mapping can include it (a still-running root becomes the provisional
// message, a running agent the parent of its ended children).
func (a *Assembler) Start(traceID trace.TraceID, spanID trace.SpanID, snap Snapshot) {
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	ts := a.state(traceID, now)
	if ts.open == nil {
		ts.open = map[trace.SpanID]Snapshot{}
	}
	ts.open[spanID] = snap
	a.spans++
	a.bytes += openSpanBytes
	ts.bytes += openSpanBytes
	a.evictLocked(now)
}

// AddEvent joins an event to a span of the trace, whether the span has ended yet or not.
// An event for a span already mapped makes its trace be mapped again, so the record is
// re-sent with it. An event whose span does not end before its trace is forgotten is
// counted as an orphan and dropped.
func (a *Assembler) AddEvent(traceID trace.TraceID, spanID trace.SpanID, ev semconv.Event) {
	a.addEvent(traceID, spanID, ev, false)
}

// AddEventOnce is AddEvent for a source that may give the same event again (a collector
// retrying a batch): an event equal to one its span already has (same name, time and
// attributes, in order) is not added twice. It still makes a trace whose span was mapped be
// mapped again, as the first attempt did, so that records that attempt failed to deliver
// are sent. It reports whether ev was added; Stats.Events counts only added events.
func (a *Assembler) AddEventOnce(traceID trace.TraceID, spanID trace.SpanID, ev semconv.Event) (added bool) {
	return a.addEvent(traceID, spanID, ev, true)
}

func (a *Assembler) addEvent(traceID trace.TraceID, spanID trace.SpanID, ev semconv.Event, once bool) (added bool) {
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	ts := a.state(traceID, now)
	if !once || !hasEvent(ts.events[spanID], &ev) {
		if ts.events == nil {
			ts.events = map[trace.SpanID][]semconv.Event{}
		}
		ts.events[spanID] = append(ts.events[spanID], ev)
		size := eventBytes(&ev)
		a.bytes += size
		ts.bytes += size
		a.stats.Events++
		added = true
	}
	ts.last = now
	if _, ended := ts.index[spanID]; ended {
		ts.dirty = true
	}
	a.evictLocked(now)
	return added
}

// hasEvent reports whether evs holds an event equal to ev.
func hasEvent(evs []semconv.Event, ev *semconv.Event) bool {
	for i := range evs {
		e := &evs[i]
		if e.Name != ev.Name || !e.Time.Equal(ev.Time) || len(e.Attributes) != len(ev.Attributes) {
			continue
		}
		same := true
		for j := range e.Attributes {
			// Values are comparable: structured ones hold arrays.
			if e.Attributes[j] != ev.Attributes[j] {
				same = false
				break
			}
		}
		if same {
			return true
		}
	}
	return false
}

// End adds an ended span. It reports whether the span completed its trace: the trace's
// local root has ended and no span started through Start is still open.
func (a *Assembler) End(s semconv.Span) (complete bool) {
	now := time.Now()
	a.mu.Lock()
	defer a.mu.Unlock()
	a.stats.Spans++
	ts := a.state(s.TraceID, now)
	if _, ok := ts.open[s.SpanID]; ok {
		delete(ts.open, s.SpanID)
		a.bytes -= openSpanBytes
		ts.bytes -= openSpanBytes
	} else {
		a.spans++
	}
	size := spanBytes(&s)
	a.bytes += size
	ts.bytes += size
	if i, ok := ts.index[s.SpanID]; ok {
		// The same span again (a collector retrying a batch): replace, don't duplicate.
		old := spanBytes(&ts.ended[i])
		a.bytes -= old
		ts.bytes -= old
		ts.ended[i] = s
		a.spans--
	} else {
		if ts.index == nil {
			ts.index = map[trace.SpanID]int{}
		}
		ts.index[s.SpanID] = len(ts.ended)
		if ts.ended == nil {
			ts.ended = make([]semconv.Span, 0, 4) // an LLM turn has a few spans: grow once, not thrice
		}
		ts.ended = append(ts.ended, s)
	}
	ts.dirty, ts.last = true, now
	if !ts.completeAt.IsZero() {
		a.stats.LateSpans++
	}
	if s.IsLocalRoot() {
		ts.rootEnded = true
	}
	a.evictLocked(now)
	return ts.rootEnded && len(ts.open) == 0
}

// evictLocked enforces the bounds. Spans held in traces are brought down to 90% of them
// (so that this does not run per span): lingering complete traces are forgotten first, then
// the oldest incomplete ones are evicted — kept aside for the next Collect to send
// provisionally. That backlog may reach half the bounds; past it the sender is not keeping
// up, and the oldest evicted traces are dropped and counted.
func (a *Assembler) evictLocked(now time.Time) {
	held, heldBytes := a.spans-a.pending, a.bytes-a.pendingBytes
	if int64(held) <= int64(a.cfg.MaxSpans) && heldBytes <= a.cfg.MaxBytes && a.backlogOK() {
		return
	}
	type cand struct {
		id       trace.TraceID
		complete bool
		first    time.Time
	}
	cands := make([]cand, 0, len(a.traces))
	for id, ts := range a.traces {
		cands = append(cands, cand{id, !ts.completeAt.IsZero() && !ts.dirty, ts.first})
	}
	sort.Slice(cands, func(i, j int) bool {
		if cands[i].complete != cands[j].complete {
			return cands[i].complete
		}
		return cands[i].first.Before(cands[j].first)
	})
	for _, c := range cands {
		held, heldBytes = a.spans-a.pending, a.bytes-a.pendingBytes
		if int64(held)*10 <= int64(a.cfg.MaxSpans)*9 && heldBytes*10 <= a.cfg.MaxBytes*9 {
			break
		}
		ts := a.traces[c.id]
		if c.complete {
			a.forgetLocked(c.id, ts, ts.ended)
			a.spans -= len(ts.ended)
			a.bytes -= ts.bytes
			continue
		}
		a.stats.Evicted++
		spans := ts.mappingSpans(now, true)
		a.forgetLocked(c.id, ts, spans)
		a.evicted = append(a.evicted, evictedT{id: c.id, spans: spans, sent: ts.sent, bytes: ts.bytes})
		a.pending += len(spans)
		a.pendingBytes += ts.bytes
	}
	for len(a.evicted) > 0 && !a.backlogOK() {
		ev := a.evicted[0]
		a.evicted = a.evicted[1:]
		a.pending -= len(ev.spans)
		a.pendingBytes -= ev.bytes
		a.spans -= len(ev.spans)
		a.bytes -= ev.bytes
		a.stats.DroppedSpans += int64(len(ev.spans))
		a.stats.DroppedTraces++
	}
}

// backlogOK reports whether the evicted spans waiting for Collect are within half the
// bounds.
func (a *Assembler) backlogOK() bool {
	return int64(a.pending)*2 <= int64(a.cfg.MaxSpans) && a.pendingBytes*2 <= a.cfg.MaxBytes
}

func snapshots(open map[trace.SpanID]Snapshot, now time.Time) []semconv.Span {
	out := make([]semconv.Span, 0, len(open))
	for _, snap := range open {
		out = append(out, snap(now))
	}
	return out
}

// job is one trace to map outside the lock.
type job struct {
	id    trace.TraceID
	spans []semconv.Span
	sent  map[string]uint64 // read-only copy of what was sent before
}

// Batch is what Collect hands out: the records to send, and what Commit remembers of them.
type Batch struct {
	Records []record.Record
	traces  []trace.TraceID // per record
	hashes  []uint64        // per record
}

// Collect maps the traces that are due and returns the records to send: every record of a
// trace that became complete, provisional records of incomplete traces that waited MaxWait
// (or of every incomplete trace when flush is set), and for traces mapped before only the
// records that changed since. Mapping runs outside the lock. Pass the batch to Commit once
// it was sent, so that a record is not sent again until it changes.
func (a *Assembler) Collect(now time.Time, flush bool) *Batch {
	var jobs []job
	a.mu.Lock()
	for _, ev := range a.evicted {
		jobs = append(jobs, job{id: ev.id, spans: ev.spans, sent: ev.sent})
		a.spans -= len(ev.spans)
		a.bytes -= ev.bytes
	}
	a.evicted, a.pending, a.pendingBytes = nil, 0, 0
	for id, ts := range a.traces {
		complete := ts.rootEnded && len(ts.open) == 0
		switch {
		case complete && ts.dirty:
			jobs = append(jobs, job{id: id, spans: ts.mappingSpans(now, false), sent: maps.Clone(ts.sent)})
			ts.dirty, ts.mappedOnce = false, true
			ts.completeAt = now
		case complete:
			if now.Sub(ts.completeAt) >= a.cfg.Linger {
				a.spans -= len(ts.ended)
				a.bytes -= ts.bytes
				a.forgetLocked(id, ts, ts.ended)
			}
		case (flush || now.Sub(ts.first) >= a.cfg.MaxWait) && (ts.dirty || !ts.mappedOnce):
			jobs = append(jobs, job{id: id, spans: ts.mappingSpans(now, true), sent: maps.Clone(ts.sent)})
			ts.dirty, ts.mappedOnce = false, true
			a.stats.Provisional++
		case len(ts.open) == 0 && ts.mappedOnce && !ts.dirty && now.Sub(ts.last) >= a.cfg.MaxWait+a.cfg.Linger:
			// Its root never came (it lives in another process, or was lost): what is known
			// was sent provisionally and nothing changed since.
			a.spans -= len(ts.ended)
			a.bytes -= ts.bytes
			a.forgetLocked(id, ts, ts.ended)
		}
	}
	a.mu.Unlock()
	b := &Batch{}
	if len(jobs) == 0 {
		return b
	}
	// Traces in the order they began, so the output is stable.
	sort.Slice(jobs, func(i, j int) bool { return earliest(jobs[i].spans).Before(earliest(jobs[j].spans)) })

	n := 0
	for _, j := range jobs {
		n += len(j.spans) + 1 // at most a record per span, and a message
	}
	b.Records = make([]record.Record, 0, n)
	b.traces = make([]trace.TraceID, 0, n)
	b.hashes = make([]uint64, 0, n)
	resent := int64(0)
	for _, j := range jobs {
		for _, r := range semconv.MapTrace(j.spans, a.cfg.Mapping) {
			h := r.Hash(a.seed)
			if prev, ok := j.sent[r.TraceID]; ok {
				if prev == h {
					continue
				}
				resent++
			}
			b.Records = append(b.Records, r)
			b.traces = append(b.traces, j.id)
			b.hashes = append(b.hashes, h)
		}
	}
	a.mu.Lock()
	a.stats.ResentChange += resent
	a.mu.Unlock()
	return b
}

// Commit remembers the records of b that were delivered (delivered(i) for b.Records[i]; nil
// means all), so that they are re-sent only when they change. A record not delivered is
// sent again the next time its trace is mapped.
func (a *Assembler) Commit(b *Batch, delivered func(i int) bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	for i := range b.Records {
		if delivered != nil && !delivered(i) {
			continue
		}
		ts := a.traces[b.traces[i]]
		if ts == nil {
			continue // forgotten since (evicted or lingered out)
		}
		if ts.sent == nil {
			ts.sent = map[string]uint64{}
		}
		ts.sent[b.Records[i].TraceID] = b.hashes[i]
	}
}

func earliest(spans []semconv.Span) time.Time {
	var t time.Time
	for i := range spans {
		if t.IsZero() || spans[i].Start.Before(t) {
			t = spans[i].Start
		}
	}
	return t
}

// Stats returns the counters and what is held now.
func (a *Assembler) Stats() Stats {
	a.mu.Lock()
	defer a.mu.Unlock()
	s := a.stats
	s.HeldSpans, s.HeldBytes, s.HeldTraces = a.spans, a.bytes, len(a.traces)
	return s
}
