/**
 * `<Dial>` on real calls, end to end: `dialtone call` (its own process) calls a number of
 * `dialtone start` (its own process) whose document dials a real peer, and what the user
 * sees is checked:
 *
 * - `<Dial><Sip>` to baresip playing a 1 kHz tone: the caller hears the tone (Goertzel
 *   energy at 1 kHz against ringback and other frequencies); the caller hangs up during the
 *   bridge, so baresip gets BYE, and the action still gets DialCallStatus=completed with a
 *   sane DialCallDuration; the child call row exists (outbound-dial, ParentCallSid);
 * - sipp answering 486: DialCallStatus=busy, DialSipResponseCode=486;
 * - sipp ringing forever: DialCallStatus=no-answer after `timeout`, and sipp got the CANCEL;
 * - sipp answering then hanging up: the caller goes on with the verb after `<Dial>`;
 * - `<Number>` of our own: the call loops back into Dialtone, the second number's
 *   application plays a tone, and the caller hears it;
 * - `<Number>` with no route: DialCallStatus=failed and a timeline note saying so;
 * - `<Sip username password>` to sipp that challenges: the INVITE is sent again with
 *   digest credentials sipp verifies;
 * - `answerOnBridge` + `timeLimit`: the caller is answered only once baresip answers, and
 *   the bridge ends after the limit (baresip gets BYE);
 * - `hangupOnStar`: the caller's `*` drops baresip and the caller goes on;
 * - `answerOnBridge` with early media from sipp (183 with SDP): the caller gets a 183 with
 *   SDP before its 200.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallReport } from '../../src/cli/commands/call.js';
import { assertHeardTone, readPcm, sine, wavBytes } from '../support/audio.js';
import { Baresip, baresipSkip } from '../support/baresip.js';
import { Dialtone } from '../support/dialtone.js';
import { startWebApp, type WebApp } from '../support/web-app.js';
import { freeUdpPort, sippScenario, sippSkip, startSipp, waitForUdpBind } from '../support/sipp.js';

interface CallRow {
  readonly sid: string;
  readonly parentCallSid: string | null;
  readonly direction: string;
  readonly status: string;
  readonly duration: number | null;
  readonly from: string;
  readonly to: string;
}

describe('<Dial> on real calls (dialtone call → dialtone start → peer)', { timeout: 600_000 }, () => {
  let app: WebApp;
  let dialtone: Dialtone;
  const tone = wavBytes(sine(1000, 20, 0.5));

  const NUMBERS = {
    sip: '+15550131',
    busy: '+15550132',
    noAnswer: '+15550133',
    calleeBye: '+15550134',
    loop: '+15550135',
    looped: '+15550136',
    noRoute: '+15550137',
    digest: '+15550138',
    limit: '+15550139',
    star: '+15550140',
    early: '+15550141',
  } as const;

  before(async () => {
    app = await startWebApp();
    app.wavs.set('/tone.wav', tone);
    dialtone = await Dialtone.prepare({ name: 'dial', rtpBase: 36000 });
    for (const [name, number] of Object.entries(NUMBERS)) await dialtone.addNumber(number, `${app.base}/${name}`);
    await dialtone.start();
  });

  after(async () => {
    await dialtone?.stop();
    await app?.close();
  });

  it('<Sip> to baresip: the caller hears its tone; the caller hangs up, baresip gets BYE; action completed; child row', { skip: baresipSkip }, async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'dialtone-dial-baresip-'));
    const source = join(dir, 'tone.wav');
    writeFileSync(source, wavBytes(sine(1000, 20, 0.5)));
    const baresip = await Baresip.start({ audioSource: source, killAfterMs: 60_000 });
    try {
      app.documents.set('/sip', `<Response><Dial action="/sip-action" timeout="15"><Sip>${baresip.uri}</Sip></Dial><Say>Never said.</Say></Response>`);
      const out = join(dir, 'heard.wav');
      const run = await dialtone.call(NUMBERS.sip, ['--record', out, '--hangup-after', '5']);
      const context = (): string => `${run.stdout}\n${run.stderr}\n--- dialtone start ---\n${dialtone.output()}\n--- baresip ---\n${baresip.log}`;
      assert.equal(run.code, 0, context());
      const report = JSON.parse(run.stdout) as CallReport;
      assert.equal(report.answered, true);
      assert.deepEqual(report.ended, { by: 'local', reason: 'hangup-after' });

      await baresip.waitForEvent('CALL_ESTABLISHED', 5000);
      await baresip.waitForEvent('CALL_CLOSED', 10_000);
      t.diagnostic(assertHeardTone(readPcm(out), 2, context()));

      const action = await app.hit('/sip-action', { context, timeoutMs: 10_000 });
      assert.equal(action.params.DialCallStatus, 'completed', JSON.stringify(action.params));
      assert.equal(action.params.CallStatus, 'completed');
      assert.equal(action.params.DialSipResponseCode, '200');
      const duration = Number(action.params.DialCallDuration);
      assert.ok(duration >= 3 && duration <= 6, `DialCallDuration ${action.params.DialCallDuration}`);
      const parentSid = app.hits.find((h) => h.path === '/sip')?.params.CallSid;
      assert.ok(parentSid);
      const child = (await dialtone.listCalls<CallRow>(100)).find((c) => c.sid === action.params.DialCallSid);
      assert.ok(child, `child call ${action.params.DialCallSid} listed`);
      assert.equal(child.parentCallSid, parentSid);
      assert.equal(child.direction, 'outbound-dial');
      assert.equal(child.to, baresip.uri);
      assert.equal(child.from, '+15550199');
      assert.equal(child.status, 'completed');
      assert.ok(child.duration !== null && child.duration >= 3, `child duration ${child.duration}`);
    } finally {
      await baresip.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('callee busy (sipp 486): DialCallStatus=busy, DialSipResponseCode=486', { skip: sippSkip }, async () => {
    const port = await freeUdpPort();
    const sipp = startSipp({ scenario: { file: sippScenario('uas-busy.xml') }, port, timeoutSec: 30 });
    await waitForUdpBind(port);
    app.documents.set('/busy', `<Response><Dial action="/busy-action"><Sip>sip:bob@127.0.0.1:${port}</Sip></Dial></Response>`);
    const run = await dialtone.call(NUMBERS.busy);
    const sippRun = await sipp.done;
    const context = (): string => `${run.stdout}\n${run.stderr}\n${sippRun.report}\n--- dialtone start ---\n${dialtone.output()}`;
    assert.equal(run.code, 0, context());
    assert.equal(sippRun.code, 0, context());
    const action = await app.hit('/busy-action', { context, timeoutMs: 10_000 });
    assert.equal(action.params.DialCallStatus, 'busy', JSON.stringify(action.params));
    assert.equal(action.params.DialSipResponseCode, '486');
    assert.equal(action.params.DialCallDuration, undefined);
    const child = (await dialtone.listCalls<CallRow>(100)).find((c) => c.sid === action.params.DialCallSid);
    assert.equal(child?.status, 'busy');
  });

  it('SEM-X2: callee never answers: no-answer after the timeout, and the CANCEL reached it', { skip: sippSkip }, async () => {
    const port = await freeUdpPort();
    const sipp = startSipp({ scenario: { file: sippScenario('uas-ring-expect-cancel.xml') }, port, timeoutSec: 30 });
    await waitForUdpBind(port);
    app.documents.set('/noAnswer', `<Response><Dial action="/no-answer-action" timeout="5"><Sip>sip:bob@127.0.0.1:${port}</Sip></Dial></Response>`);
    const run = await dialtone.call(NUMBERS.noAnswer);
    const sippRun = await sipp.done;
    const context = (): string => `${run.stdout}\n${run.stderr}\n${sippRun.report}\n--- dialtone start ---\n${dialtone.output()}`;
    assert.equal(run.code, 0, context());
    assert.equal(sippRun.code, 0, `sipp did not get its CANCEL\n${context()}`);
    const action = await app.hit('/no-answer-action', { context, timeoutMs: 10_000 });
    assert.equal(action.params.DialCallStatus, 'no-answer', JSON.stringify(action.params));
    assert.equal(action.params.DialSipResponseCode, '487');
    const child = (await dialtone.listCalls<CallRow>(100)).find((c) => c.sid === action.params.DialCallSid);
    assert.equal(child?.status, 'no-answer');
  });

  it('callee hangs up (sipp BYE): the caller continues with the verb after <Dial>', { skip: sippSkip }, async () => {
    const port = await freeUdpPort();
    const sipp = startSipp({ scenario: { file: sippScenario('uas-answer-then-bye.xml') }, port, timeoutSec: 30 });
    await waitForUdpBind(port);
    app.documents.set('/calleeBye', `<Response><Dial><Sip>sip:bob@127.0.0.1:${port}</Sip></Dial><Redirect>/after-dial</Redirect></Response>`);
    app.documents.set('/after-dial', '<Response><Hangup/></Response>');
    const run = await dialtone.call(NUMBERS.calleeBye);
    const sippRun = await sipp.done;
    const context = (): string => `${run.stdout}\n${run.stderr}\n${sippRun.report}\n--- dialtone start ---\n${dialtone.output()}`;
    assert.equal(run.code, 0, context());
    assert.equal(sippRun.code, 0, context());
    const report = JSON.parse(run.stdout) as CallReport;
    assert.deepEqual(report.ended, { by: 'remote', reason: 'remote-bye' }, context());
    const after = await app.hit('/after-dial', { context, timeoutMs: 10_000 });
    assert.equal(after.params.CallStatus, 'in-progress');
  });

  it('SEM-X5: <Number> of our own loops back into Dialtone with the caller\'s number as caller ID: the second application plays, the caller hears it', async (t) => {
    app.documents.set('/loop', `<Response><Dial action="/loop-action"><Number>${NUMBERS.looped}</Number></Dial></Response>`);
    app.documents.set('/looped', `<Response><Play loop="0">${app.base}/tone.wav</Play></Response>`);
    const dir = mkdtempSync(join(tmpdir(), 'dialtone-dial-loop-'));
    try {
      const out = join(dir, 'heard.wav');
      const run = await dialtone.call(NUMBERS.loop, ['--record', out, '--hangup-after', '5']);
      const context = (): string => `${run.stdout}\n${run.stderr}\n--- dialtone start ---\n${dialtone.output()}`;
      assert.equal(run.code, 0, context());
      const looped = await app.hit('/looped', { context, timeoutMs: 10_000 });
      assert.equal(looped.params.From, '+15550199', 'the caller ID is the caller’s number');
      assert.equal(looped.params.To, NUMBERS.looped);
      assert.equal(looped.params.Direction, 'inbound');
      t.diagnostic(assertHeardTone(readPcm(out), 2, context()));
      const action = await app.hit('/loop-action', { context, timeoutMs: 10_000 });
      assert.equal(action.params.DialCallStatus, 'completed', JSON.stringify(action.params));
      assert.equal(action.params.DialSipResponseCode, undefined, 'no SIP parameters for a <Number>');
      const rows = await dialtone.listCalls<CallRow>(100);
      const child = rows.find((c) => c.sid === action.params.DialCallSid);
      assert.equal(child?.direction, 'outbound-dial');
      assert.equal(child?.to, NUMBERS.looped);
      assert.ok(rows.some((c) => c.sid === looped.params.CallSid && c.direction === 'inbound'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('<Number> with no route: DialCallStatus=failed and the timeline says why', async () => {
    app.documents.set('/noRoute', '<Response><Dial action="/no-route-action"><Number>+15559990000</Number></Dial></Response>');
    const run = await dialtone.call(NUMBERS.noRoute);
    const context = (): string => `${run.stdout}\n${run.stderr}\n--- dialtone start ---\n${dialtone.output()}`;
    assert.equal(run.code, 0, context());
    const action = await app.hit('/no-route-action', { context, timeoutMs: 10_000 });
    assert.equal(action.params.DialCallStatus, 'failed', JSON.stringify(action.params));
    assert.equal(action.params.DialCallSid, undefined);
    const events = (await dialtone.showCall(action.params.CallSid!)).timeline;
    const note = events.find((e) => e.type === 'dial' && e.data.status === 'failed');
    assert.match(String(note?.data.reason), /no route to \+15559990000/, JSON.stringify(events));
  });

  it('<Sip username password>: sipp challenges (401), the INVITE goes again with credentials it accepts', { skip: sippSkip }, async () => {
    const port = await freeUdpPort();
    const sipp = startSipp({ scenario: { file: sippScenario('uas-digest-answer-then-bye.xml') }, port, timeoutSec: 30 });
    await waitForUdpBind(port);
    app.documents.set('/digest', `<Response><Dial action="/digest-action"><Sip username="bob" password="secret">sip:bob@127.0.0.1:${port}</Sip></Dial></Response>`);
    const run = await dialtone.call(NUMBERS.digest);
    const sippRun = await sipp.done;
    const context = (): string => `${run.stdout}\n${run.stderr}\n${sippRun.report}\n--- dialtone start ---\n${dialtone.output()}`;
    assert.equal(run.code, 0, context());
    assert.equal(sippRun.code, 0, context());
    assert.match(sippRun.messages, /Authorization: Digest username="bob", realm="dialtone.test"/, context());
    const action = await app.hit('/digest-action', { context, timeoutMs: 10_000 });
    assert.equal(action.params.DialCallStatus, 'completed', `${JSON.stringify(action.params)}\n${context()}`);
    assert.equal(action.params.DialSipResponseCode, '200');
  });

  it('answerOnBridge + timeLimit: answered only once baresip answers; the bridge ends after the limit', { skip: baresipSkip }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dialtone-dial-limit-'));
    const source = join(dir, 'tone.wav');
    writeFileSync(source, wavBytes(sine(1000, 20, 0.5)));
    const baresip = await Baresip.start({ audioSource: source, killAfterMs: 60_000 });
    try {
      app.documents.set('/limit', `<Response><Dial answerOnBridge="true" timeLimit="3" action="/limit-action"><Sip>${baresip.uri}</Sip></Dial></Response>`);
      const run = await dialtone.call(NUMBERS.limit);
      const context = (): string => `${run.stdout}\n${run.stderr}\n--- dialtone start ---\n${dialtone.output()}\n--- baresip ---\n${baresip.log}`;
      assert.equal(run.code, 0, context());
      await baresip.waitForEvent('CALL_CLOSED', 10_000);
      const action = await app.hit('/limit-action', { context, timeoutMs: 10_000 });
      assert.equal(action.params.DialCallStatus, 'completed', JSON.stringify(action.params));
      assert.equal(action.params.CallStatus, 'in-progress', 'the caller is still there');
      const duration = Number(action.params.DialCallDuration);
      assert.ok(duration >= 2 && duration <= 5, `DialCallDuration ${action.params.DialCallDuration}`);
      const parent = app.hits.find((h) => h.path === '/limit')!;
      assert.equal(parent.params.CallStatus, 'ringing');
      const events = (await dialtone.showCall(parent.params.CallSid!)).timeline;
      const ringingOut = events.findIndex((e) => e.type === 'dial' && e.data.event === 'ringing-out');
      const answered = events.findIndex((e) => e.type === 'sip' && e.data.event === 'answered');
      assert.ok(ringingOut !== -1 && answered > ringingOut, `answered after dialling out: ${JSON.stringify(events.map((e) => [e.type, e.data.event]))}`);
      const ended = events.find((e) => e.type === 'dial' && e.data.event === 'ended');
      assert.equal(ended?.data.by, 'time-limit');
    } finally {
      await baresip.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("hangupOnStar: the caller's * drops baresip and the caller continues with the next verb", { skip: baresipSkip }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dialtone-dial-star-'));
    const source = join(dir, 'tone.wav');
    writeFileSync(source, wavBytes(sine(1000, 20, 0.5)));
    const baresip = await Baresip.start({ audioSource: source, killAfterMs: 60_000 });
    try {
      app.documents.set('/star', `<Response><Dial hangupOnStar="true"><Sip>${baresip.uri}</Sip></Dial><Redirect>/after-star</Redirect></Response>`);
      app.documents.set('/after-star', '<Response><Hangup/></Response>');
      const run = await dialtone.call(NUMBERS.star, ['--digits', 'WWW*']);
      const context = (): string => `${run.stdout}\n${run.stderr}\n--- dialtone start ---\n${dialtone.output()}\n--- baresip ---\n${baresip.log}`;
      assert.equal(run.code, 0, context());
      await baresip.waitForEvent('CALL_ESTABLISHED', 5000);
      await baresip.waitForEvent('CALL_CLOSED', 10_000);
      const after = await app.hit('/after-star', { context, timeoutMs: 10_000 });
      assert.equal(after.params.CallStatus, 'in-progress');
      const events = (await dialtone.showCall(after.params.CallSid!)).timeline;
      const ended = events.find((e) => e.type === 'dial' && e.data.event === 'ended');
      assert.equal(ended?.data.by, 'hangup-on-star', JSON.stringify(events));
    } finally {
      await baresip.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('SEM-X8: answerOnBridge relays early media: sipp sends 183 with SDP, the caller gets a 183 with SDP before its 200', { skip: sippSkip }, async () => {
    const port = await freeUdpPort();
    const sipp = startSipp({ scenario: { file: sippScenario('uas-early-media-then-bye.xml') }, port, timeoutSec: 30 });
    await waitForUdpBind(port);
    app.documents.set('/early', `<Response><Dial answerOnBridge="true" action="/early-action"><Sip>sip:bob@127.0.0.1:${port}</Sip></Dial></Response>`);
    const run = await dialtone.call(NUMBERS.early);
    const sippRun = await sipp.done;
    const context = (): string => `${run.stdout}\n${run.stderr}\n${sippRun.report}\n--- dialtone start ---\n${dialtone.output()}`;
    assert.equal(run.code, 0, context());
    assert.equal(sippRun.code, 0, context());
    const report = JSON.parse(run.stdout) as CallReport;
    const received = report.timeline.filter((e) => e.type === 'sip' && e.direction === 'received' && e.status !== undefined && e.retransmission !== true);
    const statuses = received.map((e) => (e.type === 'sip' ? e.status : 0));
    const early = statuses.indexOf(183);
    assert.ok(early !== -1 && statuses.indexOf(200) > early, `statuses the caller received: ${statuses.join(' ')}\n${context()}`);
    const action = await app.hit('/early-action', { context, timeoutMs: 10_000 });
    assert.equal(action.params.DialCallStatus, 'completed', JSON.stringify(action.params));
    // The caller's 183 carried SDP only if the engine relayed the callee's early media: a 183
    // without it (plain progress) would pass the status check above but leave no such note.
    const parentSid = app.hits.find((h) => h.path === '/early')?.params.CallSid;
    assert.ok(parentSid, JSON.stringify(app.hits.map((h) => h.path)));
    const events = (await dialtone.showCall(parentSid)).timeline;
    const relayed = events.findIndex((e) => e.type === 'dial' && e.data.event === 'early-media');
    const answered = events.findIndex((e) => e.type === 'sip' && e.data.event === 'answered');
    assert.ok(relayed !== -1 && answered > relayed, `early media relayed before the answer: ${JSON.stringify(events.map((e) => [e.type, e.data.event]))}`);
  });
});
