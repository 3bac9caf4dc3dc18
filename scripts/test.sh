#!/usr/bin/env bash
# Runs every check and test of every Go module in the repository: gofmt, go vet, the tests
# with -race, and short bounded fuzz runs of the mapper and the hand-written JSON code.
# `make test` and .ci/run call this.
set -euo pipefail
cd "$(dirname "$0")/.."

# `go test ./...` at the root skips nested modules, so every module is visited in turn.
modules=$(find . -name go.mod -not -path './node_modules/*' -not -path '*/testdata/*' -exec dirname {} \; | sort)

unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go') || true)
if [ -n "$unformatted" ]; then
  echo "gofmt would change:"; echo "$unformatted"; exit 1
fi

# The viewer's browser test needs Debian's chromium; install it when it is missing, and
# make the test fail rather than skip if it still cannot run.
if ! command -v chromium >/dev/null 2>&1; then
  ./scripts/install-chromium.sh
fi
export TRACEBRIDGE_REQUIRE_BROWSER=1
# Every `tracebridge serve` a test starts without --db keeps its records in memory, never
# in ./tracebridge.db of the test's directory (nor shared between tests through it).
export TRACEBRIDGE_DB=:memory:

for m in $modules; do
  echo "== module $m"
  # The root module is checked alone, as its users build it (go.work would let another
  # module's go.mod and go.sum stand in for its own); nested modules go through go.work,
  # which supplies the root module from the working tree.
  work=; [ "$m" = . ] && work=off
  (cd "$m" && GOWORK=$work go vet ./... && GOWORK=$work go test -race -count=1 -timeout 15m ./...)
done

# The mapping on what real npm instrumentations emit today: a fresh capture from the pinned
# packages (npm ci from the registry), mapped by the same test as the checked-in captures.
echo "== fresh capture from the npm instrumentations"
captured=$(mktemp -d)
trap 'rm -rf "$captured"' EXIT
bash scripts/capture-npm.sh "$captured"
(GOWORK=off TRACEBRIDGE_CAPTURED="$captured" go test -count=1 -run '^TestCaptured$' ./semconv)

# Short fuzz runs: bounded in time, they fail on any panic or broken invariant.
fuzztime=${FUZZTIME:-10s}
echo "== fuzz ($fuzztime each)"
# The hand-written JSON code is held to encoding/json (the string encoder, the content
# parser against the reflection one it replaced, the destination encoders against theirs).
export GOWORK=off
go test -run '^$' -fuzz '^FuzzAppendString$' -fuzztime "$fuzztime" ./record
go test -run '^$' -fuzz '^FuzzMapTrace$' -fuzztime "$fuzztime" ./semconv
go test -run '^$' -fuzz '^FuzzParseMessages$' -fuzztime "$fuzztime" ./semconv
go test -run '^$' -fuzz '^FuzzEncoders$' -fuzztime "$fuzztime" ./internal/destination
go test -run '^$' -fuzz '^FuzzScan$' -fuzztime "$fuzztime" ./internal/jsontext
echo "all checks passed"
