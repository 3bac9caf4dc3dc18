package traceapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/tracebridge/tracebridge/record"
)

// FreeplayPrefixes are where the Freeplay API v2 (CONTRACTS.md §4) is served: below a base
// URL of http://HOST:PORT/api (Freeplay's own layout, https://app.freeplay.ai/api) or of
// http://HOST:PORT.
var FreeplayPrefixes = []string{"/api/v2/projects/", "/v2/projects/"}

var (
	freeplayTraceKeys      = []string{"agent_name", "input", "output", "parent_id", "custom_metadata", "eval_results", "test_run_info", "kind", "name", "start_time", "end_time"}
	freeplayUpdateKeys     = []string{"output", "metadata", "feedback", "eval_results"}
	freeplayCompletionKeys = []string{"messages", "inputs", "session_info", "parent_id", "completion_id", "prompt_info", "call_info", "response_info", "eval_results", "custom_metadata"}
	freeplayCallInfoKeys   = []string{"start_time", "end_time", "model", "provider", "llm_parameters", "usage"}
	freeplayTraceKinds     = []string{"tool", "agent"}
)

// freeplayRoute is a Freeplay path split into its parts.
type freeplayRoute struct {
	project, session, trace string
	what                    string // "trace", "completions", "trace-feedback"
}

// parseFreeplayPath reads {project}/sessions/{session}/traces/id/{trace},
// {project}/sessions/{session}/completions or {project}/trace-feedback/id/{trace}, with
// every id a UUID. ok is false for any other path (404); err names an id that is not a
// UUID (400).
func parseFreeplayPath(rest string) (freeplayRoute, bool, error) {
	parts := strings.Split(rest, "/")
	var rt freeplayRoute
	switch {
	case len(parts) == 6 && parts[1] == "sessions" && parts[3] == "traces" && parts[4] == "id":
		rt = freeplayRoute{project: parts[0], session: parts[2], trace: parts[5], what: "trace"}
	case len(parts) == 4 && parts[1] == "sessions" && parts[3] == "completions":
		rt = freeplayRoute{project: parts[0], session: parts[2], what: "completions"}
	case len(parts) == 4 && parts[1] == "trace-feedback" && parts[2] == "id":
		rt = freeplayRoute{project: parts[0], trace: parts[3], what: "trace-feedback"}
	default:
		return rt, false, nil
	}
	for name, id := range map[string]string{"project_id": rt.project, "session_id": rt.session, "trace_id": rt.trace} {
		if (id != "" || name == "project_id") && !isUUID(id) {
			return rt, true, fieldErr("path."+name, "must be a UUID, got %s", quoteShort(id))
		}
	}
	rt.project, rt.session, rt.trace = strings.ToLower(rt.project), strings.ToLower(rt.session), strings.ToLower(rt.trace)
	return rt, true, nil
}

// isUUID reports whether s is a UUID in canonical 8-4-4-4-12 hex form.
func isUUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i, c := range s {
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'):
			return false
		}
	}
	return true
}

// freeplay dispatches the Freeplay endpoints: POST and PATCH of a trace (201, 200), POST of
// a completion (201), POST of trace feedback (201).
func (s *Server) freeplay(w http.ResponseWriter, r *http.Request) {
	rest := ""
	for _, p := range FreeplayPrefixes {
		if after, ok := strings.CutPrefix(r.URL.Path, p); ok {
			rest = after
			break
		}
	}
	rt, ok, err := parseFreeplayPath(rest)
	if !ok {
		writeError(w, http.StatusNotFound, "no such endpoint: "+short(r.URL.Path))
		return
	}
	allow := map[string]string{"trace": "PATCH, POST", "completions": "POST", "trace-feedback": "POST"}[rt.what]
	if !strings.Contains(allow, r.Method) {
		w.Header().Set("Allow", allow)
		writeError(w, http.StatusMethodNotAllowed, "method "+short(r.Method)+" not allowed on "+r.URL.Path+"; allowed: "+allow)
		return
	}
	if err != nil {
		s.badRequest(w, err)
		return
	}
	whole, ok := s.readJSONBody(w, r)
	if !ok {
		return
	}
	switch {
	case rt.what == "trace" && r.Method == http.MethodPost:
		s.freeplayTrace(r.Context(), w, rt, whole)
	case rt.what == "trace":
		s.freeplayUpdate(r.Context(), w, rt, whole)
	case rt.what == "completions":
		s.freeplayCompletion(r.Context(), w, rt, whole)
	default:
		s.freeplayFeedback(r.Context(), w, rt, whole)
	}
}

// uuidField reads an optional string that must be a UUID.
func uuidField(o *object, key string) (string, error) {
	v, err := o.str(key, false)
	if err == nil && v != "" && !isUUID(v) {
		err = fieldErr(o.field(key), "must be a UUID, got %s", quoteShort(v))
	}
	return strings.ToLower(v), err
}

func scalarMap(o *object, key string) (map[string]string, error) {
	return o.valueKinds(key, "string", "number", "boolean")
}

func evalResults(o *object, key string) error {
	_, err := o.valueKinds(key, "boolean", "number")
	return err
}

// freeplayInteraction is the interaction an item belongs to, for the index: the
// interaction_id its metadata names (tracebridge sends it), else its parent's, else its own
// id when it has no parent, else its parent's id.
func (s *Server) freeplayInteraction(ctx context.Context, project string, meta map[string]string, parent, self string) string {
	if id := meta["interaction_id"]; id != "" {
		return id
	}
	if parent == "" {
		return self
	}
	if got, _ := s.store.List(ctx, Filter{Contract: ContractFreeplay, Project: project, TraceID: parent}); len(got) > 0 {
		return got[len(got)-1].InteractionID
	}
	return parent
}

func (s *Server) freeplayTrace(ctx context.Context, w http.ResponseWriter, rt freeplayRoute, whole json.RawMessage) {
	o, err := readObject(whole, "", freeplayTraceKeys...)
	if err != nil {
		s.badRequest(w, err)
		return
	}
	rec, err := s.checkFreeplayTrace(ctx, o, rt)
	if err != nil {
		s.badRequest(w, err)
		return
	}
	rec.Raw = whole
	if err := s.put(ctx, []StoredRecord{rec}, func(*StoredRecord) DuplicatePolicy { return s.cfg.OnDuplicate }); err != nil {
		storeFailed(w, err, "trace "+rt.trace+" already exists")
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		TraceID string `json:"trace_id"`
	}{rt.trace})
}

func (s *Server) checkFreeplayTrace(ctx context.Context, o *object, rt freeplayRoute) (StoredRecord, error) {
	if _, err := o.str("agent_name", false); err != nil {
		return StoredRecord{}, err
	}
	parent, err := uuidField(o, "parent_id")
	if err != nil {
		return StoredRecord{}, err
	}
	meta, err := scalarMap(o, "custom_metadata")
	if err != nil {
		return StoredRecord{}, err
	}
	if err := evalResults(o, "eval_results"); err != nil {
		return StoredRecord{}, err
	}
	if tr, err := o.sub("test_run_info", false, "test_run_id", "test_case_id"); err != nil {
		return StoredRecord{}, err
	} else if tr != nil {
		for _, k := range []string{"test_run_id", "test_case_id"} {
			if _, err := uuidField(tr, k); err != nil {
				return StoredRecord{}, err
			}
		}
	}
	kind, err := o.str("kind", false)
	if err != nil {
		return StoredRecord{}, err
	}
	if kind != "" && !contains(freeplayTraceKinds, kind) {
		return StoredRecord{}, fieldErr(o.field("kind"), "unknown kind %s (want tool or agent)", quoteShort(kind))
	}
	name, err := o.str("name", false)
	if err != nil {
		return StoredRecord{}, err
	}
	start, okS, err := o.isoTime("start_time")
	if err != nil {
		return StoredRecord{}, err
	}
	end, okE, err := o.isoTime("end_time")
	if err != nil {
		return StoredRecord{}, err
	}
	if okS && okE && end.Before(start) {
		return StoredRecord{}, fieldErr(o.field("end_time"), "must not be before start_time")
	}
	task := record.Task(meta["task"])
	switch {
	case task.Valid():
	case kind == "agent":
		task = record.TaskAgent
	case kind == "tool":
		task = record.TaskTool
	case parent == "":
		task = record.TaskMessage
	default:
		task = record.TaskEvent
	}
	conv := meta["conversation_id"]
	if conv == "" {
		conv = rt.session
	}
	return StoredRecord{
		Contract: ContractFreeplay, Kind: KindTrace, Project: rt.project, TraceID: rt.trace, ParentID: parent,
		SessionID: rt.session, ConversationID: conv, Task: task, Name: name,
		InteractionID: s.freeplayInteraction(ctx, rt.project, meta, parent, rt.trace),
	}, nil
}

// freeplayUpdate stores a PATCH of a trace as an item of its own (kind "trace_update"),
// after the trace. The trace need not have arrived yet: requests arrive in any order.
func (s *Server) freeplayUpdate(ctx context.Context, w http.ResponseWriter, rt freeplayRoute, whole json.RawMessage) {
	o, err := readObject(whole, "", freeplayUpdateKeys...)
	if err != nil {
		s.badRequest(w, err)
		return
	}
	for _, k := range []string{"metadata", "feedback"} {
		if _, err := scalarMap(o, k); err != nil {
			s.badRequest(w, err)
			return
		}
	}
	if err := evalResults(o, "eval_results"); err != nil {
		s.badRequest(w, err)
		return
	}
	upd := StoredRecord{
		Contract: ContractFreeplay, Kind: KindTraceUpdate, Project: rt.project, TraceID: rt.trace,
		SessionID: rt.session, ConversationID: rt.session, InteractionID: rt.trace, Raw: whole,
	}
	if got, _ := s.lookup(ctx, ContractFreeplay, KindTrace, rt.project, rt.trace); len(got) > 0 {
		t := got[len(got)-1]
		upd.InteractionID, upd.ConversationID, upd.ParentID, upd.Task, upd.Name = t.InteractionID, t.ConversationID, t.ParentID, t.Task, t.Name
	}
	if err := s.put(ctx, []StoredRecord{upd}, func(*StoredRecord) DuplicatePolicy { return DuplicateAppend }); err != nil {
		storeFailed(w, err, "")
		return
	}
	writeJSON(w, http.StatusOK, struct {
		TraceID string `json:"trace_id"`
	}{rt.trace})
}

func (s *Server) freeplayCompletion(ctx context.Context, w http.ResponseWriter, rt freeplayRoute, whole json.RawMessage) {
	o, err := readObject(whole, "", freeplayCompletionKeys...)
	if err != nil {
		s.badRequest(w, err)
		return
	}
	rec, err := s.checkFreeplayCompletion(ctx, o, rt)
	if err != nil {
		s.badRequest(w, err)
		return
	}
	rec.Raw = whole
	if err := s.put(ctx, []StoredRecord{rec}, func(*StoredRecord) DuplicatePolicy { return s.cfg.OnDuplicate }); err != nil {
		storeFailed(w, err, "completion "+rec.TraceID+" already exists")
		return
	}
	writeJSON(w, http.StatusCreated, struct {
		CompletionID string `json:"completion_id"`
	}{rec.TraceID})
}

func (s *Server) checkFreeplayCompletion(ctx context.Context, o *object, rt freeplayRoute) (StoredRecord, error) {
	// An empty list is allowed: with content capture off there is nothing to send.
	msgs, err := o.array("messages", true)
	if err != nil {
		return StoredRecord{}, err
	}
	for i, raw := range msgs {
		m, err := readObject(raw, index("messages", i))
		if err != nil {
			return StoredRecord{}, err
		}
		if _, err := m.nonEmpty("role"); err != nil {
			return StoredRecord{}, err
		}
	}
	for _, k := range []string{"inputs", "response_info"} {
		if _, err := o.sub(k, false); err != nil {
			return StoredRecord{}, err
		}
	}
	if si, err := o.sub("session_info", false, "custom_metadata"); err != nil {
		return StoredRecord{}, err
	} else if si != nil {
		if _, err := scalarMap(si, "custom_metadata"); err != nil {
			return StoredRecord{}, err
		}
	}
	parent, err := uuidField(o, "parent_id")
	if err != nil {
		return StoredRecord{}, err
	}
	id, err := uuidField(o, "completion_id")
	if err != nil {
		return StoredRecord{}, err
	}
	if id == "" {
		id = newTraceID()
	}
	if pi, err := o.sub("prompt_info", false, "environment", "prompt_template_version_id"); err != nil {
		return StoredRecord{}, err
	} else if pi != nil {
		if _, err := pi.str("environment", false); err != nil {
			return StoredRecord{}, err
		}
		if _, err := uuidField(pi, "prompt_template_version_id"); err != nil {
			return StoredRecord{}, err
		}
	}
	model := ""
	if ci, err := o.sub("call_info", false, freeplayCallInfoKeys...); err != nil {
		return StoredRecord{}, err
	} else if ci != nil {
		if err := checkTimes(ci, "start_time", "end_time", false); err != nil {
			return StoredRecord{}, err
		}
		if model, err = ci.str("model", false); err != nil {
			return StoredRecord{}, err
		}
		if _, err := ci.str("provider", false); err != nil {
			return StoredRecord{}, err
		}
		if _, err := ci.sub("llm_parameters", false); err != nil {
			return StoredRecord{}, err
		}
		if u, err := ci.sub("usage", false, "prompt_tokens", "completion_tokens"); err != nil {
			return StoredRecord{}, err
		} else if u != nil {
			for _, k := range []string{"prompt_tokens", "completion_tokens"} {
				if _, _, err := u.integer(k, false); err != nil {
					return StoredRecord{}, err
				}
			}
		}
	}
	if err := evalResults(o, "eval_results"); err != nil {
		return StoredRecord{}, err
	}
	meta, err := scalarMap(o, "custom_metadata")
	if err != nil {
		return StoredRecord{}, err
	}
	conv := meta["conversation_id"]
	if conv == "" {
		conv = rt.session
	}
	return StoredRecord{
		Contract: ContractFreeplay, Kind: KindCompletion, Project: rt.project, TraceID: id, ParentID: parent,
		SessionID: rt.session, ConversationID: conv, Task: record.TaskGeneration, Name: model,
		InteractionID: s.freeplayInteraction(ctx, rt.project, meta, parent, id),
	}, nil
}

// freeplayFeedback stores trace feedback (kind "trace_feedback"): a flat map of booleans,
// strings and numbers. The trace need not have arrived yet; feedback sent again for a trace
// follows the duplicate policy (by default the latest replaces the earlier).
func (s *Server) freeplayFeedback(ctx context.Context, w http.ResponseWriter, rt freeplayRoute, whole json.RawMessage) {
	o, err := readObject(whole, "")
	if err != nil {
		s.badRequest(w, err)
		return
	}
	for _, k := range o.keys {
		if kind := kindOf(o.vals[k]); kind != "string" && kind != "number" && kind != "boolean" {
			s.badRequest(w, fieldErr(short(k), "must be a string, number or boolean, got %s", kind))
			return
		}
	}
	fb := StoredRecord{
		Contract: ContractFreeplay, Kind: KindTraceFeedback, Project: rt.project, TraceID: rt.trace,
		InteractionID: rt.trace, Task: record.TaskFeedback, Raw: whole,
	}
	if got, _ := s.lookup(ctx, ContractFreeplay, KindTrace, rt.project, rt.trace); len(got) > 0 {
		t := got[len(got)-1]
		fb.InteractionID, fb.ConversationID, fb.SessionID = t.InteractionID, t.ConversationID, t.SessionID
	}
	if err := s.put(ctx, []StoredRecord{fb}, func(*StoredRecord) DuplicatePolicy { return s.cfg.OnDuplicate }); err != nil {
		storeFailed(w, err, "feedback for trace "+rt.trace+" already exists")
		return
	}
	writeJSON(w, http.StatusCreated, struct{}{})
}
