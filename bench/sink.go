package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"time"
)

// runSink is the child process: an HTTP server on loopback that reads and discards every
// body and answers 200 with a small JSON body, after latency. It prints its address.
func runSink(latency time.Duration) error {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	fmt.Println(ln.Addr().String())
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if latency > 0 {
			time.Sleep(latency)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"status":200}`)
	})
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 10 * time.Second}
	return srv.Serve(ln)
}

// sink is a running child sink process.
type sink struct {
	URL string
	cmd *exec.Cmd
}

// startSink starts the sink in a child process, so that its CPU is not counted against the
// exporter measured in this one.
func startSink(latency time.Duration) (*sink, error) {
	cmd := exec.Command(os.Args[0], "-sink", "-latency", latency.String())
	out, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil {
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("sink: %w", err)
	}
	return &sink{URL: "http://" + strings.TrimSpace(line), cmd: cmd}, nil
}

func (s *sink) Close() {
	_ = s.cmd.Process.Kill()
	_, _ = s.cmd.Process.Wait()
}

// deadURL is an address where nothing listens: connections are refused.
func deadURL() string {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

var _ = context.Background
