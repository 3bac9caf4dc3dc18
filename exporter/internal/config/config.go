// Package config resolves the exporter's settings: defaults, then environment variables,
// then options, and validates the result.
package config

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"go.opentelemetry.io/otel/metric"

	"github.com/tracebridge/tracebridge/internal/destination"
	"github.com/tracebridge/tracebridge/internal/endpoint"
	"github.com/tracebridge/tracebridge/internal/transport"
	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/semconv"
)

// Defaults.
const (
	DefaultBaseURL     = "https://api-prod.neuraltrust.ai" // of the default destination, NeuralTrust
	DefaultTimeout     = 10 * time.Second
	DefaultConcurrency = 32
	TracePath          = endpoint.TracePath
)

// Environment variables read by FromEnv. Each destination has its own key, base URL and
// project variables (destination.Spec); only the chosen destination's are used.
const (
	EnvDestination       = "TRACEBRIDGE_DESTINATION"
	EnvAPIKey            = "NEURALTRUST_API_KEY"
	EnvBaseURL           = "NEURALTRUST_BASE_URL"
	EnvTimeout           = "TRACEBRIDGE_TIMEOUT"
	EnvConcurrency       = "TRACEBRIDGE_CONCURRENCY"
	EnvHeaders           = "TRACEBRIDGE_HEADERS"
	EnvCertificate       = "TRACEBRIDGE_CERTIFICATE"
	EnvClientCertificate = "TRACEBRIDGE_CLIENT_CERTIFICATE"
	EnvClientKey         = "TRACEBRIDGE_CLIENT_KEY"
	EnvInsecure          = "TRACEBRIDGE_INSECURE"
	EnvCaptureContent    = "TRACEBRIDGE_CAPTURE_CONTENT"
	EnvMaxRecordBytes    = "TRACEBRIDGE_MAX_RECORD_BYTES"
)

// DefaultMaxRecordBytes bounds one record's body: longer fields are cut (with a visible
// marker) before sending. The v1 API's limit is not published.
const DefaultMaxRecordBytes = 1 << 20

// Secret is a credential: it formats as [REDACTED] wherever it is printed (%v, %s, %+v,
// %#v, slog), so a config struct in a log line or panic never shows it.
type Secret string

func (Secret) String() string   { return "[REDACTED]" }
func (Secret) GoString() string { return `"[REDACTED]"` }

// LogValue implements slog.LogValuer.
func (Secret) LogValue() slog.Value { return slog.StringValue("[REDACTED]") }

// MarshalText keeps the secret out of JSON, YAML and other encodings as well.
func (Secret) MarshalText() ([]byte, error) { return []byte("[REDACTED]"), nil }

// Config is the resolved exporter configuration.
type Config struct {
	// Destination names the trace API (destination.Names); "" is NeuralTrust v1.
	Destination string
	// BaseURL, APIKey and ProjectID are the destination's; when an option leaves one empty,
	// Resolve takes it from the destination's environment variable, then its default.
	BaseURL     string
	APIKey      Secret
	ProjectID   string
	Headers     map[string]string
	HTTPClient  *http.Client // used as given when set (its transport keeps its TLS and proxy)
	TLS         *tls.Config  // for the built-in transport only
	Timeout     time.Duration
	Retry       transport.RetryConfig
	Concurrency int
	Logger      *slog.Logger
	Mapping     semconv.Options
	// Insecure allows plain http:// to a host that is not loopback.
	Insecure bool
	// CaptureContent sends inputs, outputs, custom data and feedback text; false strips
	// them from every record before any encoding.
	CaptureContent bool
	// Redact, when set, may change each record before it is encoded.
	Redact         func(*record.Record)
	MaxRecordBytes int
	MeterProvider  metric.MeterProvider

	// env holds the destinations' own variables, read by FromEnv and used by Resolve once
	// the destination is known (an option may choose it after the environment was read).
	env map[string]string
}

// Default returns the configuration before environment and options.
func Default() Config {
	return Config{
		Timeout:     DefaultTimeout,
		Retry:       transport.DefaultRetry,
		Concurrency: DefaultConcurrency,

		CaptureContent: true,
		MaxRecordBytes: DefaultMaxRecordBytes,
	}
}

// FromEnv applies the environment to c. A malformed value is an error naming the variable;
// the API key's value never appears in one.
func (c *Config) FromEnv(getenv func(string) string) error {
	var errs []error
	if v := strings.TrimSpace(getenv(EnvDestination)); v != "" {
		if err := destination.CheckName(v); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", EnvDestination, err))
		} else {
			c.Destination = v
		}
	}
	for _, name := range destination.Names {
		spec, _ := destination.Lookup(name)
		for _, k := range []string{spec.EnvAPIKey, spec.EnvBaseURL, spec.EnvProjectID} {
			if v := getenv(k); k != "" && v != "" {
				if c.env == nil {
					c.env = map[string]string{}
				}
				c.env[k] = v
			}
		}
	}
	if v := getenv(EnvTimeout); v != "" {
		d, err := ParseDuration(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", EnvTimeout, err))
		}
		c.Timeout = d
	}
	if v := getenv(EnvConcurrency); v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1 {
			errs = append(errs, fmt.Errorf("%s: want a positive integer, got %q", EnvConcurrency, v))
		} else {
			c.Concurrency = n
		}
	}
	if v := getenv(EnvHeaders); v != "" {
		h, err := ParseHeaders(v)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", EnvHeaders, err))
		}
		if c.Headers == nil {
			c.Headers = map[string]string{}
		}
		for k, val := range h {
			c.Headers[k] = val
		}
	}
	for name, dst := range map[string]*bool{EnvInsecure: &c.Insecure, EnvCaptureContent: &c.CaptureContent} {
		if v := getenv(name); v != "" {
			b, err := strconv.ParseBool(strings.TrimSpace(v))
			if err != nil {
				errs = append(errs, fmt.Errorf("%s: want true or false, got %q", name, v))
			}
			*dst = b
		}
	}
	if v := getenv(EnvMaxRecordBytes); v != "" {
		n, err := strconv.Atoi(strings.TrimSpace(v))
		if err != nil || n < 1024 {
			errs = append(errs, fmt.Errorf("%s: want a number of bytes of at least 1024, got %q", EnvMaxRecordBytes, v))
		} else {
			c.MaxRecordBytes = n
		}
	}
	ca, cert, key := getenv(EnvCertificate), getenv(EnvClientCertificate), getenv(EnvClientKey)
	if ca != "" || cert != "" || key != "" {
		t, err := tlsFromFiles(ca, cert, key)
		if err != nil {
			errs = append(errs, err)
		}
		c.TLS = t
	}
	return errors.Join(errs...)
}

// ParseDuration reads a Go duration ("10s") or a number of milliseconds ("10000").
func ParseDuration(v string) (time.Duration, error) {
	v = strings.TrimSpace(v)
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil && ms > 0 {
		return time.Duration(ms) * time.Millisecond, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("want a positive duration such as 10s or milliseconds, got %q", v)
	}
	return d, nil
}

// ParseHeaders reads "k1=v1,k2=v2" with URL-encoded values, as OTEL_EXPORTER_OTLP_HEADERS.
func ParseHeaders(v string) (map[string]string, error) {
	h := map[string]string{}
	for _, pair := range strings.Split(v, ",") {
		if strings.TrimSpace(pair) == "" {
			continue
		}
		k, val, ok := strings.Cut(pair, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			// Say which entry, but not its value: it may be a credential.
			return nil, fmt.Errorf("entry %q is not key=value", k)
		}
		dec, err := url.PathUnescape(strings.TrimSpace(val))
		if err != nil {
			return nil, fmt.Errorf("value of %q is not URL-encoded", k)
		}
		h[k] = dec
	}
	return h, nil
}

func tlsFromFiles(ca, cert, key string) (*tls.Config, error) {
	t := &tls.Config{MinVersion: tls.VersionTLS12}
	if ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", EnvCertificate, err)
		}
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(pem) {
			return nil, fmt.Errorf("%s: %s holds no PEM certificate", EnvCertificate, ca)
		}
		t.RootCAs = pool
	}
	if (cert == "") != (key == "") {
		return nil, fmt.Errorf("%s and %s go together", EnvClientCertificate, EnvClientKey)
	}
	if cert != "" {
		pair, err := tls.LoadX509KeyPair(cert, key)
		if err != nil {
			return nil, fmt.Errorf("%s/%s: %w", EnvClientCertificate, EnvClientKey, err)
		}
		t.Certificates = []tls.Certificate{pair}
	}
	return t, nil
}

// Resolve fills what options left empty from the chosen destination's environment
// variables, then its defaults. Call it after the options, before Validate.
func (c *Config) Resolve() {
	spec, ok := destination.Lookup(c.Destination)
	if !ok {
		return // Validate reports it
	}
	c.Destination = spec.Name
	if c.BaseURL == "" {
		c.BaseURL = c.env[spec.EnvBaseURL]
	}
	if c.APIKey == "" {
		c.APIKey = Secret(c.env[spec.EnvAPIKey])
	}
	if c.ProjectID == "" && spec.EnvProjectID != "" {
		c.ProjectID = c.env[spec.EnvProjectID]
	}
}

// Validate checks the resolved configuration. A missing setting is named by its
// environment variable and its option.
func (c *Config) Validate() error {
	var errs []error
	if spec, ok := destination.Lookup(c.Destination); !ok {
		errs = append(errs, fmt.Errorf("destination: %w", destination.CheckName(c.Destination)))
	} else {
		if _, err := c.Build(); err != nil {
			errs = append(errs, err)
		}
		if spec.RequiresAPIKey && c.APIKey == "" {
			errs = append(errs, fmt.Errorf("%s: the API key is missing: set %s or use WithAPIKey", spec.Name, spec.EnvAPIKey))
		}
		if spec.RequiresProject && c.ProjectID == "" {
			errs = append(errs, fmt.Errorf("%s: the project id is missing: set %s or pass it to exporter.%s(projectID)", spec.Name, spec.EnvProjectID, optionName(spec.Name)))
		}
	}
	if c.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("timeout must be positive, got %v", c.Timeout))
	}
	if c.MaxRecordBytes != 0 && c.MaxRecordBytes < 1024 {
		errs = append(errs, fmt.Errorf("max record bytes must be at least 1024, got %d", c.MaxRecordBytes))
	}
	if c.Concurrency < 1 {
		errs = append(errs, fmt.Errorf("concurrency must be at least 1, got %d", c.Concurrency))
	}
	if c.Retry.Enabled {
		if c.Retry.InitialInterval <= 0 || c.Retry.MaxInterval < c.Retry.InitialInterval {
			errs = append(errs, fmt.Errorf("retry: want 0 < initial interval (%v) <= max interval (%v)", c.Retry.InitialInterval, c.Retry.MaxInterval))
		}
		if c.Retry.MaxElapsedTime < 0 {
			errs = append(errs, fmt.Errorf("retry: max elapsed time must not be negative"))
		}
	}
	for k := range c.Headers {
		if k == "" || strings.ContainsAny(k, " \t\r\n:") {
			errs = append(errs, fmt.Errorf("header name %q is not valid", k))
		}
	}
	return errors.Join(errs...)
}

// optionName is the exporter function that selects a destination.
func optionName(name string) string {
	switch name {
	case destination.Adaline:
		return "Adaline"
	case destination.Freeplay:
		return "Freeplay"
	case destination.NeuralTrustBatch:
		return "NeuralTrustBatch"
	}
	return "NeuralTrust"
}

// Build returns the destination the configuration describes. Its errors name the base URL
// or project id at fault and their variable, never the key.
func (c *Config) Build() (destination.Destination, error) {
	spec, ok := destination.Lookup(c.Destination)
	if !ok {
		return nil, destination.CheckName(c.Destination)
	}
	d, err := destination.New(destination.Settings{
		Name: spec.Name, BaseURL: c.BaseURL, ProjectID: c.ProjectID, AllowPlainHTTP: c.Insecure,
	})
	var se *destination.SettingError
	switch {
	case errors.Is(err, endpoint.ErrPlainHTTP):
		return nil, fmt.Errorf("%s: %w or allow it explicitly (WithInsecure, %s=true)", spec.Name, err, EnvInsecure)
	case errors.As(err, &se) && se.Setting == destination.SettingProjectID:
		return nil, fmt.Errorf("%s: %w (%s, exporter.%s(projectID))", spec.Name, err, spec.EnvProjectID, optionName(spec.Name))
	case err != nil:
		return nil, fmt.Errorf("%s: %w (WithEndpoint, %s)", spec.Name, err, spec.EnvBaseURL)
	}
	return d, nil
}

// TraceURL is the address v1 records are posted to: the base URL with a trailing "/v1" (as
// older SDKs take it) or "/" removed, plus /v1/trace.
func (c *Config) TraceURL() (string, error) {
	base := c.BaseURL
	if base == "" {
		base = DefaultBaseURL
	}
	u, err := endpoint.TraceURL(base, c.Insecure)
	if errors.Is(err, endpoint.ErrPlainHTTP) {
		return "", fmt.Errorf("base URL %w or allow it explicitly (WithInsecure, %s=true)", err, EnvInsecure)
	}
	if err != nil {
		return "", fmt.Errorf("base URL %w", err)
	}
	return u, nil
}

// Header is the header sent with every request: the configured headers, then the API key
// in the destination's scheme (the v1 "token" header, else "Authorization: Bearer").
func (c *Config) Header() http.Header {
	h := http.Header{}
	for k, v := range c.Headers {
		h.Set(k, v)
	}
	for k, v := range destination.Header(c.Destination, string(c.APIKey)) {
		h[k] = v
	}
	return h
}

// Client is the HTTP client requests go through: the user's (copied, so its Timeout can be
// set without changing theirs), or one on a transport cloned from http.DefaultTransport
// (proxies from the environment, HTTP/2 when the server offers it) with enough idle
// connections per host for the concurrency.
func (c *Config) Client() *http.Client {
	if c.HTTPClient != nil {
		hc := *c.HTTPClient
		if hc.Timeout == 0 {
			hc.Timeout = c.Timeout
		}
		return &hc
	}
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = max(100, 2*c.Concurrency)
	t.MaxIdleConnsPerHost = max(2, c.Concurrency)
	t.DialContext = (&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext
	if c.TLS != nil {
		t.TLSClientConfig = c.TLS.Clone()
	}
	return &http.Client{Transport: t, Timeout: c.Timeout}
}
