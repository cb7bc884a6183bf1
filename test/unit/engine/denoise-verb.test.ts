/**
 * `<Denoise>` and `<Start>/<Stop><Suppression>` in the engine, on the recording leg:
 * they answer and turn the leg's noise reduction on and off, and the document goes on.
 * What the noise reduction does to the audio is measured in the media worker
 * (test/unit/media/worker/denoise.test.ts) and over SIP (test/e2e/denoise.test.ts).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CallSession } from '../../../src/engine/session.js';
import { Timeline } from '../../../src/engine/timeline.js';
import { WebhookClient } from '../../../src/engine/webhook/client.js';
import { destinationGuard } from '../../../src/engine/webhook/guard.js';
import { RecordingCallLeg } from '../../support/recording-call-leg.js';

const CALL = { callSid: 'CA' + '1'.repeat(32), accountSid: 'AC' + '2'.repeat(32), from: '+15550199', to: '+15550100', direction: 'inbound', apiVersion: '2010-04-01' } as const;

describe('<Denoise> and <Suppression> (engine)', () => {
  let document = '';
  let base = '';
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.setHeader('content-type', 'text/xml');
      res.end(document);
    });
  });
  const webhooks = new WebhookClient({ guard: destinationGuard({ mode: 'development' }) });
  before(() => new Promise<void>((r) => server.listen(0, '127.0.0.1', () => ((base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`), r()))));
  after(async () => {
    await webhooks.close();
    await new Promise<void>((r) => server.close(() => r()));
  });

  async function run(leg: RecordingCallLeg, xml: string) {
    document = xml;
    const events: { type: string; data: Readonly<Record<string, unknown>> }[] = [];
    const timeline = new Timeline((type, data) => void events.push({ type, data }));
    await new CallSession({ leg, webhooks, timeline, authToken: 'token', mode: 'development' }, CALL, { url: `${base}/voice`, method: 'POST', dialect: 'twiml' }).run();
    await timeline.flushed();
    return events;
  }

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
