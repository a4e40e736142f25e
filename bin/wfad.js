#!/usr/bin/env node
'use strict';
// Thin launcher: the CLI is written in TypeScript and compiled to dist/ by `npm run build`.
const path = require('node:path');
const fs = require('node:fs');
const entry = path.join(__dirname, '..', 'dist', 'src', 'cli', 'main.js');
if (!fs.existsSync(entry)) {
  console.error('wfad: not built yet. Run `npm run build` (or `npm start`) in ' + path.dirname(__dirname));
  process.exit(2);
}
// Exit only once stdout and stderr are flushed: process.exit() drops what a pipe has not taken yet
// (a --json summary over 64 KiB came out cut short).
const exit = (code) => process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
require(entry).main(process.argv).then(
  (code) => exit(code ?? 0),
  (err) => {
    console.error(err && err.stack ? err.stack : String(err));
    process.exit(1);
  },
);
