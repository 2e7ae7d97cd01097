#!/usr/bin/env node
// Installs what the tests need beyond npm packages, on a fresh machine: Debian's shellcheck and dash
// (the extension runs scripts with `sh`, which is dash on Debian/Ubuntu), tzdata (the zones the time-zone tests run
// simulated VMs in, read by GNU date; slim images leave it out), chromium (the dashboard's browser test, driven by
// playwright-core), zip and unzip (`npm run package` and its test) and the sandbox's TLS
// certificate.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const { ensureSandboxCertificate } = require('./sandboxCertificate');

// Each package with a shell test that says it is there.
const packages = [
  ['shellcheck', 'command -v shellcheck'],
  ['dash', 'command -v dash'],
  ['chromium', 'command -v chromium'],
  ['tzdata', 'test -f /usr/share/zoneinfo/America/Los_Angeles'],
  ['zip', 'command -v zip'],
  ['unzip', 'command -v unzip'],
];
const need = packages.filter(([, check]) => spawnSync('sh', ['-c', check]).status !== 0).map(([pkg]) => pkg);
if (need.length > 0) {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0 ? [] : ['sudo'];
  const run = (args) => execFileSync(asRoot[0] ?? args[0], asRoot.length ? args : args.slice(1), { stdio: 'inherit' });
  console.log(`Installing Debian packages: ${need.join(' ')}`);
  run(['apt-get', 'update', '-qq']);
  run(['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', ...need]);
}
const { certPath } = ensureSandboxCertificate();
console.log(`Sandbox TLS certificate: ${certPath}`);
