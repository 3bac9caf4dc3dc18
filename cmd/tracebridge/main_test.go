package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func TestRun(t *testing.T) {
	noEnv := func(string) string { return "" }
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStdout string // substring; "" means stdout must be empty
		wantStderr string // substring; "" means stderr must be empty
	}{
		{"no arguments", nil, 0, "Usage:", ""},
		{"help", []string{"help"}, 0, "tracebridge serve [flags]", ""},
		{"--help", []string{"--help"}, 0, "Usage:", ""},
		{"help serve", []string{"help", "serve"}, 0, "-on-duplicate", ""},
		{"help unknown", []string{"help", "nope"}, 2, "", `unknown command "nope"`},
		{"version", []string{"version"}, 0, "tracebridge ", ""},
		{"version with an argument", []string{"version", "x"}, 2, "", "unexpected argument"},
		{"unknown command", []string{"frobnicate"}, 2, "", "unknown command \"frobnicate\"\n\ntracebridge: tools"},
		{"serve -h", []string{"serve", "-h"}, 0, "", "Usage: tracebridge serve"},
		{"serve with an unknown flag", []string{"serve", "--port", "1"}, 2, "", "flag provided but not defined: -port"},
		{"serve with a bad policy", []string{"serve", "--on-duplicate", "ignore"}, 2, "", `unknown duplicate policy "ignore"`},
		{"serve with a bad log level", []string{"serve", "--log-level", "loud"}, 2, "", "-log-level"},
		{"serve with a zero body limit", []string{"serve", "--max-body-bytes", "0"}, 2, "", "must be positive"},
		{"serve with an argument", []string{"serve", "extra"}, 2, "", `unexpected argument "extra"`},
		{"serve on a bad address", []string{"serve", "--db", ":memory:", "--listen", "256.0.0.1:0"}, 1, "", "tracebridge serve: "},
		{"serve with an unusable token", []string{"serve", "--db", ":memory:", "--listen", "127.0.0.1:0", "--token", "tok-sekrit "}, 1, "", "white space"},
		{"serve with a db in a missing directory", []string{"serve", "--db", "/nonexistent/dir/x.db"}, 1, "", "tracebridge serve: --db: sqlitestore: /nonexistent/dir/x.db"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var stdout, stderr bytes.Buffer
			code := run(t.Context(), tt.args, &stdout, &stderr, noEnv)
			if code != tt.wantCode {
				t.Errorf("exit %d, want %d\nstdout: %s\nstderr: %s", code, tt.wantCode, &stdout, &stderr)
			}
			check := func(name, got, want string) {
				if want == "" && got != "" {
					t.Errorf("%s = %q, want nothing", name, got)
				}
				if !strings.Contains(got, want) {
					t.Errorf("%s = %q, want it to contain %q", name, got, want)
				}
			}
			check("stdout", stdout.String(), tt.wantStdout)
			check("stderr", stderr.String(), tt.wantStderr)
			if strings.Contains(stdout.String()+stderr.String(), "sekrit") {
				t.Error("the token was printed")
			}
		})
	}
}

// serve returns 0 once its context is cancelled, as it is by SIGINT or SIGTERM.
func TestServeStopsOnCancel(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	var stdout, stderr syncBuffer
	done := make(chan int)
	go func() {
		done <- run(ctx, []string{"serve", "--listen", "127.0.0.1:0", "--db", ":memory:"}, &stdout, &stderr, func(string) string { return "" })
	}()
	waitLine(t, &stdout)
	cancel()
	if code := <-done; code != 0 {
		t.Errorf("exit %d, want 0; stderr: %s", code, stderr.String())
	}
}
