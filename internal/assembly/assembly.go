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
	// MaxSpans bounds the spans held across all traces. Past it the oldest traces are sent
	// as they are and forgotten: lingering ones first, then incomplete ones (counted as
	// Evicted).
	MaxSpans int
}

// Defaults for Config fields left zero.
const (
	DefaultMaxWait  = 30 * time.Second
	DefaultLinger   = 30 * time.Second
	DefaultMaxSpans = 50_000
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
	spans   int        // spans held, ended or open
	evicted []evictedT // traces forced out by MaxSpans, to be sent by the next Collect
	stats   Stats
}

// Stats count what the assembler did.
type Stats struct {
	Spans        int64 // spans ended
	Traces       int64 // traces seen
	Provisional  int64 // provisional mappings of incomplete traces
	Evicted      int64 // incomplete traces forced out by MaxSpans before they completed
	HeldSpans    int   // spans held now
	HeldTraces   int   // traces held now
	LateSpans    int64 // spans that ended after their trace was complete
	ResentChange int64 // records re-sent because they changed
}

type traceState struct {
	ended      []semconv.Span
	index      map[trace.SpanID]int // position in ended, so a span given twice is kept once
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
	a.evictLocked(now)
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
	} else {
		a.spans++
	}
	if i, ok := ts.index[s.SpanID]; ok {
		// The same span again (a collector retrying a batch): replace, don't duplicate.
		ts.ended[i] = s
		a.spans--
	} else {
		if ts.index == nil {
			ts.index = map[trace.SpanID]int{}
		}
		ts.index[s.SpanID] = len(ts.ended)
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

// evictLocked enforces MaxSpans: lingering complete traces go first, then the oldest
// incomplete ones, whose spans are mapped and sent provisionally by the next Collect.
func (a *Assembler) evictLocked(now time.Time) {
	if a.spans <= a.cfg.MaxSpans {
		return
	}
	type cand struct {
		id       trace.TraceID
		complete bool
		first    time.Time
	}
	var cands []cand
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
		if a.spans <= a.cfg.MaxSpans*9/10 { // free some room so eviction is not per span
			break
		}
		ts := a.traces[c.id]
		if !c.complete {
			a.stats.Evicted++
			spans := append(ts.ended[:len(ts.ended):len(ts.ended)], snapshots(ts.open, now)...)
			a.evicted = append(a.evicted, evictedT{id: c.id, spans: spans, sent: ts.sent})
		}
		a.spans -= len(ts.ended) + len(ts.open)
		delete(a.traces, c.id)
	}
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
	}
	a.evicted = nil
	for id, ts := range a.traces {
		complete := ts.rootEnded && len(ts.open) == 0
		switch {
		case complete && ts.dirty:
			jobs = append(jobs, job{id: id, spans: ts.ended[:len(ts.ended):len(ts.ended)], sent: maps.Clone(ts.sent)})
			ts.dirty, ts.mappedOnce = false, true
			ts.completeAt = now
		case complete:
			if now.Sub(ts.completeAt) >= a.cfg.Linger {
				a.spans -= len(ts.ended)
				delete(a.traces, id)
			}
		case (flush || now.Sub(ts.first) >= a.cfg.MaxWait) && (ts.dirty || !ts.mappedOnce):
			spans := append(ts.ended[:len(ts.ended):len(ts.ended)], snapshots(ts.open, now)...)
			jobs = append(jobs, job{id: id, spans: spans, sent: maps.Clone(ts.sent)})
			ts.dirty, ts.mappedOnce = false, true
			a.stats.Provisional++
		case len(ts.open) == 0 && ts.mappedOnce && !ts.dirty && now.Sub(ts.last) >= a.cfg.MaxWait+a.cfg.Linger:
			// Its root never came (it lives in another process, or was lost): what is known
			// was sent provisionally and nothing changed since.
			a.spans -= len(ts.ended)
			delete(a.traces, id)
		}
	}
	a.mu.Unlock()
	b := &Batch{}
	if len(jobs) == 0 {
		return b
	}
	// Traces in the order they began, so the output is stable.
	sort.Slice(jobs, func(i, j int) bool { return earliest(jobs[i].spans).Before(earliest(jobs[j].spans)) })

	var buf []byte
	resent := int64(0)
	for _, j := range jobs {
		for _, r := range semconv.MapTrace(j.spans, a.cfg.Mapping) {
			buf = r.AppendJSON(buf[:0])
			h := maphash.Bytes(a.seed, buf)
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
	s.HeldSpans, s.HeldTraces = a.spans, len(a.traces)
	return s
}
