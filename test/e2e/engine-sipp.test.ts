/**
 * The engine on real SIP calls: sipp calls a running `dialtone start`, whose numbers
 * point at a web application in this test. Asserts what the application received
 * (parameters, signatures) and what the call did (answered or not, who hung up).
 */
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { runCli, startCli } from '../support/run-cli.js';
import { sippScenario, sippSkip, startSipp } from '../support/sipp.js';

const TOKEN = 'e2e-token-0123456789abcdef';
const ACCOUNT = 'AC' + 'e'.repeat(32);

interface Hit {
  path: string;
  params: Record<string, string>;
  signatureValid: boolean;
}

describe('engine over SIP with sipp', { skip: sippSkip }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dialtone-e2e-'));
  const docs = new Map<string, { status?: number; body: string }>();
  const hits: Hit[] = [];
  let appBase = '';
  let app: Server;
  let dialtone: Awaited<ReturnType<typeof startCli>>;
  const sipPort = 25060 + (process.pid % 500) * 2;
  const env = {
    DIALTONE_DATA_DIR: dataDir,
    DIALTONE_HTTP_PORT: '0',
    DIALTONE_SIP_PORT: String(sipPort),
    DIALTONE_RTP_PORTS: `${32000 + (process.pid % 200) * 10}-${32000 + (process.pid % 200) * 10 + 9}`,
    DIALTONE_BIND_ADDRESS: '127.0.0.1',
    DIALTONE_ACCOUNT_SID: ACCOUNT,
    DIALTONE_AUTH_TOKEN: TOKEN,
    DIALTONE_LOG_LEVEL: 'warn',
  };

  before(async () => {
    app = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const params = Object.fromEntries(new URLSearchParams(body));
        const signatureValid = twilio.validateRequest(TOKEN, String(req.headers['x-twilio-signature']), `${appBase}${req.url}`, params);
        const path = new URL(req.url!, appBase).pathname;
        hits.push({ path, params, signatureValid });
        const doc = docs.get(path);
        res.statusCode = doc?.status ?? (doc ? 200 : 404);
        res.setHeader('content-type', 'text/xml');
        res.end(doc?.body ?? '');
      });
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    appBase = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    for (const [number, path] of [
      ['+15550101', '/hello'],
      ['+15550102', '/reject'],
      ['+15550103', '/broken'],
    ] as const) {
      const added = await runCli(['numbers', 'add', number, '--voice-url', `${appBase}${path}`], { env });
      assert.equal(added.code, 0, added.stderr);
    }
    dialtone = await startCli(['start'], /Dialtone is running at/, env);
  });

  after(async () => {
    await dialtone?.stop();
    await new Promise<void>((r) => app.close(() => r()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    hits.length = 0;
  });

  async function lastCall(): Promise<{ sid: string; status: string; timeline: { type: string; data: Record<string, unknown> }[] }> {
    const list = await runCli(['calls', 'list', '--json', '--limit', '1'], { env });
    const [call] = JSON.parse(list.stdout) as { sid: string }[];
    const show = await runCli(['calls', 'show', call!.sid, '--json'], { env });
    return JSON.parse(show.stdout) as never;
  }

  it('answers, runs the document, and hangs up at its end (SEM-D4); the application gets signed standard parameters', async () => {
    docs.set('/hello', { body: '<Response><Say>Hello from the end to end test.</Say></Response>' });
    const sipp = await startSipp({ scenario: { file: sippScenario('uac-wait-bye.xml') }, remote: `127.0.0.1:${sipPort}`, port: sipPort + 1000, args: ['-s', '+15550101'], timeoutSec: 30 }).done;
    assert.equal(sipp.code, 0, `sipp: ${sipp.stderr}\n${sipp.stdout.slice(-2000)}`);
    const hit = hits[0]!;
    assert.equal(hit.path, '/hello');
    assert.ok(hit.signatureValid, 'the twilio library accepts our signature');
    assert.equal(hit.params.To, '+15550101');
    assert.match(hit.params.From ?? '', /^sip:sipp@127\.0\.0\.1:\d+$/, 'a caller that is not a number is reported by its SIP URI');
    assert.equal(hit.params.Direction, 'inbound');
    assert.equal(hit.params.CallStatus, 'ringing');
    assert.equal(hit.params.AccountSid, ACCOUNT);
    assert.match(hit.params.CallSid ?? '', /^CA[0-9a-f]{32}$/);
    const call = await lastCall();
    assert.equal(call.sid, hit.params.CallSid);
    assert.equal(call.status, 'completed');
    const verbs = call.timeline.filter((e) => e.type === 'verb-start').map((e) => e.data.verb);
    assert.deepEqual(verbs, ['Say']);
    assert.ok(call.timeline.some((e) => e.type === 'media' && Number(e.data.packetsSent) > 50), 'the prompt went out as RTP');
  });

  it('Reject as the first verb refuses with 486 and never answers (SEM-A2)', async () => {
    docs.set('/reject', { body: '<Response><Reject reason="busy"/></Response>' });
    const sipp = await startSipp({ scenario: { file: sippScenario('uac-expect-486.xml') }, remote: `127.0.0.1:${sipPort}`, port: sipPort + 1002, args: ['-s', '+15550102'] }).done;
    assert.equal(sipp.code, 0, `sipp: ${sipp.stderr}\n${sipp.stdout.slice(-2000)}`);
    const call = await lastCall();
    assert.equal(call.status, 'busy');
    assert.ok(!call.timeline.some((e) => e.type === 'sip' && e.data.event === 'answered'));
  });

  it('an unknown number gets 404', async () => {
    const sipp = await startSipp({ scenario: { file: sippScenario('uac-expect-404.xml') }, remote: `127.0.0.1:${sipPort}`, port: sipPort + 1004, args: ['-s', '+15559999'] }).done;
    assert.equal(sipp.code, 0, `sipp: ${sipp.stderr}\n${sipp.stdout.slice(-2000)}`);
    assert.equal(hits.length, 0);
  });

  it('a failing application: the caller hears the reason, then we hang up; the timeline says why', async () => {
    docs.set('/broken', { status: 500, body: 'Internal Server Error' });
    const sipp = await startSipp({ scenario: { file: sippScenario('uac-wait-bye.xml') }, remote: `127.0.0.1:${sipPort}`, port: sipPort + 1006, args: ['-s', '+15550103'], timeoutSec: 30 }).done;
    assert.equal(sipp.code, 0, `sipp: ${sipp.stderr}\n${sipp.stdout.slice(-2000)}`);
    const call = await lastCall();
    const failure = call.timeline.find((e) => e.type === 'application-error');
    assert.ok(failure, JSON.stringify(call.timeline));
    assert.equal(failure.data.code, 11200);
    assert.match(String(failure.data.reason), /answered 500/);
    assert.equal(call.status, 'completed');
  });
});
