package tracebridgeexporter

import (
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/confmap/confmaptest"

	"github.com/tracebridge/tracebridge/internal/assembly"
)

const testKey = "0b7c3f1e-2d4a-4c6b-9e8f-1a2b3c4d5e6f:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"

// load reads one exporter section the way the Collector does: defaults, then the YAML, then
// every Validate in the tree.
func load(t *testing.T, conf *confmap.Conf) (*Config, error) {
	t.Helper()
	cfg := NewFactory().CreateDefaultConfig().(*Config)
	if err := conf.Unmarshal(cfg); err != nil {
		return nil, err
	}
	return cfg, confmap.Validate(cfg)
}

func TestLoadConfig(t *testing.T) {
	cm, err := confmaptest.LoadConf(filepath.Join("testdata", "config.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	sub, err := cm.Sub(component.NewID(componentType).String())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := load(t, sub)
	if err != nil {
		t.Fatalf("minimal config: %v", err)
	}
	if cfg.ClientConfig.Timeout != 10*time.Second || cfg.Concurrency != 32 || cfg.Linger != 30*time.Second ||
		cfg.MaxBufferedSpans != 50_000 || cfg.MaxBufferedBytes != assembly.DefaultMaxBytes || cfg.KeepAllSpans || !cfg.CaptureContent || !cfg.QueueConfig.HasValue() || !cfg.RetryConfig.Enabled {
		t.Errorf("defaults not applied: %+v", cfg)
	}
	if u, _ := cfg.traceURL(); u != "http://127.0.0.1:8400/v1/trace" {
		t.Errorf("trace URL = %q", u)
	}

	sub, err = cm.Sub(component.NewIDWithName(componentType, "full").String())
	if err != nil {
		t.Fatal(err)
	}
	cfg, err = load(t, sub)
	if err != nil {
		t.Fatalf("full config: %v", err)
	}
	q := cfg.QueueConfig.Get()
	switch {
	case string(cfg.APIKey) != testKey, cfg.APIKeyFromMetadata != "x-api-key":
		t.Errorf("keys: %q from %q", cfg.APIKey, cfg.APIKeyFromMetadata)
	case cfg.ClientConfig.Timeout != 5*time.Second, cfg.Concurrency != 8, cfg.Linger != time.Minute,
		cfg.MaxBufferedSpans != 100_000, cfg.MaxBufferedBytes != 128<<20, !cfg.KeepAllSpans, cfg.CaptureContent, cfg.MaxRecordBytes != 65536:
		t.Errorf("settings: %+v", cfg)
	case cfg.RetryConfig.MaxElapsedTime != 0, cfg.RetryConfig.InitialInterval != time.Second:
		t.Errorf("retry_on_failure: %+v", cfg.RetryConfig)
	case q.StorageID == nil || q.StorageID.String() != "file_storage", q.QueueSize != 5000, !q.Batch.HasValue():
		t.Errorf("sending_queue: %+v", q)
	}
	if v, ok := cfg.ClientConfig.Headers.Get("x-team"); !ok || string(v) != "llm-platform" {
		t.Errorf("headers: %v", cfg.ClientConfig.Headers)
	}
	if u, _ := cfg.traceURL(); u != "https://api-prod.neuraltrust.ai/v1/trace" {
		t.Errorf("trace URL = %q (a trailing /v1 is accepted)", u)
	}
	if s := fmt.Sprintf("%v %+v %#v", cfg, cfg, cfg); strings.Contains(s, testKey[:20]) {
		t.Errorf("printing the config shows the API key: %s", s)
	}
}

// TestValidateNamesTheKey: every bad value is refused with a message that names its key.
func TestValidateNamesTheKey(t *testing.T) {
	for _, tt := range []struct {
		name string
		conf map[string]any
		want string
	}{
		{"no endpoint", map[string]any{}, "endpoint: required"},
		{"malformed endpoint", map[string]any{"endpoint": "127.0.0.1:8400"}, `endpoint: "127.0.0.1:8400": want http(s)://`},
		{"credentials in endpoint", map[string]any{"endpoint": "https://u:" + testKey + "@h"}, "endpoint:"},
		{"plain http to a remote host", map[string]any{"endpoint": "http://api.example.com"}, "tls::insecure"},
		{"negative concurrency", map[string]any{"endpoint": "http://127.0.0.1:8400", "concurrency": -1}, "concurrency: must be at least 1, got -1"},
		{"no timeout", map[string]any{"endpoint": "http://127.0.0.1:8400", "timeout": "0s"}, "timeout: must be positive"},
		{"negative linger", map[string]any{"endpoint": "http://127.0.0.1:8400", "linger": "-1s"}, "linger: must not be negative"},
		{"negative max_buffered_spans", map[string]any{"endpoint": "http://127.0.0.1:8400", "max_buffered_spans": -5}, "max_buffered_spans: must not be negative"},
		{"negative max_buffered_bytes", map[string]any{"endpoint": "http://127.0.0.1:8400", "max_buffered_bytes": -1}, "max_buffered_bytes: must not be negative"},
		{"tiny max_record_bytes", map[string]any{"endpoint": "http://127.0.0.1:8400", "max_record_bytes": 10}, "max_record_bytes:"},
		{"bad metadata header", map[string]any{"endpoint": "http://127.0.0.1:8400", "api_key_from_metadata": "x api key"}, "api_key_from_metadata:"},
		{"tenants batched together", map[string]any{"endpoint": "http://127.0.0.1:8400", "api_key_from_metadata": "x-api-key",
			"sending_queue": map[string]any{"batch": map[string]any{"flush_timeout": "1s"}}}, "sending_queue::batch::partition::metadata_keys"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			_, err := load(t, confmap.NewFromStringMap(tt.conf))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error = %v, want one containing %q", err, tt.want)
			}
			if strings.Contains(err.Error(), testKey) {
				t.Errorf("the error shows the API key: %v", err)
			}
		})
	}
	// Good variants of the same keys pass.
	for _, conf := range []map[string]any{
		{"endpoint": "http://api.example.com", "tls": map[string]any{"insecure": true}},
		{"endpoint": "http://127.0.0.1:8400", "api_key_from_metadata": "x-api-key", "sending_queue": map[string]any{
			"batch": map[string]any{"partition": map[string]any{"metadata_keys": []any{"X-API-Key"}}}}},
	} {
		if _, err := load(t, confmap.NewFromStringMap(conf)); err != nil {
			t.Errorf("%v: %v", conf, err)
		}
	}
}
