package traceapi

import (
	"context"
	"sync/atomic"
)

// Stats are the server's counters, as served by GET /v1/stats.
type Stats struct {
	// Received counts valid records posted: stored ones and those refused as duplicates.
	Received int64 `json:"received"`
	// Stored is the number of records in the store now.
	Stored int64 `json:"stored"`
	// Replaced counts records that replaced an earlier one under DuplicateReplace.
	Replaced int64 `json:"replaced"`
	// Rejected counts POSTs refused for their body or headers (400, 413, 415).
	Rejected int64 `json:"rejected"`
	// Duplicates counts records whose trace_id was already stored, under any policy.
	Duplicates int64 `json:"duplicates"`
	// Faults counts the faults injected, when Config.Faults is set.
	Faults *FaultStats `json:"faults,omitempty"`
}

type counters struct {
	received, replaced, rejected, duplicates atomic.Int64
}

func (c *counters) reset() {
	c.received.Store(0)
	c.replaced.Store(0)
	c.rejected.Store(0)
	c.duplicates.Store(0)
}

// Stats returns the current counters.
func (s *Server) Stats(ctx context.Context) (Stats, error) {
	n, err := s.store.Count(ctx)
	if err != nil {
		return Stats{}, err
	}
	st := Stats{
		Received:   s.counts.received.Load(),
		Stored:     int64(n),
		Replaced:   s.counts.replaced.Load(),
		Rejected:   s.counts.rejected.Load(),
		Duplicates: s.counts.duplicates.Load(),
	}
	if s.faults != nil {
		fs := s.faults.stats()
		st.Faults = &fs
	}
	return st, nil
}
