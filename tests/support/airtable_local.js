// Starts build/bin/airtable-local on a free loopback port with its data in a temp directory,
// for the Node scripts (compatibility test, write benchmark), and stops it cleanly.
'use strict';
const { spawn } = require('child_process');
const path = require('path');
const os = require('os');
const fs = require('fs');

// Resolves to { child, url, dir } once the server printed its "listening on" line.
function start(binary, args) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'airreg-local-'));
  const child = spawn(binary, ['--port', '0', '--data', path.join(dir, 'data.json'), ...args],
                      { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const m = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (m) resolve({ child, url: m[1], dir });
    });
    child.once('exit', (code) => reject(new Error(`airtable-local exited with ${code}`)));
  });
}

// SIGTERM, wait for the exit (it saves its data on the way out), then remove the directory.
async function stop(server) {
  const exited = new Promise((resolve) => server.child.once('exit', resolve));
  server.child.kill('SIGTERM');
  await exited;
  fs.rmSync(server.dir, { recursive: true, force: true });
}

module.exports = { start, stop };
