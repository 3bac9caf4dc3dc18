// Command tracebridge holds the tools that go with the tracebridge exporter.
//
//	tracebridge serve [flags]    run the local trace API: NeuralTrust v1 and the other
//	                             destinations' contracts (package traceapi)
//	tracebridge version          print the version
//	tracebridge help [command]   print the usage, or a command's
//
// Exit status: 0 on success, 1 when the command fails, 2 on a usage error.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
)

// version is set at link time: go build -ldflags "-X main.version=v1.2.3".
var version = ""

const usage = `tracebridge: tools for the tracebridge OpenTelemetry exporter.

Usage:
  tracebridge serve [flags]    run a local NeuralTrust v1 trace API, for development and tests
  tracebridge version          print the version
  tracebridge help [command]   print this help, or a command's

Run "tracebridge help serve" for the flags of serve.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	go func() {
		<-ctx.Done()
		stop() // a second signal gets the default behaviour: the process ends at once
	}()
	os.Exit(run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.Getenv))
}

// run runs the command line args (without the program name) and returns the exit status.
// ctx is cancelled by SIGINT or SIGTERM.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	if len(args) == 0 {
		fmt.Fprint(stdout, usage)
		return 0
	}
	switch cmd, rest := args[0], args[1:]; cmd {
	case "serve":
		return serve(ctx, rest, stdout, stderr, getenv)
	case "version":
		if len(rest) > 0 {
			fmt.Fprintf(stderr, "tracebridge version: unexpected argument %q\n", rest[0])
			return 2
		}
		fmt.Fprintf(stdout, "tracebridge %s\n", buildVersion())
		return 0
	case "help", "-h", "-help", "--help":
		return help(rest, stdout, stderr)
	default:
		fmt.Fprintf(stderr, "tracebridge: unknown command %q\n\n%s", cmd, usage)
		return 2
	}
}

func help(args []string, stdout, stderr io.Writer) int {
	switch {
	case len(args) == 0:
		fmt.Fprint(stdout, usage)
		return 0
	case len(args) == 1 && args[0] == "serve":
		fs, _ := serveFlags(stdout)
		fs.Usage()
		return 0
	case len(args) == 1 && (args[0] == "version" || args[0] == "help"):
		fmt.Fprint(stdout, usage)
		return 0
	default:
		fmt.Fprintf(stderr, "tracebridge help: unknown command %q\n\n%s", args[0], usage)
		return 2
	}
}

// buildVersion is the link-time version, else the module version when installed with
// go install, else "devel".
func buildVersion() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" && bi.Main.Version != "(devel)" {
		return bi.Main.Version
	}
	return "devel"
}
