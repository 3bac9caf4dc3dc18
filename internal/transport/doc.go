// Package transport delivers records to a trace API over HTTP with go-retryablehttp: the
// retry policy and backoff as plain function values, a retry budget in time rather than a
// count, a 429 pause shared by every worker, and answers classified into delivered,
// retryable and permanent. A Sender sends the requests a destination (package destination)
// encodes, one record or many per request, and hands back each record's outcome. The SDK
// exporter and the Collector component share it.
package transport
