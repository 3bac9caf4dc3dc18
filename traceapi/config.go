package traceapi

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// DefaultMaxBodyBytes is the body limit used when Config.MaxBodyBytes is zero. The real API's
// limit is not published; 5 MiB is far above any record the exporter should send.
const DefaultMaxBodyBytes int64 = 5 << 20

// Config configures a Server. The zero value is usable: no token, DuplicateReplace, a 5 MiB
// body limit, a fresh memory store and no logging.
type Config struct {
	// Token, when not empty, must be sent in the "token" header of every /v1/ request
	// (Authorization: Bearer for the other contracts); browsers log in to the viewer with
	// it (see the package documentation).
	Token string
	// OnDuplicate decides what a re-sent trace_id does.
	OnDuplicate DuplicatePolicy
	// MaxBodyBytes limits the body of POST /v1/trace; 0 means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Store holds the records; nil means NewMemoryStore().
	Store Store
	// Logger receives one Debug line per request; nil discards.
	Logger *slog.Logger
	// Faults injects failures, throttling, resets and latency into ingestion, for tests of
	// clients' delivery. The zero value injects nothing.
	Faults Faults
}

// withDefaults checks c and fills in its defaults. Error messages never include the token.
func (c Config) withDefaults() (Config, error) {
	if !c.OnDuplicate.valid() {
		return c, fmt.Errorf("traceapi: invalid duplicate policy %d", int(c.OnDuplicate))
	}
	if c.MaxBodyBytes < 0 {
		return c, fmt.Errorf("traceapi: MaxBodyBytes must not be negative, got %d", c.MaxBodyBytes)
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if err := c.Faults.validate(); err != nil {
		return c, err
	}
	if err := checkToken(c.Token); err != nil {
		return c, err
	}
	if c.Store == nil {
		c.Store = NewMemoryStore()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return c, nil
}

// checkToken refuses tokens that no client could send: HTTP trims the blanks around a header
// value and forbids control characters in it, so such a token would lock every client out.
func checkToken(t string) error {
	if t == "" {
		return nil
	}
	if strings.TrimSpace(t) != t {
		return errors.New("traceapi: token must not start or end with white space")
	}
	for i := 0; i < len(t); i++ {
		if c := t[i]; c < 0x20 || c == 0x7f {
			return errors.New("traceapi: token must not contain control characters")
		}
	}
	return nil
}
