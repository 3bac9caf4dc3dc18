// Package genailog joins GenAI content emitted as OpenTelemetry log records to the spans
// tracebridge exports.
//
// From semantic conventions 1.28 to 1.36, and still in several maintained instrumentations,
// prompts and completions are not on the span: they are log records (gen_ai.system.message,
// gen_ai.user.message, gen_ai.assistant.message, gen_ai.tool.message, gen_ai.choice, and the
// newer gen_ai.client.inference.operation.details) tied to the span by trace and span id. A
// SpanExporter never sees them. Register this processor on the app's LoggerProvider next to
// the span processor:
//
//	proc := exporter.NewProcessor(exp)
//	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(proc))
//	lp := sdklog.NewLoggerProvider(sdklog.WithProcessor(genailog.NewProcessor(proc)))
//
// Each GenAI event becomes an event of its span (body fields as attributes, see
// semconv.EventFromLog) within the span processor's memory bounds and flush rules: events
// that arrive after their span was sent make the record be re-sent under the same id;
// events whose span never arrives are dropped and counted (ProcessorStats.OrphanEvents) once
// their trace is forgotten. Other log records are ignored: chain this processor with the
// app's own log exporter as usual.
package genailog

import (
	"context"

	"go.opentelemetry.io/otel/attribute"
	sdklog "go.opentelemetry.io/otel/sdk/log"
	"go.opentelemetry.io/otel/trace"

	"github.com/tracebridge/tracebridge/semconv"
)

// Joiner receives events for spans: *exporter.Processor and *exporter.Exporter are Joiners.
type Joiner interface {
	JoinEvent(traceID trace.TraceID, spanID trace.SpanID, ev semconv.Event)
}

// Processor is an sdklog.Processor that hands GenAI log events to a Joiner.
type Processor struct {
	target Joiner
}

var _ sdklog.Processor = (*Processor)(nil)

// NewProcessor returns a Processor joining GenAI log events to target's spans.
func NewProcessor(target Joiner) *Processor { return &Processor{target: target} }

// Enabled reports whether a record may be a GenAI event: only records with an event name
// that the mapping reads (or no name yet known) are asked for.
func (p *Processor) Enabled(_ context.Context, param sdklog.EnabledParameters) bool {
	return param.EventName == "" || semconv.IsGenAILogEvent(param.EventName)
}

// OnEmit joins a GenAI event record to its span. It copies what it keeps: the SDK may reuse
// the record after OnEmit returns.
func (p *Processor) OnEmit(_ context.Context, r *sdklog.Record) error {
	if !r.TraceID().IsValid() || !r.SpanID().IsValid() {
		return nil
	}
	var attrs []attribute.KeyValue
	r.WalkAttributes(func(kv attribute.KeyValue) bool {
		attrs = append(attrs, kv)
		return true
	})
	name := semconv.LogEventName(r.EventName(), attrs)
	if !semconv.IsGenAILogEvent(name) {
		return nil
	}
	ts := r.Timestamp()
	if ts.IsZero() {
		ts = r.ObservedTimestamp()
	}
	p.target.JoinEvent(r.TraceID(), r.SpanID(), semconv.EventFromLog(name, ts, attrs, r.Body()))
	return nil
}

// Shutdown does nothing: the span processor delivers.
func (p *Processor) Shutdown(context.Context) error { return nil }

// ForceFlush does nothing: flush the span processor (TracerProvider.ForceFlush) after the
// LoggerProvider so that joined events are delivered.
func (p *Processor) ForceFlush(context.Context) error { return nil }
