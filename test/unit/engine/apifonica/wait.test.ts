import { describe, it, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { ApifonicaApp, doc, verbsRun } from './harness.js';
import { VirtualClock } from '../../../support/virtual-clock.js';
import { TimedLeg } from './timed-leg.js';

/** Runs the call with the leg's silences on `clock`, firing each as soon as it is armed. */
async function runOnVirtualTime(app: ApifonicaApp, leg: TimedLeg, clock: VirtualClock): ReturnType<ApifonicaApp['run']> {
  let done = false;
  const run = app.run(leg).finally(() => (done = true));
  while (!done) {
    const [next] = clock.dueTimes();
    if (next !== undefined) clock.advanceTo(next);
    await new Promise((r) => setImmediate(r));
  }
  return run;
}

describe('Apifonica <wait>', { timeout: 20_000 }, () => {
  const app = new ApifonicaApp();
  before(() => app.start());
  after(() => app.stop());
  beforeEach(() => app.reset());

  it('after answering, is silence of `length` seconds before the next command', async () => {
    app.routes.set('/voice', doc('<playAudio>/a.wav</playAudio><wait length="2"/><playAudio>/b.wav</playAudio>'));
    const clock = new VirtualClock();
    const leg = new TimedLeg(clock);
    await runOnVirtualTime(app, leg, clock);
    const plays = leg.actions.flatMap((a) => (a.type === 'play' ? [a.prompt] : []));
    assert.deepEqual(plays[1], { kind: 'silence', durationMs: 2000 });
    assert.equal(leg.silencesDone, 1);
  });

  it('defaults to 1 second; the legacy <pause time="…"> and the seconds spelling are read as length', async () => {
    app.routes.set('/voice', doc('<playAudio>/a.wav</playAudio><wait/><pause time="2"/><wait seconds="3"/>'));
    const clock = new VirtualClock();
    const leg = new TimedLeg(clock);
    const events = await runOnVirtualTime(app, leg, clock);
    const silences = leg.actions.flatMap((a) => (a.type === 'play' && a.prompt.kind === 'silence' ? [a.prompt.durationMs] : []));
    assert.deepEqual(silences, [1000, 2000, 3000]);
    assert.deepEqual(verbsRun(events), ['playAudio', 'wait', 'wait', 'wait']);
  });

  it('as the first command it delays the answer: no silence is played, the caller hears ringing (SEM-A3)', async () => {
    app.routes.set('/voice', doc('<wait length="1"/><playAudio>/a.wav</playAudio>'));
    const leg = new TimedLeg();
    await app.run(leg);
    assert.deepEqual(leg.actions.map((a) => a.type), ['answer', 'play', 'hangup']);
  });
});
