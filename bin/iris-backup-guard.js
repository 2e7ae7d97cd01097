#!/usr/bin/env node
'use strict';
// Installed as the package's `bin`; the CLI itself is compiled TypeScript (`npm run build`).
require('../dist/src/cli/main.js')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
