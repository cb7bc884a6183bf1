/**
 * `<Dial>` in the engine, on a recording leg (the real calls are in test/e2e/dial.test.ts):
 * which targets and options reach the leg, when the call is answered, and what the action
 * request carries (SEM-X3, SEM-X4, SEM-A5, dialects.md §5.4).
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DialResult } from '../../../src/engine/call-leg.js';
import type { CallFacts } from '../../../src/engine/params.js';
import { INBOUND_CALL, startAppFixture, type AppFixture } from '../../support/engine-fixture.js';
import { RecordingCallLeg } from '../../support/recording-call-leg.js';

const CALL = INBOUND_CALL;
const CHILD = 'CA' + '3'.repeat(32);
const COMPLETED: DialResult = { status: 'completed', childCallSid: CHILD, durationSeconds: 12, sipResponseCode: 200, sipCallId: 'abc@host', bridged: true };

describe('<Dial> in the engine (recording leg)', () => {
  let fixture: AppFixture;

  before(async () => {
    fixture = await startAppFixture();
  });
  after(() => fixture.close());
  beforeEach(() => fixture.reset());

  const run = (leg: RecordingCallLeg, document: string, call?: CallFacts) => fixture.runDocument(leg, document, call);

  function dialAction(leg: RecordingCallLeg) {
    const a = leg.actions.find((x) => x.type === 'dial');
    assert.ok(a && a.type === 'dial', 'dial() was called');
    return a;
  }

  it('a bare number, no action: answers first, dials with the defaults, then runs the next verb (SEM-X4)', async () => {
    const leg = new RecordingCallLeg().dialResult(COMPLETED);
    await run(leg, '<Response><Dial>+1 (555) 010-0123</Dial><Say>After the call</Say></Response>');
    assert.deepEqual(leg.actions.map((a) => a.type), ['answer', 'dial', 'play', 'hangup']);
    const { targets, options } = dialAction(leg);
    assert.deepEqual(targets, [{ kind: 'number', address: '+1 (555) 010-0123' }]);
    assert.deepEqual(options, { callerId: '', timeoutMs: 30_000, timeLimitMs: 14_400_000, hangupOnStar: false, answerOnBridge: false, record: 'none' });
    assert.deepEqual(leg.spoken(), ['After the call']);
    assert.equal(fixture.app.hits.length, 1);
  });

  it('with action: requests it with DialCallStatus, DialCallSid, DialCallDuration and SIP parameters; the rest of the document is dropped (SEM-X3)', async () => {
    const leg = new RecordingCallLeg().dialResult(COMPLETED);
    fixture.app.documents.set('/after', '<Response><Say>From the action</Say></Response>');
    await run(leg, '<Response><Dial action="/after" method="POST" timeout="10" timeLimit="60" callerId="+15550111" hangupOnStar="true" ringTone="uk"><Sip username="bob" password="pw">sip:bob@example.com</Sip></Dial><Say>Never</Say></Response>');
    const { targets, options } = dialAction(leg);
    assert.deepEqual(targets, [{ kind: 'sip', address: 'sip:bob@example.com', username: 'bob', password: 'pw' }]);
    assert.deepEqual(options, { callerId: '+15550111', timeoutMs: 10_000, timeLimitMs: 60_000, hangupOnStar: true, answerOnBridge: false, record: 'none', ringTone: 'uk' });
    assert.deepEqual(leg.spoken(), ['From the action']);
    const action = fixture.app.hits.find((h) => h.path === '/after');
    assert.ok(action);
    assert.equal(action.params.DialCallStatus, 'completed');
    assert.equal(action.params.DialCallSid, CHILD);
    assert.equal(action.params.DialCallDuration, '12');
    assert.equal(action.params.DialBridged, 'true');
    assert.equal(action.params.DialSipResponseCode, '200');
    assert.equal(action.params.DialSipCallId, 'abc@host');
    assert.equal(action.params.CallStatus, 'in-progress');
  });

  it('answerOnBridge: the call is not answered before dialling (SEM-A5)', async () => {
    const leg = new RecordingCallLeg().dialResult({ status: 'busy', childCallSid: CHILD, durationSeconds: 0, sipResponseCode: 486 });
    await run(leg, '<Response><Dial answerOnBridge="true" action="/after"><Number sendDigits="ww12#">+15550123</Number></Dial></Response>');
    assert.equal(leg.actions[0]?.type, 'dial');
    const { targets } = dialAction(leg);
    assert.deepEqual(targets, [{ kind: 'number', address: '+15550123', sendDigits: 'ww12#' }]);
    const action = fixture.app.hits.find((h) => h.path === '/after');
    assert.equal(action?.params.DialCallStatus, 'busy');
    assert.equal(action?.params.DialCallDuration, undefined, 'no duration for an unanswered call');
    assert.equal(action?.params.DialSipResponseCode, undefined, 'SIP parameters only for <Sip> targets');
  });

  it('the caller hung up during the Dial: the action is still requested (CallStatus=completed), its document not run', async () => {
    const leg = new RecordingCallLeg().dialResult({ ...COMPLETED, callerHungUp: true });
    fixture.app.documents.set('/after', '<Response><Say>Nobody hears this</Say><Redirect>/again</Redirect></Response>');
    await run(leg, '<Response><Dial action="/after"><Sip>sip:bob@example.com</Sip></Dial></Response>');
    assert.deepEqual(fixture.app.hits.map((h) => h.path), ['/voice', '/after']);
    assert.equal(fixture.app.hits[1]!.params.CallStatus, 'completed');
    assert.equal(fixture.app.hits[1]!.params.DialCallStatus, 'completed');
    assert.deepEqual(leg.spoken(), []);
  });

  it('SEM-X1: nouns: Number, Sip, Client (legacy text and Identity) ring together; other nouns and record are reported, not silently dropped', async () => {
    const leg = new RecordingCallLeg().dialResult({ status: 'no-answer', durationSeconds: 0 });
    const events = await run(
      leg,
      '<Response><Dial record="record-from-answer-dual"><Number>+15550123</Number><Sip>sip:a@example.com</Sip><Client>alice</Client><Client><Identity>bob_1</Identity></Client><Queue>support</Queue></Dial></Response>',
    );
    const { targets } = dialAction(leg);
    assert.deepEqual(targets, [
      { kind: 'number', address: '+15550123' },
      { kind: 'sip', address: 'sip:a@example.com' },
      { kind: 'client', address: 'alice' },
      { kind: 'client', address: 'bob_1' },
    ]);
    const warnings = events.filter((e) => e.type === 'warning').map((e) => String(e.data.message));
    assert.ok(warnings.some((w) => /record/.test(w)), warnings.join('\n'));
    assert.ok(warnings.some((w) => /<Queue>/.test(w)), warnings.join('\n'));
  });

  it('a whisper (the document of a dialled call) may not <Dial>: error 13201, the callee is hung up, nothing is dialled', async () => {
    const leg = new RecordingCallLeg().dialResult(COMPLETED);
    const child = { ...CALL, callSid: CHILD, direction: 'outbound-dial', parentCallSid: CALL.callSid } as const;
    const events = await run(leg, '<Response><Dial><Number>+15550123</Number></Dial><Say>Never said.</Say></Response>', child);
    assert.deepEqual(leg.actions.map((a) => a.type), ['hangup']);
    const error = events.find((e) => e.type === 'error');
    assert.equal(error?.data.code, 13201);
  });

  it('whisper: the url of each noun (resolved against the document) and method reach the leg with its target (SEM-X6)', async () => {
    const leg = new RecordingCallLeg().dialResult(COMPLETED);
    const events = await run(
      leg,
      '<Response><Dial><Number url="/whisper" method="GET">+15550123</Number><Sip url="https://example.com/screen">sip:a@example.com</Sip><Client url="whisper-client">alice</Client><Number>+15550124</Number></Dial></Response>',
    );
    const { targets } = dialAction(leg);
    assert.deepEqual(targets, [
      { kind: 'number', address: '+15550123', whisper: { url: `${fixture.app.base}/whisper`, method: 'GET' } },
      { kind: 'sip', address: 'sip:a@example.com', whisper: { url: 'https://example.com/screen', method: 'POST' } },
      { kind: 'client', address: 'alice', whisper: { url: `${fixture.app.base}/whisper-client`, method: 'POST' } },
      { kind: 'number', address: '+15550124' },
    ]);
    assert.ok(!events.some((e) => e.type === 'warning' && /whisper/.test(String(e.data.message))));
  });
});
