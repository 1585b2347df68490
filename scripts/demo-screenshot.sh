#!/usr/bin/env bash
# Renders the demo's HTML report in headless Chromium and writes a PNG under examples/target/ (never into git).
#
#   scripts/demo-screenshot.sh [report.html] [out.png]
#
# Defaults: examples/target/pooled-demo-report.html (run scripts/demo.sh first; with DEMO_RUN=1 this script runs
# it, plain output) and examples/target/pooled-demo-report.png. Installs Debian's chromium with apt-get if missing.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

REPORT="${1:-examples/target/pooled-demo-report.html}"
OUT="${2:-examples/target/pooled-demo-report.png}"
case "$OUT" in
  */target/*|target/*) ;;
  *) echo "demo-screenshot.sh: the screenshot goes under a target/ directory (got $OUT)" >&2; exit 2 ;;
esac

if [[ "${DEMO_RUN:-0}" == 1 || ! -f "$REPORT" ]]; then
  [[ -f "$REPORT" ]] || echo "No report at $REPORT: running the demo first."
  ./scripts/demo.sh --plain --report "$REPORT" >/dev/null
fi

if ! command -v chromium >/dev/null 2>&1; then
  echo "Installing Debian's chromium (apt-get) ..."
  if [[ "$(id -u)" != 0 ]]; then SUDO=sudo; else SUDO=; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

PROFILE="$(mktemp -d)"
trap 'rm -rf "$PROFILE"' EXIT
mkdir -p "$(dirname "$OUT")"
ABS="$(cd "$(dirname "$REPORT")" && pwd)/$(basename "$REPORT")"
# A fresh, empty profile and every background service off: the page is local and self-contained.
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$PROFILE" --hide-scrollbars \
  --window-size=1100,2700 --screenshot="$(pwd)/$OUT" "file://$ABS" 2>/dev/null
echo "Screenshot: $OUT"
