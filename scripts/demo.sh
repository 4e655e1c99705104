#!/usr/bin/env bash
# The main job, offline: builds airreg, starts airtable-local on a free loopback port with its
# data under .airreg/, runs airreg against it, and stops the server it started (also on
# Ctrl-C or failure). Nothing here reaches the internet.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
state="$root/.airreg"
mkdir -p "$state"

if [ "${AIRREG_SKIP_DEPS:-0}" != 1 ]; then bash scripts/install-deps.sh; fi
generator=()
command -v ninja >/dev/null 2>&1 && generator=(-G Ninja)
echo "== building (build/)"
cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build -j "$(nproc)" --target airreg_cli airtable-local >/dev/null

server_pid=""
fixtures_pid=""
cleanup() {
  if [ -n "$fixtures_pid" ] && kill -0 "$fixtures_pid" 2>/dev/null; then
    kill "$fixtures_pid" 2>/dev/null || true
    wait "$fixtures_pid" 2>/dev/null || true
  fi
  if [ -n "$server_pid" ] && kill -0 "$server_pid" 2>/dev/null; then
    kill "$server_pid" 2>/dev/null || true
    wait "$server_pid" 2>/dev/null || true
    echo "== airtable-local stopped (data kept in .airreg/airtable-local.json)"
  fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM

echo "== starting airtable-local (a local Airtable-compatible server)"
fifo=$(mktemp -u) && mkfifo "$fifo"
./build/bin/airtable-local --port 0 --data "$state/airtable-local.json" --token demo-token >"$fifo" &
server_pid=$!
read -r ready <"$fifo"
rm -f "$fifo"
url=${ready##* }
echo "   $ready"

export AIRTABLE_API_KEY=demo-token
export AIRTABLE_BASE_ID=appLOCALBASE00001
export AIRTABLE_ENDPOINT_URL="$url"
export AIRREG_STATE_DIR="$state/state"

run() { echo; echo "\$ $*"; "$@"; }

run ./build/bin/airreg --version
echo; echo "== 1. create the tables (first run creates, second run has nothing to do)"
run ./build/bin/airreg setup
run ./build/bin/airreg setup
echo; echo "== 2. the tables as Airtable's meta API shows them (names and types)"
curl -s -H "Authorization: Bearer demo-token" "$url/v0/meta/bases/appLOCALBASE00001/tables" |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const t of JSON.parse(s).tables){console.log(t.name+" ("+t.id+")");for(const f of t.fields)console.log("   "+f.name.padEnd(28)+f.type)}})' 2>/dev/null ||
  curl -s -H "Authorization: Bearer demo-token" "$url/v0/meta/bases/appLOCALBASE00001/tables"
echo; echo "== 3. the outbox: rows on their way to Airtable wait here (none yet)"
run ./build/bin/airreg status

echo; echo "== 4. what the providers offer, from their recorded answers (no internet, made-up keys)"
fifo=$(mktemp -u) && mkfifo "$fifo"
node scripts/provider_fixtures.js >"$fifo" &
fixtures_pid=$!
read -r fixtures_ready <"$fifo"
rm -f "$fifo"
fixtures=${fixtures_ready##* }
echo "   $fixtures_ready"
export OPENAI_API_KEY=demo-openai-key OPENAI_BASE_URL="$fixtures/openai"
export ANTHROPIC_API_KEY=demo-anthropic-key ANTHROPIC_BASE_URL="$fixtures/anthropic"
export GEMINI_API_KEY=demo-gemini-key GOOGLE_BASE_URL="$fixtures/google"
export MISTRAL_API_KEY=demo-mistral-key MISTRAL_BASE_URL="$fixtures/mistral"
export XAI_API_KEY=demo-xai-key XAI_BASE_URL="$fixtures/xai"
export OPENROUTER_BASE_URL="$fixtures/openrouter" OLLAMA_HOST="$fixtures/ollama"
export AZURE_SPEECH_KEY=demo-azure-key AZURE_SPEECH_BASE_URL="$fixtures/azure"
run ./build/bin/airreg discover --provider anthropic --provider mistral --category text
run ./build/bin/airreg discover --provider openai --category tts
echo; echo "\$ ./build/bin/airreg discover --json | (summary per provider)"
./build/bin/airreg discover --json |
  node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>{for(const r of JSON.parse(s))console.log(`   ${(r.provider+" ("+r.category+")").padEnd(22)} ${r.models?r.models.length+" models, "+r.skipped.length+" skipped":(r.skipped_provider||r.error)}`)})'

cat <<TXT

What to look at next:
  - README.md, "For the people who edit the table": which columns are theirs
  - airtable-local speaks the Airtable API; point any Airtable client at $url
    with the token demo-token while this script runs
  - the server's data file: .airreg/airtable-local.json (setup is idempotent: run the demo
    again and it reports "nothing to do")
  - schema/provider_rules.json decides which listed ids are text, TTS or skipped: edit a
    rule and run the demo again
TXT
