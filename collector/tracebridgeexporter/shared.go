package tracebridgeexporter

import (
	"context"
	"sync"

	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/exporter"
)

// exporters holds one tbExporter per configuration. When a traces and a logs pipeline name
// the same tracebridge exporter, the Collector creates it once per signal from the same
// *Config; both signals must use the same lanes, so that a log record and its span meet in
// one assembler. The first signal created builds it and the first started starts it; the
// last shut down shuts it down (each signal's exporterhelper drains its own queue before
// that).
var exporters = &registry{byCfg: map[*Config]*shared{}}

type registry struct {
	mu    sync.Mutex
	byCfg map[*Config]*shared
}

// shared is a tbExporter and the signals using it.
type shared struct {
	*tbExporter
	refs      int // signals created and not shut down; guarded by registry.mu
	startOnce sync.Once
	startErr  error
}

// handle is one signal's use of a shared exporter.
type handle struct {
	reg          *registry
	s            *shared
	shutdownOnce sync.Once
}

// acquire returns cfg's exporter, building it for the first signal.
func (r *registry) acquire(cfg *Config, set exporter.Settings) (*handle, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := r.byCfg[cfg]
	if s == nil {
		e, err := newExporter(cfg, set)
		if err != nil {
			return nil, err
		}
		s = &shared{tbExporter: e}
		r.byCfg[cfg] = s
	}
	s.refs++
	return &handle{reg: r, s: s}, nil
}

func (h *handle) start(ctx context.Context, host component.Host) error {
	h.s.startOnce.Do(func() { h.s.startErr = h.s.tbExporter.start(ctx, host) })
	return h.s.startErr
}

func (h *handle) shutdown(ctx context.Context) (err error) {
	h.shutdownOnce.Do(func() {
		h.reg.mu.Lock()
		h.s.refs--
		last := h.s.refs == 0
		if last {
			delete(h.reg.byCfg, h.s.cfg)
		}
		h.reg.mu.Unlock()
		if last {
			err = h.s.tbExporter.shutdown(ctx)
		}
	})
	return err
}
