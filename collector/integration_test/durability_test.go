package integration_test

import (
	"sync"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/pcommon"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/collector/internal/chatturn"
	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/semconv"
)

// TestDurability runs the shipped durable pipeline through an API outage and a crash: the
// trace API is down while spans come in, the collector is killed (SIGKILL) in the middle of
// the stream and restarted on the same queue directory, and only then the API comes up.
// Every LLM span whose OTLP request got a 2xx must reach the API as a record, under one
// message per trace, with no dangling parent and no record stored twice.
func TestDurability(t *testing.T) {
	t.Parallel()
	apiAddr := freeAddr(t) // the API will listen here, late
	c := newCollector(t, env("TRACEBRIDGE_ENDPOINT", "http://"+apiAddr, "TRACEBRIDGE_QUEUE_DIR", t.TempDir()),
		append([]string{durableConfig}, fast...)...)
	c.start(t)

	const traces = 60
	tid := func(i int) pcommon.TraceID { return pcommon.TraceID{0xd0, 0x0d, 7: byte(i)} }
	var (
		mu       sync.Mutex
		accepted = map[pcommon.TraceID]map[byte]bool{} // spans whose request got a 2xx
		sent     int                                   // requests answered 2xx
		refused  int                                   // requests with no 2xx (the collector was down)
	)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range traces {
			// As apps export them: the children end first, the root in a later request.
			for _, part := range [][]byte{{chatturn.Retrieval, chatturn.Chat}, {chatturn.Root}} {
				code := c.postOTLP(chatturn.Trace(tid(i), part...), nil)
				mu.Lock()
				if code >= 200 && code < 300 {
					sent++
					if accepted[tid(i)] == nil {
						accepted[tid(i)] = map[byte]bool{}
					}
					for _, p := range part {
						accepted[tid(i)][p] = true
					}
				} else {
					refused++
				}
				mu.Unlock()
				time.Sleep(15 * time.Millisecond)
			}
		}
	}()

	waitFor(t, 20*time.Second, "40 requests accepted while the API is down", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return sent >= 40
	})
	c.kill(t) // mid-stream: the sender keeps going while the collector is gone
	mu.Lock()
	beforeKill := sent
	mu.Unlock()
	c.start(t)
	select {
	case <-done:
	case <-time.After(60 * time.Second):
		t.Fatal("the sender did not finish")
	}
	mu.Lock()
	defer mu.Unlock()
	if sent == beforeKill {
		t.Fatal("no request was accepted after the restart")
	}
	t.Logf("OTLP requests: %d accepted (%d before the SIGKILL), %d refused while the collector was down", sent, beforeKill, refused)

	srv := startServe(t, apiAddr, "")
	// What must arrive: a record for every accepted LLM span.
	want := map[string]bool{}
	for id, parts := range accepted {
		for _, p := range []byte{chatturn.Retrieval, chatturn.Chat} {
			if parts[p] {
				want[semconv.RecordID(trace.TraceID(id), trace.SpanID(chatturn.SpanID(p)))] = true
			}
		}
	}
	var recs []record.Record
	waitFor(t, 60*time.Second, "a record for every accepted span", func() bool {
		recs = srv.records(t, "")
		have := map[string]bool{}
		for _, r := range recs {
			have[r.TraceID] = true
		}
		for id := range want {
			if !have[id] {
				return false
			}
		}
		return true
	})
	// The queue may still be sending the last messages' final versions; let it settle.
	time.Sleep(time.Second)
	recs = srv.records(t, "")

	byTrace := map[trace.TraceID][]record.Record{}
	for _, r := range recs {
		id, err := trace.TraceIDFromHex(str(r.Metadata[record.MetaOTelTraceID]))
		if err != nil {
			t.Fatalf("%s record %s without otel_trace_id", r.Task, r.TraceID)
		}
		byTrace[id] = append(byTrace[id], r)
	}
	rootMessages, standIns := 0, 0
	for id, rs := range byTrace {
		parts := accepted[pcommon.TraceID(id)]
		if parts == nil {
			t.Errorf("trace %s was never accepted, yet has records", id)
			continue
		}
		checkConsistent(t, rs, id)
		for _, r := range rs {
			if r.Task == record.TaskMessage {
				if r.Metadata[record.MetaOTelSpanID] == trace.SpanID(chatturn.SpanID(chatturn.Root)).String() {
					rootMessages++
				} else if parts[chatturn.Root] {
					standIns++
				}
			}
		}
	}
	st := srv.stats(t)
	t.Logf("trace API: %d records stored, %d received, %d re-sends (duplicates replaced); %d traces: %d messages from their root span, %d accepted roots not reflected (stand-in message)",
		st.Stored, st.Received, st.Duplicates, len(byTrace), rootMessages, standIns)
	if st.Stored != int64(len(recs)) {
		t.Errorf("stored %d, listed %d", st.Stored, len(recs))
	}
}
