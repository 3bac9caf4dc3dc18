package main

import (
	"bytes"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// binary is the tracebridge command built by TestMain, so that the tests exercise the real
// process: flag parsing, stdout, signals and exit status.
var binary string

func TestMain(m *testing.M) {
	os.Exit(func() int {
		dir, err := os.MkdirTemp("", "tracebridge-test-")
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
		defer os.RemoveAll(dir)
		binary = filepath.Join(dir, "tracebridge")
		if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
			fmt.Fprintf(os.Stderr, "go build: %v\n%s", err, out)
			return 1
		}
		return m.Run()
	}())
}

// syncBuffer collects a process's output while the test reads it.
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

var listeningLine = regexp.MustCompile(`^tracebridge serve: listening on (http://127\.0\.0\.1:[1-9][0-9]*)\n`)

// waitLine waits for the "listening on" line and returns the URL in it.
func waitLine(t *testing.T, out *syncBuffer) string {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		if m := listeningLine.FindStringSubmatch(out.String()); m != nil {
			return m[1]
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("no listening line on stdout; got %q", out.String())
	return ""
}

const recordBody = `{"trace_id":"cli-1","conversation_id":"c","interaction_id":"i","parent_id":null,` +
	`"session_id":null,"type":"traces","task":"message","channel_id":null,"input":"hi","output":"hello",` +
	`"feedback_tag":null,"feedback_text":null,"start_timestamp":1700000000000,"end_timestamp":1700000000100,` +
	`"latency":100,"custom":null,"user":null,"metadata":null}`

func request(t *testing.T, method, url, token, body string) (int, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set("token", token)
	}
	res, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, url, err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res.StatusCode, string(b)
}

func TestServeBinary(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("sends SIGTERM")
	}
	tests := []struct {
		name    string
		args    []string
		env     string // TRACEBRIDGE_SERVE_TOKEN, "" for unset
		good    string // the token that works
		bad     []string
		signal  syscall.Signal
		secrets []string // must appear in no output
	}{
		{"token flag", []string{"--token", "secret-xyz"}, "", "secret-xyz", []string{"", "secret-xy", "wrong"}, syscall.SIGTERM, []string{"secret-xyz"}},
		{"token from the environment", nil, "env-secret-123", "env-secret-123", []string{"", "wrong"}, syscall.SIGINT, []string{"env-secret-123"}},
		{"flag wins over the environment", []string{"--token", "flag-secret-456"}, "env-secret-789", "flag-secret-456", []string{"", "env-secret-789"}, syscall.SIGTERM, []string{"flag-secret-456", "env-secret-789"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			args := append([]string{"serve", "--listen", "127.0.0.1:0", "--log-level", "debug", "--db", ":memory:"}, tt.args...)
			cmd := exec.Command(binary, args...)
			cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + t.TempDir()}
			if tt.env != "" {
				cmd.Env = append(cmd.Env, "TRACEBRIDGE_SERVE_TOKEN="+tt.env)
			}
			var stdout, stderr syncBuffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			exited := make(chan error, 1)
			go func() { exited <- cmd.Wait() }()
			defer func() {
				cmd.Process.Kill() // no-op once it has exited
				<-exited
			}()
			base := waitLine(t, &stdout)

			if code, body := request(t, "POST", base+"/v1/trace", tt.good, recordBody); code != 200 || body != "{\"status\":200,\"trace_id\":\"cli-1\"}\n" {
				t.Errorf("POST with the token: %d %s", code, body)
			}
			for _, bad := range tt.bad {
				if code, body := request(t, "POST", base+"/v1/trace", bad, recordBody); code != 401 {
					t.Errorf("POST with token %q: %d %s, want 401", bad, code, body)
				}
			}
			if code, body := request(t, "GET", base+"/v1/records", tt.good, ""); code != 200 || body != "["+recordBody+"]\n" {
				t.Errorf("GET /v1/records: %d %s", code, body)
			}
			if code, _ := request(t, "GET", base+"/v1/records", "", ""); code != 401 {
				t.Errorf("GET /v1/records without a token: %d, want 401", code)
			}

			if err := cmd.Process.Signal(tt.signal); err != nil {
				t.Fatal(err)
			}
			select {
			case err := <-exited:
				exited <- err // for the deferred cleanup
				if err != nil {
					t.Errorf("exit after %v: %v; stderr:\n%s", tt.signal, err, stderr.String())
				}
			case <-time.After(20 * time.Second):
				t.Fatalf("still running 20s after %v", tt.signal)
			}

			if lines := strings.Count(stdout.String(), "\n"); lines != 1 {
				t.Errorf("stdout has %d lines, want exactly 1:\n%s", lines, stdout.String())
			}
			if !strings.Contains(stderr.String(), "status=401") || !strings.Contains(stderr.String(), "msg=stopped") {
				t.Errorf("stderr lacks the request log or the shutdown, so proves little:\n%s", stderr.String())
			}
			for _, s := range tt.secrets {
				if strings.Contains(stdout.String()+stderr.String(), s) {
					t.Errorf("output shows the token %q:\nstdout: %s\nstderr: %s", s, stdout.String(), stderr.String())
				}
			}
		})
	}
}

func TestUnknownCommandBinary(t *testing.T) {
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(binary, "bogus")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 2 {
		t.Fatalf("exit: %v, want status 2", err)
	}
	if stdout.Len() != 0 || !strings.Contains(stderr.String(), "Usage:") {
		t.Errorf("stdout %q, stderr %q; want usage on stderr only", stdout.String(), stderr.String())
	}
}
