package tracebridgeexporter

import (
	"context"
	"strings"
	"testing"

	"go.opentelemetry.io/collector/confmap"
	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/collector/internal/chatturn"
	"github.com/tracebridge/tracebridge/semconv"
	"github.com/tracebridge/tracebridge/traceapi"
)

const (
	adalineProject  = "proj_0123456789abcdef"
	freeplayProject = "9a3c1b52-7e4d-4f0a-8b6c-2d1e0f9a8b7c"
)

func TestDestinationConfig(t *testing.T) {
	local := "http://127.0.0.1:8400"
	for _, tt := range []struct {
		name string
		conf map[string]any
		want string
	}{
		{"unknown destination", map[string]any{"endpoint": local, "destination": "datadog"},
			`destination: unknown destination "datadog" (want one of neuraltrust, neuraltrust-batch, adaline, freeplay)`},
		{"adaline without project", map[string]any{"endpoint": local, "destination": "adaline", "api_key": testKey},
			"project_id: required for destination adaline (the Adaline project id, 20 to 80 characters)"},
		{"adaline without key", map[string]any{"endpoint": local, "destination": "adaline", "project_id": adalineProject},
			"api_key: required for destination adaline (or api_key_from_metadata)"},
		{"adaline project too short", map[string]any{"endpoint": local, "destination": "adaline", "api_key": testKey, "project_id": "p1"},
			"project_id: must be 20 to 80 characters, got 2"},
		{"freeplay project not a UUID", map[string]any{"endpoint": local, "destination": "freeplay", "api_key": testKey, "project_id": "proj-7"},
			"project_id: must be a UUID"},
		{"project for neuraltrust", map[string]any{"endpoint": local, "project_id": adalineProject},
			"project_id: not used by destination neuraltrust"},
		{"no endpoint for adaline", map[string]any{"destination": "adaline", "api_key": testKey, "project_id": adalineProject},
			"endpoint: required: the trace API's base URL, such as https://api.adaline.ai/v2"},
		{"batch over plain http", map[string]any{"endpoint": "http://api.example.com", "destination": "neuraltrust-batch"}, "tls::insecure"},
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
	for _, conf := range []map[string]any{
		{"endpoint": local, "destination": "neuraltrust-batch"},
		{"endpoint": "https://api.adaline.ai/v2", "destination": "adaline", "api_key": testKey, "project_id": adalineProject},
		{"endpoint": "https://app.freeplay.ai/api", "destination": "freeplay", "project_id": freeplayProject, "api_key_from_metadata": "x-api-key"},
	} {
		if _, err := load(t, confmap.NewFromStringMap(conf)); err != nil {
			t.Errorf("%v: %v", conf, err)
		}
	}
	cfg, err := load(t, confmap.NewFromStringMap(map[string]any{"endpoint": local}))
	if err != nil || cfg.Destination != "neuraltrust" {
		t.Errorf("the default destination: %q %v", cfg.Destination, err)
	}
}

// TestPushToEachDestination sends a turn in two batches, children first, to each
// destination of the local server: every destination gets the same tree, the re-sends of
// the provisional message included, and the batch is acknowledged only when all arrived.
func TestPushToEachDestination(t *testing.T) {
	srv := startAPI(t, testKey)
	for i, d := range []struct{ name, project string }{
		{"neuraltrust-batch", ""}, {"adaline", adalineProject}, {"freeplay", freeplayProject},
	} {
		t.Run(d.name, func(t *testing.T) {
			e := newPush(t, srv.URL(), func(c *Config) {
				c.Destination, c.ProjectID, c.APIKey = d.name, d.project, testKey
			})
			tid := pcommon.TraceID{0xd0, byte(i)}
			for _, td := range []ptrace.Traces{
				chatturn.Trace(tid, chatturn.Chat, chatturn.Retrieval), // children end first
				chatturn.Trace(tid, chatturn.Root),
			} {
				if err := e.pushTraces(context.Background(), td); err != nil {
					t.Fatal(err)
				}
			}
			interaction := semconv.InteractionID(trace.TraceID(tid))
			items, err := srv.Server().Store().List(context.Background(), traceapi.Filter{Contract: traceapi.Contract(d.name), InteractionID: interaction})
			if err != nil {
				t.Fatal(err)
			}
			tasks := map[string]int{}
			for _, it := range items {
				tasks[it.Kind+":"+string(it.Task)]++
			}
			want := map[string]map[string]int{
				"neuraltrust-batch": {"trace:message": 1, "span:message": 1, "span:retrieval": 1, "span:generation": 1},
				// The trace was created pending, then patched; its root span written once, final.
				"adaline":  {"trace:message": 1, "trace_update:message": 1, "span:message": 1, "span:retrieval": 1, "span:generation": 1},
				"freeplay": {"trace:message": 1, "trace:retrieval": 1, "completion:generation": 1},
			}[d.name]
			if len(tasks) != len(want) {
				t.Errorf("items %v, want %v", tasks, want)
			}
			for k, n := range want {
				if tasks[k] != n {
					t.Errorf("%s: %d, want %d (all %v)", k, tasks[k], n, tasks)
				}
			}
		})
	}
}
