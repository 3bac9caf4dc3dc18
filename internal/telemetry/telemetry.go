// Package telemetry is tracebridge's self-observability: delivery metrics through the
// OpenTelemetry metrics API, and a rate-limited log line for drops.
package telemetry

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/metric/noop"
)

// ScopeName is the instrumentation scope of tracebridge's metrics.
const ScopeName = "github.com/tracebridge/tracebridge"

// Reasons a record or span is not delivered.
const (
	ReasonRejected   = "rejected"    // the API refused it (4xx other than 408/413/429)
	ReasonTooLarge   = "too_large"   // 413 even after shrinking
	ReasonExhausted  = "exhausted"   // transient failures until the retry budget ran out
	ReasonDeadline   = "deadline"    // the export, flush or shutdown context ended first
	ReasonBufferFull = "buffer_full" // spans dropped at the memory bound before mapping
	ReasonShutdown   = "shutdown"    // offered after shutdown
)

// Metrics are the instruments. A nil *Metrics records nothing.
type Metrics struct {
	sent     metric.Int64Counter
	failed   metric.Int64Counter
	retried  metric.Int64Counter
	shrunk   metric.Int64Counter
	dropped  metric.Int64Counter
	duration metric.Float64Histogram
	common   attribute.Set
	plain    metric.MeasurementOption
	// byAttr caches the measurement option of each extra attribute value (a status code,
	// a reason): building an attribute set per measurement costs more than the measurement.
	byAttr sync.Map // attribute.KeyValue → metric.MeasurementOption
	// byStatus is the same for the status codes of Request, found without boxing the key
	// (one lookup per HTTP attempt).
	byStatus [600]atomic.Pointer[metric.MeasurementOption]
}

// New creates the instruments on mp (nil: a no-op provider). destination names the trace
// API on every data point.
func New(mp metric.MeterProvider, destination string) (*Metrics, error) {
	if mp == nil {
		mp = noop.NewMeterProvider()
	}
	m := mp.Meter(ScopeName)
	var err error
	out := &Metrics{common: attribute.NewSet(attribute.String("destination", destination))}
	out.plain = metric.WithAttributeSet(out.common)
	if out.sent, err = m.Int64Counter("tracebridge.records.sent", metric.WithUnit("{record}"),
		metric.WithDescription("Records the trace API accepted.")); err != nil {
		return nil, err
	}
	if out.failed, err = m.Int64Counter("tracebridge.records.failed", metric.WithUnit("{record}"),
		metric.WithDescription("Records not delivered, by reason.")); err != nil {
		return nil, err
	}
	if out.retried, err = m.Int64Counter("tracebridge.requests.retried", metric.WithUnit("{request}"),
		metric.WithDescription("Requests sent again after a transient failure.")); err != nil {
		return nil, err
	}
	if out.shrunk, err = m.Int64Counter("tracebridge.records.shrunk", metric.WithUnit("{record}"),
		metric.WithDescription("Records whose long fields were cut to fit the API's size limit.")); err != nil {
		return nil, err
	}
	if out.dropped, err = m.Int64Counter("tracebridge.spans.dropped", metric.WithUnit("{span}"),
		metric.WithDescription("Spans dropped before they became records, by reason.")); err != nil {
		return nil, err
	}
	if out.duration, err = m.Float64Histogram("tracebridge.request.duration", metric.WithUnit("s"),
		metric.WithDescription("Duration of one HTTP attempt.")); err != nil {
		return nil, err
	}
	return out, nil
}

func (m *Metrics) opts(kv ...attribute.KeyValue) metric.MeasurementOption {
	if len(kv) == 0 {
		return m.plain
	}
	if len(kv) == 1 {
		if o, ok := m.byAttr.Load(kv[0]); ok {
			return o.(metric.MeasurementOption)
		}
	}
	o := metric.WithAttributeSet(attribute.NewSet(append(m.common.ToSlice(), kv...)...))
	if len(kv) == 1 {
		m.byAttr.Store(kv[0], o)
	}
	return o
}

// statusOpts is opts for a status code (0: no answer).
func (m *Metrics) statusOpts(status int) metric.MeasurementOption {
	kv := attribute.Int("http.response.status_code", status)
	if status < 0 || status >= len(m.byStatus) {
		return m.opts(kv)
	}
	if o := m.byStatus[status].Load(); o != nil {
		return *o
	}
	o := m.opts(kv)
	m.byStatus[status].Store(&o)
	return o
}

// Sent counts delivered records.
func (m *Metrics) Sent(ctx context.Context, n int) {
	if m != nil && n > 0 {
		m.sent.Add(ctx, int64(n), m.opts())
	}
}

// Failed counts records not delivered.
func (m *Metrics) Failed(ctx context.Context, n int, reason string) {
	if m != nil && n > 0 {
		m.failed.Add(ctx, int64(n), m.opts(attribute.String("reason", reason)))
	}
}

// Retried counts a retry.
func (m *Metrics) Retried(ctx context.Context) {
	if m != nil {
		m.retried.Add(ctx, 1, m.opts())
	}
}

// Shrunk counts a record cut to fit.
func (m *Metrics) Shrunk(ctx context.Context) {
	if m != nil {
		m.shrunk.Add(ctx, 1, m.opts())
	}
}

// Dropped counts spans dropped before mapping.
func (m *Metrics) Dropped(ctx context.Context, n int, reason string) {
	if m != nil && n > 0 {
		m.dropped.Add(ctx, int64(n), m.opts(attribute.String("reason", reason)))
	}
}

// Request records one HTTP attempt; status 0 means no answer.
func (m *Metrics) Request(ctx context.Context, d time.Duration, status int) {
	if m != nil {
		m.duration.Record(ctx, d.Seconds(), m.statusOpts(status))
	}
}

// DropLog logs drops at most once per interval, summing what happened in between, so that
// a dead API does not flood the application's log.
type DropLog struct {
	logger   *slog.Logger
	interval time.Duration

	mu      sync.Mutex
	last    time.Time
	pending map[string]int
	first   string // one example reason text since the last line
}

// NewDropLog returns a DropLog writing warnings to logger.
func NewDropLog(logger *slog.Logger, interval time.Duration) *DropLog {
	return &DropLog{logger: logger, interval: interval, pending: map[string]int{}}
}

// Add notes n drops for reason, with an example error text (never holding secrets), and
// logs the sum when the interval has passed since the last line.
func (d *DropLog) Add(n int, reason, example string) {
	if d == nil || n <= 0 {
		return
	}
	d.mu.Lock()
	d.pending[reason] += n
	if d.first == "" {
		d.first = example
	}
	now := time.Now()
	if now.Sub(d.last) < d.interval {
		d.mu.Unlock()
		return
	}
	counts, example := d.pending, d.first
	d.pending, d.first, d.last = map[string]int{}, "", now
	d.mu.Unlock()

	attrs := make([]any, 0, 2*len(counts)+2)
	total := 0
	for r, c := range counts {
		attrs = append(attrs, slog.Int(r, c))
		total += c
	}
	attrs = append(attrs, slog.String("example", example))
	d.logger.Warn("tracebridge: records not delivered", append([]any{slog.Int("total", total)}, attrs...)...)
}
