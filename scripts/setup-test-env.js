#!/usr/bin/env node
// Installs what the tests need beyond npm packages, on a fresh machine: Debian's shellcheck and dash
// (the extension runs scripts with `sh`, which is dash on Debian/Ubuntu), and the sandbox's TLS certificate.
'use strict';
const { execFileSync, spawnSync } = require('node:child_process');
const { ensureSandboxCertificate } = require('./sandboxCertificate');

const need = ['shellcheck', 'dash'].filter((cmd) => spawnSync('sh', ['-c', `command -v ${cmd}`]).status !== 0);
if (need.length > 0) {
  const asRoot = typeof process.getuid === 'function' && process.getuid() === 0 ? [] : ['sudo'];
  const run = (args) => execFileSync(asRoot[0] ?? args[0], asRoot.length ? args : args.slice(1), { stdio: 'inherit' });
  console.log(`Installing Debian packages: ${need.join(' ')}`);
  run(['apt-get', 'update', '-qq']);
  run(['env', 'DEBIAN_FRONTEND=noninteractive', 'apt-get', 'install', '-y', '-qq', ...need]);
}
const { certPath } = ensureSandboxCertificate();
console.log(`Sandbox TLS certificate: ${certPath}`);
