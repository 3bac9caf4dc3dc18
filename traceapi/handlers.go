package traceapi

import (
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/tracebridge/tracebridge/record"
)

type traceResponse struct {
	Status  int    `json:"status"`
	TraceID string `json:"trace_id"`
}

// postTrace handles POST /v1/trace.
func (s *Server) postTrace(w http.ResponseWriter, r *http.Request) {
	ct := r.Header.Get("Content-Type")
	if mt, _, err := mime.ParseMediaType(ct); err != nil || mt != "application/json" {
		s.counts.rejected.Add(1)
		if ct == "" {
			ct = "none"
		}
		writeError(w, http.StatusUnsupportedMediaType, "Content-Type: must be application/json, got "+strconv.Quote(short(ct)))
		return
	}
	limit := s.cfg.MaxBodyBytes
	tooLarge := func() {
		s.counts.rejected.Add(1)
		writeError(w, http.StatusRequestEntityTooLarge, fmt.Sprintf("body: larger than the limit of %d bytes", limit))
	}
	// A declared length over the limit is refused before reading anything.
	if r.ContentLength > limit {
		tooLarge()
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			tooLarge()
			return
		}
		s.counts.rejected.Add(1)
		writeError(w, http.StatusBadRequest, "body: reading failed: "+err.Error())
		return
	}
	rec, err := ParseRecord(body)
	if err != nil {
		s.counts.rejected.Add(1)
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if rec.TraceID == "" {
		rec.TraceID, rec.TraceIDAssigned = newTraceID(), true
	}
	rec.Contract, rec.Kind = ContractNeuralTrust, KindRecord
	rec.ReceivedAt = time.Now()
	outcome, err := s.store.Put(r.Context(), rec, s.cfg.OnDuplicate)
	if errors.Is(err, ErrDuplicate) {
		s.counts.received.Add(1)
		s.counts.duplicates.Add(1)
		writeError(w, http.StatusConflict, fmt.Sprintf("trace_id: record %q already exists", rec.TraceID))
		return
	}
	if err != nil {
		writeError(w, http.StatusInternalServerError, "store: "+err.Error())
		return
	}
	s.counts.received.Add(1)
	if outcome.Duplicate() {
		s.counts.duplicates.Add(1)
	}
	if outcome == Replaced {
		s.counts.replaced.Add(1)
	}
	writeJSON(w, http.StatusOK, traceResponse{Status: http.StatusOK, TraceID: rec.TraceID})
}

// getRecords handles GET /v1/records: v1 records unless contract= says otherwise. It writes
// the array by hand: encoding/json would compact each json.RawMessage, and the point is to
// serve the bytes as received.
func (s *Server) getRecords(w http.ResponseWriter, r *http.Request) {
	f, err := parseFilter(r.URL.RawQuery, ContractNeuralTrust)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	recs, err := s.store.List(r.Context(), f)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "store: "+err.Error())
		return
	}
	n := 3
	for i := range recs {
		n += len(recs[i].Raw) + 1
	}
	b := make([]byte, 0, n)
	b = append(b, '[')
	for i := range recs {
		if i > 0 {
			b = append(b, ',')
		}
		b = append(b, recs[i].Raw...)
	}
	b = append(b, ']', '\n')
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.Write(b)
}

var filterParams = []string{"conversation_id", "interaction_id", "task", "trace_id", "contract", "kind", "project"}

// parseFilter reads the query of GET /v1/records and /v1/items. Unknown or repeated
// parameters are errors, so that a misspelt filter cannot quietly match every record.
// contract defaults to def; "all" (or def empty) selects every contract.
func parseFilter(rawQuery string, def Contract) (Filter, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return Filter{}, fieldErr("query", "%v", err)
	}
	f := Filter{Contract: def}
	for k, vs := range q {
		if len(vs) != 1 {
			return Filter{}, fieldErr(k, "query parameter given %d times", len(vs))
		}
		v := vs[0]
		switch k {
		case "conversation_id":
			f.ConversationID = v
		case "interaction_id":
			f.InteractionID = v
		case "trace_id":
			f.TraceID = v
		case "kind":
			f.Kind = v
		case "project":
			f.Project = v
		case "contract":
			switch c := Contract(v); {
			case v == "all":
				f.Contract = ""
			case c.Valid():
				f.Contract = c
			default:
				return Filter{}, fieldErr(k, "unknown contract %s (want one of %v or all)", quoteShort(v), Contracts)
			}
		case "task":
			if v != "" && !record.Task(v).Valid() {
				return Filter{}, fieldErr(k, "unknown task %s (want one of %s)", quoteShort(v), taskList)
			}
			f.Task = record.Task(v)
		default:
			return Filter{}, fieldErr(short(k), "unknown query parameter (want %v)", filterParams)
		}
	}
	return f, nil
}

// deleteRecords handles DELETE /v1/records.
func (s *Server) deleteRecords(w http.ResponseWriter, r *http.Request) {
	if r.URL.RawQuery != "" {
		writeError(w, http.StatusBadRequest, "query: DELETE /v1/records clears every record and takes no parameters")
		return
	}
	if err := s.Reset(r.Context()); err != nil {
		writeError(w, http.StatusInternalServerError, "store: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Status int `json:"status"`
	}{http.StatusOK})
}

// getStats handles GET /v1/stats.
func (s *Server) getStats(w http.ResponseWriter, r *http.Request) {
	st, err := s.Stats(r.Context())
	if err != nil {
		writeError(w, http.StatusInternalServerError, "store: "+err.Error())
		return
	}
	writeJSON(w, http.StatusOK, st)
}

// healthz handles GET /healthz.
func (s *Server) healthz(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, "ok")
}
