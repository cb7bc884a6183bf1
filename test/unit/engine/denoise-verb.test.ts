/**
 * `<Denoise>` and `<Start>/<Stop><Suppression>` in the engine, on the recording leg:
 * they answer and turn the leg's noise reduction on and off, and the document goes on.
 * What the noise reduction does to the audio is measured in the media worker
 * (test/unit/media/worker/denoise.test.ts) and over SIP (test/e2e/denoise.test.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startAppFixture, type AppFixture } from '../../support/engine-fixture.js';
import { RecordingCallLeg } from '../../support/recording-call-leg.js';


describe('<Denoise> and <Suppression> (engine)', () => {
  let fixture: AppFixture;
  before(async () => {
    fixture = await startAppFixture();
  });
  after(() => fixture.close());

  const run = (leg: RecordingCallLeg, xml: string) => fixture.runDocument(leg, xml);

  it('<Denoise>on answers and turns noise reduction on, off turns it off, and the document goes on', async () => {
    const leg = new RecordingCallLeg();
    await run(leg, '<Response><Denoise>on</Denoise><Say>Hello</Say><Denoise> off </Denoise></Response>');
    assert.deepEqual(
      leg.actions.map((a) => a.type),
      ['answer', 'denoise', 'play', 'denoise', 'hangup'],
    );
    assert.deepEqual(
      leg.actions.filter((a) => a.type === 'denoise'),
      [
        { type: 'denoise', enabled: true },
        { type: 'denoise', enabled: false },
      ],
    );
  });

  it('<Start><Suppression/> turns it on and <Stop><Suppression/> off; outbound is reported, not done', async () => {
    const leg = new RecordingCallLeg();
    const events = await run(
      leg,
      '<Response><Start><Suppression/></Start><Stop><Suppression/></Stop><Start><Suppression direction="outbound"/></Start></Response>',
    );
    assert.deepEqual(
      leg.actions.filter((a) => a.type === 'denoise'),
      [
        { type: 'denoise', enabled: true },
        { type: 'denoise', enabled: false },
      ],
    );
    assert.ok(
      events.some((e) => e.type === 'warning' && /direction="outbound"/.test(String(e.data.message))),
      JSON.stringify(events),
    );
  });
});
