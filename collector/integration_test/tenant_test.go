package integration_test

import (
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/collector/internal/chatturn"
	"github.com/tracebridge/tracebridge/record"
)

// TestPerTenantKeys: a gateway collector takes each request's API key from its x-api-key
// header (api_key_from_metadata, with the receiver's include_metadata), through the
// persistent queue; a request without the header uses api_key. The trace API accepts one
// tenant's key: that tenant's traces arrive, another tenant's are refused (401, dropped as
// permanent), and neither key shows up in the collector's log.
func TestPerTenantKeys(t *testing.T) {
	t.Parallel()
	const (
		keyA = "7d1c2b3a-4e5f-4a6b-8c7d-9e0f1a2b3c4d:aaaa1111bbbb2222cccc3333dddd4444eeee5555ffff6666aaaa7777bbbb8888"
		keyB = "0f9e8d7c-6b5a-4c3d-2e1f-0a9b8c7d6e5f:9999888877776666555544443333222211110000ffffeeeeddddccccbbbbaaaa"
	)
	srv := startServe(t, "127.0.0.1:0", keyA)
	c := newCollector(t, env("TRACEBRIDGE_ENDPOINT", srv.URL, "TRACEBRIDGE_QUEUE_DIR", t.TempDir(), "NEURALTRUST_API_KEY", keyA),
		append([]string{durableConfig,
			"yaml:exporters::tracebridge::api_key_from_metadata: x-api-key",
			"yaml:exporters::tracebridge::sending_queue::batch::partition::metadata_keys: [x-api-key]",
		}, fast...)...)
	c.start(t)

	tenantA := pcommon.TraceID{0x7e, 0xa}
	tenantB := pcommon.TraceID{0x7e, 0xb}
	fallback := pcommon.TraceID{0x7e, 0xf}
	for _, req := range []struct {
		tid    pcommon.TraceID
		header map[string]string
	}{
		{tenantB, map[string]string{"X-Api-Key": keyB}},
		{tenantA, map[string]string{"X-Api-Key": keyA}},
		{fallback, nil},
	} {
		if code := c.postOTLP(chatturn.Trace(req.tid, chatturn.Root, chatturn.Retrieval, chatturn.Chat), req.header); code != 200 {
			t.Fatalf("trace %s: HTTP %d", req.tid, code)
		}
	}

	for name, id := range map[string]pcommon.TraceID{"tenant A": tenantA, "no header (api_key)": fallback} {
		waitFor(t, 20*time.Second, name+"'s records", func() bool {
			return final(turnRecords(t, srv, trace.TraceID(id)), record.TaskMessage, record.TaskRetrieval, record.TaskGeneration)
		})
	}
	// Tenant B's batch was sent (under its own key, refused) and dropped.
	waitFor(t, 20*time.Second, "tenant B's batch to be refused", func() bool {
		return strings.Contains(c.log(), "401")
	})
	if recs := turnRecords(t, srv, trace.TraceID(tenantB)); len(recs) != 0 {
		t.Errorf("tenant B's trace went out under another key: %d records", len(recs))
	}
	log := c.log()
	for name, k := range map[string]string{"A": keyA, "B": keyB} {
		if strings.Contains(log, k) || strings.Contains(log, k[len(k)-16:]) {
			t.Errorf("the collector log shows tenant %s's key", name)
		}
	}
}
