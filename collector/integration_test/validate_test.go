package integration_test

import (
	"context"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// validate runs `otelcol-tracebridge validate` with the config arguments and extra
// environment, and returns its output and whether it passed.
func validate(t *testing.T, extraEnv []string, configs ...string) (string, bool) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	args := []string{"validate"}
	for _, c := range configs {
		args = append(args, "--config", c)
	}
	cmd := exec.CommandContext(ctx, otelcolBin, args...)
	// The examples read these; the developer's own values must not change the outcome.
	for _, kv := range os.Environ() {
		if !strings.HasPrefix(kv, "TRACEBRIDGE_") && !strings.HasPrefix(kv, "NEURALTRUST_") {
			cmd.Env = append(cmd.Env, kv)
		}
	}
	cmd.Env = append(cmd.Env, extraEnv...)
	out, err := cmd.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("validate timed out: %s", out)
	}
	return string(out), err == nil
}

func TestValidateExamples(t *testing.T) {
	t.Parallel()
	for _, cfg := range []string{durableConfig, faithfulConfig} {
		if out, ok := validate(t, nil, cfg); !ok {
			t.Errorf("validate --config %s failed:\n%s", cfg, out)
		}
	}
	// With the NeuralTrust settings of the README.
	if out, ok := validate(t, env("TRACEBRIDGE_ENDPOINT", "https://api-prod.neuraltrust.ai", "NEURALTRUST_API_KEY", "k:0123"), durableConfig); !ok {
		t.Errorf("validate with NeuralTrust's endpoint failed:\n%s", out)
	}
}

// TestValidateRejects: a bad value fails validation with a message that names the key and
// the value, and never shows the API key.
func TestValidateRejects(t *testing.T) {
	t.Parallel()
	const key = "0b7c3f1e-2d4a-4c6b-9e8f-1a2b3c4d5e6f:feedfacecafebeef"
	for _, tt := range []struct {
		name     string
		env      []string
		override string
		want     []string
	}{
		{"no endpoint", env("TRACEBRIDGE_ENDPOINT", ""), "", []string{"exporters::tracebridge", "endpoint: required"}},
		{"malformed URL", nil, `yaml:exporters::tracebridge::endpoint: "127.0.0.1:8400"`, []string{"endpoint", `"127.0.0.1:8400"`, "want http(s)://"}},
		{"wrong scheme from the environment", env("TRACEBRIDGE_ENDPOINT", "ftp://files.example.com"), "", []string{"endpoint", "ftp://files.example.com"}},
		{"negative concurrency", nil, "yaml:exporters::tracebridge::concurrency: -4", []string{"concurrency", "-4"}},
		{"zero timeout", nil, "yaml:exporters::tracebridge::timeout: 0s", []string{"timeout: must be positive"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			configs := []string{durableConfig}
			if tt.override != "" {
				configs = append(configs, tt.override)
			}
			out, ok := validate(t, append(tt.env, "NEURALTRUST_API_KEY="+key), configs...)
			if ok {
				t.Fatalf("validate passed, want a failure naming %q:\n%s", tt.want, out)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output does not contain %q:\n%s", w, out)
				}
			}
			if strings.Contains(out, key) || strings.Contains(out, "feedface") {
				t.Errorf("output shows the API key:\n%s", out)
			}
		})
	}
}
