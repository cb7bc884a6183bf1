/**
 * sipp (Debian package sip-tester) as a real peer in tests: spawn it on 127.0.0.1 with a
 * scenario, collect what it prints and its message and error logs, and kill it if it runs
 * past a bound. Exit codes (sipp(1)): 0 every call succeeded, 1 a call failed, 97 exit on
 * internal command, 99 normal exit without calls, 255/254 fatal errors.
 */
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import net from 'node:net';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const SIPP_PATH = '/usr/bin/sipp';

/** `false` when sipp can run here, else the reason to skip. */
export const sippSkip: string | false = existsSync(SIPP_PATH) ? false : 'sipp not installed (Debian package sip-tester)';

let rewritten: string | undefined;
let copies = 0;

/**
 * A scenario file under `test/fixtures/sipp/`. A scenario with `@NAME@` placeholders is
 * copied with each replaced from `replacements` (`@FIXTURES_DIR@` is that folder's absolute
 * path: sipp opens pcaps by the path written in the scenario, from a directory of its own).
 */
export function sippScenario(name: string, replacements: Readonly<Record<string, string>> = {}): string {
  const file = fileURLToPath(new URL(`../fixtures/sipp/${name}`, import.meta.url));
  const text = readFileSync(file, 'utf8');
  if (!/@[A-Z_]+@/.test(text)) return file;
  let out = text;
  for (const [key, value] of Object.entries({ FIXTURES_DIR: dirname(file), ...replacements })) out = out.replaceAll(`@${key}@`, value);
  const left = /@[A-Z_]+@/.exec(out);
  if (left) throw new Error(`${name}: no replacement for ${left[0]}`);
  if (rewritten === undefined) {
    const dir = mkdtempSync(join(tmpdir(), 'dialtone-sipp-sf-'));
    process.once('exit', () => rmSync(dir, { recursive: true, force: true }));
    rewritten = dir;
  }
  const copy = join(rewritten, `${++copies}-${name}`);
  writeFileSync(copy, out);
  return copy;
}

export interface SippOptions {
  /** A scenario file (`-sf`), or a built-in one (`-sn`). */
  readonly scenario: { readonly file: string } | { readonly builtin: 'uac' | 'uas' };
  /** `host:port` to call (UAC scenarios). */
  readonly remote?: string;
  /** sipp's own SIP port (`-p`). */
  readonly port: number;
  /** `-m`: calls to make or answer; default 1. */
  readonly calls?: number;
  /** `-timeout` in seconds; default 20 (and `-timeout_error`). */
  readonly timeoutSec?: number;
  /** Kill sipp this long after the start if it has not exited; default (timeout + 5) s. */
  readonly killAfterMs?: number;
  /** Further arguments (`-nr`, `-s service`…). */
  readonly args?: readonly string[];
}

export interface SippRun {
  /** Exit code; `null` when killed. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** True when we had to kill it. */
  readonly killed: boolean;
  readonly stdout: string;
  readonly stderr: string;
  /** The `-trace_msg` log: every message sipp sent and received. */
  readonly messages: string;
  /** The `-trace_err` log: unexpected messages and errors. */
  readonly errors: string;
  /** Everything above, for assertion messages. */
  readonly report: string;
}

/** A started sipp: `done` settles when it exits (or is killed). */
export interface SippProcess {
  readonly done: Promise<SippRun>;
  kill(): void;
}

/** Start sipp; resolve `done` with what it did. Never rejects (a spawn error is reported in `stderr`). */
export function startSipp(options: SippOptions): SippProcess {
  const dir = mkdtempSync(join(tmpdir(), 'dialtone-sipp-'));
  const messageFile = join(dir, 'messages.log');
  const errorFile = join(dir, 'errors.log');
  const timeoutSec = options.timeoutSec ?? 20;
  const args: string[] = [];
  if (options.remote !== undefined) args.push(options.remote);
  if ('file' in options.scenario) args.push('-sf', options.scenario.file);
  else args.push('-sn', options.scenario.builtin);
  args.push(
    '-i', '127.0.0.1',
    '-bind_local',
    '-p', String(options.port),
    '-t', 'u1',
    '-m', String(options.calls ?? 1),
    '-nostdin',
    '-timeout', `${timeoutSec}s`,
    '-timeout_error',
    '-trace_msg', '-message_file', messageFile,
    '-trace_err', '-error_file', errorFile,
    ...(options.args ?? []),
  );
  const child = spawn(SIPP_PATH, args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let killed = false;
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
    if (stdout.length > 200_000) stdout = stdout.slice(-100_000);
  });
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const kill = (): void => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    killed = true;
    child.kill('SIGKILL');
  };
  const killer = setTimeout(kill, options.killAfterMs ?? (timeoutSec + 5) * 1000);
  const done = new Promise<SippRun>((resolve) => {
    const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
      clearTimeout(killer);
      const read = (f: string): string => (existsSync(f) ? readFileSync(f, 'utf8') : '');
      const messages = read(messageFile);
      const errors = read(errorFile);
      rmSync(dir, { recursive: true, force: true });
      const report = [
        `sipp ${args.join(' ')}`,
        `exit ${code ?? signal}${killed ? ' (killed)' : ''}`,
        `--- stderr ---\n${stderr}`,
        `--- errors ---\n${errors}`,
        `--- messages ---\n${messages.slice(-8000)}`,
      ].join('\n');
      resolve({ code, signal, killed, stdout, stderr, messages, errors, report });
    };
    child.on('error', (err) => {
      stderr += String(err);
    });
    child.on('close', finish);
  });
  return { done, kill };
}

/** Run sipp to the end. */
export function runSipp(options: SippOptions): Promise<SippRun> {
  return startSipp(options).done;
}

/** A UDP port on 127.0.0.1 that was free a moment ago (sipp needs a number, not 0). */
export async function freeUdpPort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, '127.0.0.1', resolve));
  const { port } = s.address();
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

/** A port on 127.0.0.1 free a moment ago for both UDP and TCP (for a peer that listens on both, as baresip does). */
export async function freeUdpAndTcpPort(): Promise<number> {
  for (;;) {
    const port = await freeUdpPort();
    const server = net.createServer();
    const bound = await new Promise<boolean>((resolve) => {
      server.once('error', () => resolve(false));
      server.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (bound) {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      return port;
    }
  }
}

/** A TCP port on 127.0.0.1 that was free a moment ago. */
export async function freeTcpPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as net.AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** Resolve once something accepts TCP connections on `port` of 127.0.0.1; reject after `timeoutMs`. */
export async function waitForTcpListen(port: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (open) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on TCP port ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Resolve once something has bound UDP `port` on 127.0.0.1 (sipp is listening); reject after `timeoutMs`. */
export async function waitForUdpBind(port: number, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const bound = await new Promise<boolean>((resolve) => {
      const s = dgram.createSocket('udp4');
      s.once('error', () => {
        s.close();
        resolve(true);
      });
      s.bind(port, '127.0.0.1', () => s.close(() => resolve(false)));
    });
    if (bound) return;
    if (Date.now() > deadline) throw new Error(`nothing bound UDP port ${port} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * How many messages sipp received (per its `-trace_msg` log) whose first line starts with
 * `startLine` (`INVITE `, `BYE `, `SIP/2.0 200`).
 */
export function countReceived(messages: string, startLine: string): number {
  const lines = messages.split(/\r?\n/);
  let n = 0;
  for (let i = 0; i < lines.length; i++) {
    if (!/message received/i.test(lines[i] ?? '')) continue;
    let j = i + 1;
    while (j < lines.length && (lines[j] ?? '').trim() === '') j++;
    if ((lines[j] ?? '').startsWith(startLine)) n++;
  }
  return n;
}
