// Package integration_test drives the built otelcol-tracebridge distribution against the
// built `tracebridge serve`: OTLP in over loopback, NeuralTrust v1 records out, both as real
// processes.
package integration_test

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"
)

// Paths of the binaries built once for the package's tests.
var otelcolBin, serveBin string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "otelcol-tracebridge-it")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	start := time.Now()
	build := exec.Command("go", "build", "-o", dir+string(filepath.Separator),
		"github.com/tracebridge/tracebridge/collector/cmd/otelcol-tracebridge",
		"github.com/tracebridge/tracebridge/cmd/tracebridge")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build the binaries:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	fmt.Fprintf(os.Stderr, "built otelcol-tracebridge and tracebridge in %v\n", time.Since(start).Round(time.Millisecond))
	otelcolBin, serveBin = filepath.Join(dir, "otelcol-tracebridge"), filepath.Join(dir, "tracebridge")
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}
