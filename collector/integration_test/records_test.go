package integration_test

import (
	"net/url"
	"slices"
	"testing"

	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/semconv"
)

// turnRecords returns the records of the interaction of trace tid.
func turnRecords(t *testing.T, s *serve, tid trace.TraceID) []record.Record {
	t.Helper()
	return s.records(t, "interaction_id="+url.QueryEscape(semconv.InteractionID(tid)))
}

// final reports whether recs are the finished records of a trace: want tasks, none
// provisional.
func final(recs []record.Record, want ...record.Task) bool {
	var got []record.Task
	for _, r := range recs {
		if r.Metadata[record.MetaProvisional] != nil {
			return false
		}
		got = append(got, r.Task)
	}
	slices.Sort(got)
	want = slices.Clone(want)
	slices.Sort(want)
	return slices.Equal(got, want)
}

// checkConsistent asserts what holds for the records of any trace: one message at the top
// under the trace's message id, every parent a record that was sent, ids derived from the
// OTel ids they carry, one interaction.
func checkConsistent(t *testing.T, recs []record.Record, tid trace.TraceID) map[string]record.Record {
	t.Helper()
	byID := map[string]record.Record{}
	messages := 0
	for _, r := range recs {
		if _, dup := byID[r.TraceID]; dup {
			t.Errorf("record %s stored twice", r.TraceID)
		}
		byID[r.TraceID] = r
		if r.InteractionID != semconv.InteractionID(tid) {
			t.Errorf("%s record %s: interaction %s, want %s", r.Task, r.TraceID, r.InteractionID, semconv.InteractionID(tid))
		}
		if got := r.Metadata[record.MetaOTelTraceID]; r.Task != record.TaskMessage && got != tid.String() {
			t.Errorf("%s record %s: otel_trace_id %v, want %s", r.Task, r.TraceID, got, tid)
		}
		if r.Task == record.TaskMessage {
			messages++
			if r.TraceID != semconv.MessageID(tid) || r.ParentID != "" {
				t.Errorf("message %s (parent %q): want id %s and no parent", r.TraceID, r.ParentID, semconv.MessageID(tid))
			}
			continue
		}
		sid, err := trace.SpanIDFromHex(str(r.Metadata[record.MetaOTelSpanID]))
		if err != nil || r.TraceID != semconv.RecordID(tid, sid) {
			t.Errorf("%s record %s: id not derived from its span %v", r.Task, r.TraceID, r.Metadata[record.MetaOTelSpanID])
		}
	}
	if messages != 1 {
		t.Errorf("%d messages, want 1", messages)
	}
	for _, r := range recs {
		if r.ParentID != "" {
			if _, ok := byID[r.ParentID]; !ok {
				t.Errorf("%s record %s: parent %s was never sent", r.Task, r.TraceID, r.ParentID)
			}
		}
	}
	return byID
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// byTask returns the first record of each task.
func byTask(recs []record.Record) map[record.Task]record.Record {
	m := map[record.Task]record.Record{}
	for _, r := range recs {
		if _, ok := m[r.Task]; !ok {
			m[r.Task] = r
		}
	}
	return m
}
