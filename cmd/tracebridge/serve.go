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
	"github.com/tracebridge/tracebridge/traceapi/sqlitestore"
)

// envServeToken supplies the token when --token is not given. It is the better channel:
// a flag's value is visible to other users in the process list.
const envServeToken = "TRACEBRIDGE_SERVE_TOKEN"

// envServeDB supplies --db when the flag is not given.
const envServeDB = "TRACEBRIDGE_DB"

// defaultDB is where records are kept by default, in the working directory.
const defaultDB = "tracebridge.db"

// memoryDB as --db keeps records in memory only.
const memoryDB = ":memory:"

// shutdownTimeout bounds the wait for requests in flight after SIGINT or SIGTERM.
const shutdownTimeout = 10 * time.Second

type serveOptions struct {
	listen       string
	db           string
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
	// The default is applied after parsing, so that the environment can stand in for it.
	fs.StringVar(&o.db, "db", "", "SQLite `file` keeping the records across restarts, created if missing;\n"+memoryDB+" keeps them in memory only (default $"+envServeDB+", else ./"+defaultDB+")")
	// The default stays empty so that PrintDefaults can never show a token.
	fs.StringVar(&o.token, "token", "", "require this token in the \"token\" header of /v1/ requests, and to log in to the viewer\n(default $"+envServeToken+"; none: any request is accepted)")
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
The same address serves the web viewer at / (with --token, log in with the token).
Records are kept in --db (./tracebridge.db unless told otherwise).
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
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	if !given["token"] {
		o.token = getenv(envServeToken)
	}
	if !given["db"] {
		o.db = getenv(envServeDB)
	}
	if o.db == "" {
		o.db = defaultDB
	}

	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: o.logLevel}))
	store, closeStore, err := openStore(ctx, o.db)
	if err != nil {
		fmt.Fprintf(stderr, "tracebridge serve: --db: %v\n", err)
		return 1
	}
	defer func() {
		if err := closeStore(); err != nil {
			fmt.Fprintf(stderr, "tracebridge serve: closing %s: %v\n", o.db, err)
		}
	}()
	srv, err := traceapi.Start(ctx, o.listen, traceapi.Config{
		Token:        o.token,
		OnDuplicate:  o.onDuplicate,
		MaxBodyBytes: o.maxBodyBytes,
		Store:        store,
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
	logger.Info("viewer", "url", srv.URL()+"/", "db", o.db, "login", loginHint(o.token != ""))

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

// openStore opens the store --db names: the memory store for ":memory:", else the SQLite
// file (created if missing).
func openStore(ctx context.Context, db string) (traceapi.Store, func() error, error) {
	if db == memoryDB {
		return traceapi.NewMemoryStore(), func() error { return nil }, nil
	}
	st, err := sqlitestore.Open(ctx, db)
	if err != nil {
		return nil, nil, err
	}
	return st, st.Close, nil
}

// loginHint says how a browser gets in, never showing the token.
func loginHint(token bool) string {
	if token {
		return "open /?token=<the token> once, or enter the token in the login form"
	}
	return "none: no --token"
}
