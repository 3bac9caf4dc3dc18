package tracebridgeexporter

import (
	"context"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/config/confighttp"
	"go.opentelemetry.io/collector/config/configoptional"
	"go.opentelemetry.io/collector/config/configretry"
	"go.opentelemetry.io/collector/consumer"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/tracebridge/tracebridge/internal/assembly"
	"github.com/tracebridge/tracebridge/internal/destination"
)

// Defaults, the SDK exporter's where it has the same setting.
const (
	defaultTimeout        = 10 * time.Second
	defaultConcurrency    = 32
	defaultMaxRecordBytes = 1 << 20
)

// NewFactory returns the factory of the tracebridge exporter.
func NewFactory() exporter.Factory {
	return exporter.NewFactory(componentType, createDefaultConfig,
		exporter.WithTraces(createTraces, tracesStability),
		exporter.WithLogs(createLogs, logsStability))
}

func createDefaultConfig() component.Config {
	client := confighttp.NewDefaultClientConfig()
	client.Timeout = defaultTimeout
	return &Config{
		Destination:      destination.NeuralTrust,
		ClientConfig:     client,
		QueueConfig:      configoptional.Some(exporterhelper.NewDefaultQueueConfig()),
		RetryConfig:      configretry.NewDefaultBackOffConfig(),
		Linger:           assembly.DefaultLinger,
		MaxBufferedSpans: assembly.DefaultMaxSpans,
		MaxBufferedBytes: assembly.DefaultMaxBytes,
		Concurrency:      defaultConcurrency,
		MaxRecordBytes:   defaultMaxRecordBytes,
		CaptureContent:   true,
	}
}

func createTraces(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Traces, error) {
	c := cfg.(*Config)
	h, err := exporters.acquire(c, set)
	if err != nil {
		return nil, err
	}
	return exporterhelper.NewTraces(ctx, set, cfg, h.s.pushTraces, options(c, h)...)
}

// createLogs makes the logs side of the same exporter: GenAI events sent as log records
// join their spans (see pushLogs).
func createLogs(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Logs, error) {
	c := cfg.(*Config)
	h, err := exporters.acquire(c, set)
	if err != nil {
		return nil, err
	}
	return exporterhelper.NewLogs(ctx, set, cfg, h.s.pushLogs, options(c, h)...)
}

// options are exporterhelper's settings of either signal: each has its own queue (its own
// file with a storage extension) and retries.
func options(c *Config, h *handle) []exporterhelper.Option {
	return []exporterhelper.Option{
		exporterhelper.WithStart(h.start),
		exporterhelper.WithShutdown(h.shutdown),
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
		// Each request has the HTTP client's timeout; a batch is many requests.
		exporterhelper.WithTimeout(exporterhelper.TimeoutConfig{Timeout: 0}),
		exporterhelper.WithRetry(c.RetryConfig),
		exporterhelper.WithQueue(c.QueueConfig),
	}
}
