#!/usr/bin/env bash
# Prints the demo's mid-term evaluation to PDF in headless Chromium and turns its pages
# into PNGs, as the README's screenshots were made. Needs Debian's chromium and
# poppler-utils (apt-get install -y chromium poppler-utils).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/print}
mkdir -p "$out"
db=$(mktemp -d)/demo.db
cargo build --release -q
./target/release/plantrack demo --public-read --addr 127.0.0.1:3917 --db "$db" > "$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 50); do curl -sf -o /dev/null http://127.0.0.1:3917/login && break; sleep 0.2; done
chromium --headless --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking \
  --disable-component-update --disable-sync --user-data-dir="$(mktemp -d)" --no-pdf-header-footer \
  --print-to-pdf="$out/evaluation.pdf" "http://127.0.0.1:3917/plans/1/evaluation" 2>/dev/null
pdftoppm -r 80 -png "$out/evaluation.pdf" "$out/evaluation-page"
echo "wrote $out/evaluation.pdf and $(ls "$out"/evaluation-page-*.png | wc -l) page images"
