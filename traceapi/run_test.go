package traceapi_test

import (
	"context"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/traceapi"
)

func TestStart(t *testing.T) {
	run, err := traceapi.Start(t.Context(), "127.0.0.1:0", traceapi.Config{Token: "tok"})
	if err != nil {
		t.Fatal(err)
	}
	if !regexp.MustCompile(`^http://127\.0\.0\.1:[1-9][0-9]*$`).MatchString(run.URL()) {
		t.Errorf("URL() = %q", run.URL())
	}
	okTraceID(t, do(t, run.URL(), req{body: []byte(vendorNullBody), token: ptr("tok")}))
	got, err := run.Server().Records(t.Context(), traceapi.Filter{})
	if err != nil || len(got) != 1 || string(got[0]) != vendorNullBody {
		t.Errorf("Server().Records = %s, %v; want the body posted", got, err)
	}
	if st, _ := run.Server().Stats(t.Context()); st != (traceapi.Stats{Received: 1, Stored: 1}) {
		t.Errorf("Server().Stats = %+v", st)
	}

	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	if err := run.Shutdown(ctx); err != nil {
		t.Fatalf("Shutdown: %v", err)
	}
	select {
	case <-run.Done():
	default:
		t.Error("Done not closed after Shutdown")
	}
	if err := run.Err(); err != nil {
		t.Errorf("Err after Shutdown = %v", err)
	}
	client := &http.Client{Timeout: 2 * time.Second}
	if res, err := client.Get(run.URL() + "/healthz"); err == nil {
		res.Body.Close()
		t.Error("server still answers after Shutdown")
	}
}

func TestStartFails(t *testing.T) {
	if _, err := traceapi.Start(t.Context(), "127.0.0.1:0", traceapi.Config{MaxBodyBytes: -1}); err == nil {
		t.Error("Start with a bad config succeeded")
	}
	run, err := traceapi.Start(t.Context(), "127.0.0.1:0", traceapi.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer run.Close()
	if _, err := traceapi.Start(t.Context(), run.Addr().String(), traceapi.Config{}); err == nil {
		t.Error("Start on an address in use succeeded")
	}
}
