// Serves the recorded provider answers of tests/fixtures/providers/ on a loopback port, one
// path prefix per provider (/openai/models, /google/models, ...), so airreg can run its
// discovery offline. Prints "provider fixtures listening on http://127.0.0.1:PORT" when ready.
// A file <override dir>/<provider>_<last path part>.json (e.g. openai_models.json), when
// present, is served instead of the recording: the demo changes a listing that way.
// Usage: node scripts/provider_fixtures.js [port] [override dir]
'use strict';
const http = require('http');
const fs = require('fs');
const path = require('path');

const dir = path.join(__dirname, '..', 'tests', 'fixtures', 'providers');
const routes = {
  '/openai/models': 'openai/2026-02/v1_models.json',
  '/anthropic/models': 'anthropic/2026-02/v1_models.json',
  '/google/models': 'google/2026-02/v1beta_models.json',
  '/mistral/models': 'mistral/2026-02/v1_models.json',
  '/xai/models': 'xai/2026-02/v1_models.json',
  '/xai/language-models': 'xai/docs/v1_language_models.json',
  '/openrouter/models': 'openrouter/2026-02/api_v1_models.json',
  '/ollama/api/tags': 'ollama/2025-06/api_tags.json',
  '/azure/cognitiveservices/voices/list': 'azure/docs/voices_list.json',
};

const overrides = process.argv[3];

function fileFor(route) {
  if (overrides) {
    const parts = route.split('/').filter(Boolean);
    const candidate = path.join(overrides, `${parts[0]}_${parts[parts.length - 1]}.json`);
    if (fs.existsSync(candidate)) return candidate;
  }
  return routes[route] && path.join(dir, routes[route]);
}

const server = http.createServer((req, res) => {
  const file = fileFor(req.url.split('?')[0]);
  if (!file) {
    res.writeHead(404, { 'Content-Type': 'application/json' });
    res.end(JSON.stringify({ error: { message: `no recorded answer for ${req.url}` } }));
    return;
  }
  res.writeHead(200, { 'Content-Type': 'application/json' });
  fs.createReadStream(file).pipe(res);
});
server.listen(Number(process.argv[2] || 0), '127.0.0.1', () => {
  console.log(`provider fixtures listening on http://127.0.0.1:${server.address().port}`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
