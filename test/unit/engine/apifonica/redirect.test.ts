import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { RecordingCallLeg } from '../../../support/recording-call-leg.js';
import { ApifonicaApp, CALL, doc, verbsRun } from './harness.js';

describe('Apifonica <redirect>', () => {
  const app = new ApifonicaApp();
  before(() => app.start());
  after(() => app.stop());
  beforeEach(() => app.reset());

  it('runs the document at its URL (relative to this one) instead of the rest of this one, with the call’s parameters', async () => {
    app.routes.set('/app/voice', doc('<playAudio>/a.wav</playAudio><redirect method="GET">next</redirect><playAudio>/never.wav</playAudio>'));
    app.routes.set('/app/next', doc('<playAudio>/b.wav</playAudio>'));
    const leg = new RecordingCallLeg();
    const events = await app.run(leg, { path: '/app/voice' });
    assert.deepEqual(app.hits.map((h) => [h.method, h.path]), [['POST', '/app/voice'], ['GET', '/app/next']]);
    assert.equal(app.hits[1]!.params.call_sid, CALL.callSid);
    assert.equal(app.hits[1]!.params.status, 'in-progress');
    assert.deepEqual(verbsRun(events), ['playAudio', 'redirect', 'playAudio']);
    const urls = leg.actions.flatMap((a) => (a.type === 'play' && a.prompt.kind === 'audio' ? [new URL(a.prompt.url).pathname] : []));
    assert.deepEqual(urls, ['/a.wav', '/b.wav']);
  });

  it('takes the URL from the controller attribute (or url) when it has no text; POST by default', async () => {
    for (const attr of ['controller', 'url']) {
      app.reset();
      app.routes.set('/voice', doc(`<redirect ${attr}="/next"/>`));
      app.routes.set('/next', doc('<endCall/>'));
      await app.run(new RecordingCallLeg());
      assert.deepEqual(app.hits.map((h) => [h.method, h.path]), [['POST', '/voice'], ['POST', '/next']], attr);
    }
  });

  it('a document that only redirects to itself ends as a redirect loop (11215)', async () => {
    app.routes.set('/voice', doc('<redirect>/voice</redirect>'));
    const leg = new RecordingCallLeg();
    const events = await app.run(leg);
    assert.equal(events.find((e) => e.type === 'application-error')?.data.code, 11215);
  });
});
