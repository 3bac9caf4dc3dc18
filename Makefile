.PHONY: test quickstart serve build collector

# Every check and test of every module (what CI runs).
test:
	./scripts/test.sh

# The main job on the embedded default: no account, no network.
quickstart:
	go run ./examples/quickstart

serve:
	go run ./cmd/tracebridge serve

build:
	go build -o bin/tracebridge ./cmd/tracebridge

# The Collector distribution with the tracebridge exporter (module collector/, via go.work).
collector:
	go build -o bin/otelcol-tracebridge ./collector/cmd/otelcol-tracebridge
