package traceapi

import (
	"fmt"
	"math/rand/v2"
	"net"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
)

// Faults makes the server misbehave on purpose, on ingestion requests only (reads such as
// GET /v1/records stay reliable so that tests can check what arrived). Every draw comes
// from one generator seeded with Seed, so a run is reproducible up to goroutine scheduling.
type Faults struct {
	// FailRate is the fraction of requests answered 503 without being stored.
	FailRate float64
	// ThrottleRate is the fraction of requests answered 429 with Retry-After, not stored.
	ThrottleRate float64
	// RetryAfter is the Retry-After sent with every 429 (rounded up to whole seconds;
	// default 1s).
	RetryAfter time.Duration
	// ResetRate is the fraction of requests whose connection is reset (TCP RST) instead of
	// answered. Half of them are reset after the record was stored, so a client that
	// retries sends a duplicate, as over a real network.
	ResetRate float64
	// Latency is added before each request is handled, plus a uniform random extra in
	// [0, LatencyJitter).
	Latency, LatencyJitter time.Duration
	// ThrottleEvery and ThrottleWindow open a rate-limit window: every ThrottleEvery, for
	// ThrottleWindow, every request gets 429 with Retry-After.
	ThrottleEvery, ThrottleWindow time.Duration
	// Seed seeds the generator; 0 picks 1.
	Seed uint64
}

func (f Faults) active() bool {
	return f.FailRate > 0 || f.ThrottleRate > 0 || f.ResetRate > 0 || f.Latency > 0 || f.LatencyJitter > 0 ||
		(f.ThrottleEvery > 0 && f.ThrottleWindow > 0)
}

func (f Faults) validate() error {
	for name, r := range map[string]float64{"fail rate": f.FailRate, "throttle rate": f.ThrottleRate, "reset rate": f.ResetRate} {
		if r < 0 || r > 1 {
			return fmt.Errorf("traceapi: %s must be within [0, 1], got %v", name, r)
		}
	}
	if f.FailRate+f.ThrottleRate+f.ResetRate > 1 {
		return fmt.Errorf("traceapi: fail, throttle and reset rates add up to more than 1")
	}
	if f.Latency < 0 || f.LatencyJitter < 0 || f.RetryAfter < 0 || f.ThrottleEvery < 0 || f.ThrottleWindow < 0 {
		return fmt.Errorf("traceapi: fault durations must not be negative")
	}
	if f.ThrottleWindow > 0 && f.ThrottleEvery > 0 && f.ThrottleWindow >= f.ThrottleEvery {
		return fmt.Errorf("traceapi: throttle window (%v) must be shorter than its period (%v)", f.ThrottleWindow, f.ThrottleEvery)
	}
	return nil
}

// FaultStats count the faults injected.
type FaultStats struct {
	Failed           int64 `json:"failed"`
	Throttled        int64 `json:"throttled"`
	Reset            int64 `json:"reset"`
	ResetAfterStored int64 `json:"reset_after_stored"`
}

// faultInjector wraps the ingestion handlers.
type faultInjector struct {
	cfg   Faults
	start time.Time
	mu    sync.Mutex
	rng   *rand.Rand

	failed, throttled, reset, resetStored atomic.Int64
}

func newFaultInjector(f Faults) *faultInjector {
	if f.Seed == 0 {
		f.Seed = 1
	}
	if f.RetryAfter == 0 {
		f.RetryAfter = time.Second
	}
	return &faultInjector{cfg: f, start: time.Now(), rng: rand.New(rand.NewPCG(f.Seed, f.Seed^0x9e3779b97f4a7c15))}
}

type faultKind int

const (
	faultNone faultKind = iota
	faultFail
	faultThrottle
	faultReset
	faultResetAfterStore
)

// draw decides one request's fate and its extra latency.
func (fi *faultInjector) draw(now time.Time) (faultKind, time.Duration) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	delay := fi.cfg.Latency
	if fi.cfg.LatencyJitter > 0 {
		delay += time.Duration(fi.rng.Int64N(int64(fi.cfg.LatencyJitter)))
	}
	if fi.cfg.ThrottleEvery > 0 && fi.cfg.ThrottleWindow > 0 {
		// Windows open at the end of each period, so a run starts outside one.
		if into := now.Sub(fi.start) % fi.cfg.ThrottleEvery; into >= fi.cfg.ThrottleEvery-fi.cfg.ThrottleWindow {
			return faultThrottle, delay
		}
	}
	x := fi.rng.Float64()
	switch {
	case x < fi.cfg.FailRate:
		return faultFail, delay
	case x < fi.cfg.FailRate+fi.cfg.ThrottleRate:
		return faultThrottle, delay
	case x < fi.cfg.FailRate+fi.cfg.ThrottleRate+fi.cfg.ResetRate/2:
		return faultReset, delay
	case x < fi.cfg.FailRate+fi.cfg.ThrottleRate+fi.cfg.ResetRate:
		return faultResetAfterStore, delay
	}
	return faultNone, delay
}

func (fi *faultInjector) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		kind, delay := fi.draw(time.Now())
		if delay > 0 {
			t := time.NewTimer(delay)
			select {
			case <-t.C:
			case <-r.Context().Done():
				t.Stop()
				return
			}
		}
		switch kind {
		case faultFail:
			fi.failed.Add(1)
			writeError(w, http.StatusServiceUnavailable, "injected fault: service unavailable")
		case faultThrottle:
			fi.throttled.Add(1)
			secs := int((fi.cfg.RetryAfter + time.Second - 1) / time.Second)
			w.Header().Set("Retry-After", strconv.Itoa(secs))
			writeError(w, http.StatusTooManyRequests, "injected fault: rate limited")
		case faultReset:
			fi.reset.Add(1)
			resetConn(w)
		case faultResetAfterStore:
			fi.resetStored.Add(1)
			h.ServeHTTP(discardWriter{header: http.Header{}}, r)
			resetConn(w)
		default:
			h.ServeHTTP(w, r)
		}
	})
}

func (fi *faultInjector) stats() FaultStats {
	return FaultStats{Failed: fi.failed.Load(), Throttled: fi.throttled.Load(), Reset: fi.reset.Load(), ResetAfterStored: fi.resetStored.Load()}
}

// resetConn aborts the connection with a TCP RST, as a crashed proxy or a broken network
// does: the client sees a reset, not an answer.
func resetConn(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		// Not hijackable (HTTP/2): the closest is an abrupt end of the handler.
		panic(http.ErrAbortHandler)
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// discardWriter lets a handler run to completion when its answer will never be sent.
type discardWriter struct{ header http.Header }

func (d discardWriter) Header() http.Header         { return d.header }
func (d discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (d discardWriter) WriteHeader(int)             {}
