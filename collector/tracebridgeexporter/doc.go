// Package tracebridgeexporter is the OpenTelemetry Collector exporter "tracebridge": it maps
// the spans of LLM apps to NeuralTrust v1 trace records and posts them to the trace API (the
// real one, or a local `tracebridge serve`).
//
// The destination key chooses another API for the same records: neuraltrust-batch,
// adaline or freeplay (with project_id for the last two), encoded by the module's
// destination package exactly as the SDK exporter encodes them.
//
// The mapping and the wire code are the tracebridge module's own (semconv, the assembler and
// the transport shared with the SDK exporter); this package adapts them to the Collector:
// pdata to neutral spans, confighttp for the HTTP client, and the API's answers to
// exporterhelper's permanent and throttled errors so that its retry_on_failure and
// sending_queue (persistent with a storage extension) do the retrying and the buffering.
//
// Every batch the component is given is mapped and sent at once: spans of a trace that is
// still incomplete become provisional records, re-sent under the same ids as the rest of
// the trace arrives. A batch is acknowledged only when every record it changed was
// delivered, so what the component keeps in memory between batches only enriches later
// batches; it is never the only copy of a span.
package tracebridgeexporter
