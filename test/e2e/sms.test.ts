/**
 * `<Sms>` over a real call: `dialtone call` (a process of its own) calls a number of a
 * running `dialtone start` whose document sends a message and goes on to its action. The
 * application gets SmsSid and SmsStatus=sending, the official `twilio` client reads the
 * queued message back through the REST API (to the caller, from the number called), and
 * the call goes on to the action's document and ends cleanly.
 *
 * Needs no external binary: both ends are ours.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import twilio from 'twilio';
import type { CallReport } from '../../src/cli/commands/call.js';
import { Dialtone } from '../support/dialtone.js';
import { startWebApp, type WebApp } from '../support/web-app.js';

delete process.env.TWILIO_REGION;
delete process.env.TWILIO_EDGE;

const ACCOUNT = 'AC' + 'e'.repeat(32);
const TOKEN = 'sms-token-0123456789abcdef';
const NUMBER = '+15550141';

describe('<Sms> during a call (dialtone call → dialtone start → REST API)', { timeout: 120_000 }, () => {
  let app: WebApp;
  let dialtone: Dialtone;
  let client: twilio.Twilio;

  before(async () => {
    app = await startWebApp({ missing: 404, authToken: TOKEN });
    app.documents.set('/voice', '<Response><Say voice="kal">One moment.</Say><Sms action="/sent" statusCallback="/sms-status">Your code is 4321.</Sms><Say>unreachable</Say></Response>');
    app.documents.set('/sent', '<Response><Say voice="kal">We sent you a text.</Say><Hangup/></Response>');
    dialtone = await Dialtone.prepare({ name: 'sms', rtpBase: 40000, env: { DIALTONE_ACCOUNT_SID: ACCOUNT, DIALTONE_AUTH_TOKEN: TOKEN } });
    await dialtone.addNumber(NUMBER, `${app.base}/voice`);
    const [, base] = await dialtone.start(/Dialtone is running at (\S+)/);
    client = twilio(ACCOUNT, TOKEN);
    client.api.baseUrl = base!;
  });

  after(async () => {
    await dialtone?.stop();
    await app?.close();
  });

  it('queues the message (the REST API lists it), the action gets SmsSid and SmsStatus=sending, and the call goes on', async () => {
    const run = await dialtone.call(NUMBER);
    const output = `${run.stdout}\n${run.stderr}\n--- dialtone start ---\n${dialtone.output()}`;
    assert.equal(run.code, 0, output);
    const report = JSON.parse(run.stdout) as CallReport;
    assert.deepEqual(report.ended, { by: 'remote', reason: 'remote-bye' }, output);

    const action = await app.hit('/sent', { context: () => output });
    assert.equal(action.signatureValid, true);
    assert.equal(action.params.SmsStatus, 'sending');
    const sid = action.params.SmsSid!;
    assert.match(sid, /^SM[0-9a-f]{32}$/);

    const message = await client.messages(sid).fetch();
    assert.deepEqual(
      [message.status, message.direction, message.to, message.from, message.body, message.numSegments],
      ['queued', 'outbound-call', '+15550199', NUMBER, 'Your code is 4321.', '1'],
    );
    const listed = await client.messages.list({ to: '+15550199', limit: 20 });
    assert.ok(listed.some((m) => m.sid === sid), 'listed under its To');

    const call = await dialtone.lastCall();
    assert.equal(call.status, 'completed');
    const spoken = call.timeline.filter((e) => e.type === 'verb-start').map((e) => e.data.verb);
    assert.deepEqual(spoken, ['Say', 'Sms', 'Say', 'Hangup'], 'the action document continued the call');
  });
});
