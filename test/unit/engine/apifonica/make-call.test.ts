import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import type { DialOptions, DialResult, DialTarget } from '../../../../src/engine/call-leg.js';
import { RecordingCallLeg } from '../../../support/recording-call-leg.js';
import { ApifonicaApp, CALL, doc, verbsRun } from './harness.js';

/** The test kit, with the outcome of dial() scripted and each dial recorded. */
class DialingLeg extends RecordingCallLeg {
  readonly dials: { targets: readonly DialTarget[]; options: DialOptions; answered: boolean }[] = [];
  constructor(readonly result: DialResult) {
    super();
  }
  // Optional only because the kit's own dial() declares no parameters; the session always passes both.
  override async dial(targets?: readonly DialTarget[], options?: DialOptions): Promise<DialResult> {
    this.dials.push({ targets: targets!, options: options!, answered: this.answered });
    return this.result;
  }
}

const COMPLETED: DialResult = { status: 'completed', childCallSid: 'CA' + '9'.repeat(32), durationSeconds: 42 };

describe('Apifonica <makeCall>', () => {
  const app = new ApifonicaApp();
  before(() => app.start());
  after(() => app.stop());
  beforeEach(() => app.reset());

  it('answers, then dials every <number> and <sip> at once with from and timeout; without controller the next command runs', async () => {
    app.routes.set('/voice', doc('<makeCall from="+442079460123" timeout="25"><number>+447700900456</number><sip>sip:reception@pbx.example.com</sip></makeCall><playAudio>/after.wav</playAudio>'));
    const leg = new DialingLeg(COMPLETED);
    const events = await app.run(leg);
    assert.equal(leg.dials.length, 1);
    const [dial] = leg.dials;
    assert.equal(dial!.answered, true, 'the forwarded call is answered first');
    assert.deepEqual(dial!.targets, [
      { kind: 'number', address: '+447700900456' },
      { kind: 'sip', address: 'sip:reception@pbx.example.com' },
    ]);
    assert.equal(dial!.options.callerId, '+442079460123');
    assert.equal(dial!.options.timeoutMs, 25_000);
    assert.equal(dial!.options.answerOnBridge, false);
    assert.deepEqual(verbsRun(events), ['makeCall', 'playAudio']);
    assert.equal(app.hits.length, 1, 'no controller, no request');
    assert.equal(events.find((e) => e.type === 'dial-result')?.data.status, 'completed');
  });

  it('without from, the caller ID is left to the leg (leg A’s from); the default timeout is 30 s', async () => {
    app.routes.set('/voice', doc('<makeCall><number>+447700900123</number></makeCall><endCall/>'));
    const leg = new DialingLeg(COMPLETED);
    await app.run(leg);
    assert.equal(leg.dials[0]!.options.callerId, '');
    assert.equal(leg.dials[0]!.options.timeoutMs, 30_000);
  });

  it('with controller: the outcome goes there in snake_case, its XML takes over and the commands after makeCall are unreachable', async () => {
    app.routes.set('/voice', doc('<makeCall controller="/ended" method="GET"><number>+447700900456</number></makeCall><playAudio>/unreachable.wav</playAudio>'));
    app.routes.set('/ended', doc('<playAudio>/goodbye.wav</playAudio>'));
    const leg = new DialingLeg(COMPLETED);
    const events = await app.run(leg);
    const ended = app.hits.find((h) => h.path === '/ended');
    assert.ok(ended);
    assert.equal(ended.method, 'GET');
    assert.equal(ended.params.call_sid, CALL.callSid);
    assert.equal(ended.params.status, 'in-progress');
    assert.equal(ended.params.dial_call_status, 'completed');
    assert.equal(ended.params.dial_call_sid, COMPLETED.childCallSid);
    assert.equal(ended.params.dial_call_duration, '42');
    assert.deepEqual(verbsRun(events), ['makeCall', 'playAudio']);
    const urls = leg.actions.flatMap((a) => (a.type === 'play' && a.prompt.kind === 'audio' ? [new URL(a.prompt.url).pathname] : []));
    assert.deepEqual(urls, ['/goodbye.wav']);
  });

  it('no answer: without controller the next command runs; with one it hears no-answer', async () => {
    app.routes.set('/voice', doc('<makeCall timeout="5"><number>+447700900456</number></makeCall><playAudio>/nobody.wav</playAudio>'));
    const leg = new DialingLeg({ status: 'no-answer', durationSeconds: 0 });
    await app.run(leg);
    assert.ok(leg.actions.some((a) => a.type === 'play' && a.prompt.kind === 'audio' && a.prompt.url.endsWith('/nobody.wav')));

    app.reset();
    app.routes.set('/voice', doc('<makeCall controller="/ended"><number>+447700900456</number></makeCall>'));
    app.routes.set('/ended', doc('<endCall/>'));
    await app.run(new DialingLeg({ status: 'no-answer', durationSeconds: 0 }));
    const ended = app.hits.find((h) => h.path === '/ended')!;
    assert.equal(ended.params.dial_call_status, 'no-answer');
    assert.equal(ended.params.dial_call_duration, undefined);
  });

  it('the caller hung up during makeCall: the controller is still asked (status=completed), its XML not run', async () => {
    app.routes.set('/voice', doc('<makeCall controller="/ended"><number>+447700900456</number></makeCall>'));
    app.routes.set('/ended', doc('<playAudio>/nobody-hears.wav</playAudio>'));
    const leg = new RecordingCallLeg().dialResult({ ...COMPLETED, callerHungUp: true });
    const events = await app.run(leg);
    const ended = app.hits.find((h) => h.path === '/ended');
    assert.equal(ended?.params.status, 'completed');
    assert.equal(ended?.params.dial_call_status, 'completed');
    assert.ok(!leg.actions.some((a) => a.type === 'play'), 'nothing runs on the dead leg');
    assert.deepEqual(verbsRun(events), ['makeCall']);
  });

  it('whisper_a/whisper_b are noted on the timeline, not played', async () => {
    app.routes.set('/voice', doc('<makeCall whisper_a="/a.mp3"><number>+447700900456</number></makeCall>'));
    const events = await app.run(new DialingLeg(COMPLETED));
    assert.ok(events.some((e) => e.type === 'warning' && String(e.data.message).includes('whisper_a')));
  });
});
