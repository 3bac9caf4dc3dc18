package transport

import (
	"context"
	"errors"
	"net/http"
	"sync"

	"github.com/tracebridge/tracebridge/internal/telemetry"
	"github.com/tracebridge/tracebridge/record"
)

// ShrinkTarget is the size a record is cut to after the API answered 413: small enough for
// any limit an API plausibly sets, large enough to keep the gist of every field.
const ShrinkTarget = 32 << 10

// Sender posts records one per request through a Client, at most a fixed number at once
// across all callers. A record larger than MaxRecordBytes is shrunk before it is sent; a
// record the API refuses with 413 is shrunk to ShrinkTarget and tried once more.
type Sender struct {
	client   *Client
	slots    chan struct{} // one per request in flight
	maxBytes int
	metrics  *telemetry.Metrics
}

// SenderConfig configures a Sender.
type SenderConfig struct {
	Concurrency    int // at least 1
	MaxRecordBytes int // 0: no limit before the API's own
	Metrics        *telemetry.Metrics
}

// NewSender returns a Sender.
func NewSender(c *Client, cfg SenderConfig) *Sender {
	return &Sender{client: c, slots: make(chan struct{}, max(1, cfg.Concurrency)), maxBytes: cfg.MaxRecordBytes, metrics: cfg.Metrics}
}

// Client returns the client the sender posts through.
func (s *Sender) Client() *Client { return s.client }

// Deliver posts every record and returns each one's outcome (nil: the API accepted it). It
// returns when all are done, or when ctx ends (the records not started then fail with ctx's
// error). Outcomes are counted in the sender's metrics.
func (s *Sender) Deliver(ctx context.Context, recs []record.Record) []error {
	errs := make([]error, len(recs))
	var wg sync.WaitGroup
	for i := range recs {
		select {
		case s.slots <- struct{}{}:
		case <-ctx.Done():
			for j := i; j < len(recs); j++ {
				errs[j] = ctx.Err()
			}
			wg.Wait()
			s.count(ctx, errs)
			return errs
		}
		wg.Add(1)
		go func(r *record.Record, out *error) {
			defer func() { <-s.slots; wg.Done() }()
			*out = s.post(ctx, r)
		}(&recs[i], &errs[i])
	}
	wg.Wait()
	s.count(ctx, errs)
	return errs
}

func (s *Sender) post(ctx context.Context, r *record.Record) error {
	body := r.AppendJSON(make([]byte, 0, 1024))
	if s.maxBytes > 0 && len(body) > s.maxBytes {
		shrunk, _ := r.Shrink(s.maxBytes)
		body = shrunk.AppendJSON(body[:0])
		s.metrics.Shrunk(ctx)
	}
	err := s.client.Post(ctx, body)
	var se *StatusError
	if errors.As(err, &se) && se.StatusCode == http.StatusRequestEntityTooLarge && len(body) > ShrinkTarget {
		shrunk, _ := r.Shrink(ShrinkTarget)
		s.metrics.Shrunk(ctx)
		err = s.client.Post(ctx, shrunk.AppendJSON(body[:0]))
	}
	return err
}

func (s *Sender) count(ctx context.Context, errs []error) {
	if s.metrics == nil {
		return
	}
	sent := 0
	for _, err := range errs {
		if err == nil {
			sent++
			continue
		}
		s.metrics.Failed(ctx, 1, Reason(err))
	}
	s.metrics.Sent(ctx, sent)
}

// Reason names why a record was not delivered, for metrics and logs.
func Reason(err error) string {
	var se *StatusError
	var ne *NetworkError
	switch {
	case err == nil:
		return ""
	case errors.Is(err, context.DeadlineExceeded), errors.Is(err, context.Canceled):
		return telemetry.ReasonDeadline
	case errors.As(err, &se) && se.StatusCode == http.StatusRequestEntityTooLarge:
		return telemetry.ReasonTooLarge
	case errors.As(err, &se) && se.Temporary(), errors.As(err, &ne) && ne.Temporary():
		return telemetry.ReasonExhausted
	}
	return telemetry.ReasonRejected
}
