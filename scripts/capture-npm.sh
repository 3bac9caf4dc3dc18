#!/usr/bin/env bash
# Regenerates semconv/testdata/captured/*.json: real spans (and GenAI log records) from the
# npm LLM instrumentations pinned in testdata/npmcapture/package-lock.json, recorded against
# a fake OpenAI-compatible server that testdata/npmcapture/capture.mjs runs in-process on
# 127.0.0.1. semconv/captured_test.go maps the checked-in files; run this script only to
# refresh them (after bumping a pinned version, say). Idempotent: `npm ci` reinstalls
# exactly the locked packages into testdata/npmcapture/node_modules (gitignored), and every
# run rewrites all the files. Needs Node >= 20.6 and npm with access to the npm registry.
#
#   scripts/capture-npm.sh          # refresh the checked-in captures
#   scripts/capture-npm.sh DIR      # capture into DIR (CI: TRACEBRIDGE_CAPTURED=DIR go test ./semconv)
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$root/testdata/npmcapture"
out="${1:-$root/semconv/testdata/captured}" # another directory: a fresh capture, not checked in

command -v node >/dev/null 2>&1 || { echo "capture-npm: node is not on the PATH" >&2; exit 1; }
command -v npm >/dev/null 2>&1 || { echo "capture-npm: npm is not on the PATH" >&2; exit 1; }

echo "== npm ci in $dir (node $(node --version), npm $(npm --version))"
(cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)

echo "== capturing into $out"
mkdir -p "$out"
(cd "$dir" && node capture.mjs "$out")

echo "== wrote:"
for f in "$out"/*.json; do
  echo "  ${f#"$root"/} ($(wc -c <"$f") bytes)"
done
