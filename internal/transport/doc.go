// Package transport posts encoded records to a trace API over HTTP with
// go-retryablehttp: the retry policy and backoff as plain function values, a retry budget in
// time rather than a count, and answers classified into delivered, retryable and permanent.
// The SDK exporter and the Collector component share it.
package transport
