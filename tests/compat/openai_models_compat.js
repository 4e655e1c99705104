// Compatibility test: the official OpenAI client (npm package `openai`, pinned by
// scripts/test.sh) and the model fetch of Open WebUI and LibreChat (GET {base}/models with a
// bearer key, reading data[].id) read `airreg serve`'s OpenAI-compatible list unchanged.
// Usage: node openai_models_compat.js <airreg> <airtable-local> <node_modules dir> <schema dir>
'use strict';
const path = require('path');
const serve = require('../support/airreg_serve');

const [airreg, airtableLocal, modules, schemaDir] = process.argv.slice(2);
const OpenAI = require(path.join(modules, 'openai'));
let passed = 0, failed = 0;

function check(what, ok, detail) {
  if (ok) { passed++; } else { failed++; console.error(`FAILED: ${what}${detail ? ': ' + detail : ''}`); }
}

async function ids(client) {
  const out = [];
  for await (const model of client.models.list()) out.push(model.id);
  return out.sort();
}

async function main() {
  const s = await serve.start(airreg, airtableLocal, schemaDir);
  try {
    const all = new OpenAI({ apiKey: s.token, baseURL: `${s.url}/v1` });
    const listed = await ids(all);
    check('models.list() reads every approved model as provider/model', JSON.stringify(listed) ===
          JSON.stringify(['anthropic/claude-sonnet-4', 'openai/gpt-4o', 'openai/gpt-4o-mini']), JSON.stringify(listed));
    const page = await all.models.list();
    check('each entry is a model owned by its provider', page.data.every((m) => m.object === 'model' &&
          typeof m.created === 'number' && m.owned_by === m.id.split('/')[0]));
    const one = await all.models.retrieve('openai/gpt-4o');
    check('models.retrieve() finds an approved model', one.id === 'openai/gpt-4o' && one.owned_by === 'openai');
    let refused = null;
    try { await all.models.retrieve('openai/o9-preview'); } catch (e) { refused = e; }
    check('a pending model is not found', refused instanceof OpenAI.NotFoundError, String(refused));

    const openaiOnly = new OpenAI({ apiKey: s.token, baseURL: `${s.url}/providers/openai/v1` });
    check('a per-provider base URL lists bare ids', JSON.stringify(await ids(openaiOnly)) ===
          JSON.stringify(['gpt-4o', 'gpt-4o-mini']));
    const prefixed = new OpenAI({ apiKey: s.token, baseURL: `${s.url}/openai/v1` });
    check('/openai/v1 is the same list', JSON.stringify(await ids(prefixed)) === JSON.stringify(listed));

    let unauthorized = null;
    try { await new OpenAI({ apiKey: 'wrong-key-0123456789abcdef', baseURL: `${s.url}/v1` }).models.list(); } catch (e) { unauthorized = e; }
    check('a wrong key is an AuthenticationError', unauthorized instanceof OpenAI.AuthenticationError, String(unauthorized));

    // Open WebUI and LibreChat: fetch(`${base}/models`, {Authorization: Bearer}), then data[].id.
    const res = await fetch(`${s.url}/v1/models`, { headers: { Authorization: `Bearer ${s.token}` } });
    const body = await res.json();
    check('a UI fetch reads data[].id', res.status === 200 && Array.isArray(body.data) && body.data.map((m) => m.id).includes('openai/gpt-4o'));
  } finally {
    const code = await s.stop();
    check('serve exits 0 on SIGTERM', code === 0, String(code));
  }
  console.log(`${passed} checks passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => { console.error(e); process.exit(1); });
