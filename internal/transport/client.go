package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"sync/atomic"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/tracebridge/tracebridge/internal/telemetry"
)

// maxResponseBody caps how much of an answer is read: enough for an error message.
const maxResponseBody = 64 << 10

// Config configures a Client.
type Config struct {
	// URL is the address Post sends to; a Sender with no destination posts v1 records there.
	URL string
	// Header is sent with every request (authentication included). It is never logged.
	Header http.Header
	// HTTPClient does the requests; its Transport decides TLS, proxies and pooling.
	HTTPClient *http.Client
	Retry      RetryConfig
	Logger     *slog.Logger
	// Metrics records each attempt and retry; nil records nothing.
	Metrics *telemetry.Metrics
}

// Client sends requests to a trace API: Post to its one URL, Do to any.
type Client struct {
	url     string
	header  http.Header // shared by every request: never modified after New
	retry   RetryConfig
	rc      *retryablehttp.Client
	metrics *telemetry.Metrics
	// pausedUntil (unix nanoseconds) holds every request back after the API answered 429
	// with Retry-After: the limit is the API's, so all workers wait, not only the one told.
	pausedUntil atomic.Int64
}

// New returns a Client. It never modifies cfg.HTTPClient.
func New(cfg Config) *Client {
	logger := cfg.Logger
	if logger == nil {
		logger = slog.New(slog.DiscardHandler)
	}
	// Every request carries the same header, so it is built once and shared: net/http
	// copies a request's header before changing it, and nothing here changes it.
	header := cfg.Header.Clone()
	if header == nil {
		header = http.Header{}
	}
	header.Set("Content-Type", "application/json")
	c := &Client{url: cfg.URL, header: header, retry: cfg.Retry, metrics: cfg.Metrics}
	rc := &retryablehttp.Client{
		HTTPClient: cfg.HTTPClient,
		// retryablehttp's default logger prints every request to stderr; route it to slog at
		// debug level instead. It only logs redacted URLs, never headers.
		Logger:       retryLogger(logger),
		RetryWaitMin: cfg.Retry.InitialInterval,
		RetryWaitMax: cfg.Retry.MaxInterval,
		// The budget is time, not a count: checkRetry stops when the next wait would
		// overrun it. The count only guards against a zero interval spinning forever.
		RetryMax:   1 << 20,
		CheckRetry: c.checkRetry,
		Backoff:    c.backoff,
		// Without a passthrough handler retryablehttp drops the final response, and with it
		// the status and message the caller needs.
		ErrorHandler: retryablehttp.PassthroughErrorHandler,
		// Called before every attempt, first included: wait out a pause, start the clock.
		RequestLogHook: c.beforeAttempt,
	}
	if !cfg.Retry.Enabled {
		rc.RetryMax = 0
	}
	c.rc = rc
	return c
}

// attempts follows one Post across its retries.
type attempts struct {
	deadline time.Time // zero: none
	n        int
	started  time.Time // of the current attempt
}

// beforeAttempt waits while the API asked every client to hold back, and notes the start
// of the attempt for the duration metric.
func (c *Client) beforeAttempt(_ retryablehttp.Logger, req *http.Request, attempt int) {
	c.waitPause(req.Context())
	if st, _ := req.Context().Value(attemptsKey{}).(*attempts); st != nil {
		st.started = time.Now()
	}
	if attempt > 0 {
		c.metrics.Retried(req.Context())
	}
}

func (c *Client) waitPause(ctx context.Context) {
	until := c.pausedUntil.Load()
	if until == 0 {
		return
	}
	d := time.Until(time.Unix(0, until))
	if d <= 0 {
		return
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
	case <-ctx.Done():
	}
}

// pause holds all requests back for d (capped at the retry's MaxInterval), extending a
// pause already in force but never shortening it.
func (c *Client) pause(d time.Duration) {
	if c.retry.MaxInterval > 0 {
		d = min(d, c.retry.MaxInterval)
	}
	until := time.Now().Add(d).UnixNano()
	for {
		cur := c.pausedUntil.Load()
		if cur >= until || c.pausedUntil.CompareAndSwap(cur, until) {
			return
		}
	}
}

// observe records the outcome of one attempt: its duration, and a pause when the API
// throttles with Retry-After.
func (c *Client) observe(ctx context.Context, resp *http.Response) {
	status := 0
	if resp != nil {
		status = resp.StatusCode
		if status == http.StatusTooManyRequests {
			if d, ok := RetryAfter(resp); ok && d > 0 {
				c.pause(d)
			}
		}
	}
	if st, _ := ctx.Value(attemptsKey{}).(*attempts); st != nil && !st.started.IsZero() {
		c.metrics.Request(ctx, time.Since(st.started), status)
	}
}

type attemptsKey struct{}

func (c *Client) checkRetry(ctx context.Context, resp *http.Response, err error) (bool, error) {
	c.observe(ctx, resp)
	if ctx.Err() != nil || !Retryable(resp, err) {
		return false, nil
	}
	st, _ := ctx.Value(attemptsKey{}).(*attempts)
	if st == nil {
		return true, nil
	}
	next := c.retry.wait(st.n, resp)
	if !st.deadline.IsZero() && time.Now().Add(next).After(st.deadline) {
		return false, nil // the next attempt could not start within the budget
	}
	st.n++
	return true, nil
}

func (c *Client) backoff(_, _ time.Duration, attempt int, resp *http.Response) time.Duration {
	return jitter(c.retry.wait(attempt, resp), resp)
}

// Post sends body to the client's URL and reports the outcome: nil when the API answered
// 2xx, a *StatusError for any other answer, or the network error of the last attempt.
func (c *Client) Post(ctx context.Context, body []byte) error {
	return c.Do(ctx, http.MethodPost, c.url, body)
}

// Do sends one request with the client's header, retries and pause, and reports the
// outcome as Post does.
func (c *Client) Do(ctx context.Context, method, url string, body []byte) (err error) {
	st := &attempts{}
	if c.retry.Enabled && c.retry.MaxElapsedTime > 0 {
		st.deadline = time.Now().Add(c.retry.MaxElapsedTime)
	}
	if d, ok := ctx.Deadline(); ok && (st.deadline.IsZero() || d.Before(st.deadline)) {
		st.deadline = d
	}
	req, err := retryablehttp.NewRequestWithContext(context.WithValue(ctx, attemptsKey{}, st), method, url, body)
	if err != nil {
		return fmt.Errorf("build request: %w", err)
	}
	req.Header = c.header // read-only: see New
	resp, err := c.rc.Do(req)
	if err != nil {
		if ctxErr := ctx.Err(); ctxErr != nil && !errors.Is(err, ctxErr) {
			err = fmt.Errorf("%w (last attempt: %v)", ctxErr, err)
		}
		return &NetworkError{Attempts: st.n + 1, Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		// Nothing in an acceptance is needed: drain it (bounded) so that the connection
		// goes back to the pool, without keeping a copy.
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
		return nil
	}
	msg, _ := io.ReadAll(io.LimitReader(resp.Body, maxResponseBody))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	e := &StatusError{StatusCode: resp.StatusCode, Body: string(msg), Attempts: st.n + 1}
	e.RetryAfter, _ = RetryAfter(resp)
	return e
}

// URL returns the address Post sends to.
func (c *Client) URL() string { return c.url }

// CloseIdleConnections closes kept-alive connections that are not in use.
func (c *Client) CloseIdleConnections() {
	if c.rc.HTTPClient != nil {
		c.rc.HTTPClient.CloseIdleConnections()
	}
}

// StatusError is a non-2xx answer from the API.
type StatusError struct {
	StatusCode int
	Body       string // up to 64 KiB of the answer
	RetryAfter time.Duration
	Attempts   int
}

func (e *StatusError) Error() string {
	s := fmt.Sprintf("HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	if e.Body != "" {
		body := e.Body
		if len(body) > 512 {
			body = body[:512] + "…"
		}
		s += ": " + body
	}
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return s
}

// Temporary reports whether a later attempt may succeed.
func (e *StatusError) Temporary() bool { return RetryableStatus(e.StatusCode) }

// NetworkError is a request that got no answer.
type NetworkError struct {
	Attempts int
	Err      error
}

func (e *NetworkError) Error() string {
	if e.Attempts > 1 {
		return fmt.Sprintf("%v (after %d attempts)", e.Err, e.Attempts)
	}
	return e.Err.Error()
}

func (e *NetworkError) Unwrap() error { return e.Err }

// Temporary reports whether a later attempt may succeed.
func (e *NetworkError) Temporary() bool { return Retryable(nil, e.Err) }

// retryLogger is retryablehttp's logger: nil unless debug logging is on, because
// retryablehttp formats its arguments (the request URL among them) for every request
// whether the line is kept or not.
func retryLogger(l *slog.Logger) any {
	if !l.Enabled(context.Background(), slog.LevelDebug) {
		return nil
	}
	return slogAdapter{l}
}

// slogAdapter is a retryablehttp.LeveledLogger writing to slog at debug level: each retry
// is routine, and the caller logs the final outcome.
type slogAdapter struct{ l *slog.Logger }

func (a slogAdapter) Error(msg string, kv ...any) { a.l.Debug("retryablehttp: "+msg, kv...) }
func (a slogAdapter) Info(msg string, kv ...any)  { a.l.Debug("retryablehttp: "+msg, kv...) }
func (a slogAdapter) Debug(msg string, kv ...any) { a.l.Debug("retryablehttp: "+msg, kv...) }
func (a slogAdapter) Warn(msg string, kv ...any)  { a.l.Debug("retryablehttp: "+msg, kv...) }
