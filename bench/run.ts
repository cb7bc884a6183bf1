/**
 * `npm run bench -- NAME [NAME...]`: runs bench/<folder>/NAME.bench.ts, prints its
 * figures and writes bench/results/NAME.json.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { machine, type BenchReport, type Rate } from './harness.js';

export interface BenchModule {
  default: () => Promise<{ figures: Record<string, unknown>; rates: Rate[] }>;
}

const root = new URL('.', import.meta.url).pathname;
const available = new Map<string, string>();
for (const entry of readdirSync(root, { recursive: true })) {
  const file = String(entry);
  const m = /([^/]+)\.bench\.ts$/.exec(file);
  if (m?.[1]) available.set(m[1], join(root, file));
}

const names = process.argv.slice(2);
if (names.length === 0) {
  console.error(`usage: npm run bench -- NAME...   (available: ${[...available.keys()].sort().join(', ')})`);
  process.exit(2);
}
mkdirSync(join(root, 'results'), { recursive: true });
for (const name of names) {
  const file = available.get(name);
  if (!file) {
    console.error(`no benchmark named ${name} (available: ${[...available.keys()].sort().join(', ')})`);
    process.exit(2);
  }
  const mod = (await import(pathToFileURL(file).href)) as BenchModule;
  const { figures, rates } = await mod.default();
  const report: BenchReport = { bench: name, at: new Date().toISOString(), machine: machine(), figures, rates };
  const out = join(root, 'results', `${name}.json`);
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  for (const rate of rates) console.log(`${name}: ${rate.name} ${rate.perSecond} ${rate.unit}`);
  for (const [key, value] of Object.entries(figures)) console.log(`${name}: ${key} = ${JSON.stringify(value)}`);
  console.log(`wrote ${relative(process.cwd(), out)}`);
}
