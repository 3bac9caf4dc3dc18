package main

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/tracebridge/tracebridge/traceapi"
)

// TestRun runs the quickstart offline, on its in-process trace API: the tree of what the
// API received, and the viewer's URL on that interaction.
func TestRun(t *testing.T) {
	t.Setenv("NEURALTRUST_BASE_URL", "")
	t.Setenv("NEURALTRUST_API_KEY", "")
	var out bytes.Buffer
	if err := run(context.Background(), &out, false); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"No NEURALTRUST_API_KEY: shipping to the local trace API at http://127.0.0.1:",
		"received 3 records",
		"└─ generation \"chat gpt-4o-mini\" model=gpt-4o-mini-2024-07-18 tokens=84+19",
		"See it in the viewer: http://127.0.0.1:",
		"/#c=conversation-quickstart&i=",
		"add -keep to browse it",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
}

// TestRunAgainstServe ships to a tracebridge serve named by NEURALTRUST_BASE_URL (here the
// same server, started by the test, with a token) and prints its viewer's URL.
func TestRunAgainstServe(t *testing.T) {
	srv, err := traceapi.Start(t.Context(), "127.0.0.1:0", traceapi.Config{Token: "qs-token"})
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Close()
	t.Setenv("NEURALTRUST_BASE_URL", srv.URL()+"/v1")
	t.Setenv("NEURALTRUST_API_KEY", "qs-token")
	var out bytes.Buffer
	if err := run(context.Background(), &out, false); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	for _, want := range []string{
		"Shipping to tracebridge serve at " + srv.URL() + "\n",
		"received 3 records",
		"See it in the viewer: " + srv.URL() + "/#c=conversation-quickstart&i=",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), "-keep") {
		t.Errorf("the hint about the in-process server shows for a tracebridge serve:\n%s", out.String())
	}
}
