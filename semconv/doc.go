// Package semconv holds the attribute keys of the LLM instrumentation dialects that
// tracebridge reads — OpenTelemetry GenAI of every era (attributes and span events),
// OpenInference, OpenLLMetry/Traceloop (current, legacy and the old Go SDK) and the Vercel AI
// SDK — and the rules that turn the spans of one trace into NeuralTrust records.
//
// The mapping works on [Span], a neutral copy of an OpenTelemetry span, so that one
// implementation serves the SDK exporter (from sdktrace.ReadOnlySpan) and the Collector
// component (from ptrace). It is deterministic: the same spans always give the same records
// with the same ids, so a re-export re-sends a record rather than adding a new one.
//
// See docs/mapping.md for the table of record fields and their sources.
package semconv
