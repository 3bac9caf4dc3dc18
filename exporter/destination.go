package exporter

import (
	"github.com/tracebridge/tracebridge/exporter/internal/config"
	"github.com/tracebridge/tracebridge/internal/destination"
)

// Destination is the trace API records are shipped to, with its own settings. Choose one
// with WithDestination, or with TRACEBRIDGE_DESTINATION (neuraltrust, neuraltrust-batch,
// adaline, freeplay). The mapping, the delivery (retries, concurrency, size limits) and the
// content switch and redaction hook are the same for all; only the encoding, the endpoint
// and the authentication differ. WithEndpoint and WithAPIKey apply to the destination
// chosen; left unset, each destination reads its own environment variables.
//
// The zero Destination leaves the choice to TRACEBRIDGE_DESTINATION (default NeuralTrust).
type Destination struct {
	name      string
	projectID string
}

// NeuralTrust is the NeuralTrust trace API v1, the default: one record per
// POST {base}/v1/trace, the key in the "token" header. Environment: NEURALTRUST_API_KEY,
// NEURALTRUST_BASE_URL (default https://api-prod.neuraltrust.ai).
func NeuralTrust() Destination { return Destination{name: destination.NeuralTrust} }

// NeuralTrustBatch is NeuralTrust's batch API (SDK 1.5): many interactions per
// POST {base}/v1/traces/batch, each a trace of spans, the key as "Authorization: Bearer".
// Environment: NEURALTRUST_API_KEY, NEURALTRUST_BASE_URL.
func NeuralTrustBatch() Destination { return Destination{name: destination.NeuralTrustBatch} }

// Adaline is Adaline's logs API v2: one POST /logs/trace per interaction with its spans,
// into the project projectID (20 to 80 characters; empty: $ADALINE_PROJECT_ID). The API key
// is required: WithAPIKey or $ADALINE_API_KEY. Base URL: WithEndpoint or $ADALINE_BASE_URL,
// default https://api.adaline.ai/v2.
func Adaline(projectID string) Destination {
	return Destination{name: destination.Adaline, projectID: projectID}
}

// Freeplay is Freeplay's API v2: traces, completions for generations, evaluation results
// and trace feedback, into the project projectID (a UUID; empty: $FREEPLAY_PROJECT_ID). The
// API key is required: WithAPIKey or $FREEPLAY_API_KEY. Base URL: WithEndpoint or
// $FREEPLAY_API_URL, default https://app.freeplay.ai/api.
func Freeplay(projectID string) Destination {
	return Destination{name: destination.Freeplay, projectID: projectID}
}

// Name is the destination's name as TRACEBRIDGE_DESTINATION spells it; "" for the zero
// Destination.
func (d Destination) Name() string { return d.name }

// WithDestination chooses the trace API. Default: $TRACEBRIDGE_DESTINATION, else
// NeuralTrust().
func WithDestination(d Destination) Option {
	return optionFunc(func(c *config.Config) {
		if d.name == "" {
			return
		}
		c.Destination = d.name
		if d.projectID != "" {
			c.ProjectID = d.projectID
		}
	})
}
