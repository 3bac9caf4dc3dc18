package traceapi

import "github.com/tracebridge/tracebridge/internal/uuid"

// newTraceID returns a random id shaped like a UUID v4, as the vendor SDK's uuid4 ids are.
func newTraceID() string { return uuid.V4().String() }
