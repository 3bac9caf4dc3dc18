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
		exporter.WithTraces(createTraces, tracesStability))
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
	}
}

func createTraces(ctx context.Context, set exporter.Settings, cfg component.Config) (exporter.Traces, error) {
	c := cfg.(*Config)
	e, err := newTracesExporter(c, set)
	if err != nil {
		return nil, err
	}
	return exporterhelper.NewTraces(ctx, set, cfg, e.push,
		exporterhelper.WithStart(e.start),
		exporterhelper.WithShutdown(e.shutdown),
		exporterhelper.WithCapabilities(consumer.Capabilities{MutatesData: false}),
		// Each request has the HTTP client's timeout; a batch is many requests.
		exporterhelper.WithTimeout(exporterhelper.TimeoutConfig{Timeout: 0}),
		exporterhelper.WithRetry(c.RetryConfig),
		exporterhelper.WithQueue(c.QueueConfig),
	)
}
