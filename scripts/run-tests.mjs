// Runs node:test over test/<suite>/**/*.test.ts with tsx as the TypeScript loader.
// Node 20's --test takes no globs, so the files are listed here.
//
// End-to-end files drive real peers (sipp, baresip, sox) in real time on a 2-core machine;
// one that fails while another file loads the machine is run once more, alone, and the
// run passes only if it passes then. Unit and integration files get no second run. Every
// rerun is printed, so a test that needs one is seen and mended, not hidden.
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
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
const scratch = mkdtempSync(join(tmpdir(), 'dialtone-tests-'));
const failedList = join(scratch, 'failed.json');
// The spec reporter ends with the list of failing tests, where a CI log's tail shows it.
const reporters = passThrough.some((a) => a.startsWith('--test-reporter'))
  ? []
  : ['--test-reporter=spec', '--test-reporter-destination=stdout'];

/** Runs files through node --test; returns its exit status and the files that had a failure. */
function run(list, concurrency) {
  rmSync(failedList, { force: true });
  const result = spawnSync(
    node,
    [
      '--import',
      'tsx',
      '--test',
      `--test-concurrency=${concurrency}`,
      ...reporters,
      '--test-reporter=./scripts/failed-files-reporter.mjs',
      `--test-reporter-destination=${failedList}`,
      ...passThrough,
      ...list,
    ],
    { stdio: 'inherit' },
  );
  let failed = [];
  try {
    failed = JSON.parse(readFileSync(failedList, 'utf8'));
  } catch {
    failed = [null];
  }
  return { status: result.status ?? 1, failed };
}

const first = run(files, 2);
let status = first.status;
const e2e = `${sep}test${sep}e2e${sep}`;
const rerunnable = first.failed.length > 0 && first.failed.every((f) => f !== null && f.includes(e2e));
if (status !== 0 && rerunnable) {
  const again = first.failed.map((f) => relative(process.cwd(), f));
  console.log(`\nEnd-to-end files with a failure, run once more alone: ${again.join(', ')}`);
  status = 0;
  for (const file of again) {
    const second = run([file], 1);
    console.log(second.status === 0 ? `RERUN PASSED (flaky under load, mend it): ${file}` : `RERUN FAILED: ${file}`);
    if (second.status !== 0) status = second.status;
  }
}
rmSync(scratch, { recursive: true, force: true });
process.exit(status);
