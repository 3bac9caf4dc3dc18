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
//
// The component also takes logs, for the GenAI content that instrumentations following
// semantic conventions 1.28–1.36 emit as log records (gen_ai.system.message,
// gen_ai.user.message, gen_ai.assistant.message, gen_ai.tool.message, gen_ai.choice,
// gen_ai.client.inference.operation.details, …) tied to their span by trace and span id.
// Name the same exporter in a traces and a logs pipeline: both signals share one instance
// (its lanes and assemblers, by configuration), and a log record goes to the lane of its
// API key and the assembler of its trace id, exactly as a span does, so the two meet there.
// Each GenAI record becomes an event of its span as the SDK's genailog processor makes it
// (semconv.EventFromLog); other log records, and records without a trace and span id, are
// ignored. A logs batch is delivered like a traces batch: the records its events changed (a
// span already here, whose record is re-sent under the same id) are sent at once, and the
// batch is acknowledged only when they were delivered; a retried batch adds no event twice.
// Events are enrichment, not data the component keeps safe: an event whose span has not
// come yet waits for it in memory only (up to twice linger after its last event, then it is
// dropped as an orphan), so on the durable pipeline a crash before the span arrives loses
// it, and a log record whose span was already forgotten (its linger over, or a restart) can
// only become an orphan. Logs of a tenant must carry the same key metadata as its traces.
package tracebridgeexporter
