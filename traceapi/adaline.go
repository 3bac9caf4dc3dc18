package traceapi

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/http"
	"unicode/utf8"

	"github.com/tracebridge/tracebridge/record"
)

// Adaline's endpoints (CONTRACTS.md §3), below the base https://api.adaline.ai/v2.
const (
	AdalineTracePath = "/v2/logs/trace"
	AdalineSpanPath  = "/v2/logs/span"
)

// Adaline's statuses and content types.
var (
	AdalineTraceStatuses = []string{"success", "failure", "aborted", "cancelled", "pending", "unknown"}
	AdalineSpanStatuses  = []string{"success", "failure", "aborted", "cancelled", "unknown"}
	AdalineContentTypes  = []string{"Model", "ModelStream", "Embeddings", "Function", "Tool", "Retrieval", "Guardrail", "Other"}
)

var (
	adalineTraceKeys   = []string{"startedAt", "endedAt", "name", "status", "referenceId", "sessionId", "attributes", "tags"}
	adalineSpanKeys    = []string{"startedAt", "endedAt", "name", "status", "content", "promptId", "deploymentId", "runEvaluation", "parentReferenceId", "referenceId", "sessionId", "attributes", "tags"}
	adalineContentKeys = map[string][]string{
		"Model":       {"type", "provider", "model", "input", "output", "variables", "cost"},
		"ModelStream": {"type", "provider", "model", "input", "output", "aggregateOutput", "variables", "cost"},
	}
	adalineBasicContentKeys = []string{"type", "input", "output"}
)

type adalineTraceAnswer struct {
	TraceID string   `json:"traceId"`
	SpanIDs []string `json:"spanIds"`
}

// adalineID is the id the server gives an item, derived from its project and reference id
// so that it is stable and within Adaline's 20–80 characters.
func adalineID(kind, project, ref string) string {
	sum := sha256.Sum256([]byte(kind + "\x00" + project + "\x00" + ref))
	return kind + "_" + hex.EncodeToString(sum[:12])
}

// adalineProject checks projectId: a string of 20 to 80 characters.
func adalineProject(o *object) (string, error) {
	p, err := o.str("projectId", true)
	if err != nil {
		return "", err
	}
	if n := utf8.RuneCountInString(p); n < 20 || n > 80 {
		return "", fieldErr(o.field("projectId"), "must be 20 to 80 characters, got %d", n)
	}
	return p, nil
}

// referenceID reads an optional reference id: 1 to 128 characters.
func referenceID(o *object, key string) (string, error) {
	v, err := o.str(key, false)
	if err != nil {
		return "", err
	}
	if _, present := o.vals[key]; present && o.has(key) {
		if n := utf8.RuneCountInString(v); n < 1 || n > 128 {
			return "", fieldErr(o.field(key), "must be 1 to 128 characters, got %d", n)
		}
	}
	return v, nil
}

// adalineCommon checks what traces and spans share: times (startedAt before endedAt),
// name, status, session, attributes and tags.
func adalineCommon(o *object, statuses []string) (name, status, session string, attrs map[string]string, err error) {
	start, _, err := o.integer("startedAt", true)
	if err != nil {
		return
	}
	end, _, err := o.integer("endedAt", true)
	if err != nil {
		return
	}
	if start >= end {
		err = fieldErr(o.field("endedAt"), "startedAt must be before endedAt (%d >= %d)", start, end)
		return
	}
	if name, err = o.nonEmpty("name"); err != nil {
		return
	}
	if status, err = o.nonEmpty("status"); err != nil {
		return
	}
	if !contains(statuses, status) {
		err = fieldErr(o.field("status"), "unknown status %s (want one of %v)", quoteShort(status), statuses)
		return
	}
	if session, err = o.str("sessionId", false); err != nil {
		return
	}
	if attrs, err = o.valueKinds("attributes", "string", "number", "boolean"); err != nil {
		return
	}
	err = stringList(o, "tags")
	return
}

func stringList(o *object, key string) error {
	items, err := o.array(key, false)
	if err != nil {
		return err
	}
	for i, it := range items {
		if k := kindOf(it); k != "string" {
			return fieldErr(index(o.field(key), i), "must be a string, got %s", k)
		}
	}
	return nil
}

// jsonTextField checks a content field that must hold valid JSON text.
func jsonTextField(o *object, key string, required bool) error {
	s, err := o.str(key, required)
	if err != nil {
		return err
	}
	if o.has(key) && !json.Valid([]byte(s)) {
		return fieldErr(o.field(key), "must be valid JSON text, got %s", quoteShort(s))
	}
	return nil
}

// parseAdalineSpan checks a span; extra are keys allowed beside the span's own
// (traceId, traceReferenceId for POST /logs/span).
func parseAdalineSpan(raw json.RawMessage, path string, extra ...string) (*object, StoredRecord, error) {
	o, err := readObject(raw, path, append(append([]string(nil), adalineSpanKeys...), extra...)...)
	if err != nil {
		return nil, StoredRecord{}, err
	}
	name, _, session, attrs, err := adalineCommon(o, AdalineSpanStatuses)
	if err != nil {
		return nil, StoredRecord{}, err
	}
	content, err := o.sub("content", true)
	if err != nil {
		return nil, StoredRecord{}, err
	}
	ctype, err := content.nonEmpty("type")
	if err != nil {
		return nil, StoredRecord{}, err
	}
	if !contains(AdalineContentTypes, ctype) {
		return nil, StoredRecord{}, fieldErr(content.field("type"), "unknown type %s (want one of %v)", quoteShort(ctype), AdalineContentTypes)
	}
	allowed, model := adalineContentKeys[ctype]
	if !model {
		allowed = adalineBasicContentKeys
	}
	// Read again with the keys its type allows.
	if content, err = o.sub("content", true, allowed...); err != nil {
		return nil, StoredRecord{}, err
	}
	if model {
		for _, k := range []string{"provider", "model"} {
			if _, err := content.nonEmpty(k); err != nil {
				return nil, StoredRecord{}, err
			}
		}
		if err := jsonTextField(content, "aggregateOutput", false); err != nil {
			return nil, StoredRecord{}, err
		}
	}
	for _, k := range []string{"input", "output"} {
		if err := jsonTextField(content, k, true); err != nil {
			return nil, StoredRecord{}, err
		}
	}
	for _, k := range []string{"promptId", "deploymentId"} {
		if _, err := o.str(k, false); err != nil {
			return nil, StoredRecord{}, err
		}
	}
	if err := o.boolean("runEvaluation"); err != nil {
		return nil, StoredRecord{}, err
	}
	parent, err := referenceID(o, "parentReferenceId")
	if err != nil {
		return nil, StoredRecord{}, err
	}
	ref, err := referenceID(o, "referenceId")
	if err != nil {
		return nil, StoredRecord{}, err
	}
	if ref == "" {
		ref = newTraceID()
	}
	task := record.Task(attrs["task"])
	if !task.Valid() {
		task = adalineContentTask[ctype]
	}
	return o, StoredRecord{
		Contract: ContractAdaline, Kind: KindSpan, TraceID: ref, ParentID: parent, SessionID: session,
		Task: task, Name: name, Raw: raw,
	}, nil
}

// adalineContentTask reads a content type as a task, for spans without a "task" attribute.
var adalineContentTask = map[string]record.Task{
	"Model": record.TaskGeneration, "ModelStream": record.TaskGeneration, "Embeddings": record.TaskGeneration,
	"Function": record.TaskTool, "Tool": record.TaskTool, "Retrieval": record.TaskRetrieval,
	"Guardrail": record.TaskEvent, "Other": record.TaskEvent,
}

// postAdalineTrace handles POST /v2/logs/trace: a trace with its spans, stored whole or not
// at all. A referenceId already stored (trace or span) is a 409 "Log trace already exists
// with referenceId …" (or "Log span …"), whatever the duplicate policy: the contract says so.
func (s *Server) postAdalineTrace(w http.ResponseWriter, r *http.Request) {
	body, ok := s.readBody(w, r)
	if !ok {
		return
	}
	items, project, err := parseAdalineTrace(body)
	if err != nil {
		s.badRequest(w, err)
		return
	}
	s.ingest.Lock()
	defer s.ingest.Unlock()
	if !s.storeNewAdaline(w, r, items, "Log trace already exists") {
		return
	}
	ans := adalineTraceAnswer{TraceID: adalineID("trace", project, items[0].TraceID), SpanIDs: []string{}}
	for _, it := range items[1:] {
		ans.SpanIDs = append(ans.SpanIDs, adalineID("span", project, it.TraceID))
	}
	writeJSON(w, http.StatusOK, ans)
}

// adalineDuplicate names the first item whose referenceId is stored already.
func (s *Server) adalineDuplicate(ctx context.Context, items []StoredRecord) (string, error) {
	for i := range items {
		found, err := s.exists(ctx, &items[i])
		if err != nil {
			return "", err
		}
		if found {
			what := "trace"
			if items[i].Kind == KindSpan {
				what = "span"
			}
			return fmt.Sprintf("Log %s already exists with referenceId %s", what, quoteShort(items[i].TraceID)), nil
		}
	}
	return "", nil
}

// parseAdalineTrace checks a POST /logs/trace body and returns its items, the trace first.
func parseAdalineTrace(body []byte) ([]StoredRecord, string, error) {
	whole, err := parseBody(body)
	if err != nil {
		return nil, "", err
	}
	o, err := readObject(whole, "", "projectId", "trace", "spans")
	if err != nil {
		return nil, "", err
	}
	project, err := adalineProject(o)
	if err != nil {
		return nil, "", err
	}
	t, err := o.sub("trace", true, adalineTraceKeys...)
	if err != nil {
		return nil, "", err
	}
	name, _, session, attrs, err := adalineCommon(t, AdalineTraceStatuses)
	if err != nil {
		return nil, "", err
	}
	ref, err := referenceID(t, "referenceId")
	if err != nil {
		return nil, "", err
	}
	if ref == "" {
		ref = newTraceID()
	}
	conv := attrs["conversation_id"]
	if conv == "" {
		conv = session
	}
	items := []StoredRecord{{
		Contract: ContractAdaline, Kind: KindTrace, Project: project, TraceID: ref, InteractionID: ref,
		ConversationID: conv, SessionID: session, Task: record.TaskMessage, Name: name, Raw: o.vals["trace"],
	}}
	spans, err := o.array("spans", false)
	if err != nil {
		return nil, "", err
	}
	seen := map[string]bool{}
	for i, raw := range spans {
		_, sp, err := parseAdalineSpan(raw, index("spans", i))
		if err != nil {
			return nil, "", err
		}
		if seen[sp.TraceID] {
			return nil, "", fieldErr(index("spans", i)+".referenceId", "Log span referenceId %s repeated in the request", quoteShort(sp.TraceID))
		}
		seen[sp.TraceID] = true
		sp.Project, sp.InteractionID, sp.ConversationID = project, ref, conv
		if sp.SessionID == "" {
			sp.SessionID = session
		}
		items = append(items, sp)
	}
	return items, project, nil
}

// adalineTrace finds a stored trace by reference id or by the id the server gave it.
func (s *Server) adalineTrace(ctx context.Context, project, ref, id string) (*StoredRecord, error) {
	if ref != "" {
		got, err := s.lookup(ctx, ContractAdaline, KindTrace, project, ref)
		if err != nil || len(got) == 0 {
			return nil, err
		}
		return &got[len(got)-1], nil
	}
	all, err := s.store.List(ctx, Filter{Contract: ContractAdaline, Kind: KindTrace, Project: project})
	if err != nil {
		return nil, err
	}
	for i := range all {
		if adalineID("trace", project, all[i].TraceID) == id {
			return &all[i], nil
		}
	}
	return nil, nil
}

// traceTarget reads "traceId | referenceId" (or traceReferenceId), exactly one of them.
func traceTarget(o *object, refKey string) (ref, id string, err error) {
	if ref, err = referenceID(o, refKey); err != nil {
		return
	}
	if id, err = o.str("traceId", false); err != nil {
		return
	}
	if (ref == "") == (id == "") {
		err = fieldErr(o.field("traceId"), "give exactly one of traceId and %s", refKey)
	}
	return
}

func notFound(ref, id string) string {
	if ref != "" {
		return "Log trace not found with referenceId " + quoteShort(ref)
	}
	return "Log trace not found with traceId " + quoteShort(id)
}

// postAdalineSpan handles POST /v2/logs/span: one span of an existing trace.
func (s *Server) postAdalineSpan(w http.ResponseWriter, r *http.Request) {
	whole, ok := s.readJSONBody(w, r)
	if !ok {
		return
	}
	o, err := readObject(whole, "", "projectId", "span")
	if err != nil {
		s.badRequest(w, err)
		return
	}
	project, err := adalineProject(o)
	if err != nil {
		s.badRequest(w, err)
		return
	}
	raw, ok := o.vals["span"]
	if !ok {
		s.badRequest(w, fieldErr("span", "required field is missing"))
		return
	}
	so, sp, err := parseAdalineSpan(raw, "span", "traceId", "traceReferenceId")
	if err != nil {
		s.badRequest(w, err)
		return
	}
	ref, id, err := traceTarget(so, "traceReferenceId")
	if err != nil {
		s.badRequest(w, err)
		return
	}
	s.ingest.Lock()
	defer s.ingest.Unlock()
	tr, ok := s.existingAdalineTrace(w, r, project, ref, id)
	if !ok {
		return
	}
	sp.Project, sp.InteractionID, sp.ConversationID = project, tr.TraceID, tr.ConversationID
	if sp.SessionID == "" {
		sp.SessionID = tr.SessionID
	}
	items := []StoredRecord{sp}
	if !s.storeNewAdaline(w, r, items, "Log span already exists") {
		return
	}
	writeJSON(w, http.StatusOK, struct {
		SpanID string `json:"spanId"`
	}{adalineID("span", project, sp.TraceID)})
}

// patchAdalineTrace handles PATCH /v2/logs/trace: an update of a stored trace, kept as an
// item of its own (kind "trace_update", the body as received) after the trace.
func (s *Server) patchAdalineTrace(w http.ResponseWriter, r *http.Request) {
	whole, ok := s.readJSONBody(w, r)
	if !ok {
		return
	}
	o, err := readObject(whole, "", "projectId", "traceId", "referenceId", "logTrace")
	if err != nil {
		s.badRequest(w, err)
		return
	}
	project, err := adalineProject(o)
	if err != nil {
		s.badRequest(w, err)
		return
	}
	ref, id, err := traceTarget(o, "referenceId")
	if err != nil {
		s.badRequest(w, err)
		return
	}
	lt, err := o.sub("logTrace", true, "status", "endedAt", "attributes", "tags")
	if err != nil {
		s.badRequest(w, err)
		return
	}
	if err := checkAdalinePatch(lt); err != nil {
		s.badRequest(w, err)
		return
	}
	s.ingest.Lock()
	defer s.ingest.Unlock()
	tr, ok := s.existingAdalineTrace(w, r, project, ref, id)
	if !ok {
		return
	}
	if end, ok, _ := lt.integer("endedAt", false); ok {
		stored, _ := readObject(tr.Raw, "trace")
		if start, _, _ := stored.integer("startedAt", true); start >= end {
			s.badRequest(w, fieldErr(lt.field("endedAt"), "startedAt must be before endedAt (%d >= %d)", start, end))
			return
		}
	}
	upd := StoredRecord{
		Contract: ContractAdaline, Kind: KindTraceUpdate, Project: project, TraceID: tr.TraceID,
		InteractionID: tr.InteractionID, ConversationID: tr.ConversationID, SessionID: tr.SessionID,
		Task: record.TaskMessage, Name: tr.Name, Raw: whole,
	}
	if err := s.put(r.Context(), []StoredRecord{upd}, func(*StoredRecord) DuplicatePolicy { return DuplicateAppend }); err != nil {
		storeFailed(w, err, "")
		return
	}
	writeJSON(w, http.StatusOK, struct {
		TraceID string `json:"traceId"`
	}{adalineID("trace", project, tr.TraceID)})
}

// checkAdalinePatch checks logTrace: status, endedAt, attribute and tag operations.
func checkAdalinePatch(lt *object) error {
	if st, err := lt.str("status", false); err != nil {
		return err
	} else if st != "" && !contains(AdalineTraceStatuses, st) {
		return fieldErr(lt.field("status"), "unknown status %s (want one of %v)", quoteShort(st), AdalineTraceStatuses)
	}
	if _, _, err := lt.integer("endedAt", false); err != nil {
		return err
	}
	attrs, err := lt.array("attributes", false)
	if err != nil {
		return err
	}
	for i, raw := range attrs {
		op, err := readObject(raw, index(lt.field("attributes"), i), "operation", "key", "value")
		if err != nil {
			return err
		}
		if err := operation(op); err != nil {
			return err
		}
		if _, err := op.nonEmpty("key"); err != nil {
			return err
		}
		v, ok := op.vals["value"]
		if k := kindOf(v); !ok || (k != "string" && k != "number" && k != "boolean") {
			return fieldErr(op.field("value"), "must be a string, number or boolean, got %s", kindOf(v))
		}
	}
	tags, err := lt.array("tags", false)
	if err != nil {
		return err
	}
	for i, raw := range tags {
		op, err := readObject(raw, index(lt.field("tags"), i), "operation", "tag")
		if err != nil {
			return err
		}
		if err := operation(op); err != nil {
			return err
		}
		if _, err := op.nonEmpty("tag"); err != nil {
			return err
		}
	}
	return nil
}

func operation(op *object) error {
	v, err := op.nonEmpty("operation")
	if err == nil && v != "create" {
		err = fieldErr(op.field("operation"), "unknown operation %s (want \"create\")", quoteShort(v))
	}
	return err
}

// existingAdalineTrace looks up the trace a span or a patch names, answering 404 (or 500)
// itself when it cannot be had.
func (s *Server) existingAdalineTrace(w http.ResponseWriter, r *http.Request, project, ref, id string) (*StoredRecord, bool) {
	tr, err := s.adalineTrace(r.Context(), project, ref, id)
	if err != nil {
		writeError(w, http.StatusInternalServerError, "store: "+err.Error())
		return nil, false
	}
	if tr == nil {
		s.counts.rejected.Add(1)
		writeError(w, http.StatusNotFound, notFound(ref, id))
		return nil, false
	}
	return tr, true
}

// storeNewAdaline stores items that must all be new, as Adaline keeps the first write of a
// referenceId: a re-sent one gets 409 "… already exists with referenceId" whatever
// --on-duplicate says. It answers the request itself when it stores nothing.
func (s *Server) storeNewAdaline(w http.ResponseWriter, r *http.Request, items []StoredRecord, exists string) bool {
	if msg, err := s.adalineDuplicate(r.Context(), items); err != nil || msg != "" {
		if err != nil {
			writeError(w, http.StatusInternalServerError, "store: "+err.Error())
			return false
		}
		s.counts.received.Add(1)
		s.counts.duplicates.Add(1)
		writeError(w, http.StatusConflict, msg)
		return false
	}
	if err := s.put(r.Context(), items, func(*StoredRecord) DuplicatePolicy { return DuplicateReject }); err != nil {
		storeFailed(w, err, exists)
		return false
	}
	return true
}
