package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/tracebridge/tracebridge/traceapi"
)

// envServeToken supplies the token when --token is not given. It is the better channel:
// a flag's value is visible to other users in the process list.
const envServeToken = "TRACEBRIDGE_SERVE_TOKEN"

// shutdownTimeout bounds the wait for requests in flight after SIGINT or SIGTERM.
const shutdownTimeout = 10 * time.Second

type serveOptions struct {
	listen       string
	token        string
	onDuplicate  traceapi.DuplicatePolicy
	maxBodyBytes int64
	logLevel     slog.Level
	faults       traceapi.Faults
}

func serveFlags(out io.Writer) (*flag.FlagSet, *serveOptions) {
	o := &serveOptions{}
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.StringVar(&o.listen, "listen", "127.0.0.1:8400", "`address` to listen on; port 0 picks a free port")
	// The default stays empty so that PrintDefaults can never show a token.
	fs.StringVar(&o.token, "token", "", "require this token in the \"token\" header of /v1/ requests\n(default $"+envServeToken+"; none: any request is accepted)")
	fs.TextVar(&o.onDuplicate, "on-duplicate", traceapi.DuplicateReplace, "`policy` for a re-sent trace_id: replace, append or reject (409)")
	fs.Int64Var(&o.maxBodyBytes, "max-body-bytes", traceapi.DefaultMaxBodyBytes, "largest accepted body of POST /v1/trace, in `bytes` (413 above)")
	fs.TextVar(&o.logLevel, "log-level", slog.LevelInfo, "`level` of the log on stderr: debug (one line per request), info, warn or error")
	// Fault injection, for testing clients' delivery against a real server.
	fs.Float64Var(&o.faults.FailRate, "fail-rate", 0, "fault injection: `fraction` of ingestion requests answered 503")
	fs.Float64Var(&o.faults.ThrottleRate, "throttle-rate", 0, "fault injection: `fraction` of ingestion requests answered 429 with Retry-After")
	fs.DurationVar(&o.faults.RetryAfter, "retry-after", time.Second, "fault injection: Retry-After sent with each 429 (whole seconds)")
	fs.Float64Var(&o.faults.ResetRate, "reset-rate", 0, "fault injection: `fraction` of ingestion requests whose connection is reset\n(half of them after the record was stored)")
	fs.DurationVar(&o.faults.Latency, "latency", 0, "fault injection: latency added to each ingestion request")
	fs.DurationVar(&o.faults.LatencyJitter, "latency-jitter", 0, "fault injection: random extra latency, uniform in [0, jitter)")
	fs.DurationVar(&o.faults.ThrottleEvery, "throttle-every", 0, "fault injection: period of rate-limit windows (with --throttle-window)")
	fs.DurationVar(&o.faults.ThrottleWindow, "throttle-window", 0, "fault injection: length of each rate-limit window, in which every request gets 429")
	fs.Uint64Var(&o.faults.Seed, "seed", 1, "fault injection: seed of the random draws, for reproducible runs")
	fs.Usage = func() {
		fmt.Fprint(fs.Output(), `Usage: tracebridge serve [flags]

Serves the NeuralTrust v1 trace API on a local address, for development and tests:
POST /v1/trace, GET and DELETE /v1/records, GET /v1/items, GET /v1/stats, GET /healthz;
and the other destinations' contracts, authenticated with "Authorization: Bearer":
POST /v1/traces/batch (NeuralTrust batch), POST and PATCH /v2/logs/trace and
POST /v2/logs/span (Adaline), /api/v2/projects/... or /v2/projects/... (Freeplay).
--token protects all of them; --on-duplicate applies to v1, batch and Freeplay
(Adaline always refuses a re-sent referenceId with 409).
Prints "tracebridge serve: listening on http://HOST:PORT" on stdout once listening,
and stops gracefully on SIGINT or SIGTERM.

Flags:
`)
		fs.PrintDefaults()
	}
	return fs, o
}

// serve runs "tracebridge serve" until ctx is cancelled. It never prints the token.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) int {
	fs, o := serveFlags(stderr)
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0
		}
		return 2
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "tracebridge serve: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	}
	if o.maxBodyBytes <= 0 {
		fmt.Fprintf(stderr, "tracebridge serve: --max-body-bytes must be positive, got %d\n", o.maxBodyBytes)
		return 2
	}
	tokenFlag := false
	fs.Visit(func(f *flag.Flag) { tokenFlag = tokenFlag || f.Name == "token" })
	if !tokenFlag {
		o.token = getenv(envServeToken)
	}

	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: o.logLevel}))
	srv, err := traceapi.Start(ctx, o.listen, traceapi.Config{
		Token:        o.token,
		OnDuplicate:  o.onDuplicate,
		MaxBodyBytes: o.maxBodyBytes,
		Logger:       logger,
		Faults:       o.faults,
	})
	if err != nil {
		fmt.Fprintf(stderr, "tracebridge serve: %v\n", err)
		return 1
	}
	// The one line on stdout: scripts and tests read the bound address from it.
	fmt.Fprintf(stdout, "tracebridge serve: listening on %s\n", srv.URL())
	logger.Info("serving the NeuralTrust v1, NeuralTrust batch, Adaline and Freeplay trace APIs",
		"url", srv.URL(), "token_required", o.token != "", "on_duplicate", o.onDuplicate, "max_body_bytes", o.maxBodyBytes)

	select {
	case <-srv.Done():
		fmt.Fprintf(stderr, "tracebridge serve: %v\n", srv.Err())
		return 1
	case <-ctx.Done():
	}
	logger.Info("shutting down")
	sctx, cancel := context.WithTimeout(context.Background(), shutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		fmt.Fprintf(stderr, "tracebridge serve: shutdown: %v\n", err)
		return 1
	}
	logger.Info("stopped")
	return 0
}
