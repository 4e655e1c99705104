#!/usr/bin/env bash
# The test command: installs dependencies, then builds and runs every test three ways:
#   build/       RelWithDebInfo, every test
#   build-asan/  clang-16, AddressSanitizer + UndefinedBehaviorSanitizer, every test, and the
#                libFuzzer targets (one tree for both saves CI a whole build)
#   build-tsan/  ThreadSanitizer, the tests of the registry, writer, rate limiter, transport
# and runs each libFuzzer target briefly (AIRREG_FUZZ_SECONDS each, default 8, two at a time).
# Non-zero on any failure.
#
# The machine has two cores. Compiling keeps both busy, while the tests mostly wait (paced
# Airtable requests, servers on loopback), so each tree's tests run in the background while
# the next tree compiles. AIRREG_TEST_STAGES (default "plain asan tsan fuzz") picks stages.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
stages=" ${AIRREG_TEST_STAGES:-plain asan tsan fuzz} "
want() { [[ "$stages" == *" $1 "* ]]; }

bash scripts/install-deps.sh

generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
jobs=$(nproc)

# The official npm clients for the compatibility tests, installed once into build/compat.
modules="$root/build/compat/node_modules"
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && [ ! -d "$modules/openai" ]; then
  mkdir -p build/compat
  npm install --prefix build/compat --no-audit --no-fund --silent airtable@0.12.2 openai@4.95.0 >/dev/null
fi

step() { printf '\n== %s (%s)\n' "$*" "$(date +%T)"; }
logs=$(mktemp -d)
pending=()  # "name:pid" of test runs in the background
cleanup() {
  for p in "${pending[@]}"; do kill "${p#*:}" 2>/dev/null || true; done
  rm -rf "$logs"
}
trap cleanup EXIT

# run_tests name dir [ctest args...]: starts ctest in the background, its output to a log.
run_tests() {
  local name=$1 dir=$2
  shift 2
  (cd "$dir" && ctest --output-on-failure -j 2 "$@") >"$logs/$name.log" 2>&1 &
  pending+=("$name:$!")
  echo "tests of $name started in the background"
}
# Waits for every background test run; prints each one's summary, and its whole log on failure.
finish_tests() {
  local failed=0 p name
  for p in "${pending[@]}"; do
    name=${p%%:*}
    if wait "${p#*:}"; then
      echo "-- $name: $(grep -E 'tests passed' "$logs/$name.log" || echo passed)"
    else
      echo "-- $name FAILED:"
      cat "$logs/$name.log"
      failed=1
    fi
  done
  pending=()
  return $failed
}

configure() {  # dir, cmake args...
  local dir=$1
  shift
  cmake -S . -B "$dir" "${generator[@]}" -DAIRREG_NODE_MODULES="$modules" "$@" >/dev/null
}

# Line tables only (-g1): backtraces and sanitizer reports keep their files and lines, and
# compiling takes a quarter less than with full debug information (-g).
optimised="-O2 -g1 -DNDEBUG"
sanitized="-O1 -g1"

sanitizer_env=(
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:detect_stack_use_after_return=1
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
  TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1
)
export "${sanitizer_env[@]}"

if want plain; then
  step "build (RelWithDebInfo) into build/"
  configure build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="$optimised"
  cmake --build build -j "$jobs"
  run_tests plain build
fi

# The sanitizer tree: clang-16 so that the same objects serve the tests and libFuzzer; -O1 is
# what ASan's authors recommend, and it keeps the tests fast. The benchmarks are built (and
# checked to compile) in build/ only.
configure_asan() {
  CC=clang-16 CXX=clang++-16 configure build-asan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="$sanitized" \
    -DAIRREG_SANITIZE=ON -DAIRREG_FUZZ=ON -DAIRREG_BENCHES=OFF
}
fuzzers=$(cd tests/fuzz/corpus && ls)

if want asan; then
  step "build with clang-16, AddressSanitizer + UndefinedBehaviorSanitizer into build-asan/"
  configure_asan
  cmake --build build-asan -j "$jobs"
  finish_tests
  run_tests asan build-asan
fi

if want tsan; then
  # The registry, the writer, the rate limiter and the transport: where the threads are.
  tsan_tests=(test_airreg_unit test_airreg_integration test_writer_integration test_sync test_fleet)
  step "build with ThreadSanitizer into build-tsan/"
  configure build-tsan -DCMAKE_BUILD_TYPE=Debug -DCMAKE_CXX_FLAGS_DEBUG="$sanitized" -DAIRREG_SANITIZE=thread
  cmake --build build-tsan -j "$jobs" --target "${tsan_tests[@]}" airreg_cli airtable-local registry_instance
  finish_tests
  run_tests tsan build-tsan -R "^($(IFS='|'; echo "${tsan_tests[*]}"))\$"
fi

# fuzz_one target: runs one libFuzzer target from its corpus; prints its tail on failure.
fuzz_one() {
  local f=$1 work
  work=$(mktemp -d)
  if ./build-asan/bin/"$f" -max_total_time="$AIRREG_FUZZ_SECONDS" -max_len=8192 -print_final_stats=0 \
      "$work" "tests/fuzz/corpus/$f" >"$work.log" 2>&1; then
    echo "$f: $(grep -o 'Done [0-9]* runs' "$work.log" || echo ok)"
    rm -rf "$work" "$work.log"
  else
    tail -40 "$work.log"
    echo "fuzz target $f failed"
    return 1
  fi
}

if want fuzz; then
  step "fuzz targets (libFuzzer, from build-asan/), ${AIRREG_FUZZ_SECONDS:=8} s each, two at a time"
  if ! want asan; then
    configure_asan
    # shellcheck disable=SC2086
    cmake --build build-asan -j "$jobs" --target $fuzzers
  fi
  finish_tests  # the fuzzers take both cores: the paced tests must not starve
  export -f fuzz_one
  export AIRREG_FUZZ_SECONDS
  # shellcheck disable=SC2086
  printf '%s\n' $fuzzers | xargs -P "$jobs" -I{} bash -c 'fuzz_one {}'
fi

finish_tests
echo
echo "all tests passed"
