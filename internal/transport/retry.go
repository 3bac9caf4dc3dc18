package transport

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// RetryConfig says how failed requests are retried.
type RetryConfig struct {
	// Enabled turns retries on. Without it every request is tried once.
	Enabled bool
	// InitialInterval is the wait after the first failure; it doubles up to MaxInterval.
	InitialInterval time.Duration
	// MaxInterval caps one wait, including a server's Retry-After.
	MaxInterval time.Duration
	// MaxElapsedTime is the budget for one record, first attempt included; the export
	// context's deadline bounds it too. Zero means only the context bounds it.
	MaxElapsedTime time.Duration
}

// DefaultRetry is the retry configuration used when none is given.
var DefaultRetry = RetryConfig{
	Enabled:         true,
	InitialInterval: 500 * time.Millisecond,
	MaxInterval:     30 * time.Second,
	MaxElapsedTime:  time.Minute,
}

// Retryable reports whether an answer is worth another attempt: 429 and the transient 5xx
// codes (502, 503, 504, and 500 as the vendor SDKs do), and network errors other than
// certificate, scheme and redirect failures.
func Retryable(resp *http.Response, err error) bool {
	if err != nil {
		var verifyErr *tls.CertificateVerificationError
		var authErr x509.UnknownAuthorityError
		var hostErr x509.HostnameError
		var invalidErr x509.CertificateInvalidError
		var urlErr *url.Error
		switch {
		case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded) && !isTimeout(err):
			return false
		case errors.As(err, &verifyErr), errors.As(err, &authErr), errors.As(err, &hostErr), errors.As(err, &invalidErr):
			// A certificate that does not verify will not verify on the next attempt either.
			return false
		case errors.As(err, &urlErr) && (strings.Contains(urlErr.Error(), "unsupported protocol scheme") || strings.Contains(urlErr.Error(), "stopped after")):
			return false
		}
		return true
	}
	return RetryableStatus(resp.StatusCode)
}

// RetryableStatus reports whether an HTTP status is transient.
func RetryableStatus(code int) bool {
	switch code {
	case http.StatusTooManyRequests, http.StatusInternalServerError, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

func isTimeout(err error) bool {
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// RetryAfter reads a Retry-After header in seconds or as an HTTP date.
func RetryAfter(resp *http.Response) (time.Duration, bool) {
	if resp == nil {
		return 0, false
	}
	v := resp.Header.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if s, err := strconv.Atoi(strings.TrimSpace(v)); err == nil && s >= 0 {
		return time.Duration(s) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := time.Until(t)
		if d < 0 {
			d = 0
		}
		return d, true
	}
	return 0, false
}

// wait is the pause before retry attempt n (0-based) after resp: Retry-After when the
// server sent one, else exponential from InitialInterval; both capped at MaxInterval.
func (c RetryConfig) wait(n int, resp *http.Response) time.Duration {
	if d, ok := RetryAfter(resp); ok {
		return min(d, c.MaxInterval)
	}
	d := c.InitialInterval
	for i := 0; i < n && d < c.MaxInterval; i++ {
		d *= 2
	}
	return min(d, c.MaxInterval)
}

// jitter spreads waits over [d/2, d] so that many workers retrying together do not hit the
// server in step. A server's Retry-After is honoured as given.
func jitter(d time.Duration, resp *http.Response) time.Duration {
	if _, ok := RetryAfter(resp); ok || d <= 0 {
		return d
	}
	return d/2 + rand.N(d/2+1)
}
