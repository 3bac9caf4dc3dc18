/*
Package exporter ships OpenTelemetry spans of LLM applications to the NeuralTrust trace API
(v1): an sdktrace.SpanExporter that maps each trace's spans to records (see package
semconv and docs/mapping.md) and posts them, one record per request, with go-retryablehttp.

Register it like any span exporter:

	exp, err := exporter.New(ctx)
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(exp))
	defer tp.Shutdown(ctx)

# Environment variables

Options passed to New win over these.

	NEURALTRUST_API_KEY             API key, sent as the "token" header. Unset: no header
	                                (enough for a local `tracebridge serve` without --token).
	NEURALTRUST_BASE_URL            Base URL of the trace API. Default
	                                https://api-prod.neuraltrust.ai. A trailing /v1 is
	                                accepted; records are posted to {base}/v1/trace.
	TRACEBRIDGE_TIMEOUT             Timeout of one HTTP attempt: a Go duration ("10s") or
	                                milliseconds ("10000"). Default 10s.
	TRACEBRIDGE_CONCURRENCY         Requests in flight at once. Default 32.
	TRACEBRIDGE_HEADERS             Extra headers, "k1=v1,k2=v2" with URL-encoded values.
	TRACEBRIDGE_CERTIFICATE         PEM file of CA certificates that verify the server.
	TRACEBRIDGE_CLIENT_CERTIFICATE  PEM client certificate for mutual TLS (with the key).
	TRACEBRIDGE_CLIENT_KEY          PEM private key of the client certificate.

The proxy variables HTTPS_PROXY, HTTP_PROXY and NO_PROXY are honoured by the built-in
transport. A malformed value makes New fail with an error naming the variable.

# Delivery

Every record is one POST. Requests run concurrently, at most WithConcurrency at a time
across all exports, over kept-alive connections (HTTP/2 where the server offers it).
429, 500, 502, 503, 504 and network errors are retried with jittered exponential backoff,
honouring Retry-After, on a time budget (RetryConfig.MaxElapsedTime, bounded by the export
context's deadline); any other non-2xx answer is final for that record and does not stop the
others. ExportSpans returns an error counting the records not delivered; Stats reports the
totals.

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
