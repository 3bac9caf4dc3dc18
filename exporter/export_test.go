package exporter

// FromSDKSpan lets the external tests and benchmarks convert spans as the exporter does.
var FromSDKSpan = fromSDKSpan
