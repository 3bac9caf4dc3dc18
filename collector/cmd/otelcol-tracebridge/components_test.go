package main

import (
	"os"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/component"
)

// TestComponents: the distribution has the components the README names, and
// builder-config.yaml lists the same modules for ocb users.
func TestComponents(t *testing.T) {
	f, err := components()
	if err != nil {
		t.Fatal(err)
	}
	has := func(kind string, n int, ok func(component.Type) bool, types ...string) {
		t.Helper()
		for _, typ := range types {
			if !ok(component.MustNewType(typ)) {
				t.Errorf("%s %q missing", kind, typ)
			}
		}
		if n != len(types) {
			t.Errorf("%d %ss, want %d", n, kind, len(types))
		}
	}
	has("receiver", len(f.Receivers), func(c component.Type) bool { _, ok := f.Receivers[c]; return ok }, "otlp")
	has("processor", len(f.Processors), func(c component.Type) bool { _, ok := f.Processors[c]; return ok }, "batch", "memory_limiter", "groupbytrace")
	// otlp_http is also registered under its deprecated name otlphttp.
	has("exporter", len(f.Exporters)-1, func(c component.Type) bool { _, ok := f.Exporters[c]; return ok }, "tracebridge", "debug", "otlp_http")
	has("extension", len(f.Extensions), func(c component.Type) bool { _, ok := f.Extensions[c]; return ok }, "file_storage", "health_check")
	if f.Telemetry == nil {
		t.Error("no telemetry factory")
	}

	builder, err := os.ReadFile("builder-config.yaml")
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile("components.go")
	if err != nil {
		t.Fatal(err)
	}
	// Every component module imported by components.go, less the factory interfaces.
	notComponents := map[string]bool{
		"go.opentelemetry.io/collector/exporter": true, "go.opentelemetry.io/collector/extension": true,
		"go.opentelemetry.io/collector/otelcol": true, "go.opentelemetry.io/collector/processor": true,
		"go.opentelemetry.io/collector/receiver": true, "go.opentelemetry.io/collector/service/telemetry/otelconftelemetry": true,
	}
	imports, _, _ := strings.Cut(strings.SplitN(string(src), "import (", 2)[1], ")")
	for _, line := range strings.Split(imports, "\n") {
		imp := strings.Trim(strings.TrimSpace(line), `"`)
		if imp != "" && !notComponents[imp] && !strings.Contains(string(builder), imp) {
			t.Errorf("builder-config.yaml does not list %s", imp)
		}
	}
}
