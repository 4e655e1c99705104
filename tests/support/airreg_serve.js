// For the Node tests of `airreg serve`: airtable-local on a free port, the registry's tables
// made by `airreg setup`, rows a person added by hand (no provider is asked), and
// `airreg serve` on a free port with a token. stop() ends both.
'use strict';
const { spawn, execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const airtableLocal = require('./airtable_local');

const TOKEN = 'serve-node-token-0123456789';
const BASE = 'appLOCALBASE00001';

// Rows as a person types them: approved, one pending.
const ROWS = [
  { provider: 'openai', id: 'gpt-4o', status: 'active', recommended: true },
  { provider: 'openai', id: 'gpt-4o-mini', status: 'active' },
  { provider: 'openai', id: 'o9-preview', status: 'pending' },
  { provider: 'anthropic', id: 'claude-sonnet-4', status: 'active' },
];

async function seed(url) {
  const records = ROWS.map((r) => ({ fields: {
    'Model Key': `${r.provider}/${r.id}`, 'Provider ID': r.provider, 'Model ID': r.id, 'Model Name': r.id,
    Category: 'text', Status: r.status, Available: true, 'Discovery Method': 'manual', Recommended: !!r.recommended,
  } }));
  const res = await fetch(`${url}/v0/${BASE}/AI%20Model%20Registry`, {
    method: 'POST', headers: { Authorization: 'Bearer local', 'Content-Type': 'application/json' },
    body: JSON.stringify({ records, typecast: true }),
  });
  if (res.status !== 200) throw new Error(`seeding the table: ${res.status} ${await res.text()}`);
}

// Resolves to { url, token, stop() } once serve printed its line. withToken false: serve on
// loopback without a token (what a browser on the same machine can open).
async function start(airreg, airtableLocalBinary, schemaDir, withToken = true) {
  const local = await airtableLocal.start(airtableLocalBinary, ['--rate-limit', '0', '--token', 'local']);
  const state = fs.mkdtempSync(path.join(os.tmpdir(), 'airreg-serve-'));
  // Only what serve needs: no provider key, so the table's rows are the registry.
  const env = { PATH: process.env.PATH, HOME: state, AIRTABLE_API_KEY: 'local', AIRTABLE_BASE_ID: BASE,
                AIRTABLE_ENDPOINT_URL: local.url, AIRREG_SCHEMA_DIR: schemaDir, AIRREG_STATE_DIR: state };
  execFileSync(airreg, ['setup'], { env, stdio: 'ignore' });
  await seed(local.url);
  const flags = withToken ? ['--token', TOKEN] : [];
  const serve = spawn(airreg, ['serve', '--port', '0', ...flags], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let errors = '';
  serve.stderr.on('data', (chunk) => { errors += chunk; });
  const url = await new Promise((resolve, reject) => {
    let out = '';
    serve.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/^airreg serve listening on (http:\/\/127\.0\.0\.1:\d+)\n/);
      if (m) resolve(m[1]);
    });
    serve.once('exit', (code) => reject(new Error(`airreg serve exited with ${code}: ${errors}`)));
  });
  async function stop() {
    const exited = new Promise((resolve) => serve.once('exit', resolve));
    serve.kill('SIGTERM');
    const code = await exited;
    await airtableLocal.stop(local);
    fs.rmSync(state, { recursive: true, force: true });
    return code;
  }
  return { url, token: TOKEN, stop, stderr: () => errors };
}

module.exports = { start, TOKEN };
