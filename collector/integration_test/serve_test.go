package integration_test

import (
	"bufio"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/tracebridge/tracebridge/record"
	"github.com/tracebridge/tracebridge/traceapi"
)

// freeAddr returns a loopback address with a port that was free a moment ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// serve is a running `tracebridge serve`.
type serve struct {
	URL   string
	token string
	cmd   *exec.Cmd
}

// startServe runs `tracebridge serve` on listen ("127.0.0.1:0" for any port) and stops it
// when the test ends. token, if set, is required from clients.
func startServe(t *testing.T, listen, token string) *serve {
	t.Helper()
	cmd := exec.Command(serveBin, "serve", "--listen", listen, "--log-level", "warn", "--db", ":memory:")
	cmd.Env = append(os.Environ(), "TRACEBRIDGE_SERVE_TOKEN="+token)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	s := &serve{token: token, cmd: cmd}
	t.Cleanup(s.stop)
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if _, u, ok := strings.Cut(sc.Text(), "listening on "); ok {
				addr <- strings.TrimSpace(u)
			}
		}
		_, _ = io.Copy(io.Discard, stdout)
	}()
	select {
	case s.URL = <-addr:
		return s
	case <-time.After(20 * time.Second):
		t.Fatal("tracebridge serve did not report its address")
		return nil
	}
}

func (s *serve) stop() {
	if s.cmd.ProcessState != nil {
		return
	}
	_ = s.cmd.Process.Signal(os.Interrupt)
	done := make(chan struct{})
	go func() { _ = s.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		<-done
	}
}

func (s *serve) get(t *testing.T, path string, out any) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, s.URL+path, nil)
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
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatal(err)
	}
}

// records returns the stored records matching query ("" for all), in arrival order.
func (s *serve) records(t *testing.T, query string) []record.Record {
	t.Helper()
	var out []record.Record
	s.get(t, "/v1/records?"+query, &out)
	return out
}

func (s *serve) stats(t *testing.T) traceapi.Stats {
	t.Helper()
	var st traceapi.Stats
	s.get(t, "/v1/stats", &st)
	return st
}

// waitFor polls cond every 100ms until it holds or timeout passes.
func waitFor(t *testing.T, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(100 * time.Millisecond)
	}
}
