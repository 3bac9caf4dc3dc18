package traceapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// Page sizes of GET /v1/view/interaction, in steps.
const (
	DefaultStepPage = 1000
	MaxStepPage     = 5000
)

// InteractionView is one page of an interaction's steps, as GET /v1/view/interaction
// serves it.
type InteractionView struct {
	InteractionID string `json:"interaction_id"`
	Steps         []Step `json:"steps"` // in arrival order
	NextCursor    string `json:"next_cursor,omitempty"`
}

// Conversations answers q from the store: by itself when it is a ViewStore, else from
// every record it lists.
func (s *Server) Conversations(ctx context.Context, q ConversationQuery) (ConversationPage, error) {
	if vs, ok := s.store.(ViewStore); ok {
		return vs.Conversations(ctx, q)
	}
	recs, err := s.store.List(ctx, Filter{Contract: q.Contract})
	if err != nil {
		return ConversationPage{}, err
	}
	return scanConversations(recs, q)
}

// Interactions answers q from the store, as Conversations does.
func (s *Server) Interactions(ctx context.Context, q InteractionQuery) (InteractionPage, error) {
	if vs, ok := s.store.(ViewStore); ok {
		return vs.Interactions(ctx, q)
	}
	recs, err := s.store.List(ctx, Filter{ConversationID: q.ConversationID, Contract: q.Contract})
	if err != nil {
		return InteractionPage{}, err
	}
	return scanInteractions(recs, q)
}

// Interaction returns one page of the steps of the items f selects (an interaction's), linked
// into a tree. f.Limit is the page size (DefaultStepPage when 0).
func (s *Server) Interaction(ctx context.Context, f Filter) ([]Step, string, error) {
	limit := PageSize(f.Limit, DefaultStepPage, MaxStepPage)
	f.Limit = limit + 1
	recs, err := s.store.List(ctx, f)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(recs) > limit {
		recs = recs[:limit]
		next = strconv.FormatInt(recs[limit-1].Seq, 10)
	}
	return Steps(recs), next, nil
}

// Steps reads items as steps and links each to its parent among them: a record, span or
// trace to the item its parent id names, a span without a parent (batch, Adaline) to its
// interaction's trace, a trace update or feedback to the item it is about. Links that would
// close a cycle are cut.
func Steps(recs []StoredRecord) []Step {
	steps := make([]Step, len(recs))
	byRef := map[string]int{}
	for i := range recs {
		steps[i] = StepOf(&recs[i])
		st := &steps[i]
		ref := string(st.Contract) + ":"
		switch {
		case st.Kind == KindTraceUpdate || st.Kind == KindTraceFeedback:
			st.ParentRef = ref + st.ID
		case st.ParentID != "":
			st.ParentRef = ref + st.ParentID
		case st.Kind == KindSpan:
			st.ParentRef = ref + recs[i].InteractionID
		}
		if st.Kind != KindTraceUpdate && st.Kind != KindTraceFeedback {
			st.Ref = ref + st.ID
			byRef[st.Ref] = i // the latest of the same id (appended re-sends)
		}
		if st.ParentRef == st.Ref {
			st.ParentRef = ""
		}
	}
	parent := make([]int, len(steps))
	for i := range steps {
		parent[i] = -1
		if j, ok := byRef[steps[i].ParentRef]; ok && steps[i].ParentRef != "" && j != i {
			parent[i] = j
		}
	}
	for i := range steps {
		j := parent[i]
		for n := 0; j >= 0 && j != i && n < len(steps); n++ {
			j = parent[j]
		}
		if j == i {
			parent[i] = -1
		}
	}
	for i := range steps {
		if parent[i] >= 0 {
			steps[i].ParentUID = steps[parent[i]].UID
		}
	}
	return steps
}

// query reads a query string whose parameters are all in allowed, each given once: an
// unknown or repeated one is a 400, so that a typo cannot quietly widen a list.
func query(rawQuery string, allowed ...string) (map[string]string, error) {
	q, err := url.ParseQuery(rawQuery)
	if err != nil {
		return nil, fieldErr("query", "%v", err)
	}
	out := make(map[string]string, len(q))
	for k, vs := range q {
		if !contains(allowed, k) {
			return nil, fieldErr(short(k), "unknown query parameter (want %v)", allowed)
		}
		if len(vs) != 1 {
			return nil, fieldErr(k, "query parameter given %d times", len(vs))
		}
		out[k] = vs[0]
	}
	return out, nil
}

// parseConversationQuery reads the query of GET /v1/view/conversations.
func parseConversationQuery(rawQuery string) (ConversationQuery, error) {
	p, err := query(rawQuery, "contract", "user", "session_id", "q", "since", "until", "errors", "limit", "cursor")
	if err != nil {
		return ConversationQuery{}, err
	}
	q := ConversationQuery{UserID: p["user"], SessionID: p["session_id"], Search: p["q"], Cursor: p["cursor"]}
	if v, ok := p["contract"]; ok && v != "" {
		if q.Contract, err = parseContract(v); err != nil {
			return q, err
		}
	}
	if q.Since, err = parseTime("since", p["since"]); err != nil {
		return q, err
	}
	if q.Until, err = parseTime("until", p["until"]); err != nil {
		return q, err
	}
	switch p["errors"] {
	case "", "0", "false":
	case "1", "true":
		q.ErrorsOnly = true
	default:
		return q, fieldErr("errors", "must be true or false, got %s", quoteShort(p["errors"]))
	}
	q.Limit, err = parseLimit(p["limit"], MaxConversationPage)
	return q, err
}

// getConversations handles GET /v1/view/conversations: a page of the conversation list.
func (s *Server) getConversations(w http.ResponseWriter, r *http.Request) {
	q, err := parseConversationQuery(r.URL.RawQuery)
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	page, err := s.Conversations(r.Context(), q)
	if err != nil {
		viewFailed(w, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// getInteractions handles GET /v1/view/interactions: a page of a conversation's
// interactions.
func (s *Server) getInteractions(w http.ResponseWriter, r *http.Request) {
	p, err := query(r.URL.RawQuery, "conversation_id", "contract", "limit", "cursor")
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	conv, ok := p["conversation_id"]
	if !ok {
		writeError(w, http.StatusBadRequest, "conversation_id: required query parameter is missing")
		return
	}
	q := InteractionQuery{ConversationID: conv, Cursor: p["cursor"]}
	if v := p["contract"]; v != "" {
		if q.Contract, err = parseContract(v); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	if q.Limit, err = parseLimit(p["limit"], MaxInteractionPage); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	page, err := s.Interactions(r.Context(), q)
	if err != nil {
		viewFailed(w, err)
		return
	}
	writeJSON(w, http.StatusOK, page)
}

// getInteraction handles GET /v1/view/interaction: a page of an interaction's steps.
func (s *Server) getInteraction(w http.ResponseWriter, r *http.Request) {
	p, err := query(r.URL.RawQuery, "id", "conversation_id", "contract", "limit", "cursor")
	if err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	id, ok := p["id"]
	if !ok {
		writeError(w, http.StatusBadRequest, "id: required query parameter is missing")
		return
	}
	// conversation_id narrows only when given: an interaction id is unique in practice.
	f := Filter{InteractionID: id, ConversationID: p["conversation_id"]}
	if v := p["contract"]; v != "" {
		if f.Contract, err = parseContract(v); err != nil {
			writeError(w, http.StatusBadRequest, err.Error())
			return
		}
	}
	if f.Limit, err = parseLimit(p["limit"], MaxStepPage); err != nil {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	if c := p["cursor"]; c != "" {
		if f.After, err = strconv.ParseInt(c, 10, 64); err != nil || f.After < 0 {
			writeError(w, http.StatusBadRequest, ErrBadCursor.Error())
			return
		}
	}
	if id == "" {
		// The empty interaction would list every item without one; nothing has "".
		writeJSON(w, http.StatusOK, InteractionView{Steps: []Step{}})
		return
	}
	steps, next, err := s.Interaction(r.Context(), f)
	if err != nil {
		viewFailed(w, err)
		return
	}
	writeJSON(w, http.StatusOK, InteractionView{InteractionID: id, Steps: steps, NextCursor: next})
}

// getRevision handles GET /v1/view/revision: a value that changes whenever the records
// do, which the viewer polls to refresh.
func (s *Server) getRevision(w http.ResponseWriter, r *http.Request) {
	if r.URL.RawQuery != "" {
		writeError(w, http.StatusBadRequest, "query: GET /v1/view/revision takes no parameters")
		return
	}
	writeJSON(w, http.StatusOK, struct {
		Revision      string `json:"revision"`
		TokenRequired bool   `json:"token_required"` // the viewer then offers to log out
	}{s.epoch + "-" + strconv.FormatInt(s.rev.Load(), 10), s.hasToken})
}

func viewFailed(w http.ResponseWriter, err error) {
	if errors.Is(err, ErrBadCursor) {
		writeError(w, http.StatusBadRequest, err.Error())
		return
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "store: ") {
		msg = "store: " + msg
	}
	writeError(w, http.StatusInternalServerError, msg)
}
