import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { CallSession, APOLOGY, type ApplicationRef } from '../../../src/engine/session.js';
import { Timeline } from '../../../src/engine/timeline.js';
import { startAppFixture, type AppFixture } from '../../support/engine-fixture.js';
import { RecordingCallLeg } from '../../support/recording-call-leg.js';

const TOKEN = 'token-0123456789';
const CALL = { callSid: 'CA' + '1'.repeat(32), accountSid: 'AC' + '2'.repeat(32), from: '+15550199', to: '+15550100', direction: 'inbound', apiVersion: '2010-04-01' } as const;

describe('CallSession (SEM rules, on a recording leg; e2e tests repeat them over SIP)', () => {
  let fixture: AppFixture;
  before(async () => {
    fixture = await startAppFixture({ authToken: TOKEN, missing: 404 });
  });
  after(() => fixture.close());
  beforeEach(() => fixture.reset());

  async function run(leg: RecordingCallLeg, ref: Partial<ApplicationRef> = {}, mode: 'development' | 'production' = 'development') {
    const events: { type: string; data: Readonly<Record<string, unknown>> }[] = [];
    const timeline = new Timeline((type, data) => void events.push({ type, data }));
    const { app, webhooks } = fixture;
    const session = new CallSession(
      { leg, webhooks, timeline, authToken: TOKEN, mode },
      CALL,
      { url: `${app.base}/voice`, method: 'POST', dialect: 'twiml', ...ref },
    );
    await session.run();
    await timeline.flushed();
    return events;
  }

  it('asks the application with the standard parameters, signed, and runs Say then hangs up at the end (SEM-D4)', async () => {
    fixture.app.documents.set('/voice', { body: '<Response><Say voice="alice">Hello there</Say></Response>' });
    const leg = new RecordingCallLeg();
    const events = await run(leg);
    assert.deepEqual(leg.actions.map((a) => a.type), ['answer', 'play', 'hangup']);
    assert.deepEqual(leg.spoken(), ['Hello there']);
    const hit = fixture.app.hits[0]!;
    assert.ok(hit.signatureValid, 'the twilio library accepts the signature');
    assert.equal(hit.params.CallSid, CALL.callSid);
    assert.equal(hit.params.CallStatus, 'ringing');
    assert.equal(hit.params.Direction, 'inbound');
    assert.equal(hit.params.From, '+15550199');
    const request = events.find((e) => e.type === 'request')!;
    assert.match(String(request.data.signed), /\/voiceAccountSidAC2{32}/, 'the timeline keeps the exact signed string');
  });

  it('endOfDocument keep-call (a whisper): the end of the document leaves the call up; <Hangup> still ends it', async () => {
    const keep = async (leg: RecordingCallLeg): Promise<void> => {
      const timeline = new Timeline(() => undefined);
      const { app, webhooks } = fixture;
      await new CallSession({ leg, webhooks, timeline, authToken: TOKEN, mode: 'development', endOfDocument: 'keep-call' }, CALL, {
        url: `${app.base}/voice`,
        method: 'POST',
        dialect: 'twiml',
      }).run();
    };
    fixture.app.documents.set('/voice', { body: '<Response><Say>You have a call</Say></Response>' });
    const kept = new RecordingCallLeg();
    await keep(kept);
    assert.deepEqual(kept.actions.map((a) => a.type), ['answer', 'play']);
    fixture.app.documents.set('/voice', { body: '<Response><Hangup/></Response>' });
    const declined = new RecordingCallLeg();
    await keep(declined);
    assert.deepEqual(declined.actions.map((a) => a.type), ['answer', 'hangup']);
  });

  it('runs an inline document (the REST API\'s Twiml) without fetching it; its actions are requested as usual', async () => {
    fixture.app.documents.set('/next', { body: '<Response><Say>Fetched</Say></Response>' });
    const leg = new RecordingCallLeg();
    const events = await run(leg, { url: 'about:blank', twiml: `<Response><Say>Inline</Say><Redirect>${fixture.app.base}/next</Redirect></Response>` });
    assert.deepEqual(leg.spoken(), ['Inline', 'Fetched']);
    assert.deepEqual(fixture.app.hits.map((h) => h.path), ['/next']);
    assert.ok(events.some((e) => e.type === 'document' && e.data.source === 'inline'));
  });

  it('Reject as the first verb never answers (SEM-A2)', async () => {
    fixture.app.documents.set('/voice', { body: '<Response><Reject reason="busy"/><Say>unreachable</Say></Response>' });
    const leg = new RecordingCallLeg();
    await run(leg);
    assert.deepEqual(leg.actions, [{ type: 'reject', reason: 'busy' }]);
    assert.equal(leg.answered, false);
  });

  it('Gather with no input falls through to the next verb (SEM-G5)', async () => {
    fixture.app.documents.set('/voice', { body: '<Response><Gather numDigits="1"><Say>Press 1</Say></Gather><Say>No input</Say></Response>' });
    const leg = new RecordingCallLeg();
    await run(leg);
    assert.deepEqual(leg.spoken(), ['Press 1', 'No input']);
    assert.equal(fixture.app.hits.length, 1, 'no action request');
  });

  it('Gather without action posts Digits to the current document URL (SEM-G6, SEM-G11 as SignalWire does), barge-in stops the prompts', async () => {
    fixture.app.documents.set('/voice', { body: '<Response><Gather numDigits="2"><Say>First</Say><Say>Second</Say></Gather></Response>' });
    fixture.app.documents.set('/voice-2', { body: '<Response><Hangup/></Response>' });
    const leg = new RecordingCallLeg().pressDuringPrompt(0, '42');
    // The second request returns a document that hangs up, to end the test.
    let calls = 0;
    fixture.app.documents.set('/voice', {
      get body() {
        calls++;
        return calls === 1 ? '<Response><Gather numDigits="2"><Say>First</Say><Say>Second</Say></Gather></Response>' : '<Response><Hangup/></Response>';
      },
    });
    await run(leg);
    assert.deepEqual(leg.spoken(), ['First'], 'the key press interrupted the prompts');
    assert.equal(fixture.app.hits.length, 2);
    assert.equal(fixture.app.hits[1]!.path, '/voice');
    assert.equal(fixture.app.hits[1]!.params.Digits, '42');
    assert.equal(fixture.app.hits[1]!.params.CallStatus, 'in-progress');
  });

  it('finishOnKey ends input and is not part of Digits (SEM-G4); relative action resolves against the document (SEM-D7)', async () => {
    fixture.app.documents.set('/menu/start', { body: '<Response><Gather action="../handle?x=1" finishOnKey="#"><Say>Enter your PIN</Say></Gather></Response>' });
    fixture.app.documents.set('/handle', { body: '<Response><Hangup/></Response>' });
    const leg = new RecordingCallLeg().pressDuringPrompt(0, '123#9');
    await run(leg, { url: `${fixture.app.base}/menu/start` });
    const action = fixture.app.hits[1]!;
    assert.equal(action.path, '/handle');
    assert.equal(action.params.Digits, '123');
    assert.equal(action.params.FinishedOnKey, '#');
  });

  it('Redirect requests its URL and drops the rest of the document (SEM-O1, SEM-D9) and keeps cookies for the call (SEM-H5)', async () => {
    fixture.app.documents.set('/voice', { body: '<Response><Redirect method="GET">/next</Redirect><Say>never</Say></Response>', setCookie: 'visit=1; Path=/' });
    fixture.app.documents.set('/next', { body: '<Response><Say>Next</Say></Response>' });
    const leg = new RecordingCallLeg();
    await run(leg);
    assert.deepEqual(leg.spoken(), ['Next']);
    assert.equal(fixture.app.hits[1]!.method, 'GET');
    assert.equal(fixture.app.hits[1]!.cookie, 'visit=1');
    assert.ok(fixture.app.hits[1]!.signatureValid);
  });

  it('a failing application goes to the fallback URL with ErrorCode and ErrorUrl, not retried (SEM-H8, §7.1)', async () => {
    fixture.app.documents.set('/voice', { status: 500, body: 'oops' });
    fixture.app.documents.set('/fallback', { body: '<Response><Say>Fallback speaking</Say></Response>' });
    const leg = new RecordingCallLeg();
    await run(leg, { fallbackUrl: `${fixture.app.base}/fallback`, fallbackMethod: 'POST' });
    assert.deepEqual(leg.spoken(), ['Fallback speaking']);
    const fb = fixture.app.hits[1]!;
    assert.equal(fb.path, '/fallback');
    assert.equal(fb.params.ErrorCode, '11200');
    assert.equal(fb.params.ErrorUrl, `${fixture.app.base}/voice`);
  });

  it('an invalid document goes to the fallback with 12100', async () => {
    fixture.app.documents.set('/voice', { body: '<Response><Say>broken</Response>' });
    fixture.app.documents.set('/fallback', { body: '<Response><Hangup/></Response>' });
    const leg = new RecordingCallLeg();
    await run(leg, { fallbackUrl: `${fixture.app.base}/fallback` });
    assert.equal(fixture.app.hits[1]!.params.ErrorCode, '12100');
  });

  it('without a fallback, development mode tells the caller why; production says the standard apology', async () => {
    fixture.app.documents.set('/voice', { status: 500, body: 'oops' });
    const dev = new RecordingCallLeg();
    await run(dev);
    assert.match(dev.spoken()[0]!, /^An application error has occurred\. The application at 127\.0\.0\.1 port \d+ answered 500\. Goodbye\.$/);
    assert.equal(dev.actions.at(-1)!.type, 'hangup');
    const prod = new RecordingCallLeg();
    await run(prod, {}, 'production');
    assert.deepEqual(prod.spoken(), [APOLOGY]);
  });

  it('a redirect loop is bounded', async () => {
    fixture.app.documents.set('/voice', { body: '<Response><Redirect>/voice</Redirect></Response>' });
    const leg = new RecordingCallLeg();
    const events = await run(leg);
    assert.ok(fixture.app.hits.length <= 27, `${fixture.app.hits.length} requests`);
    assert.ok(events.some((e) => e.type === 'application-error'));
    assert.equal(leg.actions.at(-1)!.type, 'hangup');
  });

  it('stops when the caller hangs up mid-document, without more requests', async () => {
    fixture.app.documents.set('/voice', { body: '<Response><Say>One</Say><Say>Two</Say><Redirect>/never</Redirect></Response>' });
    const leg = new RecordingCallLeg().hangUpAfterPrompts(1);
    await run(leg);
    assert.deepEqual(leg.spoken(), ['One']);
    assert.equal(fixture.app.hits.length, 1);
  });

  it('Play with digits sends DTMF (SEM-P2); loop="0" plays "forever" capped at 1000 (SEM-P1)', async () => {
    fixture.app.documents.set('/voice', { body: '<Response><Play digits="ww12#"/><Play loop="0">tone.wav</Play></Response>' });
    const leg = new RecordingCallLeg();
    await run(leg);
    assert.deepEqual(leg.actions[1], { type: 'digits', digits: 'ww12#' });
    const play = leg.actions[2]!;
    assert.equal(play.type === 'play' && play.loop, 1000);
    assert.equal(play.type === 'play' && play.prompt.kind === 'audio' && play.prompt.url, `${fixture.app.base}/tone.wav`);
  });
});
