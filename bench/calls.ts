/**
 * What the call benchmarks (`sip`, `engine`) share: `dialtone start` as its own process
 * pinned to core 0 with a number bound to a web application in the bench process, the
 * prompt that application serves, and the CPU and percentile arithmetic.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sine, wavBytes } from '../test/support/audio.js';
import { freeUdpPort, SIPP_PATH, waitForUdpBind } from '../test/support/sipp.js';

/** The number both benchmarks call. */
export const NUMBER = '+15550142';

const root = fileURLToPath(new URL('../', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** A WAV file: `ms` of a 440 Hz tone at a quarter of full scale, 8 kHz 16-bit mono. */
export function toneWav(ms: number): Buffer {
  return wavBytes(sine(440, ms / 1000, 0.25));
}

export interface BenchApp {
  readonly server: Server;
  /** The voice URL to give the number. */
  readonly url: string;
  /** The document calls get now. */
  readonly document: string;
  /** Document requests so far (the prompt's own fetches not counted). */
  requests(): number;
  /** Serves `documentFor(base)` from now on. */
  serve(documentFor: (base: string) => string): void;
  close(): Promise<void>;
}

/**
 * The web application: `documentFor(base)` for every call, and at `/prompt.wav` a tone of
 * `promptMs` that Dialtone may cache for an hour.
 */
export async function startApp(documentFor: (base: string) => string, promptMs: number): Promise<BenchApp> {
  let requests = 0;
  const wav = toneWav(promptMs);
  let document = '';
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      if (req.url === '/prompt.wav') {
        res.setHeader('content-type', 'audio/wav');
        res.setHeader('cache-control', 'max-age=3600');
        res.end(wav);
        return;
      }
      requests++;
      res.setHeader('content-type', 'text/xml');
      res.end(document);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  document = documentFor(base);
  return {
    server,
    url: `${base}/voice`,
    get document() {
      return document;
    },
    requests: () => requests,
    serve: (next) => {
      document = next(base);
    },
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

export const hasTaskset = spawnSync('taskset', ['-V']).status === 0;
/** `taskset -c core command…`, or the bare command without taskset or without a core (null). */
export function pinned(core: number | null, command: string, args: readonly string[]): [string, string[]] {
  return hasTaskset && core !== null ? ['taskset', ['-c', String(core), command, ...args]] : [command, [...args]];
}

/** CPU seconds (user + system, all threads) a process has used so far. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14 and 15 of proc(5), counted from the state field (3).
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export function percentile(sorted: readonly number[], p: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

/** `dialtone start` running for a bench. */
export interface Dialtone {
  readonly child: ChildProcess;
  readonly remote: string;
  stop(): Promise<void>;
}

/** `dialtone start` pinned to `core` (null: free to use every core). */
export async function startDialtone(appUrl: string, profileDir: string | undefined, core: number | null = 0): Promise<Dialtone> {
  const dataDir = mkdtempSync(join(tmpdir(), 'dialtone-bench-data-'));
  const sipPort = await freeUdpPort();
  // A block of RTP ports well away from the ones tests pick (20000–39999).
  const rtpBase = 40000 + 2 * Math.floor(Math.random() * 2000);
  const env = {
    ...process.env,
    DIALTONE_DATA_DIR: dataDir,
    DIALTONE_HTTP_PORT: '0',
    DIALTONE_SIP_PORT: String(sipPort),
    DIALTONE_RTP_PORTS: `${rtpBase}-${rtpBase + 5999}`,
    DIALTONE_BIND_ADDRESS: '127.0.0.1',
    DIALTONE_LOG_LEVEL: 'error',
  };
  const main = join(root, 'src/cli/main.ts');
  const add = spawnSync(process.execPath, ['--import', 'tsx', main, 'numbers', 'add', NUMBER, '--voice-url', appUrl], { env, encoding: 'utf8' });
  if (add.status !== 0) throw new Error(`numbers add failed: ${add.stderr}`);
  const nodeArgs = ['--import', 'tsx', ...(profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : []), main, 'start'];
  const [cmd, args] = pinned(core, process.execPath, nodeArgs);
  const child = spawn(cmd, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out = (out + d.toString()).slice(-20_000)));
  const deadline = Date.now() + 30_000;
  while (!out.includes('Dialtone is running at')) {
    if (child.exitCode !== null) throw new Error(`dialtone exited before it was ready:\n${out}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`dialtone not ready after 30 s:\n${out}`);
    }
    await sleep(50);
  }
  await waitForUdpBind(sipPort);
  return {
    child,
    remote: `127.0.0.1:${sipPort}`,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        // A profile is written at exit, which takes a while after a long run.
        const timer = setTimeout(() => child.kill('SIGKILL'), profileDir ? 120_000 : 15_000);
        await once(child, 'close');
        clearTimeout(timer);
      }
      const errors = out.split('\n').filter((l) => /"level":(50|60)/.test(l));
      if (errors.length > 0) console.error(`dialtone logged ${errors.length} error(s), first: ${errors[0]}`);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** What a sipp caller run gives. */
export interface SippResult {
  readonly exitCode: number | null;
  readonly created: number;
  readonly successful: number;
  readonly failed: number;
  /** Answer delays in ms (INVITE → 200, the scenario's "answer" timer), sorted. */
  readonly answerMs: number[];
  /** Hold times in ms (the scenario's "hold" timer), sorted. */
  readonly holdMs: number[];
  readonly wallSeconds: number;
  /** Calls answered per second, from the first answer to the last. */
  readonly answeredPerSecond: number;
  readonly failures: string;
}

export interface SippCaller {
  readonly remote: string;
  /** The UAC scenario file: it times "answer" and may time "hold". */
  readonly scenario: string;
  /** Calls per second and calls in all. */
  readonly rate: number;
  readonly calls: number;
  /** sipp's RTP echo port: the callee's RTP is sent back to it (`-rtp_echo`). */
  readonly rtpEchoPort?: number;
  /** Most calls sipp keeps open at once (default 5,000, below the open-file limit with RTP echo). */
  readonly limit?: number;
  /** The length of the scenario's `<pause/>`, in ms (`-d`). */
  readonly pauseMs?: number;
  /** The core sipp runs on (default 1; null: any). */
  readonly core?: number | null;
}

/** A sipp caller (on core 1 unless told otherwise): `calls` calls at `rate` per second to `remote`, read from its trace files. */
export async function runSippCaller(options: SippCaller): Promise<SippResult> {
  const { remote, scenario, rate, calls } = options;
  const dir = mkdtempSync(join(tmpdir(), 'dialtone-bench-sipp-'));
  const port = await freeUdpPort();
  const echo = options.rtpEchoPort === undefined ? [] : ['-rtp_echo', '-mp', String(options.rtpEchoPort)];
  const [cmd, args] = pinned(options.core === undefined ? 1 : options.core, SIPP_PATH, [
    remote,
    '-sf', scenario,
    '-s', NUMBER,
    '-i', '127.0.0.1',
    '-p', String(port),
    '-t', 'u1',
    '-nostdin',
    '-r', String(rate),
    '-m', String(calls),
    '-l', String(options.limit ?? 5_000),
    '-recv_timeout', '15000',
    '-timeout', `${Math.ceil(calls / rate) + 180}s`,
    '-trace_rtt', '-rtt_freq', '1',
    '-trace_stat', '-fd', '1',
    '-trace_err', '-error_file', join(dir, 'errors.log'),
    ...echo,
    ...(options.pauseMs === undefined ? [] : ['-d', String(options.pauseMs)]),
  ]);
  const start = performance.now();
  const child = spawn(cmd, args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [exitCode] = (await once(child, 'close')) as [number | null];
  const wallSeconds = (performance.now() - start) / 1000;
  const files = readdirSync(dir);
  const read = (suffix: string): string => {
    const f = files.find((name) => name.endsWith(suffix));
    return f ? readFileSync(join(dir, f), 'utf8') : '';
  };
  const answers: { at: number; ms: number }[] = [];
  const holdMs: number[] = [];
  for (const line of read('_rtt.csv').split('\n').slice(1)) {
    const [at, ms, name] = line.trim().split(';');
    if (name === 'answer') answers.push({ at: Number(at), ms: Number(ms) });
    else if (name === 'hold') holdMs.push(Number(ms));
  }
  const statLines = read('_.csv').trim().split('\n');
  const header = (statLines[0] ?? '').split(';');
  const last = (statLines.at(-1) ?? '').split(';');
  const column = (name: string): number => Number(last[header.indexOf(name)] ?? NaN);
  const errors = read('errors.log');
  rmSync(dir, { recursive: true, force: true });
  const times = answers.map((a) => a.at).sort((a, b) => a - b);
  const span = times.length > 1 ? (times.at(-1)! - times[0]!) / 1000 : 0;
  return {
    exitCode,
    created: column('TotalCallCreated'),
    successful: column('SuccessfulCall(C)'),
    failed: column('FailedCall(C)'),
    answerMs: answers.map((a) => a.ms).sort((a, b) => a - b),
    holdMs: holdMs.sort((a, b) => a - b),
    wallSeconds,
    answeredPerSecond: span > 0 ? Math.round((times.length - 1) / span) : 0,
    failures: `${stderr}\n${errors}`.trim().slice(0, 2000),
  };
}

/** What a callee did with a sipp caller's calls. */
export interface CallFigures {
  readonly attempted: number;
  readonly successful: number;
  readonly failed: number;
  readonly answeredPerSecond: number;
  readonly answerDelayMs: { p50: number | null; p99: number | null; max: number | null };
  readonly holdMs: { p50: number | null };
  /** The callee's CPU time over the wall time of the run, in percent of one core. */
  readonly calleeCpuPercent: number;
  readonly failureSample?: string;
}

/** The figures of a caller's run of `calls` calls, the callee having used `cpu` CPU seconds. */
export function callFigures(result: SippResult, calls: number, cpu: number): CallFigures {
  return {
    attempted: result.created,
    successful: result.successful,
    failed: result.failed + (calls - result.created),
    answeredPerSecond: result.answeredPerSecond,
    answerDelayMs: { p50: percentile(result.answerMs, 50), p99: percentile(result.answerMs, 99), max: result.answerMs.at(-1) ?? null },
    holdMs: { p50: percentile(result.holdMs, 50) },
    calleeCpuPercent: Math.round((cpu / result.wallSeconds) * 100),
    ...(result.failed > 0 || result.exitCode !== 0 ? { failureSample: result.failures.slice(0, 600) } : {}),
  };
}

/** A sipp UAS in Dialtone's place, pinned to core 0, answering every call it gets and hanging up after `holdMs`. */
export async function startSippUas(scenario: string, holdMs: number): Promise<{ child: ChildProcess; remote: string; stop: () => Promise<void> }> {
  const port = await freeUdpPort();
  const [cmd, args] = pinned(0, SIPP_PATH, ['-sf', scenario, '-i', '127.0.0.1', '-p', String(port), '-t', 'u1', '-nostdin', '-d', String(holdMs)]);
  const child = spawn(cmd, args, { stdio: 'ignore' });
  await waitForUdpBind(port);
  return {
    child,
    remote: `127.0.0.1:${port}`,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await once(child, 'close');
      }
    },
  };
}
