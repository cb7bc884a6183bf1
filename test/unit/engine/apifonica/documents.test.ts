import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { RecordingCallLeg } from '../../../support/recording-call-leg.js';
import { ApifonicaApp, CALL, doc } from './harness.js';

describe('Apifonica documents: failures and the fallback URL', () => {
  const app = new ApifonicaApp();
  before(() => app.start());
  after(() => app.stop());
  beforeEach(() => app.reset());

  it('a broken document goes to the fallback with error_code=12100 and error_url, in snake_case; its document runs', async () => {
    app.routes.set('/voice', { body: '<?xml version="1.0" encoding="UTF-8"?>\n<response><playAudio>/a.wav</response>' });
    app.routes.set('/fallback', doc('<playAudio>/sorry.wav</playAudio>'));
    const leg = new RecordingCallLeg();
    const events = await app.run(leg, { ref: { fallbackUrl: app.url('/fallback'), fallbackMethod: 'POST' } });
    const fallback = app.hits.find((h) => h.path === '/fallback');
    assert.ok(fallback, JSON.stringify(app.hits));
    assert.equal(fallback.params.error_code, '12100');
    assert.equal(fallback.params.error_url, app.url('/voice'));
    assert.equal(fallback.params.call_sid, CALL.callSid);
    assert.equal(fallback.params.ErrorCode, undefined);
    assert.ok(events.some((e) => e.type === 'fallback' && e.data.code === 12100));
    assert.ok(leg.actions.some((a) => a.type === 'play' && a.prompt.kind === 'audio' && a.prompt.url.endsWith('/sorry.wav')));
  });

  it('a TwiML document for an Apifonica application is refused as the wrong root (12102)', async () => {
    app.routes.set('/voice', { body: '<Response><Say>Hello</Say></Response>' });
    app.routes.set('/fallback', doc('<endCall/>'));
    await app.run(new RecordingCallLeg(), { ref: { fallbackUrl: app.url('/fallback') } });
    assert.equal(app.hits.find((h) => h.path === '/fallback')?.params.error_code, '12102');
  });

  it('without a fallback the caller hears why, then the call ends', async () => {
    app.routes.set('/voice', { body: '<response><playAudio loops="x">/a.wav</playAudio' });
    const leg = new RecordingCallLeg();
    const events = await app.run(leg);
    assert.equal(events.find((e) => e.type === 'application-error')?.data.code, 12100);
    assert.equal(leg.spoken().length, 1);
    assert.deepEqual(leg.actions.at(-1), { type: 'hangup' });
  });

  it('a document without the XML header still runs, with a warning', async () => {
    app.routes.set('/voice', { body: '<response><playAudio>/a.wav</playAudio></response>', type: 'text/plain' });
    const leg = new RecordingCallLeg();
    const events = await app.run(leg);
    assert.ok(leg.actions.some((a) => a.type === 'play'));
    assert.ok(events.some((e) => e.type === 'warning' && /header/.test(String(e.data.message))));
  });
});
