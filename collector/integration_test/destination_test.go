package integration_test

import (
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/semconv"
	"github.com/tracebridge/tracebridge/traceapi"
)

// TestDurablePipelineToAdaline switches the shipped durable example to Adaline with its
// environment alone (TRACEBRIDGE_DESTINATION, TRACEBRIDGE_PROJECT_ID), and checks that the
// turn reaches `tracebridge serve`'s Adaline contract as one trace with its spans.
func TestDurablePipelineToAdaline(t *testing.T) {
	t.Parallel()
	const project = "proj_collector_000001"
	srv := startServe(t, "127.0.0.1:0", "")
	c := newCollector(t, env("TRACEBRIDGE_ENDPOINT", srv.URL, "TRACEBRIDGE_QUEUE_DIR", t.TempDir(),
		"TRACEBRIDGE_DESTINATION", "adaline", "TRACEBRIDGE_PROJECT_ID", project, "NEURALTRUST_API_KEY", "adaline-key"),
		append([]string{durableConfig}, fast...)...)
	c.start(t)
	tid := trace.TraceID{0x0a, 0xda, 0x11, 0x7e, 1}
	sendChatTurn(t, c.OTLP, tid)
	interaction := semconv.InteractionID(tid)
	var items []traceapi.Item
	waitFor(t, 30*time.Second, "the Adaline trace and its final root span", func() bool {
		items = nil
		srv.get(t, "/v1/items?contract=adaline&interaction_id="+interaction, &items)
		root := false
		for _, it := range items {
			root = root || (it.Kind == "span" && it.Task == "message")
		}
		return root && len(items) >= 4
	})
	kinds := map[string]int{}
	for _, it := range items {
		kinds[it.Kind+":"+it.Task]++
		if it.Project != project {
			t.Errorf("%s %s: project %q", it.Kind, it.ID, it.Project)
		}
	}
	for _, k := range []string{"trace:message", "span:message", "span:retrieval", "span:generation"} {
		if kinds[k] != 1 {
			t.Errorf("%s: %d stored (all %v)", k, kinds[k], kinds)
		}
	}
	if n := len(srv.records(t, "")); n != 0 {
		t.Errorf("%d v1 records: the destination is Adaline", n)
	}
}

func TestValidateDestinations(t *testing.T) {
	t.Parallel()
	ok := env("TRACEBRIDGE_DESTINATION", "freeplay", "TRACEBRIDGE_ENDPOINT", "https://app.freeplay.ai/api",
		"TRACEBRIDGE_PROJECT_ID", "9a3c1b52-7e4d-4f0a-8b6c-2d1e0f9a8b7c", "NEURALTRUST_API_KEY", "fp-key")
	if out, passed := validate(t, ok, durableConfig); !passed {
		t.Errorf("freeplay from the environment:\n%s", out)
	}
	for _, tt := range []struct {
		name string
		env  []string
		want string
	}{
		{"unknown destination", env("TRACEBRIDGE_DESTINATION", "datadog"), `destination: unknown destination "datadog"`},
		{"adaline without project", env("TRACEBRIDGE_DESTINATION", "adaline", "NEURALTRUST_API_KEY", "k"), "project_id: required for destination adaline"},
		{"freeplay without key", env("TRACEBRIDGE_DESTINATION", "freeplay", "TRACEBRIDGE_PROJECT_ID", "9a3c1b52-7e4d-4f0a-8b6c-2d1e0f9a8b7c"),
			"api_key: required for destination freeplay"},
	} {
		out, passed := validate(t, tt.env, durableConfig)
		if passed || !strings.Contains(out, tt.want) {
			t.Errorf("%s: passed=%v, want a failure naming %q:\n%s", tt.name, passed, tt.want, out)
		}
	}
}
