package exporter

import (
	"crypto/tls"
	"log/slog"
	"maps"
	"net/http"
	"time"

	"go.opentelemetry.io/otel/metric"

	"github.com/tracebridge/tracebridge/exporter/internal/config"
	"github.com/tracebridge/tracebridge/internal/transport"
	"github.com/tracebridge/tracebridge/record"
)

// Option configures an Exporter. Options win over environment variables.
type Option interface {
	apply(*config.Config)
}

type optionFunc func(*config.Config)

func (f optionFunc) apply(c *config.Config) { f(c) }

// WithEndpoint sets the destination's base URL, such as "https://api-prod.neuraltrust.ai" or
// "http://127.0.0.1:8400". For NeuralTrust a trailing "/v1" is accepted; records go to
// {base}/v1/trace. Default: $NEURALTRUST_BASE_URL, else https://api-prod.neuraltrust.ai (for
// another destination, its own variable and default: see Destination).
func WithEndpoint(baseURL string) Option {
	return optionFunc(func(c *config.Config) { c.BaseURL = baseURL })
}

// WithAPIKey sets the destination's API key, sent as the "token" header to NeuralTrust v1 and
// as "Authorization: Bearer" to the others. Default: $NEURALTRUST_API_KEY (for another
// destination, its own variable: see Destination).
func WithAPIKey(key string) Option {
	return optionFunc(func(c *config.Config) { c.APIKey = config.Secret(key) })
}

// WithHTTPClient sends requests through client: its transport (TLS, proxy, pooling) is used
// as it is. The exporter works on a copy and sets the copy's Timeout only when the client has
// none. Size its idle-connection pool to the concurrency for keep-alive to hold. Requests
// share one header map, so its RoundTripper must not modify a request (net/http's rule:
// clone it first, as otelhttp's transport does).
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

// WithInsecure allows a plain http:// base URL to a host that is not loopback, which sends
// the API key and the content unencrypted. Without it such a URL is refused (loopback, as
// for a local `tracebridge serve`, is always allowed). Default: $TRACEBRIDGE_INSECURE.
func WithInsecure(allow bool) Option {
	return optionFunc(func(c *config.Config) { c.Insecure = allow })
}

// WithCaptureContent decides whether inputs, outputs, custom data and feedback text leave
// the process. With false they are removed from every record before it is encoded; ids,
// tasks, times, model, usage and status still go. Default: $TRACEBRIDGE_CAPTURE_CONTENT,
// else true.
func WithCaptureContent(capture bool) Option {
	return optionFunc(func(c *config.Config) { c.CaptureContent = capture })
}

// WithRedact sets a hook that may change each record (mask an e-mail address, drop a
// metadata key) after mapping and before encoding, on every delivery path. It must be safe
// for concurrent use.
func WithRedact(redact func(*record.Record)) Option {
	return optionFunc(func(c *config.Config) { c.Redact = redact })
}

// WithMaxRecordBytes bounds one record's encoded size: a longer record has its longest text
// fields cut, each ending with a visible "…[truncated N bytes]" marker, and metadata
// "truncated": true. A record the API refuses with 413 is cut to 32 KiB and tried once more.
// Default: $TRACEBRIDGE_MAX_RECORD_BYTES, else 1 MiB.
func WithMaxRecordBytes(n int) Option {
	return optionFunc(func(c *config.Config) { c.MaxRecordBytes = n })
}

// WithMeterProvider sets where the exporter's metrics go (records sent, failed by reason,
// retries, shrunk records, dropped spans, request duration). Default: the global provider,
// otel.GetMeterProvider().
func WithMeterProvider(mp metric.MeterProvider) Option {
	return optionFunc(func(c *config.Config) { c.MeterProvider = mp })
}
