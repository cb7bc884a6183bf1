/**
 * The dialog cases of issue 4 against a running `dialtone start` (the UA core alone is
 * covered by test/e2e/sipp/): sipp cancels while the application is still deciding, hangs
 * up in the middle of a document, puts the call on hold and back with re-INVITEs, holds
 * back its ACK so that our 200 is retransmitted, and sends its INVITE twice. Asserted:
 * what sipp got (its scenario checks every message; exit 0), what the application got,
 * and the call as `dialtone calls show --json` reports it. Dialtone hanging up first
 * (its BYE answered by sipp) is in engine-sipp.test.ts.
 */
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, startCli } from '../support/run-cli.js';
import { countReceived, freeUdpPort, type SippRun, sippScenario, sippSkip, startSipp } from '../support/sipp.js';

interface Hit {
  readonly path: string;
  readonly params: Record<string, string>;
}

interface ShownCall {
  readonly sid: string;
  readonly status: string;
  readonly timeline: { type: string; data: Record<string, unknown> }[];
}

describe('engine over SIP with sipp: CANCEL, BYE, re-INVITE, retransmissions', { skip: sippSkip, timeout: 180_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dialtone-e2e-dialog-'));
  const hits: Hit[] = [];
  let appBase = '';
  let app: Server;
  let dialtone: Awaited<ReturnType<typeof startCli>>;
  let sipPort = 0;
  const rtpBase = 48000 + (process.pid % 200) * 10;
  const env = (): NodeJS.ProcessEnv => ({
    DIALTONE_DATA_DIR: dataDir,
    DIALTONE_HTTP_PORT: '0',
    DIALTONE_SIP_PORT: String(sipPort),
    DIALTONE_RTP_PORTS: `${rtpBase}-${rtpBase + 9}`,
    DIALTONE_BIND_ADDRESS: '127.0.0.1',
    DIALTONE_LOG_LEVEL: 'warn',
  });
  /** Per path: the document, and how long the application thinks before sending it. */
  const docs: Record<string, { body: string; delayMs?: number }> = {
    '/slow': { body: '<Response><Say>Too late.</Say></Response>', delayMs: 3000 },
    // The Say answers (a Pause first would wait before answering, as on Twilio).
    '/long': { body: '<Response><Say>Hi.</Say><Pause length="30"/><Say>Still there?</Say></Response>' },
    '/short': { body: '<Response><Say>Hello.</Say></Response>' },
  };
  const numbers = { slow: '+15550401', long: '+15550402', short: '+15550403' } as const;

  before(async () => {
    app = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const path = new URL(req.url!, appBase).pathname;
        hits.push({ path, params: Object.fromEntries(new URLSearchParams(body)) });
        const doc = docs[path];
        setTimeout(() => {
          res.statusCode = doc ? 200 : 404;
          res.setHeader('content-type', 'text/xml');
          res.end(doc?.body ?? '');
        }, doc?.delayMs ?? 0);
      });
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    appBase = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    sipPort = await freeUdpPort();
    for (const [name, number] of Object.entries(numbers)) {
      const added = await runCli(['numbers', 'add', number, '--voice-url', `${appBase}/${name}`], { env: env() });
      assert.equal(added.code, 0, added.stderr);
    }
    dialtone = await startCli(['start'], /Dialtone is running at/, env());
  });

  after(async () => {
    await dialtone?.stop();
    await new Promise<void>((r) => app.close(() => r()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    hits.length = 0;
  });

  async function call(scenario: string, number: string, args: readonly string[] = []): Promise<SippRun> {
    const run = await startSipp({
      scenario: { file: sippScenario(scenario) },
      remote: `127.0.0.1:${sipPort}`,
      port: await freeUdpPort(),
      args: ['-s', number, ...args],
      timeoutSec: 30,
    }).done;
    assert.equal(run.code, 0, run.report);
    return run;
  }

  /** The call sipp made, found by its Call-ID, once its record is final (the engine writes it as the session ends). */
  async function shown(run: SippRun): Promise<ShownCall> {
    const callId = /^Call-ID: (\S+)/m.exec(run.messages)?.[1];
    assert.ok(callId, run.report);
    let last = '';
    for (let attempt = 0; attempt < 20; attempt++) {
      const list = await runCli(['calls', 'list', '--json', '--limit', '5'], { env: env() });
      const calls = JSON.parse(list.stdout) as { sid: string; sipCallId: string | null; status: string }[];
      const mine = calls.find((c) => c.sipCallId === callId);
      last = JSON.stringify(calls.map((c) => [c.sipCallId, c.status]));
      if (mine && !['queued', 'ringing', 'in-progress'].includes(mine.status)) {
        const show = await runCli(['calls', 'show', mine.sid, '--json'], { env: env() });
        return JSON.parse(show.stdout) as ShownCall;
      }
      await new Promise((r) => setTimeout(r, 300));
    }
    return assert.fail(`no finished call with Call-ID ${callId}: ${last}`);
  }

  it('CANCEL while the application is still answering the webhook: 200 for the CANCEL, 487 for the INVITE, status canceled', async () => {
    const run = await call('uac-cancel.xml', numbers.slow);
    assert.equal(countReceived(run.messages, 'SIP/2.0 487'), 1, run.report);
    const c = await shown(run);
    assert.equal(c.status, 'canceled');
    assert.ok(!c.timeline.some((e) => e.type === 'sip' && e.data.event === 'answered'), JSON.stringify(c.timeline));
  });

  it('the caller hangs up while the first prompt plays (BYE 200 ms after its ACK): the document stops there, status completed', async () => {
    const run = await call('uac-call-bye.xml', numbers.long);
    assert.equal(countReceived(run.messages, 'SIP/2.0 200'), 2, 'our 200 to the INVITE and to the BYE');
    const c = await shown(run);
    assert.equal(c.status, 'completed');
    const verbs = c.timeline.filter((e) => e.type === 'verb-start').map((e) => e.data.verb);
    assert.deepEqual(verbs, ['Say'], 'nothing after the first Say ran');
  });

  it('re-INVITE to hold (sendonly → our recvonly) and back (sendrecv) while the document runs, then the caller hangs up', async () => {
    // The scenario itself checks a=recvonly, then a=sendrecv, in our two answers.
    const run = await call('uac-reinvite.xml', numbers.long);
    assert.equal(countReceived(run.messages, 'SIP/2.0 200'), 4, 'INVITE, two re-INVITEs, BYE');
    const c = await shown(run);
    assert.equal(c.status, 'completed');
  });

  it('sipp holds back its ACK: our 200 is sent again until the ACK comes; the document then runs', async () => {
    // -nr: sipp hands the retransmitted 200 to the scenario instead of absorbing it.
    const run = await call('uac-late-ack.xml', numbers.short, ['-nr']);
    assert.ok(countReceived(run.messages, 'SIP/2.0 200') >= 3, `two 200s to the INVITE, one to the BYE:\n${run.report}`);
    const c = await shown(run);
    assert.equal(c.status, 'completed');
    assert.equal(hits.filter((h) => h.path === '/short').length, 1);
  });

  it('the INVITE arrives twice (same branch): one call, one webhook request', async () => {
    const run = await call('uac-invite-retransmitted.xml', numbers.long);
    assert.equal(hits.filter((h) => h.path === '/long').length, 1, JSON.stringify(hits));
    const c = await shown(run);
    assert.equal(c.status, 'completed');
    const invites = c.timeline.filter((e) => e.type === 'sip' && e.data.event === 'invite');
    assert.equal(invites.length, 1);
  });
});
