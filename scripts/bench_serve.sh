#!/usr/bin/env bash
# serve under load (part of scripts/bench.sh; run after it built build-bench/): wrk with 2
# threads and 64 connections for 10 s against GET /v1/registry/models?provider=openai on a warm
# cache (100 approved models), and the same against cpp-httplib serving that answer as a
# constant string, the ceiling of the HTTP layer. Prints one JSON line.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build-bench/bin
work=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT

first_url() {  # log file: waits for the server's line, prints its URL
  for _ in $(seq 100); do grep -q 'http://' "$1" 2>/dev/null && break; sleep 0.1; done
  grep -o 'http://[0-9.:]*' "$1" | head -1
}

"$bin/airtable-local" --port 0 --rate-limit 0 --token bench --data "$work/data.json" >"$work/local.log" 2>&1 &
pids+=($!)
local_url=$(first_url "$work/local.log")
export AIRTABLE_API_KEY=bench AIRTABLE_BASE_ID=appLOCALBASE00001 AIRTABLE_ENDPOINT_URL="$local_url"
export AIRREG_SCHEMA_DIR="$PWD/schema" AIRREG_STATE_DIR="$work/state"
"$bin/airreg" setup >/dev/null
# 100 approved OpenAI rows a person added by hand, 10 per request as the API wants.
for batch in $(seq 0 9); do
  node -e 'const b=+process.argv[1];const records=[];for(let i=0;i<10;i++){const id=`gpt-bench-${b*10+i}`;
    records.push({fields:{"Model Key":`openai/${id}`,"Provider ID":"openai","Model ID":id,"Model Name":id,Category:"text",
    Status:"active",Available:true,"Discovery Method":"manual","Max Tokens":128000,Features:["chat","tools"]}});}
    process.stdout.write(JSON.stringify({records,typecast:true}))' "$batch" |
    curl -sf -X POST -H "Authorization: Bearer bench" -H "Content-Type: application/json" --data-binary @- \
      "$local_url/v0/appLOCALBASE00001/AI%20Model%20Registry" >/dev/null
done
"$bin/airreg" serve --port 0 >"$work/serve.log" 2>"$work/serve.err" &
pids+=($!)
serve_url=$(first_url "$work/serve.log")
path="/v1/registry/models?provider=openai"
curl -sf "$serve_url$path" >"$work/body.json"
"$bin/bench_http_ceiling" "$work/body.json" >"$work/ceiling.log" 2>&1 &
pids+=($!)
ceiling_url=$(first_url "$work/ceiling.log")

load() {  # url: wrk's report
  wrk -t2 -c64 -d10s --latency "$1" 2>&1
}
load "$serve_url$path" >"$work/serve.wrk"
load "$ceiling_url$path" >"$work/ceiling.wrk"
node - "$work/serve.wrk" "$work/ceiling.wrk" "$(wc -c <"$work/body.json")" <<'JS'
const fs = require('fs');
const [serveFile, ceilingFile, bytes] = process.argv.slice(2);
function read(file) {
  const text = fs.readFileSync(file, 'utf8');
  const ms = (label) => {
    const m = text.match(new RegExp(`\\s${label}%\\s+([\\d.]+)(us|ms|s)`));
    if (!m) return null;
    return +(parseFloat(m[1]) * { us: 0.001, ms: 1, s: 1000 }[m[2]]).toFixed(3);
  };
  const rps = text.match(/Requests\/sec:\s+([\d.]+)/);
  const errors = text.match(/Non-2xx or 3xx responses:\s+(\d+)/);
  return { rps: rps ? Math.round(+rps[1]) : 0, p50: ms('50'), p99: ms('99'), non2xx: errors ? +errors[1] : 0 };
}
const s = read(serveFile), c = read(ceilingFile);
console.log(JSON.stringify({ bench: 'serve_http', route: '/v1/registry/models?provider=openai', body_bytes: +bytes,
  requests_per_s: s.rps, p50_ms: s.p50, p99_ms: s.p99, non_2xx: s.non2xx,
  ceiling_requests_per_s: c.rps, ceiling_p50_ms: c.p50, ceiling_p99_ms: c.p99,
  share_of_ceiling: +(s.rps / Math.max(1, c.rps)).toFixed(2) }));
JS
