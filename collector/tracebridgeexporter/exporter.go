package tracebridgeexporter

import (
	"context"
	"fmt"
	"net/http"
	"sync"
	"time"

	"go.opentelemetry.io/collector/client"
	"go.opentelemetry.io/collector/component"
	"go.opentelemetry.io/collector/consumer/consumererror"
	"go.opentelemetry.io/collector/exporter"
	"go.opentelemetry.io/collector/pdata/plog"
	"go.opentelemetry.io/collector/pdata/ptrace"
	"golang.org/x/net/http/httpguts"

	"github.com/tracebridge/tracebridge/internal/assembly"
	"github.com/tracebridge/tracebridge/internal/destination"
	"github.com/tracebridge/tracebridge/internal/transport"
	"github.com/tracebridge/tracebridge/semconv"
)

// tbExporter is one tracebridge exporter: its HTTP client and its lanes, shared by the
// traces and the logs pipeline that name it (see shared.go), and the push functions behind
// exporterhelper's queues and retries.
type tbExporter struct {
	cfg      *Config
	dest     destination.Destination
	settings component.TelemetrySettings
	mapping  semconv.Options

	client *http.Client // built in start, where auth extensions are known
	lanes  *lanes

	stop chan struct{}
	wg   sync.WaitGroup
}

func newExporter(cfg *Config, set exporter.Settings) (*tbExporter, error) {
	dest, err := cfg.destination()
	if err != nil {
		return nil, err
	}
	e := &tbExporter{
		cfg:      cfg,
		dest:     dest,
		settings: set.TelemetrySettings,
		mapping:  semconv.Options{KeepAllSpans: cfg.KeepAllSpans},
		stop:     make(chan struct{}),
	}
	e.lanes = newLanes(e.newLane)
	return e, nil
}

func (e *tbExporter) start(ctx context.Context, host component.Host) error {
	c, err := e.cfg.ClientConfig.ToClient(ctx, host.GetExtensions(), e.settings)
	if err != nil {
		return err
	}
	e.client = c
	e.wg.Go(e.sweepLoop)
	return nil
}

func (e *tbExporter) shutdown(context.Context) error {
	select {
	case <-e.stop:
	default:
		close(e.stop)
	}
	e.wg.Wait()
	if e.client != nil {
		e.client.CloseIdleConnections()
	}
	return nil
}

// sweepLoop lets lanes forget, every linger, the traces they no longer need.
func (e *tbExporter) sweepLoop() {
	t := time.NewTicker(max(time.Second, e.linger()))
	defer t.Stop()
	for {
		select {
		case <-e.stop:
			return
		case now := <-t.C:
			e.lanes.sweep(now)
		}
	}
}

func (e *tbExporter) linger() time.Duration {
	if e.cfg.Linger > 0 {
		return e.cfg.Linger
	}
	return assembly.DefaultLinger
}

// newLane builds the sender and assemblers of one API key. Retries are exporterhelper's,
// so the transport tries each request once.
func (e *tbExporter) newLane(key string) *lane {
	c := transport.New(transport.Config{
		Header:     destination.Header(e.dest.Name(), key),
		HTTPClient: e.client,
		Retry:      transport.RetryConfig{Enabled: false},
	})
	l := &lane{dropContent: !e.cfg.CaptureContent, sender: transport.NewSender(c, transport.SenderConfig{
		Concurrency:    e.cfg.Concurrency,
		MaxRecordBytes: e.cfg.MaxRecordBytes,
		Destination:    e.dest,
	})}
	spans, size := int64(e.cfg.MaxBufferedSpans), e.cfg.MaxBufferedBytes
	if spans <= 0 {
		spans = assembly.DefaultMaxSpans
	}
	if size <= 0 {
		size = assembly.DefaultMaxBytes
	}
	for i := range l.shards {
		l.shards[i].asm = assembly.New(assembly.Config{
			Mapping: e.mapping,
			// Nothing waits to be sent (every batch is flushed); an incomplete trace is
			// remembered for MaxWait+Linger after its last span.
			MaxWait:  e.linger(),
			Linger:   e.linger(),
			MaxSpans: int(max(1, spans/shardsPerLane)),
			MaxBytes: max(1, size/shardsPerLane),
		})
	}
	return l
}

// pushTraces maps a traces batch with what its lane remembers and delivers the records it
// changed.
func (e *tbExporter) pushTraces(ctx context.Context, td ptrace.Traces) error {
	key, err := e.apiKey(ctx)
	if err != nil {
		return consumererror.NewPermanent(err)
	}
	spans := fromTraces(td)
	if len(spans) == 0 {
		return nil
	}
	return e.export(ctx, key, work{spans: spans})
}

// pushLogs joins the GenAI events of a logs batch to their spans, in the same lane and
// assembler as the spans (by API key, then by trace id), and delivers the records they
// changed: the records of spans already here are re-sent with the events; events whose span
// has not come yet wait for it in memory. Other log records are ignored.
func (e *tbExporter) pushLogs(ctx context.Context, ld plog.Logs) error {
	events := fromLogs(ld)
	if len(events) == 0 {
		return nil
	}
	key, err := e.apiKey(ctx)
	if err != nil {
		return consumererror.NewPermanent(err)
	}
	return e.export(ctx, key, work{events: events})
}

func (e *tbExporter) export(ctx context.Context, key string, w work) error {
	l := e.lanes.acquire(key)
	defer e.lanes.release(l)
	o := l.export(ctx, w)
	return o.err()
}

// apiKey is the key for the request in ctx: the tenant's from the metadata header named by
// api_key_from_metadata when the request has it, else api_key.
func (e *tbExporter) apiKey(ctx context.Context) (string, error) {
	if h := e.cfg.APIKeyFromMetadata; h != "" {
		if vals := client.FromContext(ctx).Metadata.Get(h); len(vals) > 0 && vals[0] != "" {
			if !httpguts.ValidHeaderFieldValue(vals[0]) {
				// Say where the key came from, never the key.
				return "", fmt.Errorf("tracebridge: the API key in metadata %q is not a valid header value", h)
			}
			return vals[0], nil
		}
	}
	return string(e.cfg.APIKey), nil
}
