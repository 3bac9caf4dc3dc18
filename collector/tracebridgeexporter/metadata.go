package tracebridgeexporter

import "go.opentelemetry.io/collector/component"

// The component's identity, as metadata.yaml declares it (written by hand: the component
// has no telemetry of its own, so mdatagen would add nothing).
var componentType = component.MustNewType("tracebridge")

const (
	tracesStability = component.StabilityLevelAlpha
	logsStability   = component.StabilityLevelAlpha
)
