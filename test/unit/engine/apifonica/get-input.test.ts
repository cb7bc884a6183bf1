import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { RecordingCallLeg } from '../../../support/recording-call-leg.js';
import { ApifonicaApp, CALL, doc, verbsRun } from './harness.js';
import { TimedLeg } from './timed-leg.js';

const MENU = '<getInput controller="/menu" timeoutGeneral="7" timeout="3" maxSymbols="4"><playAudio>/prompt.wav</playAudio></getInput>';

function played(leg: RecordingCallLeg): string[] {
  return leg.actions.flatMap((a) => (a.type === 'play' ? [a.prompt.kind === 'audio' ? new URL(a.prompt.url).pathname : a.prompt.kind] : []));
}

describe('Apifonica <getInput>', { timeout: 20_000 }, () => {
  const app = new ApifonicaApp();
  before(() => app.start());
  after(() => app.stop());
  beforeEach(() => app.reset());

  it('posts digits to the controller in snake_case while the next commands run; its XML stops them and takes over', async () => {
    app.routes.set('/voice', doc(`${MENU}<wait length="60"/><playAudio>/never.wav</playAudio>`));
    app.routes.set('/menu', { ...doc('<playAudio>/sales.wav</playAudio>'), delayMs: 300 });
    const leg = new TimedLeg().pressDuringPrompt(0, '42#');
    const events = await app.run(leg);
    const menu = app.hits.find((h) => h.path === '/menu');
    assert.ok(menu, JSON.stringify(app.hits));
    assert.equal(menu.method, 'POST');
    assert.equal(menu.params.digits, '42');
    assert.equal(menu.params.call_sid, CALL.callSid);
    assert.equal(menu.params.account_sid, CALL.accountSid);
    assert.equal(menu.params.status, 'in-progress');
    assert.equal(menu.params.Digits, undefined, 'no TwiML names');
    // The wait had begun (the commands after getInput run at once) and was cut short by the new XML.
    assert.deepEqual(played(leg), ['/prompt.wav', 'silence', '/sales.wav']);
    assert.equal(leg.silencesDone, 0);
    assert.deepEqual(verbsRun(events), ['getInput', 'wait', 'playAudio']);
    assert.equal(events.find((e) => e.type === 'verb-end' && e.data.verb === 'wait')?.data.outcome, 'replaced');
    assert.deepEqual(leg.actions.at(-1), { type: 'hangup' });
  });

  it('waits timeoutGeneral for the first key and timeout for each next one, up to maxSymbols', async () => {
    app.routes.set('/voice', doc(MENU));
    app.routes.set('/menu', doc('<endCall/>'));
    const leg = new TimedLeg().pressDuringPrompt(0, '1234');
    await app.run(leg);
    assert.deepEqual(leg.collects, [
      { numDigits: 1, finishOnKey: '#', timeoutMs: 7000 },
      { numDigits: 3, finishOnKey: '#', timeoutMs: 3000 },
    ]);
    assert.equal(app.hits.find((h) => h.path === '/menu')?.params.digits, '1234');
  });

  it('an empty answer from the controller changes nothing: the document goes on, then hangs up at its end', async () => {
    app.routes.set('/voice', doc(`${MENU}<wait length="1"/><playAudio>/after.wav</playAudio>`));
    app.routes.set('/menu', { body: '' });
    const leg = new TimedLeg().pressDuringPrompt(0, '9#');
    const events = await app.run(leg);
    assert.equal(app.hits.find((h) => h.path === '/menu')?.params.digits, '9');
    assert.deepEqual(played(leg), ['/prompt.wav', 'silence', '/after.wav']);
    assert.equal(leg.silencesDone, 1);
    assert.ok(!events.some((e) => e.type === 'warning' && e.data.code === 11770), 'an empty answer is not a failure');
  });

  it('a failing controller is noted and the document goes on', async () => {
    app.routes.set('/voice', doc(`${MENU}<playAudio>/after.wav</playAudio>`));
    app.routes.set('/menu', { status: 500, body: 'oops' });
    const leg = new TimedLeg().pressDuringPrompt(0, '9#');
    const events = await app.run(leg);
    assert.deepEqual(played(leg), ['/prompt.wav', '/after.wav']);
    assert.ok(events.some((e) => e.type === 'warning' && e.data.code === 11200), JSON.stringify(events));
  });

  it('at the end of the document the controller’s answer is awaited and run', async () => {
    app.routes.set('/voice', doc(MENU));
    app.routes.set('/menu', { ...doc('<playAudio>/thanks.wav</playAudio>'), delayMs: 200 });
    const leg = new TimedLeg().pressDuringPrompt(0, '5#');
    await app.run(leg);
    assert.deepEqual(played(leg), ['/prompt.wav', '/thanks.wav']);
    assert.deepEqual(leg.actions.at(-1), { type: 'hangup' });
  });

  it('no key at all: the next command runs and nothing is requested', async () => {
    app.routes.set('/voice', doc(`${MENU}<playAudio>/no-input.wav</playAudio>`));
    const leg = new TimedLeg();
    await app.run(leg);
    assert.deepEqual(played(leg), ['/prompt.wav', '/no-input.wav']);
    assert.deepEqual(app.hits.map((h) => h.path), ['/voice']);
  });

  it('fewer than minSymbols keys: the prompt and the wait start again, loops attempts in all, then the next command', async () => {
    app.routes.set('/voice', doc('<getInput minSymbols="3" loops="2" controller="/menu"><playAudio>/pin.wav</playAudio></getInput><playAudio>/bye.wav</playAudio>'));
    const leg = new TimedLeg().pressDuringPrompt(0, '1#').pressDuringPrompt(1, '12#');
    const events = await app.run(leg);
    assert.deepEqual(played(leg), ['/pin.wav', '/pin.wav', '/bye.wav']);
    assert.deepEqual(app.hits.map((h) => h.path), ['/voice'], 'invalid input is not submitted');
    assert.equal(events.filter((e) => e.type === 'gather').length, 2);
  });

  it('fewer than minSymbols, then valid input on the second attempt, is submitted', async () => {
    app.routes.set('/voice', doc('<getInput minSymbols="3" loops="2" controller="/menu"><playAudio>/pin.wav</playAudio></getInput>'));
    app.routes.set('/menu', doc('<endCall/>'));
    const leg = new TimedLeg().pressDuringPrompt(0, '1#').pressDuringPrompt(1, '123#');
    await app.run(leg);
    assert.equal(app.hits.find((h) => h.path === '/menu')?.params.digits, '123');
  });

  it('without controller, the digits go to the current document URL (the default)', async () => {
    let calls = 0;
    app.routes.set('/voice', () => (++calls === 1 ? doc('<playAudio>/hello.wav</playAudio><getInput maxSymbols="1"/>') : doc('<endCall/>')));
    // The key comes during the greeting, before getInput starts: it is type-ahead.
    const withKey = new TimedLeg().pressDuringPrompt(0, '7');
    await app.run(withKey);
    assert.deepEqual(app.hits.map((h) => [h.path, h.params.digits]), [['/voice', undefined], ['/voice', '7']]);
  });

  it('a key press interrupts the nested playAudio; later nested files are not played', async () => {
    app.routes.set('/voice', doc('<getInput controller="/menu" maxSymbols="1"><playAudio>/one.wav</playAudio><playAudio>/two.wav</playAudio></getInput>'));
    app.routes.set('/menu', doc('<endCall/>'));
    const leg = new TimedLeg().pressDuringPrompt(0, '3');
    await app.run(leg);
    assert.deepEqual(played(leg), ['/one.wav']);
    assert.equal(app.hits.find((h) => h.path === '/menu')?.params.digits, '3');
  });
});
