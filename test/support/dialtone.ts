/**
 * A running `dialtone start` for end-to-end tests, spawned as a user would run it, on a data
 * directory and ports of its own, with helpers for the CLI a user would run next to it.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startCli, type CliRun } from './run-cli.js';
import { freeUdpPort } from './sipp.js';

export interface TimelineEntry {
  readonly type: string;
  readonly data: Record<string, unknown>;
}

/** A call as `dialtone calls show --json` prints it (the fields tests read). */
export interface ShownCall {
  readonly sid: string;
  readonly status: string;
  readonly timeline: TimelineEntry[];
}

export interface DialtoneOptions {
  /** Names the data directory, for a reader of /tmp. */
  readonly name: string;
  /**
   * The first RTP port of this test file's block of 2,000; each process takes 20 of it by
   * its pid. Distinct per file: the files run in parallel.
   */
  readonly rtpBase: number;
  /** A fixed SIP port; by default a free one. `'0'` lets Dialtone choose (read it from `match` with a `ready` pattern). */
  readonly sipPort?: number;
  /** More DIALTONE_* settings (account, token, HTTP port). */
  readonly env?: NodeJS.ProcessEnv;
}

export class Dialtone {
  private running: Awaited<ReturnType<typeof startCli>> | undefined;

  private constructor(
    /** The test's own directory; Dialtone's data is in it (or is it). */
    readonly dataDir: string,
    readonly sipPort: number,
    readonly env: NodeJS.ProcessEnv,
  ) {}

  /** A data directory and env, not started yet: numbers are added first. */
  static async prepare(options: DialtoneOptions): Promise<Dialtone> {
    const dataDir = mkdtempSync(join(tmpdir(), `dialtone-${options.name}-`));
    const sipPort = options.sipPort ?? (await freeUdpPort());
    const rtp = options.rtpBase + (process.pid % 100) * 20;
    return new Dialtone(dataDir, sipPort, {
      DIALTONE_DATA_DIR: dataDir,
      DIALTONE_HTTP_PORT: '0',
      DIALTONE_SIP_PORT: String(sipPort),
      DIALTONE_RTP_PORTS: `${rtp}-${rtp + 19}`,
      DIALTONE_BIND_ADDRESS: '127.0.0.1',
      DIALTONE_LOG_LEVEL: 'warn',
      ...options.env,
    });
  }

  /** `dialtone …` against this data directory, which must exit 0; its stdout. */
  async cli(args: readonly string[]): Promise<string> {
    const run = await this.run(args);
    assert.equal(run.code, 0, `dialtone ${args.join(' ')}\n${run.stdout}\n${run.stderr}`);
    return run.stdout;
  }

  /** `dialtone …` against this data directory, whatever its exit. */
  run(args: readonly string[]): Promise<CliRun> {
    return runCli(args, { env: this.env });
  }

  /** `dialtone numbers add NUMBER --voice-url URL …`. */
  async addNumber(number: string, voiceUrl: string, ...extra: string[]): Promise<void> {
    await this.cli(['numbers', 'add', number, '--voice-url', voiceUrl, ...extra]);
  }

  /** `dialtone start`, resolved once `ready` matches its output. */
  async start(ready = /Dialtone is running at/): Promise<RegExpMatchArray> {
    this.running = await startCli(['start'], ready, this.env);
    return this.running.match;
  }

  /** What `dialtone start` printed so far, for failure messages. */
  output(): string {
    return this.running?.output() ?? '';
  }

  /** `dialtone call NUMBER --server … --json --timeout S …` (the caller is a process of its own). */
  call(number: string, extra: readonly string[] = [], timeoutSeconds = 40, server = `127.0.0.1:${this.sipPort}`): Promise<CliRun> {
    return runCli(['call', number, '--server', server, '--json', '--timeout', String(timeoutSeconds), ...extra]);
  }

  /** `dialtone calls show SID --json`. */
  async showCall<T extends ShownCall = ShownCall>(sid: string): Promise<T> {
    return JSON.parse(await this.cli(['calls', 'show', sid, '--json'])) as T;
  }

  /** `dialtone calls list --json --limit N`. */
  async listCalls<T extends { sid: string } = { sid: string }>(limit: number): Promise<T[]> {
    return JSON.parse(await this.cli(['calls', 'list', '--json', '--limit', String(limit)])) as T[];
  }

  /** The newest call, shown. */
  async lastCall<T extends ShownCall = ShownCall>(): Promise<T> {
    const [call] = await this.listCalls(1);
    assert.ok(call, 'a call is listed');
    return this.showCall<T>(call.sid);
  }

  /** Stops `dialtone start` and removes the data directory. */
  async stop(): Promise<void> {
    await this.running?.stop();
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}

/** Creates a compatible-API resource (`POST {base}/2010-04-01/Accounts/{sid}/{resource}.json`, Basic auth); asserts the 201. */
export async function createCompatResource<T>(base: string, accountSid: string, authToken: string, resource: string, params: Record<string, string>): Promise<T> {
  const res = await fetch(`${base}/2010-04-01/Accounts/${accountSid}/${resource}.json`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams(params),
  });
  assert.equal(res.status, 201, await res.clone().text());
  return (await res.json()) as T;
}
