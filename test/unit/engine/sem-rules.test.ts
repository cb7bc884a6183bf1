/**
 * SEM rules (../shared/reference/dialects.md §6) that no other test covered, each on
 * the recording leg against a real web application: what the application received,
 * and what the engine asked of the call (played, answered, hung up).
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CallSession } from '../../../src/engine/session.js';
import { Timeline } from '../../../src/engine/timeline.js';
import { startAppFixture, INBOUND_CALL, type AppFixture } from '../../support/engine-fixture.js';
import { RecordingCallLeg } from '../../support/recording-call-leg.js';

const TOKEN = 'token-0123456789';

describe('SEM rules on the recording leg', () => {
  let fixture: AppFixture;
  before(async () => {
    fixture = await startAppFixture({ authToken: TOKEN, missing: 404 });
  });
  after(() => fixture.close());
  beforeEach(() => fixture.reset());

  async function run(leg: RecordingCallLeg, fallbackUrl?: string) {
    const events: { type: string; data: Readonly<Record<string, unknown>> }[] = [];
    const timeline = new Timeline((type, data) => void events.push({ type, data }));
    const { app, webhooks } = fixture;
    await new CallSession({ leg, webhooks, timeline, authToken: TOKEN, mode: 'development' }, INBOUND_CALL, {
      url: `${app.base}/voice`,
      method: 'POST',
      dialect: 'twiml',
      ...(fallbackUrl ? { fallbackUrl: `${app.base}${fallbackUrl}` } : {}),
    }).run();
    await timeline.flushed();
    return events;
  }

  it('SEM-D1: a document whose root is not <Response> fails with 12102 and goes to the fallback', async () => {
    fixture.app.documents.set('/voice', '<Document><Say>Hi</Say></Document>');
    fixture.app.documents.set('/fallback', '<Response><Say>From the fallback</Say></Response>');
    const leg = new RecordingCallLeg();
    await run(leg, '/fallback');
    const fallback = fixture.app.hits.find((h) => h.path === '/fallback');
    assert.equal(fallback?.params.ErrorCode, '12102');
    assert.deepEqual(leg.spoken(), ['From the fallback']);
  });

  it('SEM-D2: names are case-sensitive: <say> is no verb (a 12200 warning, skipped) and the rest runs', async () => {
    fixture.app.documents.set('/voice', '<Response><say>lower case</say><Say>Upper case</Say></Response>');
    const leg = new RecordingCallLeg();
    const events = await run(leg);
    assert.deepEqual(leg.spoken(), ['Upper case']);
    assert.ok(events.some((e) => (e.type === 'warning' || e.type === 'error') && e.data.code === 12200), JSON.stringify(events.filter((e) => e.type === 'warning')));
  });

  it('SEM-D3, SEM-A1: verbs run one after the other, and the call is answered when the first verb needing media runs', async () => {
    fixture.app.documents.set('/voice', '<Response><Say>One</Say><Play>/two.wav</Play><Pause length="1"/><Say>Three</Say></Response>');
    const leg = new RecordingCallLeg();
    await run(leg);
    assert.deepEqual(
      leg.actions.map((a) => (a.type === 'play' ? `${a.type}:${a.prompt.kind}` : a.type)),
      ['answer', 'play:say', 'play:audio', 'play:silence', 'play:say', 'hangup'],
    );
  });

  it('SEM-D8: an audio answer (audio/*) is played, then the call hangs up', async () => {
    fixture.app.documents.set('/voice', { body: 'RIFF....WAVE', contentType: 'audio/x-wav' });
    const leg = new RecordingCallLeg();
    await run(leg);
    assert.deepEqual(leg.actions.map((a) => a.type), ['answer', 'play', 'hangup']);
    const played = leg.actions[1]!;
    assert.ok(played.type === 'play' && played.prompt.kind === 'audio');
    assert.equal(played.prompt.url, `${fixture.app.base}/voice`);
  });

  it('SEM-P3: audio that cannot be fetched is logged with its code and the next verb runs', async () => {
    fixture.app.documents.set('/voice', '<Response><Play>/missing.wav</Play><Say>Still here</Say></Response>');
    const leg = new RecordingCallLeg().failAudio(`${fixture.app.base}/missing.wav`, 11200);
    const events = await run(leg);
    assert.deepEqual(leg.spoken(), ['Still here']);
    const warning = events.find((e) => e.type === 'warning' && e.data.code === 11200);
    assert.equal(warning?.data.url, `${fixture.app.base}/missing.wav`);
    assert.ok(!events.some((e) => e.type === 'error'), 'no error ended the call');
  });

  it('SEM-P5: SSML is reduced to its words, and a <break> is silence of its time or strength', async () => {
    fixture.app.documents.set(
      '/voice',
      '<Response><Say voice="Polly.Joanna">Hello <break time="1.5s"/> <emphasis level="strong">dear</emphasis> caller<break strength="x-strong"/>bye</Say></Response>',
    );
    const leg = new RecordingCallLeg();
    await run(leg);
    const prompts = leg.actions.flatMap((a) => (a.type === 'play' ? [a.prompt] : []));
    assert.deepEqual(
      prompts.map((p) => (p.kind === 'say' ? p.text : p.kind === 'silence' ? p.durationMs : p.kind)),
      ['Hello', 1500, 'dear caller', 1000, 'bye'],
    );
  });

  it('SEM-O2: <Hangup> ends the call and nothing after it runs', async () => {
    fixture.app.documents.set('/voice', '<Response><Say>Bye</Say><Hangup/><Say>never</Say><Redirect>/never</Redirect></Response>');
    const leg = new RecordingCallLeg();
    await run(leg);
    assert.deepEqual(leg.spoken(), ['Bye']);
    assert.equal(leg.actions.at(-1)?.type, 'hangup');
    assert.ok(!fixture.app.hits.some((h) => h.path === '/never'));
  });

  it('SEM-G9: an action answered with a 3xx is followed, and the redirected request does not carry Digits again', async () => {
    fixture.app.documents.set('/voice', '<Response><Gather numDigits="1" action="/gathered"><Say>Press a key</Say></Gather></Response>');
    fixture.app.documents.set('/gathered', { body: '', status: 302, location: '/next' });
    fixture.app.documents.set('/next', '<Response><Say>Moved on</Say></Response>');
    const leg = new RecordingCallLeg().pressDuringPrompt(0, '4');
    await run(leg);
    assert.equal(fixture.app.hits.find((h) => h.path === '/gathered')?.params.Digits, '4');
    const next = fixture.app.hits.find((h) => h.path === '/next');
    assert.equal(next?.method, 'GET');
    assert.equal(next.params.Digits, undefined);
    assert.deepEqual(leg.spoken(), ['Press a key', 'Moved on']);
  });
});
