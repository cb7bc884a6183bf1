// Runs node:test over test/<suite>/**/*.test.ts with tsx as the TypeScript loader.
// Node 20's --test takes no globs, so the files are listed here.
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';

const suites = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const passThrough = process.argv.slice(2).filter((a) => a.startsWith('-'));
const files = [];
for (const suite of suites.length ? suites : ['unit']) {
  const dir = join('test', suite);
  try {
    statSync(dir);
  } catch {
    continue;
  }
  for (const entry of readdirSync(dir, { recursive: true })) {
    const file = join(dir, String(entry));
    if (file.endsWith('.test.ts')) files.push(file);
  }
}
files.sort();
if (files.length === 0) {
  console.error('no test files found for', suites.join(', '));
  process.exit(1);
}
const node = process.env.DIALTONE_TEST_NODE || process.execPath;
const result = spawnSync(node, ['--import', 'tsx', '--test', '--test-concurrency=2', ...passThrough, ...files], {
  stdio: 'inherit',
});
process.exit(result.status ?? 1);
