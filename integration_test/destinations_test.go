package integration_test

import (
	"context"
	"encoding/json"
	"net/http"
	"sort"
	"strings"
	"testing"
	"time"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/exporter"
	"github.com/tracebridge/tracebridge/internal/destination"
	"github.com/tracebridge/tracebridge/semconv"
	"github.com/tracebridge/tracebridge/traceapi"
)

// The same realistic turn goes to every destination: toolLoopTraceWith (retrieval, a chat
// asking for a tool, the tool, the answering chat and an evaluation of it), then, in a later
// trace, the user's feedback on that turn (tracebridge.interaction.id names it).

const (
	destToken       = "7c1e9a2b-4d3f-4e5a-9b8c-1d2e3f4a5b6c:0a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f60718293a4b5c6d7e8f9"
	adalineProject  = "proj_tracebridge_0001"
	freeplayProject = "9a3c1b52-7e4d-4f0a-8b6c-2d1e0f9a8b7c"
)

var (
	feedbackTraceID = trace.TraceID{0xfe, 0xed, 0xba, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x01}
	turnStart       = time.Date(2026, 11, 29, 9, 0, 0, 0, time.UTC) // 1795942800000 ms
)

// ids replaces the placeholders of an expected payload with the turn's ids: {I}
// interaction, {M} message, {R} retrieval, {C1} first chat, {T} tool, {C2} second chat, {E}
// evaluation, {F} feedback, {OT} OTel trace id, {FT} the feedback's OTel trace id, {S} the
// Freeplay session, {P} the project.
func ids(project string) *strings.Replacer {
	return strings.NewReplacer(
		"{I}", semconv.InteractionID(agentTraceID), "{M}", semconv.MessageID(agentTraceID),
		"{R}", semconv.RecordID(agentTraceID, spanID(3)), "{C1}", semconv.RecordID(agentTraceID, spanID(4)),
		"{T}", semconv.RecordID(agentTraceID, spanID(6)), "{C2}", semconv.RecordID(agentTraceID, spanID(7)),
		"{E}", semconv.RecordID(agentTraceID, spanID(8)), "{F}", semconv.RecordID(feedbackTraceID, spanID(9)),
		"{OT}", agentTraceID.String(), "{FT}", feedbackTraceID.String(),
		"{S}", destination.UUIDFor("sess-7"), "{P}", project,
	)
}

// sendTurn exports the turn and, after a flush, the feedback, through the processor to
// d at srv, and checks that everything was delivered.
func sendTurn(t *testing.T, srv *serve, d exporter.Destination, opts ...exporter.Option) *exporter.Exporter {
	t.Helper()
	exp := newExporter(t, srv.URL, append([]exporter.Option{exporter.WithDestination(d), exporter.WithAPIKey(destToken)}, opts...)...)
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(exporter.NewProcessor(exp)),
		sdktrace.WithIDGenerator(&seqIDs{traces: []trace.TraceID{agentTraceID, feedbackTraceID}}))
	tracer := tp.Tracer("it")
	toolLoopTraceWith(tracer, turnStart, nil, true)
	if err := tp.ForceFlush(context.Background()); err != nil {
		t.Fatal(err)
	}
	sendFeedback(tracer)
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	if st := exp.Stats(); st.Records != 7 || st.Sent != 7 || st.Failed != 0 {
		t.Errorf("exporter stats %+v, want 7 records sent", st)
	}
	return exp
}

// sendFeedback records the user's feedback on the turn, 5 s later, in a trace of its own.
func sendFeedback(tracer trace.Tracer) {
	_, s := tracer.Start(context.Background(), "feedback", trace.WithTimestamp(at(turnStart, 5000)), trace.WithAttributes(
		str("tracebridge.task", "feedback"), str("tracebridge.feedback.tag", "positive"), str("tracebridge.feedback.text", "spot on"),
		str("tracebridge.interaction.id", semconv.InteractionID(agentTraceID))))
	s.End(trace.WithTimestamp(at(turnStart, 5000)))
}

// items fetches GET /v1/items?query from the server.
func (s *serve) items(t *testing.T, query string) []traceapi.Item {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+"/v1/items?"+query, nil)
	req.Header.Set("Authorization", "Bearer "+s.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET /v1/items: %s", resp.Status)
	}
	var out []traceapi.Item
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		t.Fatal(err)
	}
	return out
}

// expectItem is one stored item: its index fields and its payload, field by field.
type expectItem struct {
	kind, id, parent, task, interaction, session, conversation string
	payload                                                    string
}

// assertItems compares the items the server holds for a contract with want, in any order.
func assertItems(t *testing.T, got []traceapi.Item, want []expectItem, r *strings.Replacer) {
	t.Helper()
	key := func(kind, id string) string { return kind + " " + id }
	byKey := map[string]traceapi.Item{}
	for _, it := range got {
		k := key(it.Kind, it.ID)
		if _, dup := byKey[k]; dup {
			t.Errorf("%s stored twice", k)
		}
		byKey[k] = it
	}
	if len(got) != len(want) {
		var keys []string
		for k := range byKey {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		t.Errorf("%d items stored, want %d: %v", len(got), len(want), keys)
	}
	for _, w := range want {
		id := r.Replace(w.id)
		it, ok := byKey[key(w.kind, id)]
		if !ok {
			t.Errorf("no %s %s stored", w.kind, id)
			continue
		}
		name := w.kind + " " + w.task
		if it.ParentID != r.Replace(w.parent) || it.Task != w.task || it.InteractionID != r.Replace(w.interaction) ||
			it.SessionID != r.Replace(w.session) || it.ConversationID != r.Replace(w.conversation) {
			t.Errorf("%s index: parent %q task %q interaction %q session %q conversation %q; want %q %q %q %q %q", name,
				it.ParentID, it.Task, it.InteractionID, it.SessionID, it.ConversationID,
				r.Replace(w.parent), w.task, r.Replace(w.interaction), r.Replace(w.session), r.Replace(w.conversation))
		}
		assertJSONEqual(t, name, it.Payload, r.Replace(w.payload))
	}
}

// TestNeuralTrustV1ReceivesTheTurn is the default destination, for comparison: one record
// per step, as TestExportToServe checks field by field.
func TestNeuralTrustV1ReceivesTheTurn(t *testing.T) {
	srv := startServe(t, "--token", destToken)
	sendTurn(t, srv, exporter.NeuralTrust())
	r := ids("")
	recs := srv.records(t, "")
	if len(recs) != 7 {
		t.Fatalf("%d records", len(recs))
	}
	for _, rec := range recs {
		if rec.Task == "feedback" && (rec.ParentID != r.Replace("{M}") || rec.InteractionID != r.Replace("{I}") || rec.FeedbackTag != "positive") {
			t.Errorf("feedback %+v", rec)
		}
		if rec.Task == "event" && (rec.ParentID != r.Replace("{C2}") || rec.Metadata["evaluation_score"] != 0.92) {
			t.Errorf("evaluation %+v", rec)
		}
	}
}

func TestNeuralTrustBatchReceivesTheTurn(t *testing.T) {
	srv := startServe(t, "--token", destToken)
	sendTurn(t, srv, exporter.NeuralTrustBatch())
	r := ids("")
	in := func(kind, id, parent, task, payload string) expectItem {
		return expectItem{kind, id, parent, task, "{I}", "sess-7", "{I}", payload}
	}
	assertItems(t, srv.items(t, "contract=neuraltrust-batch"), []expectItem{
		in("trace", "{I}", "", "message", `{"trace_id":"{I}","workflow_name":"POST /chat","group_id":"{I}",
			"started_at":1795942800,"ended_at":1795942800.1,
			"attributes":{"conversation_id":"{I}","interaction_id":"{I}","session_id":"sess-7","user_id":"u-3"}}`),
		in("span", "{M}", "", "message", `{"id":"{M}","parent_id":null,"name":"POST /chat","kind":"workflow","status":"ok",
			"started_at":1795942800,"ended_at":1795942800.1,"events":[],
			"attributes":{"task":"message","record_id":"{M}","input":"What's the weather in Paris?","output":"It is 18°C in Paris.",
				"span_name":"POST /chat","otel_trace_id":"{OT}","otel_span_id":"0000000000000001","status":"ok",
				"input_tokens":"250","output_tokens":"50","total_tokens":"300"}}`),
		in("span", "{R}", "{M}", "retrieval", `{"id":"{R}","parent_id":"{M}","name":"retrieval docs","kind":"internal","status":"ok",
			"started_at":1795942800.002,"ended_at":1795942800.01,"events":[],
			"attributes":{"task":"retrieval","record_id":"{R}","input":"weather in Paris",
				"output":"[{\"id\":\"d1\",\"score\":0.8,\"content\":\"Use the weather tool.\"}]",
				"span_name":"retrieval docs","otel_trace_id":"{OT}","otel_span_id":"0000000000000003","otel_parent_span_id":"0000000000000002",
				"operation":"retrieval","status":"ok"}}`),
		in("span", "{C1}", "{M}", "generation", `{"id":"{C1}","parent_id":"{M}","name":"chat gpt-4o","kind":"llm","status":"ok",
			"started_at":1795942800.011,"ended_at":1795942800.05,"events":[],
			"attributes":{"task":"generation","record_id":"{C1}",
				"input":"[{\"role\":\"user\",\"content\":\"What's the weather in Paris?\"}]",
				"output":"[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"call_1\",\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}],\"finish_reason\":\"tool_call\"}]",
				"span_name":"chat gpt-4o","otel_trace_id":"{OT}","otel_span_id":"0000000000000004","otel_parent_span_id":"0000000000000002",
				"operation":"chat","model":"gpt-4o","provider":"openai","finish_reason":"tool_call",
				"input_tokens":"100","output_tokens":"20","total_tokens":"120","status":"ok"}}`),
		in("span", "{T}", "{M}", "tool", `{"id":"{T}","parent_id":"{M}","name":"execute_tool get_weather","kind":"tool","status":"ok",
			"started_at":1795942800.051,"ended_at":1795942800.06,"events":[],
			"attributes":{"task":"tool","record_id":"{T}","input":"{\"city\":\"Paris\"}","output":"{\"temp_c\":18}",
				"span_name":"execute_tool get_weather","otel_trace_id":"{OT}","otel_span_id":"0000000000000006","otel_parent_span_id":"0000000000000002",
				"operation":"execute_tool","tool_name":"get_weather","tool_call_id":"call_1","status":"ok"}}`),
		in("span", "{C2}", "{M}", "generation", `{"id":"{C2}","parent_id":"{M}","name":"chat gpt-4o","kind":"llm","status":"ok",
			"started_at":1795942800.061,"ended_at":1795942800.09,"events":[],
			"attributes":{"task":"generation","record_id":"{C2}",
				"output":"[{\"role\":\"assistant\",\"content\":\"It is 18°C in Paris.\",\"finish_reason\":\"stop\"}]",
				"span_name":"chat gpt-4o","otel_trace_id":"{OT}","otel_span_id":"0000000000000007","otel_parent_span_id":"0000000000000002",
				"operation":"chat","model":"gpt-4o","provider":"openai","finish_reason":"stop",
				"input_tokens":"150","output_tokens":"30","total_tokens":"180","status":"ok"}}`),
		in("span", "{E}", "{C2}", "event", `{"id":"{E}","parent_id":"{C2}","name":"relevance","kind":"internal","status":"ok",
			"started_at":1795942800.09,"ended_at":1795942800.09,"events":[],
			"attributes":{"task":"event","record_id":"{E}",
				"output":"{\"name\":\"relevance\",\"score\":0.92,\"label\":\"relevant\",\"explanation\":\"names the temperature\"}",
				"span_name":"relevance","otel_trace_id":"{OT}","otel_span_id":"0000000000000008","otel_parent_span_id":"0000000000000007",
				"evaluation_name":"relevance","evaluation_score":"0.92","evaluation_label":"relevant",
				"evaluation_explanation":"names the temperature","status":"ok"}}`),
		// The feedback came later, in a request of its own: an envelope whose trace has no
		// root (workflow_name null), which adds the span and keeps the stored trace.
		in("span", "{F}", "{M}", "feedback", `{"id":"{F}","parent_id":"{M}","name":"feedback","kind":"internal","status":"ok",
			"started_at":1795942805,"ended_at":1795942805,"events":[],
			"attributes":{"task":"feedback","record_id":"{F}","feedback_tag":"positive","feedback_text":"spot on",
				"span_name":"feedback","otel_trace_id":"{FT}","otel_span_id":"0000000000000009","status":"ok"}}`),
	}, r)
}

func TestAdalineReceivesTheTurn(t *testing.T) {
	srv := startServe(t, "--token", destToken)
	sendTurn(t, srv, exporter.Adaline(adalineProject))
	r := ids(adalineProject)
	in := func(kind, id, parent, task, payload string) expectItem {
		return expectItem{kind, id, parent, task, "{I}", "sess-7", "{I}", payload}
	}
	assertItems(t, srv.items(t, "contract=adaline"), []expectItem{
		in("trace", "{I}", "", "message", `{"startedAt":1795942800000,"endedAt":1795942800100,"name":"POST /chat","status":"success",
			"referenceId":"{I}","sessionId":"sess-7","tags":[],
			"attributes":{"conversation_id":"{I}","interaction_id":"{I}","session_id":"sess-7","user_id":"u-3",
				"span_name":"POST /chat","otel_trace_id":"{OT}","otel_span_id":"0000000000000001","status":"ok",
				"input_tokens":250,"output_tokens":50,"total_tokens":300}}`),
		in("span", "{M}", "", "message", `{"startedAt":1795942800000,"endedAt":1795942800100,"name":"POST /chat","status":"success",
			"referenceId":"{M}","sessionId":"sess-7","tags":[],
			"content":{"type":"Other","input":"\"What's the weather in Paris?\"","output":"\"It is 18°C in Paris.\""},
			"attributes":{"task":"message","record_id":"{M}","span_name":"POST /chat","otel_trace_id":"{OT}","otel_span_id":"0000000000000001",
				"status":"ok","input_tokens":250,"output_tokens":50,"total_tokens":300}}`),
		in("span", "{R}", "{M}", "retrieval", `{"startedAt":1795942800002,"endedAt":1795942800010,"name":"retrieval docs","status":"success",
			"referenceId":"{R}","parentReferenceId":"{M}","sessionId":"sess-7","tags":[],
			"content":{"type":"Retrieval","input":"\"weather in Paris\"","output":"[{\"id\":\"d1\",\"score\":0.8,\"content\":\"Use the weather tool.\"}]"},
			"attributes":{"task":"retrieval","record_id":"{R}","span_name":"retrieval docs","otel_trace_id":"{OT}","otel_span_id":"0000000000000003",
				"otel_parent_span_id":"0000000000000002","operation":"retrieval","status":"ok"}}`),
		in("span", "{C1}", "{M}", "generation", `{"startedAt":1795942800011,"endedAt":1795942800050,"name":"chat gpt-4o","status":"success",
			"referenceId":"{C1}","parentReferenceId":"{M}","sessionId":"sess-7","tags":[],
			"content":{"type":"Model","provider":"openai","model":"gpt-4o",
				"input":"[{\"role\":\"user\",\"content\":\"What's the weather in Paris?\"}]",
				"output":"[{\"role\":\"assistant\",\"tool_calls\":[{\"id\":\"call_1\",\"name\":\"get_weather\",\"arguments\":{\"city\":\"Paris\"}}],\"finish_reason\":\"tool_call\"}]"},
			"attributes":{"task":"generation","record_id":"{C1}","span_name":"chat gpt-4o","otel_trace_id":"{OT}","otel_span_id":"0000000000000004",
				"otel_parent_span_id":"0000000000000002","operation":"chat","model":"gpt-4o","provider":"openai","finish_reason":"tool_call",
				"input_tokens":100,"output_tokens":20,"total_tokens":120,"status":"ok"}}`),
		in("span", "{T}", "{M}", "tool", `{"startedAt":1795942800051,"endedAt":1795942800060,"name":"execute_tool get_weather","status":"success",
			"referenceId":"{T}","parentReferenceId":"{M}","sessionId":"sess-7","tags":[],
			"content":{"type":"Tool","input":"{\"city\":\"Paris\"}","output":"{\"temp_c\":18}"},
			"attributes":{"task":"tool","record_id":"{T}","span_name":"execute_tool get_weather","otel_trace_id":"{OT}","otel_span_id":"0000000000000006",
				"otel_parent_span_id":"0000000000000002","operation":"execute_tool","tool_name":"get_weather","tool_call_id":"call_1","status":"ok"}}`),
		in("span", "{C2}", "{M}", "generation", `{"startedAt":1795942800061,"endedAt":1795942800090,"name":"chat gpt-4o","status":"success",
			"referenceId":"{C2}","parentReferenceId":"{M}","sessionId":"sess-7","tags":[],
			"content":{"type":"Model","provider":"openai","model":"gpt-4o","input":"null",
				"output":"[{\"role\":\"assistant\",\"content\":\"It is 18°C in Paris.\",\"finish_reason\":\"stop\"}]"},
			"attributes":{"task":"generation","record_id":"{C2}","span_name":"chat gpt-4o","otel_trace_id":"{OT}","otel_span_id":"0000000000000007",
				"otel_parent_span_id":"0000000000000002","operation":"chat","model":"gpt-4o","provider":"openai","finish_reason":"stop",
				"input_tokens":150,"output_tokens":30,"total_tokens":180,"status":"ok"}}`),
		// An instant: endedAt is startedAt + 1 ms, as Adaline wants startedAt before endedAt.
		in("span", "{E}", "{C2}", "event", `{"startedAt":1795942800090,"endedAt":1795942800091,"name":"relevance","status":"success",
			"referenceId":"{E}","parentReferenceId":"{C2}","sessionId":"sess-7","tags":[],
			"content":{"type":"Other","input":"null",
				"output":"{\"name\":\"relevance\",\"score\":0.92,\"label\":\"relevant\",\"explanation\":\"names the temperature\"}"},
			"attributes":{"task":"event","record_id":"{E}","span_name":"relevance","otel_trace_id":"{OT}","otel_span_id":"0000000000000008",
				"otel_parent_span_id":"0000000000000007","evaluation_name":"relevance","evaluation_score":0.92,"evaluation_label":"relevant",
				"evaluation_explanation":"names the temperature","status":"ok"}}`),
		// The feedback came later: POST /logs/span into the existing trace. Its record has no
		// session of its own; the server files it under its trace's.
		in("span", "{F}", "{M}", "feedback", `{"startedAt":1795942805000,"endedAt":1795942805001,"name":"feedback","status":"success",
			"referenceId":"{F}","parentReferenceId":"{M}","traceReferenceId":"{I}","tags":[],
			"content":{"type":"Other","input":"null","output":"{\"feedback_tag\":\"positive\",\"feedback_text\":\"spot on\"}"},
			"attributes":{"task":"feedback","record_id":"{F}","feedback_tag":"positive","feedback_text":"spot on",
				"span_name":"feedback","otel_trace_id":"{FT}","otel_span_id":"0000000000000009","status":"ok"}}`),
	}, r)
	for _, it := range srv.items(t, "contract=adaline") {
		if it.Project != adalineProject {
			t.Errorf("%s %s: project %q", it.Kind, it.ID, it.Project)
		}
	}
}

func TestFreeplayReceivesTheTurn(t *testing.T) {
	srv := startServe(t, "--token", destToken)
	// FREEPLAY_API_URL's conventional form ends in /api.
	sendTurn(t, srv, exporter.Freeplay(freeplayProject), exporter.WithEndpoint(srv.URL+"/api"))
	r := ids(freeplayProject)
	ident := `"conversation_id":"{I}","interaction_id":"{I}","session_id":"sess-7","user_id":"u-3"`
	in := func(kind, id, parent, task, payload string) expectItem {
		return expectItem{kind, id, parent, task, "{I}", "{S}", "{I}", payload}
	}
	assertItems(t, srv.items(t, "contract=freeplay"), []expectItem{
		in("trace", "{M}", "", "message", `{"name":"POST /chat","input":"What's the weather in Paris?","output":"It is 18°C in Paris.",
			"start_time":"2026-11-29T09:00:00.000Z","end_time":"2026-11-29T09:00:00.100Z",
			"custom_metadata":{`+ident+`,"task":"message","record_id":"{M}","span_name":"POST /chat","otel_trace_id":"{OT}",
				"otel_span_id":"0000000000000001","status":"ok","input_tokens":250,"output_tokens":50,"total_tokens":300}}`),
		in("trace", "{R}", "{M}", "retrieval", `{"name":"retrieval docs","parent_id":"{M}","input":"weather in Paris",
			"output":[{"id":"d1","score":0.8,"content":"Use the weather tool."}],
			"start_time":"2026-11-29T09:00:00.002Z","end_time":"2026-11-29T09:00:00.010Z",
			"custom_metadata":{`+ident+`,"task":"retrieval","record_id":"{R}","span_name":"retrieval docs","otel_trace_id":"{OT}",
				"otel_span_id":"0000000000000003","otel_parent_span_id":"0000000000000002","operation":"retrieval","status":"ok"}}`),
		in("completion", "{C1}", "{M}", "generation", `{"completion_id":"{C1}","parent_id":"{M}","inputs":{},
			"messages":[{"role":"user","content":"What's the weather in Paris?"},
				{"role":"assistant","tool_calls":[{"id":"call_1","name":"get_weather","arguments":{"city":"Paris"}}],"finish_reason":"tool_call"}],
			"session_info":{"custom_metadata":{`+ident+`}},
			"call_info":{"start_time":1795942800.011,"end_time":1795942800.05,"model":"gpt-4o","provider":"openai",
				"usage":{"prompt_tokens":100,"completion_tokens":20}},
			"custom_metadata":{`+ident+`,"task":"generation","record_id":"{C1}","span_name":"chat gpt-4o","otel_trace_id":"{OT}",
				"otel_span_id":"0000000000000004","otel_parent_span_id":"0000000000000002","operation":"chat","model":"gpt-4o",
				"provider":"openai","finish_reason":"tool_call","input_tokens":100,"output_tokens":20,"total_tokens":120,"status":"ok"}}`),
		in("trace", "{T}", "{M}", "tool", `{"name":"execute_tool get_weather","kind":"tool","parent_id":"{M}",
			"input":{"city":"Paris"},"output":{"temp_c":18},
			"start_time":"2026-11-29T09:00:00.051Z","end_time":"2026-11-29T09:00:00.060Z",
			"custom_metadata":{`+ident+`,"task":"tool","record_id":"{T}","span_name":"execute_tool get_weather","otel_trace_id":"{OT}",
				"otel_span_id":"0000000000000006","otel_parent_span_id":"0000000000000002","operation":"execute_tool",
				"tool_name":"get_weather","tool_call_id":"call_1","status":"ok"}}`),
		// The evaluation of the answer is the completion's eval_results.
		in("completion", "{C2}", "{M}", "generation", `{"completion_id":"{C2}","parent_id":"{M}","inputs":{},
			"messages":[{"role":"assistant","content":"It is 18°C in Paris.","finish_reason":"stop"}],
			"session_info":{"custom_metadata":{`+ident+`}},
			"call_info":{"start_time":1795942800.061,"end_time":1795942800.09,"model":"gpt-4o","provider":"openai",
				"usage":{"prompt_tokens":150,"completion_tokens":30}},
			"eval_results":{"relevance":0.92},
			"custom_metadata":{`+ident+`,"task":"generation","record_id":"{C2}","span_name":"chat gpt-4o","otel_trace_id":"{OT}",
				"otel_span_id":"0000000000000007","otel_parent_span_id":"0000000000000002","operation":"chat","model":"gpt-4o",
				"provider":"openai","finish_reason":"stop","input_tokens":150,"output_tokens":30,"total_tokens":180,"status":"ok",
				"evaluation.relevance.label":"relevant","evaluation.relevance.explanation":"names the temperature"}}`),
		// The later feedback is trace feedback on the turn's top trace (its message).
		in("trace_feedback", "{M}", "", "feedback", `{"freeplay_feedback":"positive","feedback_tag":"positive","feedback_text":"spot on"}`),
	}, r)
}

// TestAdalineUpdatesAProvisionalTrace flushes while the turn's root is still running: the
// trace is created "pending" without its root span; once the turn ends, the re-send patches
// the trace (status, endedAt, attributes) and posts the root span and the new spans, and
// nothing is stored twice.
func TestAdalineUpdatesAProvisionalTrace(t *testing.T) {
	srv := startServe(t, "--token", destToken)
	exp := newExporter(t, srv.URL, exporter.WithDestination(exporter.Adaline(adalineProject)), exporter.WithAPIKey(destToken))
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(exporter.NewProcessor(exp)), sdktrace.WithIDGenerator(&fixedIDs{traceID: agentTraceID}))
	r := ids(adalineProject)
	toolLoopTrace(tp.Tracer("it"), turnStart, func() {
		if err := tp.ForceFlush(context.Background()); err != nil {
			t.Fatal(err)
		}
		got := srv.items(t, "contract=adaline")
		if len(got) != 3 || got[0].Kind != "trace" || got[1].ID != r.Replace("{R}") || got[2].ID != r.Replace("{C1}") {
			t.Fatalf("after the flush: the trace, the retrieval and the first chat; got %+v", got)
		}
		var tr struct {
			Status     string         `json:"status"`
			Attributes map[string]any `json:"attributes"`
		}
		if err := json.Unmarshal(got[0].Payload, &tr); err != nil || tr.Status != "pending" || tr.Attributes["input_tokens"] != float64(100) {
			t.Errorf("a provisional message makes a pending trace: %s", got[0].Payload)
		}
	})
	if err := tp.Shutdown(context.Background()); err != nil {
		t.Fatal(err)
	}
	// Three records at the flush; then the final message, the tool and the second chat.
	if st := exp.Stats(); st.Failed != 0 || st.Sent != 6 {
		t.Errorf("stats %+v", st)
	}
	got := srv.items(t, "contract=adaline")
	var kinds []string
	for _, it := range got {
		kinds = append(kinds, it.Kind+":"+it.Task)
	}
	want := "trace:message span:retrieval span:generation trace_update:message span:message span:tool span:generation"
	if strings.Join(kinds, " ") != want {
		t.Fatalf("items %q, want %q", strings.Join(kinds, " "), want)
	}
	assertJSONEqual(t, "patch", got[3].Payload, r.Replace(`{"projectId":"{P}","referenceId":"{I}","logTrace":{"status":"success","endedAt":1795942800100,"tags":[],
		"attributes":[
			{"operation":"create","key":"conversation_id","value":"{I}"},
			{"operation":"create","key":"input_tokens","value":250},
			{"operation":"create","key":"interaction_id","value":"{I}"},
			{"operation":"create","key":"otel_span_id","value":"0000000000000001"},
			{"operation":"create","key":"otel_trace_id","value":"{OT}"},
			{"operation":"create","key":"output_tokens","value":50},
			{"operation":"create","key":"session_id","value":"sess-7"},
			{"operation":"create","key":"span_name","value":"POST /chat"},
			{"operation":"create","key":"status","value":"ok"},
			{"operation":"create","key":"total_tokens","value":300},
			{"operation":"create","key":"user_id","value":"u-3"}]}}`))
	var root struct {
		Status  string            `json:"status"`
		EndedAt int64             `json:"endedAt"`
		Content map[string]string `json:"content"`
	}
	if err := json.Unmarshal(got[4].Payload, &root); err != nil || root.Status != "success" || root.EndedAt != 1795942800100 ||
		root.Content["output"] != `"It is 18°C in Paris."` {
		t.Errorf("the root span is written once, final: %s", got[4].Payload)
	}
	var st map[string]int64
	srv.getJSON(t, "/v1/stats", &st)
	if st["duplicates"] != 1 || st["rejected"] != 0 {
		t.Errorf("one 409 (the re-sent trace, turned into the patch), no other refusal: %v", st)
	}
}

// TestAdalineResendFromAnotherProcess sends the same turn twice through two exporters (a
// restart): the second run's trace and spans all exist already, which counts as delivered.
func TestAdalineResendFromAnotherProcess(t *testing.T) {
	srv := startServe(t, "--token", destToken)
	for run := range 2 {
		exp := newExporter(t, srv.URL, exporter.WithDestination(exporter.Adaline(adalineProject)), exporter.WithAPIKey(destToken))
		tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(exporter.NewProcessor(exp)), sdktrace.WithIDGenerator(&fixedIDs{traceID: agentTraceID}))
		toolLoopTrace(tp.Tracer("it"), turnStart, nil)
		if err := tp.Shutdown(context.Background()); err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		if st := exp.Stats(); st.Sent != 5 || st.Failed != 0 {
			t.Errorf("run %d: %+v", run, st)
		}
	}
	if n := len(srv.items(t, "contract=adaline&kind=span")); n != 5 {
		t.Errorf("%d spans stored, want 5", n)
	}
	if n := len(srv.items(t, "contract=adaline&kind=trace_update")); n != 1 {
		t.Errorf("the re-send patched the trace %d times, want 1", n)
	}
}

// TestDestinationsAcrossBatches sends the turn with the batch span processor, two spans per
// export, so that every destination gets provisional records and re-sends; the final state
// is the same tree as a whole-trace send.
func TestDestinationsAcrossBatches(t *testing.T) {
	for _, d := range []exporter.Destination{exporter.NeuralTrustBatch(), exporter.Adaline(adalineProject), exporter.Freeplay(freeplayProject)} {
		t.Run(d.Name(), func(t *testing.T) {
			srv := startServe(t, "--token", destToken)
			exp := newExporter(t, srv.URL, exporter.WithDestination(d), exporter.WithAPIKey(destToken))
			var batches int
			tp := sdktrace.NewTracerProvider(
				sdktrace.WithBatcher(countingExporter{exp, &batches}, sdktrace.WithMaxExportBatchSize(2), sdktrace.WithBatchTimeout(time.Millisecond)),
				sdktrace.WithIDGenerator(&fixedIDs{traceID: agentTraceID}))
			toolLoopTrace(tp.Tracer("it"), turnStart, nil)
			if err := tp.Shutdown(context.Background()); err != nil {
				t.Fatal(err)
			}
			if st := exp.Stats(); st.Failed != 0 || batches < 3 {
				t.Fatalf("stats %+v over %d exports", st, batches)
			}
			r := ids("")
			parents := map[string]string{}
			for _, it := range srv.items(t, "contract="+d.Name()) {
				if it.Kind == "span" || it.Kind == "completion" || (it.Kind == "trace" && it.Task != "message") || (d.Name() == "freeplay" && it.Kind == "trace") {
					parents[it.ID] = it.ParentID
				}
			}
			want := map[string]string{r.Replace("{M}"): "", r.Replace("{R}"): r.Replace("{M}"), r.Replace("{C1}"): r.Replace("{M}"),
				r.Replace("{T}"): r.Replace("{M}"), r.Replace("{C2}"): r.Replace("{M}")}
			if len(parents) != len(want) {
				t.Errorf("items %v, want %v", parents, want)
			}
			for id, p := range want {
				if got, ok := parents[id]; !ok || got != p {
					t.Errorf("%s: parent %q (present %v), want %q", id, got, ok, p)
				}
			}
			// The message's final state: the re-sends replaced, or updated, what stood in for it.
			msgs := srv.items(t, "contract="+d.Name()+"&task=message")
			last := map[string]traceapi.Item{}
			spansOfMessage := 0
			for _, it := range msgs {
				last[it.Kind] = it
				if it.Kind == "span" {
					spansOfMessage++
				}
			}
			final := func(kind, want string) {
				t.Helper()
				it, ok := last[kind]
				if !ok || !strings.Contains(string(it.Payload), want) || strings.Contains(string(it.Payload), `"provisional"`) {
					t.Errorf("%s of the message: %s, want it final, with %s", kind, it.Payload, want)
				}
			}
			switch d.Name() {
			case "neuraltrust-batch":
				final("trace", `"workflow_name":"POST /chat"`)
				final("span", `"output":"It is 18°C in Paris."`)
			case "adaline":
				final("trace_update", `"status":"success","endedAt":1795942800100`)
				final("span", `"output":"\"It is 18°C in Paris.\""`)
				if spansOfMessage != 1 {
					t.Errorf("the root span was written %d times", spansOfMessage)
				}
			case "freeplay":
				final("trace", `"output":"It is 18°C in Paris."`)
			}
		})
	}
}
