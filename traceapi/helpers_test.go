package traceapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/traceapi"
)

// newServer starts cfg's server behind a real HTTP listener for the test's duration.
func newServer(t *testing.T, cfg traceapi.Config) (*traceapi.Server, *httptest.Server) {
	t.Helper()
	s, err := traceapi.New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	hs := httptest.NewServer(s.Handler())
	t.Cleanup(hs.Close)
	return s, hs
}

// req describes one request; zero fields mean POST, application/json, no token header.
type req struct {
	method      string
	path        string
	contentType string // "-" for no Content-Type header
	token       *string
	body        []byte
}

type resp struct {
	status int
	header http.Header
	body   []byte
}

func do(t *testing.T, base string, r req) resp {
	t.Helper()
	if r.method == "" {
		r.method = http.MethodPost
	}
	if r.path == "" {
		r.path = "/v1/trace"
	}
	var body io.Reader
	if r.body != nil {
		body = bytes.NewReader(r.body)
	}
	hr, err := http.NewRequest(r.method, base+r.path, body)
	if err != nil {
		t.Fatal(err)
	}
	switch r.contentType {
	case "":
		if r.body != nil {
			hr.Header.Set("Content-Type", "application/json")
		}
	case "-":
	default:
		hr.Header.Set("Content-Type", r.contentType)
	}
	if r.token != nil {
		hr.Header.Set("token", *r.token)
	}
	return send(t, hr)
}

func send(t *testing.T, hr *http.Request) resp {
	t.Helper()
	res, err := http.DefaultClient.Do(hr)
	if err != nil {
		t.Fatalf("%s %s: %v", hr.Method, hr.URL.Path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("%s %s: reading body: %v", hr.Method, hr.URL.Path, err)
	}
	return resp{status: res.StatusCode, header: res.Header, body: b}
}

func post(t *testing.T, base string, body string) resp {
	t.Helper()
	return do(t, base, req{body: []byte(body)})
}

func ptr(s string) *string { return &s }

// apiError decodes an error body, failing unless it is exactly {"status":N,"error":"..."}
// with N the HTTP status.
func apiError(t *testing.T, r resp) string {
	t.Helper()
	var e struct {
		Status *int    `json:"status"`
		Error  *string `json:"error"`
	}
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&e); err != nil || e.Status == nil || e.Error == nil {
		t.Fatalf("error body %q is not {status, error} (%v)", r.body, err)
	}
	if *e.Status != r.status {
		t.Errorf("body status %d, HTTP status %d", *e.Status, r.status)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("error Content-Type = %q, want application/json", ct)
	}
	return *e.Error
}

// okTraceID checks a 200 {"status":200,"trace_id":"..."} answer and returns the id.
func okTraceID(t *testing.T, r resp) string {
	t.Helper()
	if r.status != http.StatusOK {
		t.Fatalf("status %d, want 200; body %s", r.status, r.body)
	}
	var ok struct {
		Status  int    `json:"status"`
		TraceID string `json:"trace_id"`
	}
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ok); err != nil || ok.Status != 200 || ok.TraceID == "" {
		t.Fatalf("success body %q is not {status:200, trace_id} (%v)", r.body, err)
	}
	return ok.TraceID
}

// records GETs /v1/records with query q (e.g. "?task=tool") and returns its elements' bytes.
func records(t *testing.T, base string, token *string, q string) []json.RawMessage {
	t.Helper()
	r := do(t, base, req{method: http.MethodGet, path: "/v1/records" + q, token: token})
	if r.status != http.StatusOK {
		t.Fatalf("GET /v1/records%s: status %d, body %s", q, r.status, r.body)
	}
	var out []json.RawMessage
	if err := json.Unmarshal(r.body, &out); err != nil || out == nil {
		t.Fatalf("GET /v1/records%s: body %q is not a JSON array (%v)", q, r.body, err)
	}
	return out
}

func stats(t *testing.T, base string, token *string) traceapi.Stats {
	t.Helper()
	r := do(t, base, req{method: http.MethodGet, path: "/v1/stats", token: token})
	if r.status != http.StatusOK {
		t.Fatalf("GET /v1/stats: status %d, body %s", r.status, r.body)
	}
	var st traceapi.Stats
	dec := json.NewDecoder(bytes.NewReader(r.body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&st); err != nil {
		t.Fatalf("GET /v1/stats: %q: %v", r.body, err)
	}
	return st
}

// field is one top-level key and its raw JSON value.
type field struct{ key, raw string }

// validFields is a complete, valid record in the contract's field order.
func validFields() []field {
	return []field{
		{"trace_id", `"t-1"`},
		{"conversation_id", `"conv-1"`},
		{"interaction_id", `"int-1"`},
		{"parent_id", `"p-0"`},
		{"session_id", `"sess-1"`},
		{"type", `"traces"`},
		{"task", `"generation"`},
		{"channel_id", `"web"`},
		{"input", `"What is the weather in Tokyo?"`},
		{"output", `"Sunny."`},
		{"feedback_tag", `"positive"`},
		{"feedback_text", `"good"`},
		{"start_timestamp", `1700000000123`},
		{"end_timestamp", `1700000000456`},
		{"latency", `333`},
		{"custom", `"{\"k\":1}"`},
		{"user", `{"user_id":"u1","user_email":"a@b.c","plan":"pro"}`},
		{"metadata", `{"model":"gpt-4o","input_tokens":12,"ok":true,"ratio":0.5,"none":null,"tags":["a"],"nested":{"x":1}}`},
	}
}

// build encodes fields as a JSON object, in order.
func build(fs []field) string {
	var b strings.Builder
	b.WriteByte('{')
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(`"` + f.key + `":` + f.raw)
	}
	b.WriteByte('}')
	return b.String()
}

// with returns the valid record with key set to raw (added at the end if absent).
func with(key, raw string) string {
	fs := validFields()
	for i := range fs {
		if fs[i].key == key {
			fs[i].raw = raw
			return build(fs)
		}
	}
	return build(append(fs, field{key, raw}))
}

// without returns the valid record without key.
func without(key string) string {
	var fs []field
	for _, f := range validFields() {
		if f.key != key {
			fs = append(fs, f)
		}
	}
	return build(fs)
}
