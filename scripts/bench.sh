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
cmake --build build-bench -j "$(nproc)" --target airreg_cli airtable-local bench_batch_writer bench_listing_parse \
  bench_registry bench_fleet registry_instance bench_http_ceiling >/dev/null

echo "== provider listing: parse and normalise an OpenRouter listing of 5,000 entries"
./build-bench/bin/bench_listing_parse 5000

echo
echo "== registry: sync of ${BENCH_MODELS:=500} models, cold read, cache hits, memory with ${BIG_MODELS:=10000} models"
work=$(mktemp -d)
# Servers are started inside $( ) and ( ): their pids go to a file, which the exit trap reads.
stop_servers() {
  [ -f "$work/pids" ] && kill $(cat "$work/pids") 2>/dev/null || true
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap stop_servers EXIT
listing() {  # count, file: an OpenAI-style listing of made-up text models
  node -e 'const n=+process.argv[1];const data=[];for(let i=0;i<n;i++)data.push({id:`gpt-5-bench-${i}`,object:"model",created:1700000000,owned_by:"bench"});
    require("fs").writeFileSync(process.argv[2],JSON.stringify({object:"list",data}))' "$1" "$2"
}
start() {  # output file, command...: waits for the first line
  local out=$1; shift
  "$@" >"$out" 2>&1 &
  echo $! >>"$work/pids"
  for _ in $(seq 50); do [ -s "$out" ] && break; sleep 0.1; done
  grep -o 'http://[0-9.:]*' "$out" | head -1
}
five() {  # dir: 100 made-up text models for each of 5 providers, each in its provider's shape
  node -e 'const dir=process.argv[1];const fs=require("fs");const n=100;const make=(f)=>Array.from({length:n},(_,i)=>f(i));
    const put=(name,body)=>fs.writeFileSync(`${dir}/${name}_models.json`,JSON.stringify(body));
    put("openai",{object:"list",data:make(i=>({id:`gpt-5-five-${i}`,object:"model",created:1700000000,owned_by:"bench"}))});
    put("anthropic",{data:make(i=>({type:"model",id:`claude-five-${i}`,display_name:`Claude five ${i}`,created_at:"2025-01-01T00:00:00Z"})),has_more:false});
    put("mistral",{object:"list",data:make(i=>({id:`mistral-five-${i}`,object:"model",capabilities:{completion_chat:true}}))});
    put("groq",{object:"list",data:make(i=>({id:`llama-five-${i}`,object:"model",active:true}))});
    put("openrouter",{data:make(i=>({id:`bench/five-${i}`,name:`Five ${i}`,context_length:8192,architecture:{output_modalities:["text"]},pricing:{prompt:"0.000001",completion:"0.000002"}}))});' "$1"
}
mkdir -p "$work/small" "$work/big" "$work/five"
listing "$BENCH_MODELS" "$work/small/openai_models.json"
listing "$BIG_MODELS" "$work/big/openai_models.json"
five "$work/five"
airtable=$(start "$work/airtable.log" ./build-bench/bin/airtable-local --port 0 --data "$work/data.json" --token bench \
  --rate-limit 5 --penalty-seconds 30)
small=$(start "$work/small.log" node scripts/provider_fixtures.js 0 "$work/small")
big=$(start "$work/big.log" node scripts/provider_fixtures.js 0 "$work/big")
fiveurl=$(start "$work/five.log" node scripts/provider_fixtures.js 0 "$work/five")
AIRTABLE_API_KEY=bench AIRTABLE_BASE_ID=appLOCALBASE00001 AIRTABLE_ENDPOINT_URL="$airtable" \
  OPENAI_API_KEY=bench OPENAI_BASE_URL="$small/openai" BIG_OPENAI_BASE_URL="$big/openai" FIVE_BASE_URL="$fiveurl" \
  ./build-bench/bin/bench_registry
# A first fill: a base of its own, empty (the one above holds the sync benchmarks' rows).
empty=$(start "$work/empty.log" ./build-bench/bin/airtable-local --port 0 --token bench --rate-limit 5 --penalty-seconds 30)
(
  export AIRTABLE_API_KEY=bench AIRTABLE_BASE_ID=appLOCALBASE00001 AIRTABLE_ENDPOINT_URL="$empty" OPENAI_API_KEY=bench
  ./build-bench/bin/airreg setup >/dev/null
  BIG_OPENAI_BASE_URL="$big/openai" RSS_TABLE=empty ./build-bench/bin/bench_registry rss
)
# The usual day: the table already holds the models (filled by a sync on a base of its own,
# without a rate limit, so that the fill takes a minute instead of four).
full=$(start "$work/full.log" ./build-bench/bin/airtable-local --port 0 --token bench --rate-limit 0)
(
  export AIRTABLE_API_KEY=bench AIRTABLE_BASE_ID=appLOCALBASE00001 AIRTABLE_ENDPOINT_URL="$full" OPENAI_API_KEY=bench
  ./build-bench/bin/airreg setup >/dev/null
  AIRREG_MAX_RPS=1000 AIRREG_STATE_DIR="$work/fill" OPENAI_BASE_URL="$big/openai" \
    ./build-bench/bin/airreg sync --provider openai --category text --force >"$work/fill.log" 2>&1
  BIG_OPENAI_BASE_URL="$big/openai" RSS_TABLE=full ./build-bench/bin/bench_registry rss
  # The same day for an instance of a fleet: it reads the table and shares it through Redis.
  port=$(node -e 'const s=require("net").createServer().listen(0,"127.0.0.1",()=>{console.log(s.address().port);s.close()})')
  redis-server --port "$port" --bind 127.0.0.1 --save '' --appendonly no >"$work/redis.log" 2>&1 &
  echo $! >>"$work/pids"
  for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
  BIG_OPENAI_BASE_URL="$big/openai" RSS_TABLE=full RSS_REDIS_URL="redis://127.0.0.1:$port/0" ./build-bench/bin/bench_registry rss
  # And another instance, which takes the table the first shared instead of reading it.
  BIG_OPENAI_BASE_URL="$big/openai" RSS_TABLE=full RSS_REDIS_URL="redis://127.0.0.1:$port/0" ./build-bench/bin/bench_registry rss
)
stop_servers
trap - EXIT

echo
echo "== serve: wrk against /v1/registry/models (warm) and against cpp-httplib serving a constant string"
bash scripts/bench_serve.sh

echo
echo "== fleet: cold starts of ${FLEET_SIZES:-1 10 50} instances and a compressed day of 10, with and without Redis"
./build-bench/bin/bench_fleet

echo
echo "== batch writer: airreg against the official Airtable.js client"
node tests/bench/writer_bench.js "$root/build-bench/bin" "$modules" "${BENCH_ROWS:-1000}"
