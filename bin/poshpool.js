#!/usr/bin/env node
// Entry of the `poshpool` command. The TypeScript is compiled to dist/ by `npm run build`
// (run automatically by `npm install` / `npm ci` through the prepare script).
import { existsSync } from 'node:fs';

const entry = new URL('../dist/main/cli/poshpool.js', import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write('poshpool: dist/ is missing; run `npm run build` in the poshpool folder first.\n');
  process.exit(1);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
