package main

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// startServe runs the binary in dir with env and args, and returns its base URL and a
// function that stops it with SIGTERM and checks that it exited cleanly.
func startServe(t *testing.T, dir string, env []string, args ...string) (string, func()) {
	t.Helper()
	cmd := exec.Command(binary, append([]string{"serve", "--listen", "127.0.0.1:0"}, args...)...)
	cmd.Dir = dir
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "HOME=" + dir}, env...)
	var stdout, stderr syncBuffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill() })
	base := waitLine(t, &stdout)
	return base, func() {
		t.Helper()
		cmd.Process.Signal(syscall.SIGTERM)
		select {
		case err := <-exited:
			if err != nil {
				t.Fatalf("exit: %v; stderr:\n%s", err, stderr.String())
			}
		case <-time.After(20 * time.Second):
			t.Fatal("still running 20s after SIGTERM")
		}
	}
}

const secondBody = `{"trace_id":"cli-2","conversation_id":"c","interaction_id":"i","parent_id":"cli-1",` +
	`"session_id":null,"type":"traces","task":"generation","channel_id":null,"input":"hi","output":"<b>hello</b>",` +
	`"feedback_tag":null,"feedback_text":null,"start_timestamp":1700000000010,"end_timestamp":1700000000090,` +
	`"latency":80,"custom":null,"user":{"user_id":"u-1"},"metadata":{"model":"gpt-4o-mini","input_tokens":3,"output_tokens":5}}`

// TestServeRestart writes records, stops the server, starts it again on the same file and
// reads them back: by default ./tracebridge.db in the working directory.
func TestServeRestart(t *testing.T) {
	dir := t.TempDir()
	base, stop := startServe(t, dir, nil)
	for _, body := range []string{recordBody, secondBody} {
		if code, got := request(t, "POST", base+"/v1/trace", "", body); code != 200 {
			t.Fatalf("POST: %d %s", code, got)
		}
	}
	stop()
	if _, err := os.Stat(filepath.Join(dir, "tracebridge.db")); err != nil {
		t.Fatalf("no default database file: %v", err)
	}

	base, stop = startServe(t, dir, nil)
	defer stop()
	if code, got := request(t, "GET", base+"/v1/records", "", ""); code != 200 || got != "["+recordBody+","+secondBody+"]\n" {
		t.Fatalf("after the restart, GET /v1/records: %d %s", code, got)
	}
	code, got := request(t, "GET", base+"/v1/view/conversations", "", "")
	var page struct {
		Conversations []struct {
			ID           string `json:"conversation_id"`
			User         string `json:"user"`
			Records      int    `json:"records"`
			Interactions int    `json:"interactions"`
			TotalTokens  int    `json:"total_tokens"`
		} `json:"conversations"`
	}
	if err := json.Unmarshal([]byte(got), &page); code != 200 || err != nil || len(page.Conversations) != 1 {
		t.Fatalf("after the restart, GET /v1/view/conversations: %d %s (%v)", code, got, err)
	}
	if c := page.Conversations[0]; c.ID != "c" || c.User != "u-1" || c.Records != 2 || c.Interactions != 1 || c.TotalTokens != 8 {
		t.Errorf("conversation after the restart: %+v", c)
	}
	// The stored ids still count: a re-send replaces rather than adds.
	if code, got := request(t, "POST", base+"/v1/trace", "", recordBody); code != 200 {
		t.Fatalf("POST again: %d %s", code, got)
	}
	if _, got := request(t, "GET", base+"/v1/stats", "", ""); !strings.Contains(got, `"stored":2`) || !strings.Contains(got, `"replaced":1`) {
		t.Errorf("stats after a re-send: %s", got)
	}
}

// TestServeDBChoice: TRACEBRIDGE_DB names the file when --db does not, --db wins over it,
// and :memory: writes no file.
func TestServeDBChoice(t *testing.T) {
	dir := t.TempDir()
	envDB := filepath.Join(t.TempDir(), "from-env.db")
	flagDB := filepath.Join(t.TempDir(), "from-flag.db")
	for _, run := range []struct {
		env  []string
		args []string
		want string // the file that must exist afterwards
	}{
		{[]string{"TRACEBRIDGE_DB=" + envDB}, nil, envDB},
		{[]string{"TRACEBRIDGE_DB=" + envDB}, []string{"--db", flagDB}, flagDB},
		{nil, []string{"--db", ":memory:"}, ""},
	} {
		base, stop := startServe(t, dir, run.env, run.args...)
		if code, got := request(t, "POST", base+"/v1/trace", "", recordBody); code != 200 {
			t.Fatalf("POST: %d %s", code, got)
		}
		stop()
		if run.want != "" {
			if _, err := os.Stat(run.want); err != nil {
				t.Errorf("env %v, args %v: %v", run.env, run.args, err)
			}
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the working directory got files: %v", entries)
	}
}
