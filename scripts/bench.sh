#!/usr/bin/env bash
# Benchmarks (not tests: numbers, no pass/fail). Builds a release tree in build-bench/ and
# prints each benchmark's figures. BENCH_ROWS sets the rows of the write benchmark (1000).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

[ "${AIRREG_SKIP_DEPS:-0}" = 1 ] || bash scripts/install-deps.sh
modules="$root/build-bench/node_modules"
if [ ! -d "$modules/airtable" ]; then
  mkdir -p build-bench
  npm install --prefix build-bench --no-audit --no-fund --silent airtable@0.12.2 >/dev/null
fi

generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
cmake -S . -B build-bench "${generator[@]}" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build-bench -j "$(nproc)" --target airreg_cli airtable-local bench_batch_writer bench_listing_parse >/dev/null

echo "== provider listing: parse and normalise an OpenRouter listing of 5,000 entries"
./build-bench/bin/bench_listing_parse 5000

echo
echo "== batch writer: airreg against the official Airtable.js client"
node tests/bench/writer_bench.js "$root/build-bench/bin" "$modules" "${BENCH_ROWS:-1000}"
