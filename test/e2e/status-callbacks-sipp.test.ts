/**
 * Status callbacks on real SIP calls: sipp calls a running `dialtone start` whose number
 * has a StatusCallback; the web application in this test receives the final callback,
 * signed, with the call's duration, who hung up, the final SIP status and the MOS of the
 * RTP sipp sent. Waits are for arrivals, never for durations.
 */
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Dialtone } from '../support/dialtone.js';
import { freeUdpPort, sippScenario, sippSkip, startSipp } from '../support/sipp.js';
import { startWebApp, type WebApp } from '../support/web-app.js';

const TOKEN = 'e2e-callbacks-0123456789abcdef';
const ACCOUNT = 'AC' + 'c'.repeat(32);
const soxSkip = existsSync('/usr/bin/sox') ? false : 'sox not installed';

describe('status callbacks over SIP with sipp', { skip: sippSkip || soxSkip }, () => {
  let app: WebApp;
  let dialtone: Dialtone;
  let sipPort = 0;
  /** The RTP scenario with an absolute path to 2 s of PCMU (sipp runs in a directory of its own). */
  let rtpScenario = '';

  before(async () => {
    app = await startWebApp({ missing: 204, authToken: TOKEN });
    dialtone = await Dialtone.prepare({
      name: 'e2e-cb',
      rtpBase: 56000,
      sipPort: 0,
      env: { DIALTONE_ACCOUNT_SID: ACCOUNT, DIALTONE_AUTH_TOKEN: TOKEN },
    });
    const audio = join(dialtone.dataDir, 'caller.wav');
    execFileSync('sox', ['-n', '-r', '8000', '-c', '1', '-e', 'u-law', audio, 'synth', '2', 'sine', '440', 'vol', '0.5']);
    rtpScenario = sippScenario('uac-rtp-bye.xml', { AUDIO_FILE: audio });
    for (const [number, path] of [
      ['+15550121', '/talk'],
      ['+15550122', '/busy'],
    ] as const) {
      await dialtone.addNumber(number, `${app.base}${path}`, '--status-callback', `${app.base}/status`);
    }
    sipPort = Number((await dialtone.start(/sip\s+127\.0\.0\.1:(\d+)/))[1]);
  });

  after(async () => {
    await dialtone?.stop();
    await app?.close();
  });

  beforeEach(() => {
    app.hits.length = 0;
  });

  function arrival(path: string): ReturnType<WebApp['hit']> {
    return app.hit(path, { context: () => dialtone.output() });
  }

  it('the caller talks and hangs up: the number gets completed with duration, HangupBy, SipResponseCode and AudioInMos, signed', async () => {
    app.documents.set('/talk', '<Response><Say>Please talk to me.</Say><Pause length="20"/></Response>');
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
    const voice = app.hits.find((h) => h.path === '/talk')!;
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
    assert.equal(app.hits.filter((h) => h.path === '/status').length, 1, 'one callback, no other events');

    const events = (await dialtone.showCall(p.CallSid!)).timeline;
    const delivered = events.find((e) => e.type === 'status-callback');
    assert.ok(delivered, JSON.stringify(events));
    assert.equal(delivered.data.outcome, 'delivered');
    assert.equal(delivered.data.event, 'completed');
    assert.equal(delivered.data.httpStatus, 204);
  });

  it('a call refused with Reject: completed with CallStatus busy, SipResponseCode 486, no duration and no MOS', async () => {
    app.documents.set('/busy', '<Response><Reject reason="busy"/></Response>');
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
