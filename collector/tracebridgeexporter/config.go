package tracebridgeexporter

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configopaque"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/tracebridge/tracebridge/internal/destination"
	"github.com/tracebridge/tracebridge/internal/endpoint"
)

// Config is the configuration of the tracebridge exporter.
type Config struct {
	// ClientConfig is squashed so that endpoint, headers, timeout, tls, compression, proxy_url
	// and auth read as they do for otlphttp. endpoint is the trace API's base URL.
	ClientConfig confighttp.ClientConfig                                  `mapstructure:",squash"`
	QueueConfig  configoptional.Optional[exporterhelper.QueueBatchConfig] `mapstructure:"sending_queue"`
	RetryConfig  configretry.BackOffConfig                                `mapstructure:"retry_on_failure"`

	// Destination is the trace API records go to: neuraltrust (v1, the default),
	// neuraltrust-batch, adaline or freeplay. The mapping and the delivery are the same for
	// all; the encoding, paths and authentication are the destination's.
	Destination string `mapstructure:"destination"`
	// ProjectID is the project records go to, for adaline (20 to 80 characters) and
	// freeplay (a UUID).
	ProjectID string `mapstructure:"project_id"`

	// APIKey is sent as the destination wants it: the "token" header for neuraltrust,
	// "Authorization: Bearer" for the others. It is opaque: never printed or logged.
	APIKey configopaque.String `mapstructure:"api_key"`
	// APIKeyFromMetadata names a request header (client metadata, with the receiver's
	// include_metadata: true) whose value is the API key of that request's tenant. Requests
	// without it use APIKey.
	APIKeyFromMetadata string `mapstructure:"api_key_from_metadata"`

	// KeepAllSpans sends every span (non-LLM ones as task "event"), not only LLM steps.
	KeepAllSpans bool `mapstructure:"keep_all_spans"`
	// CaptureContent decides whether inputs, outputs, custom data and feedback text leave
	// the collector; without them, ids, tasks, times, model, usage and status still go.
	CaptureContent bool `mapstructure:"capture_content"`
	// Linger is how long a trace's spans are remembered after they were sent, so that a
	// later batch of the same trace is mapped with them (one message, right parents).
	Linger time.Duration `mapstructure:"linger"`
	// MaxBufferedSpans and MaxBufferedBytes bound the spans remembered per API key, in
	// number and approximate size.
	MaxBufferedSpans int   `mapstructure:"max_buffered_spans"`
	MaxBufferedBytes int64 `mapstructure:"max_buffered_bytes"`
	// Concurrency is the number of requests in flight at once per API key.
	Concurrency int `mapstructure:"concurrency"`
	// MaxRecordBytes bounds one record's body; longer fields are cut before sending.
	MaxRecordBytes int `mapstructure:"max_record_bytes"`

	// prevent unkeyed literal initialization
	_ struct{}
}

var _ component.Config = (*Config)(nil)

// Validate checks the configuration. Each message starts with the key it is about; none
// shows the API key.
func (cfg *Config) Validate() error {
	var errs []error
	spec, known := destination.Lookup(cfg.Destination)
	if !known {
		errs = append(errs, fmt.Errorf("destination: %w", destination.CheckName(cfg.Destination)))
	}
	if strings.TrimSpace(cfg.ClientConfig.Endpoint) == "" {
		example := "https://api-prod.neuraltrust.ai or http://127.0.0.1:8400"
		if known && spec.Name != destination.NeuralTrust {
			example = spec.DefaultBaseURL + " or http://127.0.0.1:8400"
		}
		errs = append(errs, fmt.Errorf("endpoint: required: the trace API's base URL, such as %s", example))
	} else if known {
		if _, err := cfg.destination(); err != nil {
			errs = append(errs, err)
		}
	}
	if known {
		switch {
		case spec.RequiresProject && cfg.ProjectID == "":
			errs = append(errs, fmt.Errorf("project_id: required for destination %s (%s)", spec.Name, projectHint(spec.Name)))
		case !spec.RequiresProject && cfg.ProjectID != "":
			errs = append(errs, fmt.Errorf("project_id: not used by destination %s; remove it or choose adaline or freeplay", spec.Name))
		}
		if spec.RequiresAPIKey && cfg.APIKey == "" && cfg.APIKeyFromMetadata == "" {
			errs = append(errs, fmt.Errorf("api_key: required for destination %s (or api_key_from_metadata)", spec.Name))
		}
	}
	if cfg.ClientConfig.Timeout <= 0 {
		errs = append(errs, fmt.Errorf("timeout: must be positive (a request without one can hang a batch), got %v", cfg.ClientConfig.Timeout))
	}
	if cfg.Concurrency < 1 {
		errs = append(errs, fmt.Errorf("concurrency: must be at least 1, got %d", cfg.Concurrency))
	}
	if cfg.Linger < 0 {
		errs = append(errs, fmt.Errorf("linger: must not be negative, got %v", cfg.Linger))
	}
	if cfg.MaxBufferedSpans < 0 {
		errs = append(errs, fmt.Errorf("max_buffered_spans: must not be negative, got %d", cfg.MaxBufferedSpans))
	}
	if cfg.MaxBufferedBytes < 0 {
		errs = append(errs, fmt.Errorf("max_buffered_bytes: must not be negative, got %d", cfg.MaxBufferedBytes))
	}
	if cfg.MaxRecordBytes != 0 && cfg.MaxRecordBytes < 1024 {
		errs = append(errs, fmt.Errorf("max_record_bytes: must be 0 (no limit) or at least 1024, got %d", cfg.MaxRecordBytes))
	}
	if strings.ContainsAny(string(cfg.APIKey), "\r\n\x00") {
		errs = append(errs, errors.New("api_key: must not contain line breaks or NUL"))
	}
	if k := cfg.APIKeyFromMetadata; k != "" {
		if strings.ContainsAny(k, " \t\r\n:") {
			errs = append(errs, fmt.Errorf("api_key_from_metadata: %q is not a header name", k))
		} else if err := cfg.checkPartition(k); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// checkPartition refuses a queue that batches requests of several tenants together: the
// merged batch would go out under one tenant's key.
func (cfg *Config) checkPartition(key string) error {
	if !cfg.QueueConfig.HasValue() {
		return nil
	}
	q := cfg.QueueConfig.Get()
	if !q.Batch.HasValue() {
		return nil
	}
	for _, k := range q.Batch.Get().Partition.MetadataKeys {
		if strings.EqualFold(k, key) {
			return nil
		}
	}
	return fmt.Errorf("sending_queue::batch::partition::metadata_keys: must include %q (api_key_from_metadata), or a batch could mix tenants and go out under one key", key)
}

// projectHint says what a destination's project id looks like.
func projectHint(name string) string {
	if name == destination.Freeplay {
		return "the Freeplay project's UUID"
	}
	return fmt.Sprintf("the Adaline project id, %d to %d characters", destination.AdalineMinProjectID, destination.AdalineMaxProjectID)
}

// destination builds the configured destination. Plain http:// to a host that is not
// loopback needs tls.insecure: true; other errors name the key at fault.
func (cfg *Config) destination() (destination.Destination, error) {
	d, err := destination.New(destination.Settings{
		Name: cfg.Destination, BaseURL: cfg.ClientConfig.Endpoint, ProjectID: cfg.ProjectID,
		AllowPlainHTTP: cfg.ClientConfig.TLS.Insecure,
	})
	var se *destination.SettingError
	switch {
	case errors.Is(err, endpoint.ErrPlainHTTP):
		return nil, fmt.Errorf("endpoint: %w or set tls::insecure: true", err)
	case errors.As(err, &se) && se.Setting == destination.SettingProjectID:
		return nil, fmt.Errorf("project_id: %w", se.Err)
	case errors.As(err, &se):
		return nil, fmt.Errorf("endpoint: %w", se.Err)
	case err != nil:
		return nil, err
	}
	return d, nil
}

// traceURL is where v1 records are posted. Plain http:// to a host that is not loopback
// needs tls.insecure: true, the Collector's way of saying "no transport security".
func (cfg *Config) traceURL() (string, error) {
	u, err := endpoint.TraceURL(cfg.ClientConfig.Endpoint, cfg.ClientConfig.TLS.Insecure)
	if errors.Is(err, endpoint.ErrPlainHTTP) {
		return "", fmt.Errorf("endpoint: %w or set tls::insecure: true", err)
	}
	if err != nil {
		return "", fmt.Errorf("endpoint: %w", err)
	}
	return u, nil
}
