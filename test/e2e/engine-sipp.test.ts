/**
 * The engine on real SIP calls: sipp calls a running `dialtone start`, whose numbers
 * point at a web application in this test. Asserts what the application received
 * (parameters, signatures) and what the call did (answered or not, who hung up).
 */
import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { Dialtone } from '../support/dialtone.js';
import { freeUdpPort, sippScenario, sippSkip, startSipp } from '../support/sipp.js';
import { startWebApp, type WebApp } from '../support/web-app.js';

const TOKEN = 'e2e-token-0123456789abcdef';
const ACCOUNT = 'AC' + 'e'.repeat(32);

describe('engine over SIP with sipp', { skip: sippSkip }, () => {
  let app: WebApp;
  let dialtone: Dialtone;
  let sipPort = 0;

  before(async () => {
    app = await startWebApp({ missing: 404, authToken: TOKEN });
    dialtone = await Dialtone.prepare({ name: 'e2e', rtpBase: 32000, env: { DIALTONE_ACCOUNT_SID: ACCOUNT, DIALTONE_AUTH_TOKEN: TOKEN } });
    sipPort = dialtone.sipPort;
    for (const [number, path] of [
      ['+15550101', '/hello'],
      ['+15550102', '/reject'],
      ['+15550103', '/broken'],
    ] as const) {
      await dialtone.addNumber(number, `${app.base}${path}`);
    }
    await dialtone.start();
  });

  after(async () => {
    await dialtone?.stop();
    await app?.close();
  });

  beforeEach(() => {
    app.hits.length = 0;
  });

  it('answers, runs the document, and hangs up at its end (SEM-D4); the application gets signed standard parameters', async () => {
    app.documents.set('/hello', { body: '<Response><Say>Hello from the end to end test.</Say></Response>' });
    const sipp = await startSipp({ scenario: { file: sippScenario('uac-wait-bye.xml') }, remote: `127.0.0.1:${sipPort}`, port: await freeUdpPort(), args: ['-s', '+15550101'], timeoutSec: 30 }).done;
    assert.equal(sipp.code, 0, `sipp: ${sipp.stderr}\n${sipp.stdout.slice(-2000)}`);
    const hit = app.hits[0]!;
    assert.equal(hit.path, '/hello');
    assert.ok(hit.signatureValid, 'the twilio library accepts our signature');
    assert.equal(hit.params.To, '+15550101');
    assert.match(hit.params.From ?? '', /^sip:sipp@127\.0\.0\.1:\d+$/, 'a caller that is not a number is reported by its SIP URI');
    assert.equal(hit.params.Direction, 'inbound');
    assert.equal(hit.params.CallStatus, 'ringing');
    assert.equal(hit.params.AccountSid, ACCOUNT);
    assert.match(hit.params.CallSid ?? '', /^CA[0-9a-f]{32}$/);
    const call = await dialtone.lastCall();
    assert.equal(call.sid, hit.params.CallSid);
    assert.equal(call.status, 'completed');
    const verbs = call.timeline.filter((e) => e.type === 'verb-start').map((e) => e.data.verb);
    assert.deepEqual(verbs, ['Say']);
    assert.ok(call.timeline.some((e) => e.type === 'media' && Number(e.data.packetsSent) > 50), 'the prompt went out as RTP');
  });

  it('Reject as the first verb refuses with 486 and never answers (SEM-A2)', async () => {
    app.documents.set('/reject', { body: '<Response><Reject reason="busy"/></Response>' });
    const sipp = await startSipp({ scenario: { file: sippScenario('uac-expect-486.xml') }, remote: `127.0.0.1:${sipPort}`, port: await freeUdpPort(), args: ['-s', '+15550102'] }).done;
    assert.equal(sipp.code, 0, `sipp: ${sipp.stderr}\n${sipp.stdout.slice(-2000)}`);
    const call = await dialtone.lastCall();
    assert.equal(call.status, 'busy');
    assert.ok(!call.timeline.some((e) => e.type === 'sip' && e.data.event === 'answered'));
  });

  it('an unknown number gets 404', async () => {
    const sipp = await startSipp({ scenario: { file: sippScenario('uac-expect-404.xml') }, remote: `127.0.0.1:${sipPort}`, port: await freeUdpPort(), args: ['-s', '+15559999'] }).done;
    assert.equal(sipp.code, 0, `sipp: ${sipp.stderr}\n${sipp.stdout.slice(-2000)}`);
    assert.equal(app.hits.length, 0);
  });

  it('a failing application: the caller hears the reason, then we hang up; the timeline says why', async () => {
    app.documents.set('/broken', { status: 500, body: 'Internal Server Error' });
    const sipp = await startSipp({ scenario: { file: sippScenario('uac-wait-bye.xml') }, remote: `127.0.0.1:${sipPort}`, port: await freeUdpPort(), args: ['-s', '+15550103'], timeoutSec: 30 }).done;
    assert.equal(sipp.code, 0, `sipp: ${sipp.stderr}\n${sipp.stdout.slice(-2000)}`);
    const call = await dialtone.lastCall();
    const failure = call.timeline.find((e) => e.type === 'application-error');
    assert.ok(failure, JSON.stringify(call.timeline));
    assert.equal(failure.data.code, 11200);
    assert.match(String(failure.data.reason), /answered 500/);
    assert.equal(call.status, 'completed');
  });
});
