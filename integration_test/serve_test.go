package integration_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/record"
)

// binary is the tracebridge command built once for the package's tests.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "tracebridge-it")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "tracebridge")
	build := exec.Command("go", "build", "-o", binary, "github.com/tracebridge/tracebridge/cmd/tracebridge")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build tracebridge:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// serve is a running `tracebridge serve` process.
type serve struct {
	URL   string
	token string
}

// startServe runs `tracebridge serve` on a free loopback port with args and stops it when
// the test ends. Records are kept in memory unless args name a --db: never in the default
// file of the working directory.
func startServe(t *testing.T, args ...string) *serve {
	t.Helper()
	if !slices.Contains(args, "--db") {
		args = append([]string{"--db", ":memory:"}, args...)
	}
	cmd := exec.Command(binary, append([]string{"serve", "--listen", "127.0.0.1:0", "--log-level", "warn"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = cmd.Process.Signal(os.Interrupt)
		done := make(chan struct{})
		go func() { _ = cmd.Wait(); close(done) }()
		select {
		case <-done:
		case <-time.After(5 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	lines := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if _, addr, ok := strings.Cut(sc.Text(), "listening on "); ok {
				lines <- strings.TrimSpace(addr)
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case u := <-lines:
		s := &serve{URL: u}
		for i, a := range args {
			if a == "--token" && i+1 < len(args) {
				s.token = args[i+1]
			}
		}
		return s
	case <-time.After(20 * time.Second):
		t.Fatal("tracebridge serve did not report its address")
		return nil
	}
}

// records fetches the stored records matching the query, decoded.
func (s *serve) records(t *testing.T, query string) []record.Record {
	t.Helper()
	var out []record.Record
	for _, raw := range s.raw(t, query) {
		var r record.Record
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		out = append(out, r)
	}
	return out
}

// raw fetches the stored records matching the query exactly as received.
func (s *serve) raw(t *testing.T, query string) []json.RawMessage {
	t.Helper()
	var raws []json.RawMessage
	s.getJSON(t, "/v1/records?"+query, &raws)
	return raws
}

// ids returns the set of trace_ids of all stored records.
func (s *serve) ids(t *testing.T) map[string]bool {
	t.Helper()
	got := map[string]bool{}
	for _, raw := range s.raw(t, "") {
		var r struct {
			TraceID string `json:"trace_id"`
		}
		if err := json.Unmarshal(raw, &r); err != nil {
			t.Fatal(err)
		}
		got[r.TraceID] = true
	}
	return got
}

// post sends one body to /v1/trace and returns the status and answer.
func (s *serve) post(t *testing.T, body string) (int, string) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodPost, s.URL+"/v1/trace", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if s.token != "" {
		req.Header.Set("token", s.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

// getJSON decodes the answer of a GET on path, which must be 200.
func (s *serve) getJSON(t *testing.T, path string, v any) {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.Background(), http.MethodGet, s.URL+path, nil)
	if s.token != "" {
		req.Header.Set("token", s.token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", path, resp.Status)
	}
	if err := json.NewDecoder(resp.Body).Decode(v); err != nil {
		t.Fatal(err)
	}
}
