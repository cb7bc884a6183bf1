/**
 * baresip (Debian package baresip-core, 1.0.0 here) as a real peer in tests: a config
 * directory in a temporary folder, SIP on 127.0.0.1, the audio source a WAV file
 * (`aufile`), calls answered automatically (`answermode=auto`), and the `ctrl_tcp`
 * interface to send commands and read events (netstring-framed JSON:
 * `{"command":"dial","params":"sip:…"}`; events such as `CALL_ESTABLISHED`,
 * `CALL_DTMF_START` with the digit in `param`, `CALL_CLOSED`).
 *
 * Notes on this version: baresip also listens for SIP over TLS on the SIP port + 1, so the
 * control port must not be that one; `aufile` cannot be the audio player (received audio
 * goes nowhere), so what baresip hears is not recorded here.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freeTcpPort, freeUdpAndTcpPort } from './sipp.js';

export const BARESIP_PATH = '/usr/bin/baresip';
export const BARESIP_MODULES = '/usr/lib/baresip/modules';
const NEEDED_MODULES = ['ctrl_tcp.so', 'aufile.so', 'g711.so', 'account.so'];

/** `false` when baresip can run here, else the reason to skip. */
export const baresipSkip: string | false = !existsSync(BARESIP_PATH)
  ? 'baresip not installed (Debian package baresip-core)'
  : NEEDED_MODULES.every((m) => existsSync(join(BARESIP_MODULES, m)))
    ? false
    : `baresip lacks one of the modules ${NEEDED_MODULES.join(', ')} in ${BARESIP_MODULES}`;

export interface BaresipOptions {
  /** 8 kHz (or any rate) mono WAV that baresip sends as its audio. */
  readonly audioSource: string;
  /** Codecs the account offers and accepts; default PCMU. */
  readonly codecs?: string;
  /** Register to a registrar as this address of record, with this password (every `regint` s, default 60). */
  readonly register?: { readonly aor: string; readonly password: string; readonly regint?: number };
  /** Kill baresip this long after the start whatever happens; default 30 s. */
  readonly killAfterMs?: number;
  /**
   * Dump each call's audio to WAV files in this folder (the `sndfile` module):
   * `dump-<time>-dec.wav` is what baresip heard, `-enc.wav` what it sent.
   */
  readonly dumpAudioTo?: string;
  /** Load the `menu` module: the `dial`, `hangup` and `sndcode` (send a DTMF digit) commands, to place calls. */
  readonly commands?: boolean;
}

/** One event from ctrl_tcp, with the time it arrived (ms, `performance.now()`). */
export interface BaresipEvent {
  readonly type: string;
  readonly param?: string;
  readonly direction?: string;
  readonly peeruri?: string;
  readonly id?: string;
  readonly at: number;
}

/** Reads netstrings (`<len>:<payload>,`) off a stream. */
class NetstringReader {
  #buffer = Buffer.alloc(0);

  push(chunk: Buffer): string[] {
    this.#buffer = Buffer.concat([this.#buffer, chunk]);
    const out: string[] = [];
    for (;;) {
      const colon = this.#buffer.indexOf(0x3a);
      if (colon < 0) break;
      const length = Number(this.#buffer.subarray(0, colon).toString('ascii'));
      if (!Number.isInteger(length)) throw new Error(`bad netstring from baresip: ${this.#buffer.toString('utf8', 0, 40)}`);
      if (this.#buffer.length < colon + 1 + length + 1) break;
      out.push(this.#buffer.subarray(colon + 1, colon + 1 + length).toString('utf8'));
      this.#buffer = this.#buffer.subarray(colon + 1 + length + 1);
    }
    return out;
  }
}

export class Baresip {
  /** `sip:tester@127.0.0.1:PORT`: where to call it. */
  readonly uri: string;
  readonly sipPort: number;
  readonly events: BaresipEvent[] = [];
  readonly #child: ChildProcess;
  readonly #dir: string;
  readonly #socket: net.Socket;
  readonly #responses: Record<string, unknown>[] = [];
  readonly #waiters = new Set<() => void>();
  readonly #killer: NodeJS.Timeout;
  #log = '';
  #token = 0;
  #exited: Promise<void>;

  private constructor(child: ChildProcess, dir: string, socket: net.Socket, sipPort: number, killer: NodeJS.Timeout, log: () => string) {
    this.#child = child;
    this.#dir = dir;
    this.#socket = socket;
    this.sipPort = sipPort;
    this.uri = `sip:tester@127.0.0.1:${sipPort}`;
    this.#killer = killer;
    this.#log = log();
    child.stdout?.on('data', (d: Buffer) => (this.#log += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (this.#log += d.toString()));
    this.#exited = new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('close', () => resolve());
    });
    const reader = new NetstringReader();
    socket.on('data', (chunk: Buffer) => {
      for (const text of reader.push(chunk)) {
        let message: Record<string, unknown>;
        try {
          message = JSON.parse(text) as Record<string, unknown>;
        } catch {
          continue;
        }
        if (message['event'] === true) {
          const str = (k: string): string | undefined => (typeof message[k] === 'string' ? (message[k] as string) : undefined);
          this.events.push({
            type: str('type') ?? '',
            at: performance.now(),
            ...(str('param') === undefined ? {} : { param: str('param') }),
            ...(str('direction') === undefined ? {} : { direction: str('direction') }),
            ...(str('peeruri') === undefined ? {} : { peeruri: str('peeruri') }),
            ...(str('id') === undefined ? {} : { id: str('id') }),
          } as BaresipEvent);
        } else if (message['response'] === true) {
          this.#responses.push(message);
        }
        for (const wake of [...this.#waiters]) wake();
      }
    });
    socket.on('error', () => undefined);
  }

  /** Start baresip and connect to its ctrl_tcp; rejects (killing it) when it is not up within 10 s. */
  static async start(options: BaresipOptions): Promise<Baresip> {
    const dir = mkdtempSync(join(tmpdir(), 'dialtone-baresip-'));
    // baresip listens for SIP on UDP and TCP alike: the port must be free for both.
    const sipPort = await freeUdpAndTcpPort();
    let ctrlPort = await freeTcpPort();
    while (ctrlPort === sipPort || ctrlPort === sipPort + 1) ctrlPort = await freeTcpPort();
    writeFileSync(
      join(dir, 'config'),
      [
        'poll_method      epoll',
        `sip_listen       127.0.0.1:${sipPort}`,
        `audio_source     aufile,${options.audioSource}`,
        'audio_player     aufile,/dev/null',
        'audio_alert      aufile,/dev/null',
        'rtp_ports        40000-40999',
        `module_path      ${BARESIP_MODULES}`,
        'module           g711.so',
        'module           aufile.so',
        ...(options.dumpAudioTo === undefined ? [] : ['module           sndfile.so', `snd_path         ${options.dumpAudioTo}`]),
        'module_app       account.so',
        ...(options.commands ? ['module_app       menu.so'] : []),
        'module_app       ctrl_tcp.so',
        `ctrl_tcp_listen  127.0.0.1:${ctrlPort}`,
        '',
      ].join('\n'),
    );
    const account = options.register
      ? `<${options.register.aor}>;auth_pass=${options.register.password};regint=${options.register.regint ?? 60}`
      : '<sip:tester@127.0.0.1>;regint=0';
    writeFileSync(join(dir, 'accounts'), `${account};answermode=auto;audio_codecs=${options.codecs ?? 'PCMU'}\n`);
    const child = spawn(BARESIP_PATH, ['-f', dir], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
    let early = '';
    child.stdout.on('data', (d: Buffer) => (early += d.toString()));
    child.stderr.on('data', (d: Buffer) => (early += d.toString()));
    child.on('error', (err) => (early += String(err)));
    const killer = setTimeout(() => child.kill('SIGKILL'), options.killAfterMs ?? 30_000);
    const deadline = performance.now() + 10_000;
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        clearTimeout(killer);
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`baresip exited before it was ready:\n${early}`);
      }
      if (/baresip is ready/.test(early)) {
        try {
          const socket = await new Promise<net.Socket>((resolve, reject) => {
            const s = net.connect(ctrlPort, '127.0.0.1', () => resolve(s));
            s.once('error', reject);
          });
          return new Baresip(child, dir, socket, sipPort, killer, () => early);
        } catch {
          // not listening yet
        }
      }
      if (performance.now() > deadline) {
        child.kill('SIGKILL');
        clearTimeout(killer);
        rmSync(dir, { recursive: true, force: true });
        throw new Error(`baresip not ready after 10 s:\n${early}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** What baresip printed. */
  get log(): string {
    return this.#log;
  }

  /** Sends a command (`dial`, `accept`, `hangup`, `sndcode`…); resolves with baresip's response. */
  async command(command: string, params?: string, timeoutMs = 5000): Promise<Record<string, unknown>> {
    const token = `t${++this.#token}`;
    const json = JSON.stringify({ command, ...(params === undefined ? {} : { params }), token });
    this.#socket.write(`${Buffer.byteLength(json)}:${json},`);
    return this.#until(
      () => this.#responses.find((r) => r['token'] === token),
      timeoutMs,
      `the response to ${command}`,
    );
  }

  /** The first event of `type` (and matching `where`), waiting for it up to `timeoutMs`. */
  waitForEvent(type: string, timeoutMs = 10_000, where: (e: BaresipEvent) => boolean = () => true): Promise<BaresipEvent> {
    return this.#until(() => this.events.find((e) => e.type === type && where(e)), timeoutMs, `baresip event ${type}`);
  }

  /** Events of `type` so far. */
  eventsOf(type: string): BaresipEvent[] {
    return this.events.filter((e) => e.type === type);
  }

  #until<T>(find: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
    const found = find();
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`no ${what} within ${timeoutMs} ms; events: ${this.events.map((e) => e.type).join(', ')}\n${this.#log}`));
      }, timeoutMs);
      const check = (): void => {
        const value = find();
        if (value === undefined) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(value);
      };
      this.#waiters.add(check);
    });
  }

  /** Stop baresip (SIGTERM, SIGKILL after 2 s) and remove its folder. */
  async stop(): Promise<void> {
    this.#socket.destroy();
    clearTimeout(this.#killer);
    if (this.#child.exitCode === null && this.#child.signalCode === null) {
      this.#child.kill('SIGTERM');
      const hard = setTimeout(() => this.#child.kill('SIGKILL'), 2000);
      await this.#exited;
      clearTimeout(hard);
    }
    rmSync(this.#dir, { recursive: true, force: true });
  }
}
