package exporter

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"

	"github.com/tracebridge/tracebridge/exporter/internal/config"
	"github.com/tracebridge/tracebridge/internal/assembly"
	"github.com/tracebridge/tracebridge/internal/transport"
	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/semconv"
)

var _ sdktrace.SpanExporter = (*Exporter)(nil)

// ErrShutdown is returned by ExportSpans after Shutdown.
var ErrShutdown = errors.New("tracebridge: exporter is shut down")

// Exporter maps spans to NeuralTrust v1 records and posts them, one per request, with
// bounded concurrency over kept-alive connections. It is safe for concurrent use.
type Exporter struct {
	sender  *transport.Sender
	mapping semconv.Options
	// batches joins the spans of a trace across ExportSpans calls (the WithBatcher path):
	// each call sends what it can and re-sends what changes when more arrives.
	batches *assembly.Assembler
	logger  *slog.Logger

	mu       sync.RWMutex // guards stopped against inflight.Add
	stopped  bool
	inflight sync.WaitGroup

	records, sent, failed atomic.Int64
}

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
	if err := cfg.Validate(); err != nil {
		return nil, fmt.Errorf("tracebridge: %w", err)
	}
	url, _ := cfg.TraceURL()
	logger := cfg.Logger
	if logger == nil {
		logger = slog.Default()
	}
	return &Exporter{
		sender: transport.NewSender(transport.New(transport.Config{
			URL:        url,
			Header:     cfg.Header(),
			HTTPClient: cfg.Client(),
			Retry:      cfg.Retry,
			Logger:     logger,
		}), cfg.Concurrency),
		mapping: cfg.Mapping,
		batches: assembly.New(assembly.Config{Mapping: cfg.Mapping}),
		logger:  logger,
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
	return e.sender.Deliver(ctx, recs)
}

// report counts outcomes and builds one error for the records that were not delivered.
func (e *Exporter) report(recs []record.Record, errs []error) error {
	var failed int
	var reasons []string
	for i, err := range errs {
		if err == nil {
			continue
		}
		failed++
		if len(reasons) < 3 {
			reasons = append(reasons, fmt.Sprintf("%s record %s: %v", recs[i].Task, recs[i].TraceID, err))
		}
	}
	e.sent.Add(int64(len(recs) - failed))
	if failed == 0 {
		return nil
	}
	e.failed.Add(int64(failed))
	err := fmt.Errorf("tracebridge: %d of %d records not delivered: %s", failed, len(recs), strings.Join(reasons, "; "))
	e.logger.Warn("tracebridge: records not delivered", "failed", failed, "records", len(recs), "first", reasons[0])
	return err
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
