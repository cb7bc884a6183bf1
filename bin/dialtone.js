#!/usr/bin/env node
// The installed command runs the compiled CLI; `npm ci` builds it (the `prepare` script).
import { existsSync } from 'node:fs';

const main = new URL('../dist/cli/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('dialtone: dist/ is missing; run `npm run build` (npm ci does it for you)\n');
  process.exit(1);
}
await import(main.href);
