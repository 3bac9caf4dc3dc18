package traceapi

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Running is a Server listening on a TCP address, started by Start.
type Running struct {
	srv  *Server
	http *http.Server
	ln   net.Listener
	done chan struct{}
	err  error // set before done is closed
}

// Start creates a Server for cfg, listens on addr ("127.0.0.1:0" picks a free port) and
// serves in a background goroutine. ctx bounds the listening only; stop the server with
// Shutdown or Close.
func Start(ctx context.Context, addr string, cfg Config) (*Running, error) {
	s, err := New(cfg)
	if err != nil {
		return nil, err
	}
	var lc net.ListenConfig
	ln, err := lc.Listen(ctx, "tcp", addr)
	if err != nil {
		return nil, err
	}
	r := &Running{
		srv: s,
		http: &http.Server{
			Handler:           s,
			ReadHeaderTimeout: 10 * time.Second,
			ErrorLog:          slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
		},
		ln:   ln,
		done: make(chan struct{}),
	}
	go func() {
		defer close(r.done)
		if err := r.http.Serve(ln); !errors.Is(err, http.ErrServerClosed) {
			r.err = err
		}
	}()
	return r, nil
}

// URL returns the base URL of the server, e.g. "http://127.0.0.1:40123", with the address
// actually bound.
func (r *Running) URL() string { return "http://" + r.ln.Addr().String() }

// Addr returns the address the server listens on.
func (r *Running) Addr() net.Addr { return r.ln.Addr() }

// Server returns the running Server, for in-process access to its records and counters.
func (r *Running) Server() *Server { return r.srv }

// Shutdown stops accepting connections and waits, within ctx, for the requests in flight.
func (r *Running) Shutdown(ctx context.Context) error {
	err := r.http.Shutdown(ctx)
	<-r.done
	return err
}

// Close stops the server at once, closing every connection.
func (r *Running) Close() error {
	err := r.http.Close()
	<-r.done
	return err
}

// Done is closed when the server has stopped serving.
func (r *Running) Done() <-chan struct{} { return r.done }

// Err returns why the server stopped on its own; nil while it runs and after Shutdown or
// Close.
func (r *Running) Err() error {
	select {
	case <-r.done:
		return r.err
	default:
		return nil
	}
}
