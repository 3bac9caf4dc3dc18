module github.com/tracebridge/tracebridge/bench

go 1.26.0

// The harness measures the working tree: go.work at the repository root points this
// requirement at it.
require github.com/tracebridge/tracebridge v0.0.0-00010101000000-000000000000
