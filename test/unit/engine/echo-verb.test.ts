/**
 * `<Echo>` in the engine, on the recording leg: it answers, asks the leg for an echo of
 * `timeout` seconds (60 by default), and the document goes on after it. What the caller
 * hears is measured over SIP in test/e2e/echo.test.ts.
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

describe('<Echo> (engine, SEM-O7)', () => {
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
