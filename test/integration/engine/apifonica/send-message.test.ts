import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { openStore, type Store } from '../../../../src/store/index.js';
import { storeMessageOutbox } from '../../../../src/telephony/message-outbox.js';
import { RecordingCallLeg } from '../../../support/recording-call-leg.js';
import { ApifonicaApp, CALL, doc, verbsRun } from '../../../unit/engine/apifonica/harness.js';

describe('Apifonica <sendMessage> during a call', () => {
  const app = new ApifonicaApp();
  let store: Store;
  before(async () => {
    await app.start();
    store = await openStore({ dataDir: '.', sqliteFile: ':memory:' });
    await store.accounts.create({ sid: CALL.accountSid, friendlyName: 'Apifonica test' });
  });
  after(async () => {
    await app.stop();
    await store.close();
  });
  beforeEach(() => app.reset());

  async function messages() {
    return store.messages.page(CALL.accountSid, {}, { limit: 50 });
  }

  it('queues the message in the store with its attributes, and the call goes on', async () => {
    app.routes.set(
      '/voice',
      doc('<sendMessage from="+442079460123" to="+447700900789" controller_url="/status" text="Our opening hours are 9:00-17:00."/><playAudio>/bye.wav</playAudio>'),
    );
    const leg = new RecordingCallLeg();
    const events = await app.run(leg, { messages: storeMessageOutbox(store) });
    const [message] = await messages();
    assert.ok(message);
    assert.equal(message.status, 'queued');
    assert.equal(message.direction, 'outbound-call');
    assert.equal(message.from, '+442079460123');
    assert.equal(message.to, '+447700900789');
    assert.equal(message.body, 'Our opening hours are 9:00-17:00.');
    assert.equal(message.statusCallback, app.url('/status'));
    assert.equal(message.numSegments, 1);
    assert.deepEqual(verbsRun(events), ['sendMessage', 'playAudio']);
    assert.equal(events.find((e) => e.type === 'message')?.data.sid, message.sid);
    assert.ok(leg.actions.some((a) => a.type === 'play'));
  });

  it('defaults: from the number called, to the caller; the text may be the element’s', async () => {
    app.routes.set('/voice', doc('<sendMessage>Thanks for calling</sendMessage><endCall/>'));
    await app.run(new RecordingCallLeg(), { messages: storeMessageOutbox(store) });
    const found = (await messages()).find((m) => m.body === 'Thanks for calling');
    assert.ok(found);
    assert.equal(found.from, CALL.to);
    assert.equal(found.to, CALL.from);
  });

  it('without an outbox the command is skipped with a warning, and the call goes on', async () => {
    app.routes.set('/voice', doc('<sendMessage text="hi"/><playAudio>/bye.wav</playAudio>'));
    const leg = new RecordingCallLeg();
    const events = await app.run(leg);
    assert.ok(events.some((e) => e.type === 'warning' && /sendMessage/.test(String(e.data.message))));
    assert.ok(leg.actions.some((a) => a.type === 'play'));
  });
});
