package transport

import (
	"context"
	"sync"

	"github.com/tracebridge/tracebridge/record"
)

// Sender posts records one per request through a Client, at most a fixed number at once
// across all callers.
type Sender struct {
	client *Client
	slots  chan struct{} // one per request in flight
}

// NewSender returns a Sender with the given concurrency (at least 1).
func NewSender(c *Client, concurrency int) *Sender {
	return &Sender{client: c, slots: make(chan struct{}, max(1, concurrency))}
}

// Client returns the client the sender posts through.
func (s *Sender) Client() *Client { return s.client }

// Deliver posts every record and returns each one's outcome (nil: the API accepted it). It
// returns when all are done, or when ctx ends (the records not started then fail with ctx's
// error).
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
			return errs
		}
		wg.Add(1)
		go func(r *record.Record, out *error) {
			defer func() { <-s.slots; wg.Done() }()
			*out = s.client.Post(ctx, r.AppendJSON(make([]byte, 0, 1024)))
		}(&recs[i], &errs[i])
	}
	wg.Wait()
	return errs
}
