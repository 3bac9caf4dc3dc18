package exporter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/exporter/internal/config"
	"github.com/tracebridge/tracebridge/internal/assembly"
	"github.com/tracebridge/tracebridge/internal/telemetry"
	"github.com/tracebridge/tracebridge/internal/transport"
	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/semconv"
)

var _ sdktrace.SpanExporter = (*Exporter)(nil)

// ErrShutdown is returned by ExportSpans after Shutdown.
var ErrShutdown = errors.New("tracebridge: exporter is shut down")

// Exporter maps spans to records and delivers them to its destination (NeuralTrust v1 by
// default: one record per request) with bounded concurrency over kept-alive connections. It
// is safe for concurrent use.
type Exporter struct {
	sender  *transport.Sender
	mapping semconv.Options
	// batches joins the spans of a trace across ExportSpans calls (the WithBatcher path):
	// each call sends what it can and re-sends what changes when more arrives.
	batches *assembly.Assembler
	logger  *slog.Logger
	metrics *telemetry.Metrics
	drops   *telemetry.DropLog
	capture bool
	redact  func(*record.Record)

	mu       sync.RWMutex // guards stopped against inflight.Add
	stopped  bool
	inflight sync.WaitGroup

	records, sent, failed atomic.Int64
}

// dropLogInterval spaces the warnings about records not delivered.
const dropLogInterval = 10 * time.Second

// New returns an Exporter configured from the environment (see the package documentation)
// and opts, which win over it. It does not contact the API.
func New(_ context.Context, opts ...Option) (*Exporter, error) {
	cfg := config.Default()
	if err := cfg.FromEnv(os.Getenv); err != nil {
		return nil, fmt.Errorf("tracebridge: environment: %w", err)
	}
	for _, o := range opts {
		o.apply(&cfg)
	}
	cfg.Resolve()
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("tracebridge: %w", err)
	}
	dest, _ := cfg.Build() // Validate built it once already
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	mp := cfg.MeterProvider
	if mp == nil {
		mp = otel.GetMeterProvider()
	}
	metrics, err := telemetry.New(mp, dest.Name())
	if err != nil {
		return nil, fmt.Errorf("tracebridge: metrics: %w", err)
	}
	return &Exporter{
		sender: transport.NewSender(transport.New(transport.Config{
			Header:     cfg.Header(),
			HTTPClient: cfg.Client(),
			Retry:      cfg.Retry,
			Logger:     logger,
			Metrics:    metrics,
		}), transport.SenderConfig{Concurrency: cfg.Concurrency, MaxRecordBytes: cfg.MaxRecordBytes, Metrics: metrics, Destination: dest}),
		mapping: cfg.Mapping,
		batches: assembly.New(assembly.Config{Mapping: cfg.Mapping}),
		logger:  logger,
		metrics: metrics,
		drops:   telemetry.NewDropLog(logger, dropLogInterval),
		capture: cfg.CaptureContent,
		redact:  cfg.Redact,
	}, nil
}

// ExportSpans maps spans to records and delivers them, returning when every record was
// delivered, finally failed, or ctx ended. The error, if any, counts the records not
// delivered and names the first reasons.
func (e *Exporter) ExportSpans(ctx context.Context, spans []sdktrace.ReadOnlySpan) error {
	e.mu.RLock()
	if e.stopped {
		e.mu.RUnlock()
		return ErrShutdown
	}
	e.inflight.Add(1)
	e.mu.RUnlock()
	defer e.inflight.Done()

	for _, s := range spans {
		e.batches.End(fromSDKSpan(s))
	}
	return e.sendBatch(ctx, e.batches, e.batches.Collect(time.Now(), true))
}

// sendBatch delivers a batch from an assembler and tells it which records arrived.
func (e *Exporter) sendBatch(ctx context.Context, asm *assembly.Assembler, b *assembly.Batch) error {
	errs := e.deliver(ctx, b.Records)
	asm.Commit(b, func(i int) bool { return errs[i] == nil })
	return e.report(b.Records, errs)
}

// Send delivers records that were already mapped. The error, if any, counts the records not
// delivered and names the first reasons.
func (e *Exporter) Send(ctx context.Context, recs []record.Record) error {
	return e.report(recs, e.deliver(ctx, recs))
}

// deliver posts each record and returns each one's outcome.
func (e *Exporter) deliver(ctx context.Context, recs []record.Record) []error {
	e.records.Add(int64(len(recs)))
	if !e.capture || e.redact != nil {
		recs = e.prepare(recs)
	}
	return e.sender.Deliver(ctx, recs)
}

// prepare applies the content switch and the redaction hook to copies of recs, before any
// encoding, so that what they remove never reaches a destination.
func (e *Exporter) prepare(recs []record.Record) []record.Record {
	out := make([]record.Record, len(recs))
	for i, r := range recs {
		if !e.capture {
			r.DropContent()
		}
		if r.Metadata != nil {
			r.Metadata = maps.Clone(r.Metadata)
		}
		if r.User != nil {
			u := *r.User
			u.Extra = maps.Clone(u.Extra)
			r.User = &u
		}
		if e.redact != nil {
			e.redact(&r)
		}
		out[i] = r
	}
	return out
}

// report counts outcomes and builds one error for the records that were not delivered. The
// log line is rate-limited; the error goes to the caller (the SDK's error handler).
func (e *Exporter) report(recs []record.Record, errs []error) error {
	var failed int
	var reasons []string
	for i, err := range errs {
		if err == nil {
			continue
		}
		failed++
		msg := fmt.Sprintf("%s record %s: %v", recs[i].Task, recs[i].TraceID, err)
		e.drops.Add(1, transport.Reason(err), msg)
		if len(reasons) < 3 {
			reasons = append(reasons, msg)
		}
	}
	e.sent.Add(int64(len(recs) - failed))
	if failed == 0 {
		return nil
	}
	e.failed.Add(int64(failed))
	return fmt.Errorf("tracebridge: %d of %d records not delivered: %s", failed, len(recs), strings.Join(reasons, "; "))
}

// Stats are the exporter's delivery counts since it was created.
type Stats struct {
	Records int64 // records produced by the mapping and offered for delivery
	Sent    int64 // records the API accepted (2xx)
	Failed  int64 // records finally not delivered
}

// Stats returns the delivery counts so far.
func (e *Exporter) Stats() Stats {
	return Stats{Records: e.records.Load(), Sent: e.sent.Load(), Failed: e.failed.Load()}
}

// Shutdown stops accepting exports and waits for the ones in flight until ctx ends. It is
// safe to call more than once.
func (e *Exporter) Shutdown(ctx context.Context) error {
	e.mu.Lock()
	e.stopped = true
	e.mu.Unlock()

	done := make(chan struct{})
	go func() { e.inflight.Wait(); close(done) }()
	select {
	case <-done:
		e.sender.Client().CloseIdleConnections()
		return nil
	case <-ctx.Done():
		return fmt.Errorf("tracebridge: shutdown: %w", ctx.Err())
	}
}

// JoinEvent adds an event to a span for the WithBatcher path: it joins the span's trace, and
// the next export maps and re-sends what it changes.
func (e *Exporter) JoinEvent(traceID trace.TraceID, spanID trace.SpanID, ev semconv.Event) {
	e.batches.AddEvent(traceID, spanID, ev)
}
