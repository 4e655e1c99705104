// Compatibility test: the official Airtable.js client (npm package `airtable`), pointed at
// airtable-local with endpointUrl, must work unchanged.
// Usage: node airtable_js_compat.js <airtable-local binary> <node_modules dir>
'use strict';
const http = require('http');
const path = require('path');
const airtableLocal = require('../support/airtable_local');

const [binary, modules] = process.argv.slice(2);
const Airtable = require(path.join(modules, 'airtable'));
const BASE = 'appLOCALBASE00001';
let passed = 0, failed = 0;

function check(what, ok, detail) {
  if (ok) { passed++; } else { failed++; console.error(`FAILED: ${what}${detail ? ': ' + detail : ''}`); }
}

function createTable(url) {
  const body = JSON.stringify({ name: 'Compat Models', fields: [
    { name: 'Key', type: 'singleLineText' },
    { name: 'Tokens', type: 'number', options: { precision: 0 } },
    { name: 'Status', type: 'singleSelect', options: { choices: [{ name: 'pending' }, { name: 'active' }] } },
  ] });
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}/v0/meta/bases/${BASE}/tables`, {
      method: 'POST', headers: { Authorization: 'Bearer compat', 'Content-Type': 'application/json' },
    }, (res) => { res.resume(); res.on('end', () => res.statusCode === 200 ? resolve() : reject(new Error(`meta ${res.statusCode}`))); });
    req.on('error', reject);
    req.end(body);
  });
}

async function main() {
  const server = await airtableLocal.start(binary, ['--rate-limit', '0']);
  try {
    await createTable(server.url);
    const base = new Airtable({ apiKey: 'compat', endpointUrl: server.url }).base(BASE);
    const table = base('Compat Models');

    // create: 25 records, 10 per call as the API requires.
    const created = [];
    for (let start = 0; start < 25; start += 10) {
      const batch = [];
      for (let i = start; i < Math.min(start + 10, 25); i++) batch.push({ fields: { Key: `m${i}`, Tokens: i, Status: 'pending' } });
      created.push(...await table.create(batch));
    }
    check('create returns every record with an id', created.length === 25 && created.every((r) => /^rec\w{14}$/.test(r.id)));
    const single = await table.create({ Key: 'single', Tokens: 100 });
    check('create one record', single.get('Key') === 'single');

    // list with paging and a formula.
    const all = await table.select({ pageSize: 7 }).all();
    check('select().all() pages through every record', all.length === 26, `got ${all.length}`);
    const filtered = await table.select({ filterByFormula: "AND({Tokens} >= 10, {Status} = 'pending')", sort: [{ field: 'Tokens', direction: 'desc' }], pageSize: 5 }).all();
    check('filterByFormula with sort over pages', filtered.length === 15 && filtered[0].get('Key') === 'm24', `got ${filtered.length}`);
    const first = await table.select({ maxRecords: 3, fields: ['Key'] }).firstPage();
    check('firstPage with maxRecords and fields', first.length === 3 && first[0].get('Tokens') === undefined);
    const found = await table.find(created[0].id);
    check('find one record', found.get('Key') === 'm0');

    // update and replace.
    const updated = await table.update([{ id: created[0].id, fields: { Status: 'active' } }]);
    check('update keeps other fields', updated[0].get('Status') === 'active' && updated[0].get('Key') === 'm0');
    const replaced = await table.replace(created[1].id, { Key: 'm1-replaced' });
    check('replace clears unlisted fields', replaced.get('Key') === 'm1-replaced' && replaced.get('Tokens') === undefined);

    // upsert through performUpsert.
    const upserted = await table.update([{ fields: { Key: 'm2', Tokens: 222 } }, { fields: { Key: 'brand-new', Tokens: 1 } }],
                                        { performUpsert: { fieldsToMergeOn: ['Key'] } });
    check('upsert updates the match and creates the rest', upserted.length === 2 && upserted[0].id === created[2].id && upserted[0].get('Tokens') === 222);
    check('upsert created no duplicate', (await table.select().all()).length === 27);

    // delete.
    const deleted = await table.destroy([created[3].id, created[4].id]);
    check('destroy several', deleted.length === 2);
    await table.destroy(created[5].id);
    check('destroy one', (await table.select().all()).length === 24);

    // errors come back as AirtableError with Airtable's type.
    try {
      await table.create([{ fields: { Nope: 1 } }]);
      check('unknown field is refused', false);
    } catch (e) {
      check('unknown field is refused with UNKNOWN_FIELD_NAME', e.error === 'UNKNOWN_FIELD_NAME' && e.statusCode === 422, `${e.error} ${e.statusCode}`);
    }
  } finally {
    await airtableLocal.stop(server);
  }
}

main().then(() => {
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed === 0 ? 0 : 1);
}, (e) => { console.error(e); console.log(`${passed} passed, ${failed + 1} failed`); process.exit(1); });
