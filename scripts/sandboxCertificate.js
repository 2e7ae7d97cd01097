'use strict';
// A self-made certificate for the sandbox's HTTPS ARM emulator (localhost, 127.0.0.1). The Azure SDKs refuse
// bearer tokens over plain HTTP, so the test process trusts this certificate through NODE_EXTRA_CA_CERTS.
const fs = require('node:fs');
const path = require('node:path');

const DEFAULT_DIR = path.join(__dirname, '..', '.sandbox', 'tls');

function ensureSandboxCertificate(dir = DEFAULT_DIR) {
  const certPath = path.join(dir, 'cert.pem');
  const keyPath = path.join(dir, 'key.pem');
  if (!fs.existsSync(certPath) || !fs.existsSync(keyPath)) {
    const selfsigned = require('selfsigned');
    const pems = selfsigned.generate([{ name: 'commonName', value: 'localhost' }], {
      days: 3650,
      keySize: 2048,
      algorithm: 'sha256',
      extensions: [
        { name: 'basicConstraints', cA: true },
        {
          name: 'subjectAltName',
          altNames: [
            { type: 2, value: 'localhost' },
            { type: 7, ip: '127.0.0.1' },
          ],
        },
      ],
    });
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(keyPath, pems.private, { mode: 0o600 });
    fs.writeFileSync(certPath, pems.cert);
  }
  return { certPath, keyPath };
}

module.exports = { ensureSandboxCertificate, DEFAULT_DIR };
