/*
Package exporter ships OpenTelemetry spans of LLM applications to an LLM observability API —
the NeuralTrust trace API (v1) by default: an sdktrace.SpanExporter that maps each trace's
spans to records (see package semconv and docs/mapping.md) and posts them, one record per
request, with go-retryablehttp.

WithDestination (or TRACEBRIDGE_DESTINATION) chooses another API for the same records:
NeuralTrustBatch (many interactions per request), Adaline (one request per interaction,
spans inside) or Freeplay (traces, completions, evaluation results, feedback). The
mapping, the delivery described below, WithCaptureContent and WithRedact are the same for
all; see Destination and the README's "Destinations" for what each receives and how it
treats re-sends.

Register it like any span exporter:

	exp, err := exporter.New(ctx)
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))
	defer tp.Shutdown(ctx)

# Environment variables

Options passed to New win over these.

	TRACEBRIDGE_DESTINATION         neuraltrust (default), neuraltrust-batch, adaline or
	                                freeplay. Only the chosen destination's variables below
	                                are read.
	NEURALTRUST_API_KEY             API key, sent as the "token" header. Unset: no header
	                                (enough for a local `tracebridge serve` without --token).
	NEURALTRUST_BASE_URL            Base URL of the trace API. Default
	                                https://api-prod.neuraltrust.ai. A trailing /v1 is
	                                accepted; records are posted to {base}/v1/trace.
	ADALINE_API_KEY                 adaline: the workspace key (required), as Bearer.
	ADALINE_PROJECT_ID              adaline: the project (required, 20 to 80 characters).
	ADALINE_BASE_URL                adaline: default https://api.adaline.ai/v2.
	FREEPLAY_API_KEY                freeplay: the API key (required), as Bearer.
	FREEPLAY_PROJECT_ID             freeplay: the project's UUID (required).
	FREEPLAY_API_URL                freeplay: default https://app.freeplay.ai/api.
	TRACEBRIDGE_TIMEOUT             Timeout of one HTTP attempt: a Go duration ("10s") or
	                                milliseconds ("10000"). Default 10s.
	TRACEBRIDGE_CONCURRENCY         Requests in flight at once. Default 32.
	TRACEBRIDGE_HEADERS             Extra headers, "k1=v1,k2=v2" with URL-encoded values.
	TRACEBRIDGE_CERTIFICATE         PEM file of CA certificates that verify the server.
	TRACEBRIDGE_CLIENT_CERTIFICATE  PEM client certificate for mutual TLS (with the key).
	TRACEBRIDGE_CLIENT_KEY          PEM private key of the client certificate.
	TRACEBRIDGE_INSECURE            "true" allows plain http:// to a host that is not
	                                loopback (refused by default: it would send the key
	                                and the content unencrypted).
	TRACEBRIDGE_CAPTURE_CONTENT     "false" keeps inputs, outputs, custom data and feedback
	                                text in the process: they are removed from every
	                                record before encoding. Default true.
	TRACEBRIDGE_MAX_RECORD_BYTES    Largest record body; longer fields are cut with a
	                                visible marker. Default 1048576.

The proxy variables HTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured by the built-in
transport. A malformed value makes New fail with an error naming the variable.

# Delivery

Every record is one POST. Requests run concurrently, at most WithConcurrency at a time
across all exports, over kept-alive connections (HTTP/2 where the server offers it).

  - Retried: 429, 500, 502, 503, 504 and network errors other than certificate failures,
    with jittered exponential backoff, on a time budget per record
    (RetryConfig.MaxElapsedTime, bounded by the export context's deadline).
  - Retry-After is honoured, capped at RetryConfig.MaxInterval. A 429 with Retry-After
    pauses every worker sending to the API, not only the one that got it.
  - 413: the record is cut to 32 KiB (longest fields first, each ending with
    "…[truncated N bytes]", metadata "truncated": true) and tried once more; if it is still
    too large it is dropped and counted. Records over WithMaxRecordBytes are cut before
    the first attempt.
  - A request that carries several records (NeuralTrustBatch, an Adaline trace) is
    delivered or fails for all of them; after a 413 its records are encoded again in two
    halves, sent one after the other, each splitting again on a further 413.
  - Any other non-2xx answer (400, 401, 403, …) is final for that record and does not stop
    the others, except the answers a destination reads as delivered (Adaline's "already
    exists with referenceId" on a re-send).
  - Delivery is at least once: a request cut off by a deadline may have been stored by the
    API although it is counted as failed, and a retry after a reset connection may store a
    record twice (the same id: the local server replaces it).

ExportSpans returns an error counting the records not delivered; Stats reports the totals;
a warning is logged at most every 10 seconds summing the records not delivered by reason
(rejected, too_large, exhausted, deadline).

# Memory

The processor holds spans until their trace is whole: at most WithMaxBufferedSpans spans
(50,000) and WithMaxBufferedBytes of span content (32 MiB, estimated from attribute sizes).
Past either, the oldest traces are evicted — sent as they are, provisionally — and while the
API is down and evicted traces wait for delivery beyond half the bounds again, the oldest
are dropped and counted (ProcessorStats.DroppedSpans, DroppedTraces; metric
tracebridge.spans.dropped). Memory held is thus at most about 1.5 × the bounds, plus the
records of the delivery round in flight (WithConcurrency requests of at most
WithMaxRecordBytes each). span.End never waits on the network.

# Metrics

Through the OpenTelemetry metrics API (WithMeterProvider; the global provider by default),
all with the attribute destination (the destination's name, "neuraltrust" by default):

	tracebridge.records.sent       records the API accepted
	tracebridge.records.failed     records not delivered, by reason
	tracebridge.requests.retried   requests sent again after a transient failure
	tracebridge.records.shrunk     records cut to fit a size limit
	tracebridge.spans.dropped      spans dropped at the memory bounds, by reason
	tracebridge.request.duration   seconds per HTTP attempt, by http.response.status_code

# Security

TLS certificates are verified (custom CA: WithTLSClientConfig or
TRACEBRIDGE_CERTIFICATE). Plain http:// is refused for hosts that are not loopback unless
WithInsecure. The API key is sent only in the "token" header; it never appears in logs,
errors or metrics, and formats as [REDACTED]. Response bodies are read up to 64 KiB.
WithCaptureContent(false) and WithRedact act on each record before any encoding.

The same span always maps to the same record id, so a re-export re-sends the record
rather than adding a second one. Whether the real API replaces a record re-sent under the
same trace_id is not published; the local server (tracebridge serve) replaces it.

# Registration: the processor or WithBatcher

The primary registration is the trace-aware processor:

	sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(exporter.NewProcessor(exp)))

It holds each trace's spans until the trace is whole, then maps it at once, and its
ForceFlush and Shutdown deliver every ended span (see Processor).

sdktrace.WithBatcher(exp) keeps working with these limits: the batch processor hands the
exporter spans as they end, children before parents and often in different batches, and gives
it no signal that a trace is whole. Each export therefore sends what it holds at once — a
provisional message (metadata "provisional": true) stands in for a root not yet seen, and a
step whose parent has not ended yet hangs from the message — and re-sends, under the same ids,
the records that change when later batches bring the rest of the trace (a trace is
remembered for 30s after its root ended). The final state on the server is the same tree;
the cost is extra requests for re-sent records.
*/
package exporter
