#!/usr/bin/env bash
# Downloads the demo's mid-term evaluation as Word, converts it to PDF with LibreOffice and
# turns its pages into PNGs, as the README's picture of it was made. Needs LibreOffice Writer
# and poppler-utils (apt-get install -y --no-install-recommends libreoffice-writer-nogui
# poppler-utils) and, for the charts, a CJK font (fonts-wqy-microhei).
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/word}
mkdir -p "$out"
db=$(mktemp -d)/demo.db
cargo build -q
"${CARGO_TARGET_DIR:-target}/debug/plantrack" demo --public-read --addr 127.0.0.1:3918 --db "$db" > "$out/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null' EXIT
for _ in $(seq 50); do curl -sf -o /dev/null http://127.0.0.1:3918/login && break; sleep 0.2; done
curl -sf -o "$out/evaluation.docx" "http://127.0.0.1:3918/plans/1/evaluation.docx?as_of=2023-06-30"
# A profile of its own, so that a LibreOffice already running does not take the job.
soffice -env:UserInstallation="file://$(mktemp -d)" --headless --convert-to pdf --outdir "$out" \
  "$out/evaluation.docx" > /dev/null 2>&1
pdftoppm -r 80 -png "$out/evaluation.pdf" "$out/word-page"
echo "wrote $out/evaluation.docx, its PDF and $(ls "$out"/word-page-*.png | wc -l) page images"
