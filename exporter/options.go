package exporter

import (
	"crypto/tls"
	"log/slog"
	"maps"
	"net/http"
	"time"

	"github.com/tracebridge/tracebridge/exporter/internal/config"
	"github.com/tracebridge/tracebridge/internal/transport"
)

// Option configures an Exporter. Options win over environment variables.
type Option interface {
	apply(*config.Config)
}

type optionFunc func(*config.Config)

func (f optionFunc) apply(c *config.Config) { f(c) }

// WithEndpoint sets the trace API's base URL, such as "https://api-prod.neuraltrust.ai" or
// "http://127.0.0.1:8400". A trailing "/v1" is accepted; records go to {base}/v1/trace.
// Default: $NEURALTRUST_BASE_URL, else https://api-prod.neuraltrust.ai.
func WithEndpoint(baseURL string) Option {
	return optionFunc(func(c *config.Config) { c.BaseURL = baseURL })
}

// WithAPIKey sets the API key, sent as the "token" header. Default: $NEURALTRUST_API_KEY.
func WithAPIKey(key string) Option {
	return optionFunc(func(c *config.Config) { c.APIKey = key })
}

// WithHTTPClient sends requests through client: its transport (TLS, proxy, pooling) is used
// as it is. The exporter works on a copy and sets the copy's Timeout only when the client has
// none. Size its idle-connection pool to the concurrency for keep-alive to hold.
func WithHTTPClient(client *http.Client) Option {
	return optionFunc(func(c *config.Config) { c.HTTPClient = client })
}

// WithTLSClientConfig sets the TLS configuration of the built-in transport (custom CA,
// client certificates). It does not apply to a client given by WithHTTPClient.
func WithTLSClientConfig(t *tls.Config) Option {
	return optionFunc(func(c *config.Config) { c.TLS = t.Clone() })
}

// WithTimeout bounds each HTTP attempt. Default: $TRACEBRIDGE_TIMEOUT, else 10s.
func WithTimeout(d time.Duration) Option {
	return optionFunc(func(c *config.Config) { c.Timeout = d })
}

// RetryConfig says how a record that got a transient failure is retried: 429, 500, 502, 503,
// 504 and network errors are retried with exponential backoff (jittered) from
// InitialInterval up to MaxInterval, honouring Retry-After (capped at MaxInterval), until
// MaxElapsedTime has passed since the first attempt or the export context ends, whichever
// comes first. Other answers are final.
type RetryConfig struct {
	Enabled         bool
	InitialInterval time.Duration
	MaxInterval     time.Duration
	MaxElapsedTime  time.Duration
}

// DefaultRetryConfig is used when WithRetry is not given: enabled, 500ms initial, 30s max
// interval, 1 minute budget per record.
var DefaultRetryConfig = RetryConfig(transport.DefaultRetry)

// WithRetry sets the retry behaviour.
func WithRetry(rc RetryConfig) Option {
	return optionFunc(func(c *config.Config) { c.Retry = transport.RetryConfig(rc) })
}

// WithConcurrency sets how many requests are in flight at once across all exports. The v1
// API takes one record per request, so this is the main throughput setting. Default:
// $TRACEBRIDGE_CONCURRENCY, else 32.
func WithConcurrency(n int) Option {
	return optionFunc(func(c *config.Config) { c.Concurrency = n })
}

// WithHeaders adds headers to every request. They are never logged.
// Default: $TRACEBRIDGE_HEADERS.
func WithHeaders(h map[string]string) Option {
	return optionFunc(func(c *config.Config) {
		if c.Headers == nil {
			c.Headers = map[string]string{}
		}
		maps.Copy(c.Headers, h)
	})
}

// WithLogger sets the logger for delivery failures (warn) and per-request detail (debug).
// Default: slog.Default(). The API key, headers and record content are never logged.
func WithLogger(l *slog.Logger) Option {
	return optionFunc(func(c *config.Config) { c.Logger = l })
}

// WithKeepAllSpans makes every span a record (spans with no LLM meaning become "event"
// records) instead of only LLM steps and each trace's message.
func WithKeepAllSpans(keep bool) Option {
	return optionFunc(func(c *config.Config) { c.Mapping.KeepAllSpans = keep })
}
