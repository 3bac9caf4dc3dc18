// Package integration_test drives the whole path — OpenTelemetry SDK, tracebridge exporter,
// HTTP, and the real trace API server started as the `tracebridge serve` binary — and asserts
// what the server received.
package integration_test
