// The status page in a real browser: Debian's headless Chromium renders `airreg serve`'s GET /
// (no script, no external resource), the DOM text is checked, and a screenshot is kept in the
// build tree for a person to look at.
// Usage: node status_page_screenshot.js <airreg> <airtable-local> <schema dir> <chromium> <png path>
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const os = require('os');
const path = require('path');
const serve = require('../support/airreg_serve');

const [airreg, airtableLocal, schemaDir, chromium, png] = process.argv.slice(2);

function chrome(args) {
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'airreg-chromium-'));
  try {
    return execFileSync(chromium, ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync', `--user-data-dir=${profile}`,
      ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], timeout: 60000 });
  } finally {
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

async function main() {
  // On loopback without a token: the browser opens the page as an operator's would.
  const s = await serve.start(airreg, airtableLocal, schemaDir, false);
  let failed = 0;
  try {
    // The first answers are read before the page is taken, so that it shows them.
    const res = await fetch(`${s.url}/v1/models`);
    const dom = chrome(['--dump-dom', `${s.url}/`]);
    for (const text of ['airreg status', 'openai', 'anthropic', 'usable', 'pending', 'outbox']) {
      if (!dom.includes(text)) { failed++; console.error(`FAILED: the rendered page lacks "${text}"`); }
    }
    chrome([`--screenshot=${png}`, '--window-size=1100,700', `${s.url}/`]);
    const size = fs.existsSync(png) ? fs.statSync(png).size : 0;
    if (size < 5000) { failed++; console.error(`FAILED: no screenshot at ${png} (${size} bytes)`); }
    if (res.status !== 200) { failed++; console.error(`FAILED: GET /v1/models answered ${res.status}`); }
  } finally {
    if (await s.stop() !== 0) { failed++; console.error('FAILED: serve did not exit 0'); }
  }
  console.log(failed === 0 ? `status page rendered, screenshot in ${png}` : `${failed} check(s) failed`);
  process.exit(failed === 0 ? 0 : 1);
}

main().catch((e) => { console.error(e); process.exit(1); });
