#!/usr/bin/env bash
# The test command: installs dependencies, builds into build/ and runs every test, then
# again with AddressSanitizer + UndefinedBehaviorSanitizer in build-asan/, then runs each
# libFuzzer target briefly (build-fuzz/). Non-zero on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

bash scripts/install-deps.sh

generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)

# The official Airtable.js client for the compatibility test, installed into the build tree.
modules="$root/build/compat/node_modules"
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && [ ! -d "$modules/airtable" ]; then
  mkdir -p build/compat
  npm install --prefix build/compat --no-audit --no-fund --silent airtable@0.12.2 >/dev/null
fi

step() { printf '\n== %s\n' "$*"; }

step "build (RelWithDebInfo) into build/"
cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DAIRREG_NODE_MODULES="$modules" >/dev/null
cmake --build build -j "$(nproc)"
step "tests"
(cd build && ctest --output-on-failure -j 2)

step "build with AddressSanitizer + UndefinedBehaviorSanitizer into build-asan/"
cmake -S . -B build-asan "${generator[@]}" -DCMAKE_BUILD_TYPE=Debug -DAIRREG_SANITIZE=ON \
  -DAIRREG_NODE_MODULES="$modules" >/dev/null
cmake --build build-asan -j "$(nproc)"
step "tests under the sanitizers"
(cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
  ctest --output-on-failure -j 2)

step "fuzz targets (clang-16 + libFuzzer), ${AIRREG_FUZZ_SECONDS:=15} s each"
CC=clang-16 CXX=clang++-16 cmake -S . -B build-fuzz "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DAIRREG_FUZZ=ON -DAIRREG_TESTS=ON >/dev/null
fuzzers=$(cd tests/fuzz/corpus && ls)
cmake --build build-fuzz -j "$(nproc)" --target $fuzzers
for f in $fuzzers; do
  work=$(mktemp -d)
  ./build-fuzz/bin/"$f" -max_total_time="$AIRREG_FUZZ_SECONDS" -max_len=8192 -print_final_stats=0 \
    "$work" "tests/fuzz/corpus/$f" >"$work.log" 2>&1 || { tail -40 "$work.log"; echo "fuzz target $f failed"; exit 1; }
  echo "$f: $(grep -o 'Done [0-9]* runs' "$work.log" || echo ok)"
  rm -rf "$work" "$work.log"
done
echo
echo "all tests passed"
