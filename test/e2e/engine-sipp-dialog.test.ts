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
import { Dialtone, type ShownCall } from '../support/dialtone.js';
import { countReceived, freeUdpPort, type SippRun, sippScenario, sippSkip, startSipp } from '../support/sipp.js';
import { startWebApp, type WebApp } from '../support/web-app.js';

describe('engine over SIP with sipp: CANCEL, BYE, re-INVITE, retransmissions', { skip: sippSkip, timeout: 180_000 }, () => {
  let app: WebApp;
  let dialtone: Dialtone;
  const numbers = { slow: '+15550401', long: '+15550402', short: '+15550403' } as const;

  before(async () => {
    app = await startWebApp({ missing: 404 });
    // /slow: the application thinks for 3 s before it answers.
    app.documents.set('/slow', { body: '<Response><Say>Too late.</Say></Response>', delayMs: 3000 });
    // The Say answers (a Pause first would wait before answering, as on Twilio).
    app.documents.set('/long', '<Response><Say>Hi.</Say><Pause length="30"/><Say>Still there?</Say></Response>');
    app.documents.set('/short', '<Response><Say>Hello.</Say></Response>');
    dialtone = await Dialtone.prepare({ name: 'e2e-dialog', rtpBase: 48000 });
    for (const [name, number] of Object.entries(numbers)) await dialtone.addNumber(number, `${app.base}/${name}`);
    await dialtone.start();
  });

  after(async () => {
    await dialtone?.stop();
    await app?.close();
  });

  beforeEach(() => {
    app.hits.length = 0;
  });

  async function call(scenario: string, number: string, args: readonly string[] = []): Promise<SippRun> {
    const run = await startSipp({
      scenario: { file: sippScenario(scenario) },
      remote: `127.0.0.1:${dialtone.sipPort}`,
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
      const calls = await dialtone.listCalls<{ sid: string; sipCallId: string | null; status: string }>(5);
      const mine = calls.find((c) => c.sipCallId === callId);
      last = JSON.stringify(calls.map((c) => [c.sipCallId, c.status]));
      if (mine && !['queued', 'ringing', 'in-progress'].includes(mine.status)) {
        return dialtone.showCall(mine.sid);
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
    assert.equal(app.hits.filter((h) => h.path === '/short').length, 1);
  });

  it('the INVITE arrives twice (same branch): one call, one webhook request', async () => {
    const run = await call('uac-invite-retransmitted.xml', numbers.long);
    assert.equal(app.hits.filter((h) => h.path === '/long').length, 1, JSON.stringify(app.hits));
    const c = await shown(run);
    assert.equal(c.status, 'completed');
    const invites = c.timeline.filter((e) => e.type === 'sip' && e.data.event === 'invite');
    assert.equal(invites.length, 1);
  });
});
