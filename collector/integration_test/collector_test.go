package integration_test

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/collector/pdata/ptrace"
	"go.opentelemetry.io/collector/pdata/ptrace/ptraceotlp"
)

// The shipped example pipelines, run by the tests with their ports moved.
var (
	durableConfig  = filepath.Join("..", "..", "examples", "collector", "config.yaml")
	faithfulConfig = filepath.Join("..", "..", "examples", "collector", "faithful.yaml")
)

// collector is a running otelcol-tracebridge.
type collector struct {
	OTLP    string // OTLP/HTTP base URL
	health  string
	args    []string
	env     []string
	logPath string
	cmd     *exec.Cmd
	done    chan struct{} // closed once the process started last is gone
}

// newCollector prepares otelcol-tracebridge with config files and `yaml:` overrides, on
// free loopback ports, with env added to the environment. Start runs it.
func newCollector(t *testing.T, env []string, configs ...string) *collector {
	t.Helper()
	c := &collector{
		OTLP:    "http://" + freeAddr(t),
		health:  freeAddr(t),
		env:     env,
		logPath: filepath.Join(t.TempDir(), "otelcol.log"),
	}
	for _, cfg := range configs {
		c.args = append(c.args, "--config", cfg)
	}
	c.args = append(c.args,
		"--config", "yaml:receivers::otlp::protocols::http::endpoint: "+strings.TrimPrefix(c.OTLP, "http://"),
		"--config", "yaml:receivers::otlp::protocols::grpc::endpoint: "+freeAddr(t),
		"--config", "yaml:extensions::health_check::endpoint: "+c.health,
		// The Collector's own metrics would all want port 8888.
		"--config", "yaml:service::telemetry::metrics::level: none",
	)
	t.Cleanup(func() {
		c.stop()
		if t.Failed() {
			t.Logf("otelcol-tracebridge log:\n%s", c.log())
		}
	})
	return c
}

// start runs the collector and waits until its health check says it is ready.
func (c *collector) start(t *testing.T) {
	t.Helper()
	logf, err := os.OpenFile(c.logPath, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	defer logf.Close()
	c.cmd = exec.Command(otelcolBin, c.args...)
	c.cmd.Env = append(os.Environ(), c.env...)
	c.cmd.Stdout, c.cmd.Stderr = logf, logf
	if err := c.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan struct{})
	c.done = done
	go func() { _ = c.cmd.Wait(); close(done) }()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if c.exited() {
			t.Fatalf("otelcol-tracebridge exited at start:\n%s", c.log())
		}
		if resp, err := http.Get("http://" + c.health + "/"); err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("otelcol-tracebridge not healthy after 30s\n%s", c.log())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// kill ends the collector with SIGKILL: no shutdown, no flush.
func (c *collector) kill(t *testing.T) {
	t.Helper()
	if err := c.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	c.wait(10 * time.Second)
}

// stop ends the collector gracefully (SIGTERM), or kills it after 15s.
func (c *collector) stop() {
	if c.done == nil || c.exited() {
		return
	}
	_ = c.cmd.Process.Signal(os.Interrupt)
	if !c.wait(15 * time.Second) {
		_ = c.cmd.Process.Kill()
		c.wait(5 * time.Second)
	}
}

func (c *collector) exited() bool {
	select {
	case <-c.done:
		return true
	default:
		return false
	}
}

// wait waits up to d for the process to be gone (its Wait runs in start).
func (c *collector) wait(d time.Duration) bool {
	select {
	case <-c.done:
		return true
	case <-time.After(d):
		return false
	}
}

func (c *collector) log() string {
	b, _ := os.ReadFile(c.logPath)
	return string(b)
}

// postOTLP sends td as OTLP/HTTP protobuf with extra headers and returns the status code,
// or 0 when no answer came (the collector is down).
func (c *collector) postOTLP(td ptrace.Traces, header map[string]string) int {
	body, err := ptraceotlp.NewExportRequestFromTraces(td).MarshalProto()
	if err != nil {
		panic(err)
	}
	return c.post("application/x-protobuf", body, header)
}

func (c *collector) post(contentType string, body []byte, header map[string]string) int {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.OTLP+"/v1/traces", bytes.NewReader(body))
	if err != nil {
		panic(err)
	}
	req.Header.Set("Content-Type", contentType)
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return 0
	}
	resp.Body.Close()
	return resp.StatusCode
}

// env formats environment assignments.
func env(kv ...string) []string {
	var out []string
	for i := 0; i+1 < len(kv); i += 2 {
		out = append(out, fmt.Sprintf("%s=%s", kv[i], kv[i+1]))
	}
	return out
}
