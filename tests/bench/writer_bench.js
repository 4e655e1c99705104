// Write benchmark: the same job (N registry rows upserted into a fresh airtable-local base
// that enforces 5 requests/s with a 30 s penalty) done by airreg's BatchWriter and by the
// official Airtable.js client (table.update(chunk, {performUpsert}) 10 at a time, as its
// docs suggest). Both go through one counting proxy, so requests and 429s are counted the
// same way for both. Prints the two side by side.
//
// node writer_bench.js <bin dir> <node_modules dir> <rows>
'use strict';
const { execFile, execFileSync } = require('child_process');
const { promisify } = require('util');
const http = require('http');
const path = require('path');
const airtableLocal = require('../support/airtable_local');

const [binDir, modules, rowsArg] = process.argv.slice(2);
const ROWS = Number(rowsArg || 1000);
const BASE = 'appLOCALBASE00001';
const TOKEN = 'bench-token';
const TABLE = 'AI Model Registry';
const LIMIT = 5;  // requests per second per base, as Airtable

// Forwards every request to `target` and counts the answers by status.
function startProxy(target) {
  const counts = { requests: 0, rate_limited: 0 };
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const up = http.request(target + req.url, { method: req.method, headers: req.headers }, (answer) => {
        counts.requests++;
        if (answer.statusCode === 429) counts.rate_limited++;
        res.writeHead(answer.statusCode, answer.headers);
        answer.pipe(res);
      });
      up.on('error', () => { res.statusCode = 502; res.end(); });
      up.end(Buffer.concat(chunks));
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () =>
    resolve({ server, counts, url: `http://127.0.0.1:${server.address().port}` })));
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function env(url) {
  return { ...process.env, AIRTABLE_API_KEY: TOKEN, AIRTABLE_BASE_ID: BASE, AIRTABLE_ENDPOINT_URL: url };
}

async function fresh() {
  const local = await airtableLocal.start(path.join(binDir, 'airtable-local'),
    ['--rate-limit', String(LIMIT), '--penalty-seconds', '30', '--token', TOKEN]);
  execFileSync(path.join(binDir, 'airreg'), ['setup'], { env: env(local.url), stdio: 'ignore' });
  await sleep(1100);  // setup's requests must not count against the contender's first second
  const proxy = await startProxy(local.url);
  const stop = async () => {
    proxy.server.close();
    await airtableLocal.stop(local);
  };
  return { local, proxy, stop };
}

async function runAirreg() {
  const rig = await fresh();
  try {
    // Asynchronously: the proxy lives in this process's event loop.
    const { stdout } = await promisify(execFile)(path.join(binDir, 'bench_batch_writer'), [String(ROWS)],
                                                 { env: env(rig.proxy.url) });
    const own = JSON.parse(stdout);
    return { name: 'airreg BatchWriter', rows: own.rows, seconds: own.seconds, ...rig.proxy.counts };
  } finally { await rig.stop(); }
}

async function runAirtableJs() {
  const rig = await fresh();
  try {
    const Airtable = require(path.join(modules, 'airtable'));
    const table = new Airtable({ apiKey: TOKEN, endpointUrl: rig.proxy.url }).base(BASE)(TABLE);
    const start = process.hrtime.bigint();
    let written = 0;
    for (let i = 0; i < ROWS; i += 10) {
      const chunk = [];
      for (let j = i; j < Math.min(i + 10, ROWS); j++) {
        const id = `bench-model-${j}`;
        chunk.push({ fields: { 'Model Key': `bench/${id}`, 'Provider ID': 'bench', 'Model ID': id,
          'Model Name': `Bench model ${j}`, 'Max Tokens': 8192, 'Available': true } });
      }
      const done = await table.update(chunk, { performUpsert: { fieldsToMergeOn: ['Provider ID', 'Model ID'] } });
      written += done.length;
      if (i % 100 === 0) process.stderr.write(`  airtable.js: ${written}/${ROWS} rows, ${rig.proxy.counts.rate_limited} 429s so far\n`);
    }
    const seconds = Number(process.hrtime.bigint() - start) / 1e9;
    return { name: 'airtable.js 0.12.2', rows: written, seconds, ...rig.proxy.counts };
  } finally { await rig.stop(); }
}

function row(r) {
  const rps = r.rows / r.seconds;
  return [r.name.padEnd(20), String(r.rows).padStart(6), r.seconds.toFixed(1).padStart(9), rps.toFixed(1).padStart(8),
          String(r.requests).padStart(9), String(r.rate_limited).padStart(6),
          (rps / (LIMIT * 10)).toFixed(2).padStart(14)].join('  ');
}

async function main() {
  process.stderr.write(`writing ${ROWS} rows to airtable-local (limit ${LIMIT} req/s, 30 s penalty)...\n`);
  const results = [await runAirreg()];
  process.stderr.write('  airreg done; now the same job with Airtable.js (429s cost it 30 s each)...\n');
  results.push(await runAirtableJs());
  console.log(`\nwrite ${ROWS} rows, limit ${LIMIT} req/s = ${LIMIT * 10} rows/s`);
  console.log(['writer'.padEnd(20), 'rows'.padStart(6), 'seconds'.padStart(9), 'rows/s'.padStart(8),
               'requests'.padStart(9), '429s'.padStart(6), 'of the limit'.padStart(14)].join('  '));
  for (const r of results) console.log(row(r));
}

main().catch((e) => { console.error(e); process.exit(1); });
