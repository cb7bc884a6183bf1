/**
 * Status callbacks on real SIP calls: sipp calls a running `dialtone start` whose number
 * has a StatusCallback; the web application in this test receives the final callback,
 * signed, with the call's duration, who hung up, the final SIP status and the MOS of the
 * RTP sipp sent. Waits are for arrivals, never for durations.
 */
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { runCli, startCli } from '../support/run-cli.js';
import { freeUdpPort, sippScenario, sippSkip, startSipp } from '../support/sipp.js';

const TOKEN = 'e2e-callbacks-0123456789abcdef';
const ACCOUNT = 'AC' + 'c'.repeat(32);
const soxSkip = existsSync('/usr/bin/sox') ? false : 'sox not installed';

interface Hit {
  path: string;
  params: Record<string, string>;
  signatureValid: boolean;
}

describe('status callbacks over SIP with sipp', { skip: sippSkip || soxSkip }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dialtone-e2e-cb-'));
  const docs = new Map<string, string>();
  const hits: Hit[] = [];
  let appBase = '';
  let app: Server;
  let dialtone: Awaited<ReturnType<typeof startCli>>;
  let sipPort = 0;
  const rtpBase = 56000 + (process.pid % 200) * 10;
  const env = {
    DIALTONE_DATA_DIR: dataDir,
    DIALTONE_HTTP_PORT: '0',
    DIALTONE_SIP_PORT: '0',
    DIALTONE_RTP_PORTS: `${rtpBase}-${rtpBase + 9}`,
    DIALTONE_BIND_ADDRESS: '127.0.0.1',
    DIALTONE_ACCOUNT_SID: ACCOUNT,
    DIALTONE_AUTH_TOKEN: TOKEN,
    DIALTONE_LOG_LEVEL: 'warn',
  };
  /** The RTP scenario with an absolute path to 2 s of PCMU (sipp runs in a directory of its own). */
  const rtpScenario = join(dataDir, 'uac-rtp-bye.xml');

  before(async () => {
    const audio = join(dataDir, 'caller.wav');
    execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'u-law', audio, 'synth', '2', 'sine', '440', 'vol', '0.5']);
    writeFileSync(rtpScenario, readFileSync(sippScenario('uac-rtp-bye.xml'), 'utf8').replace('@AUDIO_FILE@', audio));

    app = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const params = Object.fromEntries(new URLSearchParams(body));
        const signatureValid = twilio.validateRequest(TOKEN, String(req.headers['x-twilio-signature']), `${appBase}${req.url}`, params);
        const path = new URL(req.url!, appBase).pathname;
        hits.push({ path, params, signatureValid });
        const doc = docs.get(path);
        res.statusCode = doc === undefined ? 204 : 200;
        if (doc !== undefined) res.setHeader('content-type', 'text/xml');
        res.end(doc ?? '');
      });
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    appBase = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    for (const [number, path] of [
      ['+15550121', '/talk'],
      ['+15550122', '/busy'],
    ] as const) {
      const added = await runCli(['numbers', 'add', number, '--voice-url', `${appBase}${path}`, '--status-callback', `${appBase}/status`], { env });
      assert.equal(added.code, 0, added.stderr);
    }
    dialtone = await startCli(['start'], /sip\s+127\.0\.0\.1:(\d+)/, env);
    sipPort = Number(dialtone.match[1]);
  });

  after(async () => {
    await dialtone?.stop();
    await new Promise<void>((r) => app.close(() => r()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  beforeEach(() => {
    hits.length = 0;
  });

  async function arrival(path: string): Promise<Hit> {
    const end = Date.now() + 20_000;
    for (;;) {
      const hit = hits.find((h) => h.path === path);
      if (hit) return hit;
      if (Date.now() > end) throw new Error(`no request to ${path}; saw ${JSON.stringify(hits.map((h) => h.path))}\n${dialtone.output()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  async function timeline(callSid: string): Promise<{ type: string; data: Record<string, unknown> }[]> {
    const show = await runCli(['calls', 'show', callSid, '--json'], { env });
    return (JSON.parse(show.stdout) as { timeline: { type: string; data: Record<string, unknown> }[] }).timeline;
  }

  it('the caller talks and hangs up: the number gets completed with duration, HangupBy, SipResponseCode and AudioInMos, signed', async () => {
    docs.set('/talk', '<Response><Say>Please talk to me.</Say><Pause length="20"/></Response>');
    const sippPort = await freeUdpPort();
    const mediaPort = await freeUdpPort();
    const sipp = await startSipp({
      scenario: { file: rtpScenario },
      remote: `127.0.0.1:${sipPort}`,
      port: sippPort,
      args: ['-s', '+15550121', '-mp', String(mediaPort)],
      timeoutSec: 30,
    }).done;
    assert.equal(sipp.code, 0, sipp.report);

    const status = await arrival('/status');
    const voice = hits.find((h) => h.path === '/talk')!;
    const p = status.params;
    assert.ok(status.signatureValid, 'the twilio library accepts the callback signature');
    assert.equal(p.CallSid, voice.params.CallSid);
    assert.equal(p.AccountSid, ACCOUNT);
    assert.equal(p.To, '+15550121');
    assert.equal(p.From, voice.params.From);
    assert.equal(p.Direction, 'inbound');
    assert.equal(p.ApiVersion, '2010-04-01');
    assert.equal(p.CallStatus, 'completed');
    assert.equal(p.CallbackSource, 'call-progress-events');
    assert.equal(p.SequenceNumber, '0', 'an inbound number is sent the final event only (Twilio)');
    assert.match(p.Timestamp ?? '', /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
    assert.match(p.CallDuration ?? '', /^\d+$/);
    assert.ok(Number(p.CallDuration) >= 1, `sipp stayed on for seconds, CallDuration ${p.CallDuration}`);
    assert.equal(p.HangupBy, voice.params.From, 'the caller hung up');
    assert.equal(p.HangupDirection, 'inbound');
    assert.equal(p.SipResponseCode, '200');
    const mos = Number(p.AudioInMos);
    assert.ok(mos >= 4 && mos <= 4.5, `a clean loopback call scores high, AudioInMos ${p.AudioInMos}`);
    assert.equal(hits.filter((h) => h.path === '/status').length, 1, 'one callback, no other events');

    const events = await timeline(p.CallSid!);
    const delivered = events.find((e) => e.type === 'status-callback');
    assert.ok(delivered, JSON.stringify(events));
    assert.equal(delivered.data.outcome, 'delivered');
    assert.equal(delivered.data.event, 'completed');
    assert.equal(delivered.data.httpStatus, 204);
  });

  it('a call refused with Reject: completed with CallStatus busy, SipResponseCode 486, no duration and no MOS', async () => {
    docs.set('/busy', '<Response><Reject reason="busy"/></Response>');
    const sipp = await startSipp({ scenario: { file: sippScenario('uac-expect-486.xml') }, remote: `127.0.0.1:${sipPort}`, port: await freeUdpPort(), args: ['-s', '+15550122'] }).done;
    assert.equal(sipp.code, 0, sipp.report);
    const status = await arrival('/status');
    const p = status.params;
    assert.ok(status.signatureValid);
    assert.equal(p.CallStatus, 'busy');
    assert.equal(p.SipResponseCode, '486');
    assert.equal(p.CallDuration, '0');
    assert.equal(p.AudioInMos, undefined, 'no audio, no score');
    assert.equal(p.HangupBy, '+15550122', 'the application refused the call');
    assert.equal(p.HangupDirection, 'outbound');
  });
});
