#!/usr/bin/env node
// Command-line entry: runs the bundled CLI (built by `npm run build`, which `npm ci` runs via `prepare`).
require('../dist/cli.js');
