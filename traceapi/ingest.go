package traceapi

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"strconv"
	"time"
)

// readBody applies the checks every ingestion endpoint shares: Content-Type must be
// application/json (415) and the body at most MaxBodyBytes (413). It answers the failure
// itself and returns false.
// readJSONBody is readBody then parseBody, answering 400 for a body that is not JSON.
func (s *Server) readJSONBody(w http.ResponseWriter, r *http.Request) (json.RawMessage, bool) {
	body, ok := s.readBody(w, r)
	if !ok {
		return nil, false
	}
	whole, err := parseBody(body)
	if err != nil {
		s.badRequest(w, err)
		return nil, false
	}
	return whole, true
}

func (s *Server) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		s.counts.rejected.Add(1)
		if ct == "" {
			ct = "none"
		}
		writeError(w, http.StatusUnsupportedMediaType, "Content-Type: must be application/json, got "+strconv.Quote(short(ct)))
		return nil, false
	}
	limit := s.cfg.MaxBodyBytes
	if r.ContentLength > limit {
		s.counts.rejected.Add(1)
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body: larger than the limit of %d bytes", limit))
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		s.counts.rejected.Add(1)
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body: larger than the limit of %d bytes", limit))
		} else {
			writeError(w, http.StatusBadRequest, "body: reading failed: "+err.Error())
		}
		return nil, false
	}
	return body, true
}

// badRequest answers 400 with a contract violation and counts it.
func (s *Server) badRequest(w http.ResponseWriter, err error) {
	s.counts.rejected.Add(1)
	writeError(w, http.StatusBadRequest, err.Error())
}

// exists reports whether an item with rec's key is stored.
func (s *Server) exists(ctx context.Context, rec *StoredRecord) (bool, error) {
	got, err := s.lookup(ctx, rec.ContractOrDefault(), rec.KindOrDefault(), rec.Project, rec.TraceID)
	return len(got) > 0, err
}

// lookup returns the stored items of a contract, kind, project and id.
func (s *Server) lookup(ctx context.Context, c Contract, kind, project, id string) ([]StoredRecord, error) {
	if id == "" {
		return nil, nil
	}
	got, err := s.store.List(ctx, Filter{Contract: c, Kind: kind, TraceID: id})
	if err != nil {
		return nil, err
	}
	out := got[:0]
	for _, g := range got {
		if g.Project == project {
			out = append(out, g)
		}
	}
	return out, nil
}

// put stores items, in order, each under its own policy, and counts them. It stops at the
// first error (a duplicate under DuplicateReject, a store failure).
func (s *Server) put(ctx context.Context, items []StoredRecord, policy func(*StoredRecord) DuplicatePolicy) error {
	now := time.Now()
	for i := range items {
		items[i].ReceivedAt = now
		Summarize(&items[i])
		outcome, err := s.store.Put(ctx, items[i], policy(&items[i]))
		if err == nil {
			s.rev.Add(1)
		}
		if errors.Is(err, ErrDuplicate) {
			s.counts.received.Add(1)
			s.counts.duplicates.Add(1)
			return err
		}
		if err != nil {
			return err
		}
		s.counts.received.Add(1)
		if outcome.Duplicate() {
			s.counts.duplicates.Add(1)
		}
		if outcome == Replaced {
			s.counts.replaced.Add(1)
		}
	}
	return nil
}

// storeFailed answers a store error: 409 for a duplicate refused, else 500.
func storeFailed(w http.ResponseWriter, err error, duplicateMsg string) {
	if errors.Is(err, ErrDuplicate) {
		writeError(w, http.StatusConflict, duplicateMsg)
		return
	}
	writeError(w, http.StatusInternalServerError, "store: "+err.Error())
}
