#!/usr/bin/env bash
# Installs Debian's chromium for the viewer's browser test (integration_test, driven by
# chromedp), unless a chromium is already on the PATH. Idempotent: scripts/test.sh runs it
# before the tests. Browser downloads by the test itself are impossible in CI, so the
# distribution's package is used. Needs root (or sudo) and an apt mirror.
set -euo pipefail

if command -v chromium >/dev/null 2>&1; then
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "install-chromium: no apt-get here; install chromium yourself to run the browser test" >&2
  exit 1
fi
sudo=
if [ "$(id -u)" != 0 ]; then
  sudo=sudo
fi
echo "== installing chromium (apt-get)"
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends chromium >/dev/null
command -v chromium >/dev/null
