package tracebridgeexporter

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/consumer/consumererror"

	"github.com/tracebridge/tracebridge/internal/transport"
	"github.com/tracebridge/tracebridge/record"
)

func TestOutcomeErr(t *testing.T) {
	recs := []record.Record{{TraceID: "a", Task: record.TaskMessage}, {TraceID: "b", Task: record.TaskGeneration}}
	bad := &transport.StatusError{StatusCode: 400, Body: "task: unknown"}
	down := &transport.NetworkError{Attempts: 1, Err: errors.New("connection refused")}
	throttled := &transport.StatusError{StatusCode: 429, RetryAfter: 3 * time.Second}

	for _, tt := range []struct {
		name          string
		errs          []error
		want          string // "", "permanent", "retryable" or "throttle"
		throttleDelay string
	}{
		{"all delivered", []error{nil, nil}, "", ""},
		{"rejected", []error{nil, bad}, "permanent", ""},
		{"unauthorized", []error{&transport.StatusError{StatusCode: 401}, &transport.StatusError{StatusCode: 403}}, "permanent", ""},
		{"API down", []error{down, nil}, "retryable", ""},
		{"context ended", []error{context.DeadlineExceeded, nil}, "retryable", ""},
		{"rejected and down: retried", []error{bad, down}, "retryable", ""},
		{"throttled", []error{throttled, &transport.StatusError{StatusCode: 503}}, "throttle", "3s"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var o outcome
			o.add(recs, tt.errs)
			// Merging an empty shard's outcome changes nothing.
			var total outcome
			total.merge(outcome{})
			total.merge(o)
			err := total.err()
			switch tt.want {
			case "":
				if err != nil {
					t.Fatalf("err = %v, want nil", err)
				}
				return
			case "permanent":
				if !consumererror.IsPermanent(err) {
					t.Fatalf("err = %v, want permanent", err)
				}
			default:
				if err == nil || consumererror.IsPermanent(err) {
					t.Fatalf("err = %v, want retryable", err)
				}
			}
			if tt.want == "throttle" && !strings.Contains(err.Error(), "Throttle ("+tt.throttleDelay+")") {
				t.Errorf("err = %v, want a throttle of %s", err, tt.throttleDelay)
			}
			if !strings.Contains(err.Error(), "of 2 records not delivered") {
				t.Errorf("err = %v, want counts", err)
			}
		})
	}
}
