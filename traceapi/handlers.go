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
	Summarize(&rec)
	outcome, err := s.store.Put(r.Context(), rec, s.cfg.OnDuplicate)
	if err == nil {
		s.rev.Add(1)
	}
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
	recs, ok := s.listPage(w, r, ContractNeuralTrust)
	if !ok {
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

// MaxRecordsPage is the largest limit= of GET /v1/records and /v1/items.
const MaxRecordsPage = 10000

// listPage reads the filter of GET /v1/records or /v1/items and lists the records of one
// page: all of them without limit=, else at most limit, with the cursor of the next page
// in the X-Next-Cursor header and a Link rel="next" when more remain. It answers a failure
// itself and returns false.
func (s *Server) listPage(w http.ResponseWriter, r *http.Request, def Contract) ([]StoredRecord, bool) {
	f, err := parseFilter(r.URL.RawQuery, def)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return nil, false
	}
	limit := f.Limit
	if limit > 0 {
		f.Limit++ // one more tells whether a next page exists
	}
	recs, err := s.store.List(r.Context(), f)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "store: "+err.Error())
		return nil, false
	}
	if limit > 0 && len(recs) > limit {
		recs = recs[:limit]
		next := strconv.FormatInt(recs[limit-1].Seq, 10)
		q := r.URL.Query()
		q.Set("cursor", next)
		w.Header().Set("X-Next-Cursor", next)
		w.Header().Set("Link", "<"+r.URL.Path+"?"+q.Encode()+`>; rel="next"`)
	}
	return recs, true
}

var filterParams = []string{"conversation_id", "interaction_id", "task", "trace_id", "contract", "kind", "project",
	"session_id", "user", "since", "until", "limit", "cursor"}

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
		case "session_id":
			f.SessionID = v
		case "user":
			f.UserID = v
		case "since", "until":
			t, err := parseTime(k, v)
			if err != nil {
				return Filter{}, err
			}
			if k == "since" {
				f.Since = t
			} else {
				f.Until = t
			}
		case "limit":
			if f.Limit, err = parseLimit(v, MaxRecordsPage); err != nil {
				return Filter{}, err
			}
		case "cursor":
			if v != "" {
				n, err := strconv.ParseInt(v, 10, 64)
				if err != nil || n < 0 {
					return Filter{}, fieldErr(k, "must be the X-Next-Cursor of a previous page, got %s", quoteShort(v))
				}
				f.After = n
			}
		case "contract":
			if f.Contract, err = parseContract(v); err != nil {
				return Filter{}, err
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

// parseContract reads contract=: a contract's name, or "all" (returned as "").
func parseContract(v string) (Contract, error) {
	switch c := Contract(v); {
	case v == "all":
		return "", nil
	case c.Valid():
		return c, nil
	}
	return "", fieldErr("contract", "unknown contract %s (want one of %v or all)", quoteShort(v), Contracts)
}

// parseTime reads since= or until=: RFC 3339, or epoch milliseconds. Empty is no bound.
func parseTime(k, v string) (time.Time, error) {
	if v == "" {
		return time.Time{}, nil
	}
	if ms, err := strconv.ParseInt(v, 10, 64); err == nil && ms >= 0 {
		return time.UnixMilli(ms), nil
	}
	if t, err := time.Parse(time.RFC3339Nano, v); err == nil {
		return t, nil
	}
	return time.Time{}, fieldErr(k, "must be an RFC 3339 time or epoch milliseconds, got %s", quoteShort(v))
}

// parseLimit reads limit=: 1 to max. Empty is no limit.
func parseLimit(v string, max int) (int, error) {
	if v == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < 1 || n > max {
		return 0, fieldErr("limit", "must be an integer from 1 to %d, got %s", max, quoteShort(v))
	}
	return n, nil
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
