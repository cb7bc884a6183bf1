/**
 * `<Echo>` in the engine, on the recording leg: it answers, asks the leg for an echo of
 * `timeout` seconds (60 by default), and the document goes on after it. What the caller
 * hears is measured over SIP in test/e2e/echo.test.ts.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startAppFixture, type AppFixture } from '../../support/engine-fixture.js';
import { RecordingCallLeg } from '../../support/recording-call-leg.js';


describe('<Echo> (engine, SEM-O7)', () => {
  let fixture: AppFixture;
  before(async () => {
    fixture = await startAppFixture();
  });
  after(() => fixture.close());

  const run = (leg: RecordingCallLeg, xml: string) => fixture.runDocument(leg, xml);

  it('answers, echoes for timeout seconds, then runs the next verb', async () => {
    const leg = new RecordingCallLeg();
    await run(leg, '<Response><Echo timeout="7"/><Say>After the echo</Say></Response>');
    assert.deepEqual(
      leg.actions.map((a) => a.type),
      ['answer', 'echo', 'play', 'hangup'],
    );
    assert.deepEqual(leg.actions.find((a) => a.type === 'echo'), { type: 'echo', durationMs: 7000 });
    assert.deepEqual(leg.spoken(), ['After the echo']);
  });

  it('defaults to 60 seconds; a timeout out of range is reported and the default used', async () => {
    const leg = new RecordingCallLeg();
    const events = await run(leg, '<Response><Echo/><Echo timeout="500"/></Response>');
    const echoes = leg.actions.filter((a) => a.type === 'echo');
    assert.deepEqual(echoes, [{ type: 'echo', durationMs: 60_000 }, { type: 'echo', durationMs: 60_000 }]);
    assert.ok(events.some((e) => e.type === 'error' && /timeout="500"/.test(String(e.data.message))), JSON.stringify(events));
  });
});
