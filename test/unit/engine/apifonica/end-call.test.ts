import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { RecordingCallLeg } from '../../../support/recording-call-leg.js';
import { ApifonicaApp, doc } from './harness.js';

const FIXTURES = new URL('../../../fixtures/xml/apifonica/', import.meta.url);

describe('Apifonica <endCall>', () => {
  const app = new ApifonicaApp();
  before(() => app.start());
  after(() => app.stop());
  beforeEach(() => app.reset());

  it('signal="reject" refuses the call unanswered (603); the commands after it are unreachable', async () => {
    app.routes.set('/voice', doc('<endCall signal="reject"/><playAudio>/never.wav</playAudio>'));
    const leg = new RecordingCallLeg();
    await app.run(leg);
    assert.deepEqual(leg.actions, [{ type: 'reject', reason: 'rejected' }]);
    assert.equal(leg.answered, false);
  });

  it('signal="busy" refuses the call unanswered with busy (486)', async () => {
    app.routes.set('/voice', { body: readFileSync(new URL('end-call-busy.xml', FIXTURES), 'utf8') });
    const leg = new RecordingCallLeg();
    await app.run(leg);
    assert.deepEqual(leg.actions, [{ type: 'reject', reason: 'busy' }]);
  });

  it('Apifonica’s own unquoted example, <endCall signal=reject />, is read the way Apifonica reads it', async () => {
    app.routes.set('/voice', { body: readFileSync(new URL('unquoted-signal.xml', FIXTURES), 'utf8') });
    const leg = new RecordingCallLeg();
    const events = await app.run(leg);
    assert.deepEqual(leg.actions, [{ type: 'reject', reason: 'rejected' }]);
    assert.ok(events.some((e) => e.type === 'warning' && /unquoted/.test(String(e.data.message))));
  });

  it('without a signal it hangs up, answering first (like TwiML Hangup, SEM-A4); the legacy name <hangup> is the same', async () => {
    for (const body of ['<endCall/><playAudio>/never.wav</playAudio>', '<hangup/>']) {
      app.routes.set('/voice', doc(body));
      const leg = new RecordingCallLeg();
      await app.run(leg);
      assert.deepEqual(leg.actions, [{ type: 'answer' }, { type: 'hangup' }], body);
    }
  });

  it('a signal after the call was answered hangs up', async () => {
    app.routes.set('/voice', doc('<playAudio>/hello.wav</playAudio><endCall signal="busy"/>'));
    const leg = new RecordingCallLeg();
    await app.run(leg);
    assert.deepEqual(leg.actions.map((a) => a.type), ['answer', 'play', 'hangup']);
  });
});
