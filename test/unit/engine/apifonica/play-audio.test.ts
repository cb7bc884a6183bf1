import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { RecordingCallLeg } from '../../../support/recording-call-leg.js';
import { ApifonicaApp, CALL, doc, verbsRun } from './harness.js';

describe('Apifonica <playAudio>', () => {
  const app = new ApifonicaApp();
  before(() => app.start());
  after(() => app.stop());
  beforeEach(() => app.reset());

  it('asks the controller in snake_case, answers, plays the file (relative to the document) and hangs up at the end', async () => {
    app.routes.set('/ivr/voice', doc('<playAudio>../audio/welcome.wav</playAudio>'));
    const leg = new RecordingCallLeg();
    const events = await app.run(leg, { path: '/ivr/voice' });
    assert.deepEqual(leg.actions, [
      { type: 'answer' },
      { type: 'play', prompt: { kind: 'audio', url: app.url('/audio/welcome.wav') }, loop: 1 },
      { type: 'hangup' },
    ]);
    assert.deepEqual(verbsRun(events), ['playAudio']);
    const { params } = app.hits[0]!;
    assert.deepEqual(params, {
      call_sid: CALL.callSid,
      account_sid: CALL.accountSid,
      from: CALL.from,
      to: CALL.to,
      status: 'ringing',
      api_version: '2010-04-01',
      direction: 'inbound',
    });
  });

  it('loops="3" plays three times; loops="0" plays until the call ends (capped like TwiML, SEM-P1)', async () => {
    app.routes.set('/voice', doc('<playAudio loops="3">/a.wav</playAudio><playAudio loops="0">/b.mp3</playAudio>'));
    const leg = new RecordingCallLeg();
    await app.run(leg);
    const loops = leg.actions.flatMap((a) => (a.type === 'play' ? [a.loop] : []));
    assert.deepEqual(loops, [3, 1000]);
  });

  it('the caller hanging up during the audio ends the session without another request', async () => {
    app.routes.set('/voice', doc('<playAudio>/a.wav</playAudio><playAudio>/b.wav</playAudio>'));
    const leg = new RecordingCallLeg().hangUpAfterPrompts(1);
    const events = await app.run(leg);
    assert.equal(leg.actions.filter((a) => a.type === 'play').length, 1);
    assert.ok(events.some((e) => e.type === 'call-ended' && e.data.by === 'caller'));
    assert.equal(app.hits.length, 1);
  });
});
