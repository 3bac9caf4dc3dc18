package transport

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/tracebridge/tracebridge/internal/destination"
	"github.com/tracebridge/tracebridge/internal/telemetry"
	"github.com/tracebridge/tracebridge/record"
)

// ShrinkTarget is the size a record is cut to after the API answered 413: small enough for
// any limit an API plausibly sets, large enough to keep the gist of every field.
const ShrinkTarget = 32 << 10

// maxDepth bounds the requests one request may turn into (halves after 413, a shrunk
// record, a destination's follow-ups), so that no answer can make the sender loop.
const maxDepth = 24

// Sender delivers records through a Client as its destination encodes them, at most a
// fixed number of requests at once across all callers. Every request gets the client's
// retries and pause; its outcome is each record's it carries.
//
// Size limits act on the neutral record before any encoding: a record larger than
// MaxRecordBytes (measured in its v1 encoding) is shrunk first. After a 413, a request
// carrying one record is sent once more with the record cut to ShrinkTarget; a request
// carrying several (a batch, an Adaline trace) is split: its records are encoded again in
// two halves, sent one after the other, each half splitting again on a further 413.
type Sender struct {
	client   *Client
	dest     destination.Destination
	slots    chan struct{} // one per request in flight
	maxBytes int
	metrics  *telemetry.Metrics
}

// SenderConfig configures a Sender.
type SenderConfig struct {
	Concurrency    int // at least 1
	MaxRecordBytes int // 0: no limit before the API's own
	Metrics        *telemetry.Metrics
	// Destination encodes the records; nil posts NeuralTrust v1 records to the client's
	// URL, one per request.
	Destination destination.Destination
}

// NewSender returns a Sender.
func NewSender(c *Client, cfg SenderConfig) *Sender {
	d := cfg.Destination
	if d == nil {
		d = destination.NeuralTrustAt(c.URL())
	}
	return &Sender{client: c, dest: d, slots: make(chan struct{}, max(1, cfg.Concurrency)), maxBytes: cfg.MaxRecordBytes, metrics: cfg.Metrics}
}

// Client returns the client the sender posts through.
func (s *Sender) Client() *Client { return s.client }

// Destination returns the destination the sender encodes for.
func (s *Sender) Destination() destination.Destination { return s.dest }

// Deliver sends every record and returns each one's outcome (nil: the API accepted it, or
// said it already had it). It returns when all are done, or when ctx ends (the records not
// started then fail with ctx's error). Outcomes are counted in the sender's metrics.
//
// Records are encoded a window at a time (cut between interactions), so that a large
// backlog — everything held while the API was down — is never all encoded at once.
func (s *Sender) Deliver(ctx context.Context, recs []record.Record) []error {
	errs := make([]error, len(recs))
	window := max(256, 16*cap(s.slots))
	for lo := 0; lo < len(recs); {
		hi := min(lo+window, len(recs))
		for hi < len(recs) && recs[hi].InteractionID == recs[hi-1].InteractionID {
			hi++ // keep an interaction in one window: some destinations send it whole
		}
		if err := ctx.Err(); err != nil {
			for i := lo; i < len(recs); i++ {
				errs[i] = err
			}
			break
		}
		copy(errs[lo:hi], s.deliverWindow(ctx, recs[lo:hi]))
		lo = hi
	}
	s.count(ctx, errs)
	return errs
}

// deliverWindow encodes recs and sends the requests, at most the sender's concurrency at a
// time.
func (s *Sender) deliverWindow(ctx context.Context, recs []record.Record) []error {
	errs := make([]error, len(recs))
	if len(recs) == 0 {
		return errs
	}
	recs = s.fit(ctx, recs)
	reqs := s.dest.Encode(recs)
	results := make([][]result, len(reqs))
	// A few workers take the requests in turn, each holding a slot per request: goroutines
	// that live across requests keep their grown stacks (an HTTP exchange is deep), and
	// the slots bound the requests in flight across all callers.
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(len(reqs), cap(s.slots)) {
		wg.Go(func() {
			for {
				i := int(next.Add(1)) - 1
				if i >= len(reqs) {
					return
				}
				select {
				case s.slots <- struct{}{}:
				case <-ctx.Done():
					results[i] = fill(carried(&reqs[i]), ctx.Err())
					continue
				}
				results[i] = s.exchange(ctx, recs, &reqs[i], 0)
				<-s.slots
			}
		})
	}
	wg.Wait()
	for _, res := range results {
		merge(errs, res)
	}
	return errs
}

// fit returns recs with every record over the byte bound shrunk (a copy when any is).
func (s *Sender) fit(ctx context.Context, recs []record.Record) []record.Record {
	if s.maxBytes <= 0 {
		return recs
	}
	var out []record.Record
	var buf []byte
	for i := range recs {
		if recs[i].MaxEncodedSize() <= s.maxBytes {
			continue // certainly small: no need to encode it to know
		}
		buf = recs[i].AppendJSON(buf[:0])
		if len(buf) <= s.maxBytes {
			continue
		}
		if out == nil {
			out = append([]record.Record(nil), recs...)
		}
		out[i], _ = recs[i].Shrink(s.maxBytes)
		s.metrics.Shrunk(ctx)
	}
	if out == nil {
		return recs
	}
	return out
}

// result is the outcome of one record (by its index) in one request.
type result struct {
	i   int
	err error
}

// merge sets each record's error from results: the first failure of any request carrying
// it. A record no request failed is delivered.
func merge(errs []error, res []result) {
	for _, r := range res {
		if r.err != nil && errs[r.i] == nil {
			errs[r.i] = r.err
		}
	}
}

// fill is the records idxs, each with err.
func fill(idxs []int, err error) []result {
	res := make([]result, len(idxs))
	for k, i := range idxs {
		res[k] = result{i, err}
	}
	return res
}

// failure is the first failure among res for the records idxs.
func failure(res []result, idxs []int) error {
	for _, r := range res {
		if r.err != nil && slices.Contains(idxs, r.i) {
			return r.err
		}
	}
	return nil
}

// exchange sends one request, then its Next, and returns the outcome of each record they
// carry, following 413 splits and shrinks and the destination's verdicts one after the
// other.
func (s *Sender) exchange(ctx context.Context, recs []record.Record, req *destination.Request, depth int) []result {
	res := s.exchangeOne(ctx, recs, req, depth)
	if len(req.Next) == 0 {
		return res
	}
	failed := failure(res, req.Records)
	for i := range req.Next {
		if failed != nil {
			res = append(res, fill(carried(&req.Next[i]), failed)...)
			continue
		}
		res = append(res, s.exchange(ctx, recs, &req.Next[i], depth+1)...)
	}
	return res
}

// carried lists the records a request and its Next carry.
func carried(req *destination.Request) []int {
	out := append([]int(nil), req.Records...)
	for i := range req.Next {
		out = append(out, carried(&req.Next[i])...)
	}
	return out
}

// exchangeOne sends one request (not its Next).
func (s *Sender) exchangeOne(ctx context.Context, recs []record.Record, req *destination.Request, depth int) []result {
	if req.Err != nil {
		return fill(req.Records, &EncodeError{Err: req.Err})
	}
	err := s.client.Do(ctx, req.Method, req.URL, req.Body)
	var se *StatusError
	if err == nil || !errors.As(err, &se) || depth >= maxDepth {
		return fill(req.Records, err)
	}
	v := s.dest.Refused(recs, req, se.StatusCode, []byte(se.Body))
	switch {
	case v.Delivered:
		return fill(req.Records, nil)
	case len(v.Then) > 0:
		var res []result
		for i := range v.Then {
			res = append(res, s.exchange(ctx, recs, &v.Then[i], depth+1)...)
		}
		return res
	case se.StatusCode != http.StatusRequestEntityTooLarge:
		return fill(req.Records, err)
	case len(req.Records) > 1:
		half := len(req.Records) / 2
		res := s.subset(ctx, recs, req.Records[:half], depth)
		return append(res, s.subset(ctx, recs, req.Records[half:], depth)...)
	case len(req.Body) > ShrinkTarget:
		shrunk, _ := recs[req.Records[0]].Shrink(ShrinkTarget)
		s.metrics.Shrunk(ctx)
		return s.encodeAndSend(ctx, []record.Record{shrunk}, req.Records, depth)
	}
	return fill(req.Records, err)
}

// subset encodes the records idxs of recs anew and sends them one request after the other.
func (s *Sender) subset(ctx context.Context, recs []record.Record, idxs []int, depth int) []result {
	sub := make([]record.Record, len(idxs))
	for k, i := range idxs {
		sub[k] = recs[i]
	}
	return s.encodeAndSend(ctx, sub, idxs, depth)
}

// encodeAndSend encodes sub (the records idxs of the batch) and sends its requests in
// turn; the outcomes come back indexed in the batch.
func (s *Sender) encodeAndSend(ctx context.Context, sub []record.Record, idxs []int, depth int) []result {
	var res []result
	for _, r := range s.dest.Encode(sub) {
		if err := ctx.Err(); err != nil {
			res = append(res, fill(carried(&r), err)...)
			continue
		}
		res = append(res, s.exchange(ctx, sub, &r, depth+1)...)
	}
	for k := range res {
		res[k].i = idxs[res[k].i]
	}
	return res
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

// EncodeError is a record the destination cannot take (an id too long for it, …): it was
// not sent, and sending it again would not help.
type EncodeError struct{ Err error }

func (e *EncodeError) Error() string { return e.Err.Error() }
func (e *EncodeError) Unwrap() error { return e.Err }

// Temporary reports false: the same record is refused the same way every time.
func (e *EncodeError) Temporary() bool { return false }

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
