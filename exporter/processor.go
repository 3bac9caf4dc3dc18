package exporter

import (
	"context"
	"errors"
	"sync"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/internal/assembly"
	"github.com/tracebridge/tracebridge/internal/telemetry"
	"github.com/tracebridge/tracebridge/semconv"
)

var _ sdktrace.SpanProcessor = (*Processor)(nil)

// Processor is the trace-aware span processor: register it with
//
//	sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(exporter.NewProcessor(exp)))
//
// It notes every span at start, holds ended spans per trace until the trace's local root
// and every span started under it have ended, then maps the whole trace at once: parents,
// the message's input and output and the usage sums are those of the whole trace. A trace
// still incomplete after the maximum wait, or at ForceFlush, is sent provisionally (a
// still-running root becomes a provisional message) and the records that change are
// re-sent once more is known; the trace API replaces a record re-sent under the same id.
//
// OnStart and OnEnd never block on the network: delivery runs on one background goroutine
// through the exporter's bounded concurrency. After ForceFlush or Shutdown returns without
// error, every span that had ended was delivered or counted as failed.
type Processor struct {
	exp *Exporter
	asm *assembly.Assembler
	cfg processorConfig

	kick    chan struct{}
	flushes chan flushRequest
	stop    chan struct{}
	done    chan struct{}
	// rounds is the context of every delivery; Shutdown cancels it when its own deadline
	// passes, so that nothing keeps retrying after Shutdown returned.
	rounds       context.Context
	cancelRounds context.CancelFunc

	droppedReported int64 // DroppedSpans already counted in metrics; owned by loop

	shutdownOnce sync.Once
	stopped      chan struct{} // closed at Shutdown: OnStart and OnEnd do nothing after it
}

type flushRequest struct {
	ctx   context.Context
	reply chan error
}

type processorConfig struct {
	maxWait       time.Duration
	linger        time.Duration
	maxSpans      int
	maxBytes      int64
	exportTimeout time.Duration
	tick          time.Duration
}

// ProcessorOption configures a Processor.
type ProcessorOption interface {
	applyProcessor(*processorConfig)
}

type processorOptionFunc func(*processorConfig)

func (f processorOptionFunc) applyProcessor(c *processorConfig) { f(c) }

// WithMaxTraceWait sets how long an incomplete trace is held, from its first span, before
// its records are sent provisionally. Default 30s.
func WithMaxTraceWait(d time.Duration) ProcessorOption {
	return processorOptionFunc(func(c *processorConfig) { c.maxWait = d })
}

// WithLinger sets how long a complete trace is remembered after it was sent, so that a span
// ending late joins its trace. Default 30s.
func WithLinger(d time.Duration) ProcessorOption {
	return processorOptionFunc(func(c *processorConfig) { c.linger = d })
}

// WithMaxBufferedSpans bounds the spans held across all traces (open and ended). Past it
// the oldest traces are sent as they are and forgotten. Default 50,000.
func WithMaxBufferedSpans(n int) ProcessorOption {
	return processorOptionFunc(func(c *processorConfig) { c.maxSpans = n })
}

// WithMaxBufferedBytes bounds the approximate size of the spans held. Default 32 MiB.
func WithMaxBufferedBytes(n int64) ProcessorOption {
	return processorOptionFunc(func(c *processorConfig) { c.maxBytes = n })
}

// WithExportTimeout bounds one background delivery round; records not delivered by then
// fail. Default: none beyond each record's retry budget (see RetryConfig).
func WithExportTimeout(d time.Duration) ProcessorOption {
	return processorOptionFunc(func(c *processorConfig) { c.exportTimeout = d })
}

// NewProcessor returns a Processor delivering through exp. Shutting the processor down
// shuts exp down.
func NewProcessor(exp *Exporter, opts ...ProcessorOption) *Processor {
	cfg := processorConfig{tick: time.Second}
	for _, o := range opts {
		o.applyProcessor(&cfg)
	}
	p := &Processor{
		exp: exp,
		asm: assembly.New(assembly.Config{
			Mapping: exp.mapping, MaxWait: cfg.maxWait, Linger: cfg.linger, MaxSpans: cfg.maxSpans, MaxBytes: cfg.maxBytes,
		}),
		cfg:     cfg,
		kick:    make(chan struct{}, 1),
		flushes: make(chan flushRequest),
		stop:    make(chan struct{}),
		done:    make(chan struct{}),
		stopped: make(chan struct{}),
	}
	p.rounds, p.cancelRounds = context.WithCancel(context.Background())
	go p.loop()
	return p
}

// OnStart notes the span, so the trace is known to be incomplete while it runs.
func (p *Processor) OnStart(_ context.Context, s sdktrace.ReadWriteSpan) {
	if p.isStopped() {
		return
	}
	sc := s.SpanContext()
	p.asm.Start(sc.TraceID(), sc.SpanID(), func(now time.Time) semconv.Span {
		snap := fromSDKSpan(s)
		snap.End, snap.Open = now, true
		return snap
	})
}

// OnEnd adds the ended span; when it completes its trace, the trace is delivered.
func (p *Processor) OnEnd(s sdktrace.ReadOnlySpan) {
	if p.isStopped() {
		return
	}
	if p.asm.End(fromSDKSpan(s)) {
		select {
		case p.kick <- struct{}{}:
		default: // a delivery round is already due
		}
	}
}

func (p *Processor) isStopped() bool {
	select {
	case <-p.stopped:
		return true
	default:
		return false
	}
}

// loop is the one goroutine that delivers: complete traces when kicked, due provisional
// ones on each tick, everything on a flush.
func (p *Processor) loop() {
	defer close(p.done)
	tick := time.NewTicker(p.cfg.tick)
	defer tick.Stop()
	for {
		var req flushRequest
		select {
		case <-p.kick:
		case <-tick.C:
		case req = <-p.flushes:
		case <-p.stop:
			return
		}
		if req.reply != nil {
			req.reply <- p.deliver(req.ctx, true)
		} else {
			_ = p.deliver(nil, false) // counted and logged by the exporter
		}
	}
}

// deliver runs one round. A flush round is bounded by the flush's context, a background
// round by WithExportTimeout if set; both end when Shutdown gives up.
func (p *Processor) deliver(ctx context.Context, flush bool) error {
	p.reportDrops()
	b := p.asm.Collect(time.Now(), flush)
	if len(b.Records) == 0 {
		return nil
	}
	if ctx == nil {
		ctx = p.rounds
		if p.cfg.exportTimeout > 0 {
			var cancel context.CancelFunc
			ctx, cancel = context.WithTimeout(ctx, p.cfg.exportTimeout)
			defer cancel()
		}
	} else {
		var cancel context.CancelFunc
		ctx, cancel = context.WithCancel(ctx)
		defer cancel()
		defer context.AfterFunc(p.rounds, cancel)()
	}
	return p.exp.sendBatch(ctx, p.asm, b)
}

// reportDrops counts the spans dropped at the memory bounds since the last round.
func (p *Processor) reportDrops() {
	st := p.asm.Stats()
	if n := st.DroppedSpans - p.droppedReported; n > 0 {
		p.droppedReported = st.DroppedSpans
		p.exp.metrics.Dropped(context.Background(), int(n), telemetry.ReasonBufferFull)
		p.exp.drops.Add(int(n), telemetry.ReasonBufferFull, "spans dropped at the memory bound while the API does not keep up")
	}
}

// ForceFlush delivers every ended span now: complete traces in full, incomplete ones
// provisionally. It returns when they were delivered or failed, or when ctx ends (then the
// records still being sent fail with ctx's error and are counted).
func (p *Processor) ForceFlush(ctx context.Context) error {
	req := flushRequest{ctx: ctx, reply: make(chan error, 1)}
	select {
	case p.flushes <- req:
	case <-p.done:
		return errors.New("tracebridge: processor is shut down")
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case err := <-req.reply:
		return err
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Shutdown flushes, stops the processor and shuts the exporter down. Later calls return
// nil.
func (p *Processor) Shutdown(ctx context.Context) error {
	var err error
	p.shutdownOnce.Do(func() {
		close(p.stopped)
		err = p.ForceFlush(ctx)
		// Whatever is still being delivered (a background round against a dead API) stops
		// now: Shutdown's deadline is the application's.
		p.cancelRounds()
		close(p.stop)
		<-p.done
		err = errors.Join(err, p.exp.Shutdown(ctx))
	})
	return err
}

// ProcessorStats counts the processor's spans and traces.
type ProcessorStats = assembly.Stats

// Stats returns the processor's counters; the exporter's Stats count deliveries.
func (p *Processor) Stats() ProcessorStats { return p.asm.Stats() }

// JoinEvent adds an event to a span of a trace the processor holds or will hold: GenAI
// content that instrumentations emit as log records (see package genailog). The span's
// record carries it when mapped; one already sent is re-sent with it.
func (p *Processor) JoinEvent(traceID trace.TraceID, spanID trace.SpanID, ev semconv.Event) {
	if p.isStopped() {
		return
	}
	p.asm.AddEvent(traceID, spanID, ev)
}
