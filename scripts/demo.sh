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
serve_pid=""
cleanup() {
  if [ -n "$serve_pid" ] && kill -0 "$serve_pid" 2>/dev/null; then
    kill "$serve_pid" 2>/dev/null || true
    wait "$serve_pid" 2>/dev/null || true
    echo "== airreg serve stopped"
  fi
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
# A fresh base each run, so the story starts from an empty table (the file stays afterwards).
rm -f "$state/airtable-local.json"
rm -rf "$state/state"
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

# Each airreg process paces its own requests; separate processes do not share that budget,
# so the demo leaves a second between them (a fleet would split --max-rps instead).
run() { sleep 1; echo; echo "\$ $*"; "$@"; }

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
overrides="$state/listing-overrides"
rm -rf "$overrides" && mkdir -p "$overrides"
node scripts/provider_fixtures.js 0 "$overrides" >"$fifo" &
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

echo; echo "== 5. sync OpenAI and Mistral: every new model arrives as pending (a person approves)"
run ./build/bin/airreg sync --provider openai --provider mistral --category text --force
run ./build/bin/airreg models --provider openai

echo; echo "== 6. a person approves gpt-4o (recommended) and gpt-4o-mini, as they would in Airtable's grid:"
table_url="$url/v0/appLOCALBASE00001/AI%20Model%20Registry"
record_of() {
  curl -s -H "Authorization: Bearer demo-token" "$table_url?filterByFormula=%7BModel%20ID%7D%3D'$1'" |
    node -e 'let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(JSON.parse(s).records[0].id))'
}
approve() {  # record id, fields JSON
  echo "\$ curl -X PATCH -H 'Authorization: Bearer demo-token' -H 'Content-Type: application/json' \\"
  echo "    $table_url/$1 -d '{\"fields\":$2}'"
  sleep 1
  curl -s -o /dev/null -X PATCH -H "Authorization: Bearer demo-token" -H "Content-Type: application/json" \
    "$table_url/$1" -d "{\"fields\":$2}"
}
approve "$(record_of gpt-4o)" '{"Status":"active","Recommended":true,"Notes":"house default"}'
approve "$(record_of gpt-4o-mini)" '{"Status":"active"}'
run ./build/bin/airreg models --provider openai
run ./build/bin/airreg resolve openai gpt-4o

echo; echo "== 7. tomorrow OpenAI's listing drops gpt-4o-mini and adds gpt-9; sync again"
node -e 'const fs=require("fs");const l=JSON.parse(fs.readFileSync(process.argv[1]));
  l.data=l.data.filter(m=>m.id!=="gpt-4o-mini");l.data.push({id:"gpt-9",object:"model",created:1790000000,owned_by:"system"});
  fs.writeFileSync(process.argv[2],JSON.stringify(l))' tests/fixtures/providers/openai/2026-02/v1_models.json "$overrides/openai_models.json"
run ./build/bin/airreg sync --provider openai --category text --force
run ./build/bin/airreg models --provider openai --all
echo; echo "== 8. a server asks for the vanished model: it gets the recommended one"
run ./build/bin/airreg resolve openai gpt-4o-mini
run ./build/bin/airreg sync --provider openai --category text --force --json
echo; echo "== 9. every sync left a row in Model Sync History"
run ./build/bin/airreg history --limit 5

echo; echo "== 10. airreg serve: the registry over HTTP, for servers in any language and chat UIs"
fifo=$(mktemp -u) && mkfifo "$fifo"
./build/bin/airreg serve --port 0 >"$fifo" 2>"$state/serve.log" &
serve_pid=$!
read -r serve_ready <"$fifo"
rm -f "$fifo"
serve_url=${serve_ready##* }
echo "   $serve_ready"
show() { sleep 0.2; echo; echo "\$ curl -s $1"; curl -s "$serve_url${1#\$serve_url}"; echo; }
show "\$serve_url/v1/models"
show "\$serve_url/providers/openai/v1/models"
show "\$serve_url/v1/registry/resolve?provider=openai&model=gpt-4o-mini"
show "\$serve_url/readyz"
echo; echo "   The status page is at $serve_url/ (open it in a browser while the demo waits 3 s);"
echo "   /metrics has Prometheus's text. Stopping serve (SIGTERM) flushes what it has to write."
sleep 3

cat <<TXT

What to look at next:
  - docs/editors.md, for the people who edit the table: which columns are theirs
  - docs/serve.md: airreg serve's API (OpenAI's /v1/models for Open WebUI and LibreChat)
  - airtable-local speaks the Airtable API; point any Airtable client at $url
    with the token demo-token while this script runs
  - the server's data file: .airreg/airtable-local.json, kept after the demo (each run
    starts a fresh one)
  - schema/provider_rules.json decides which listed ids are text, TTS or skipped: edit a
    rule and run the demo again
TXT
