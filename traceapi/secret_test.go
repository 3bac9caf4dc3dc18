package traceapi_test

import (
	"bytes"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/tracebridge/tracebridge/traceapi"
)

// syncBuffer is a bytes.Buffer safe for the server's concurrent handlers.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Neither the configured token nor a wrong one a client sends may show up in a response
// (body or header) or in the log, whatever the request.
func TestTokenNeverDisclosed(t *testing.T) {
	const secret = "sekret-5f4dcc3b5aa765d61d8327deb882cf99"
	const wrong = "wr0ng-e99a18c428cb38d5f260853678922e03"
	var logBuf syncBuffer
	logger := slog.New(slog.NewTextHandler(&logBuf, &slog.HandlerOptions{Level: slog.LevelDebug}))
	run, err := traceapi.Start(t.Context(), "127.0.0.1:0", traceapi.Config{Token: secret, Logger: logger, OnDuplicate: traceapi.DuplicateReject})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()

	valid := []byte(build(validFields()))
	var seen []resp
	for _, tok := range []*string{ptr(secret), ptr(wrong), nil} {
		for _, r := range []req{
			{body: valid},                       // 200, then 409 (reject policy), or 401
			{body: valid},                       // duplicate
			{body: []byte(with("task", `"x"`))}, // 400
			{body: []byte(`{`)},                 // 400
			{body: valid, contentType: "text/plain"},
			{method: http.MethodGet},                              // 405
			{method: http.MethodGet, path: "/v1/records"},         // 200 or 401
			{method: http.MethodGet, path: "/v1/records?bogus=1"}, // 400
			{method: http.MethodGet, path: "/v1/stats"},           // 200 or 401
			{method: http.MethodGet, path: "/nope"},               // 404
			{method: http.MethodGet, path: "/healthz"},            // 200
			{method: http.MethodDelete, path: "/v1/records?x=1"},  // 400 or 401
		} {
			r.token = tok
			seen = append(seen, do(t, run.URL(), r))
		}
	}
	statuses := map[int]bool{}
	for _, r := range seen {
		statuses[r.status] = true
		for _, s := range []string{secret, wrong} {
			if bytes.Contains(r.body, []byte(s)) {
				t.Errorf("response body %q contains a token", r.body)
			}
			for k, vs := range r.header {
				for _, v := range vs {
					if strings.Contains(v, s) {
						t.Errorf("response header %s: %q contains a token", k, v)
					}
				}
			}
		}
	}
	for _, want := range []int{200, 400, 401, 404, 405, 409, 415} {
		if !statuses[want] {
			t.Errorf("no request got %d: the test does not cover it", want)
		}
	}
	logs := logBuf.String()
	if !strings.Contains(logs, "status=401") || !strings.Contains(logs, "status=200") {
		t.Fatalf("the log misses the requests, so proves nothing:\n%s", logs)
	}
	for _, s := range []string{secret, wrong} {
		if strings.Contains(logs, s) {
			t.Errorf("log output contains a token:\n%s", logs)
		}
	}
}
