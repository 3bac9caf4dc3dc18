package tracebridgeexporter

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter/exporterhelper"

	"github.com/tracebridge/tracebridge/internal/transport"
	"github.com/tracebridge/tracebridge/record"
)

// outcome sums up the delivery of some records.
type outcome struct {
	records, failed, transient int
	retryAfter                 time.Duration // the longest Retry-After among transient failures
	reasons                    []string      // the first few failures
}

const maxReasons = 3

// add counts the result of delivering recs (errs[i] is recs[i]'s).
func (o *outcome) add(recs []record.Record, errs []error) {
	o.records += len(recs)
	for i, err := range errs {
		if err == nil {
			continue
		}
		o.failed++
		if temporary(err) {
			o.transient++
			var se *transport.StatusError
			if errors.As(err, &se) && se.RetryAfter > o.retryAfter {
				o.retryAfter = se.RetryAfter
			}
		}
		if len(o.reasons) < maxReasons {
			o.reasons = append(o.reasons, fmt.Sprintf("%s record %s: %v", recs[i].Task, recs[i].TraceID, err))
		}
	}
}

func (o *outcome) merge(p outcome) {
	o.records += p.records
	o.failed += p.failed
	o.transient += p.transient
	o.retryAfter = max(o.retryAfter, p.retryAfter)
	for _, r := range p.reasons {
		if len(o.reasons) < maxReasons {
			o.reasons = append(o.reasons, r)
		}
	}
}

// err is what exporterhelper gets: nil when every record arrived; a retryable error (a
// throttled one after Retry-After) when any failure may pass on a later attempt, since the
// whole batch is then tried again and only what was not delivered is re-sent; a permanent
// error when every failure is final (400, 401, 403, 413, ...), so the batch is dropped.
func (o *outcome) err() error {
	if o.failed == 0 {
		return nil
	}
	err := fmt.Errorf("tracebridge: %d of %d records not delivered: %s", o.failed, o.records, strings.Join(o.reasons, "; "))
	switch {
	case o.transient == 0:
		return consumererror.NewPermanent(err)
	case o.retryAfter > 0:
		return exporterhelper.NewThrottleRetry(err, o.retryAfter)
	}
	return err
}

// temporary reports whether a failure may pass on a later attempt. Errors that do not say
// (the batch's context ending) are taken as temporary: the batch stays queued.
func temporary(err error) bool {
	var t interface{ Temporary() bool }
	if errors.As(err, &t) {
		return t.Temporary()
	}
	return true
}
