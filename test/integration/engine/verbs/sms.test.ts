/**
 * `<Sms>` in the engine (dialects.md §3.12, SEM-O3), on the recording test leg, with the
 * store's message outbox (in-memory SQLite) and a web application that checks every
 * signature with the twilio library: the message row the verb queued, and what the
 * action webhook received.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { storeMessageOutbox } from '../../../../src/telephony/message-outbox.js';
import { startEngineFixture, type EngineFixture } from '../../../support/engine-fixture.js';
import { RecordingCallLeg } from '../../../support/recording-call-leg.js';

const TOKEN = 'token-0123456789';
const CALLER = '+15550199';
const CALLED = '+15550100';

describe('<Sms> (engine, SEM-O3)', () => {
  let fixture: EngineFixture;
  let callSid = '';

  before(async () => {
    fixture = await startEngineFixture({ authToken: TOKEN, missing: '<Response/>', name: 'sms-verb' });
  });
  after(() => fixture.close());
  beforeEach(async () => {
    fixture.reset();
    callSid = await fixture.createCall(CALLER, CALLED);
  });

  const run = (leg: RecordingCallLeg, options: { outbox?: boolean; from?: string } = {}) =>
    fixture.runCall(leg, { callSid, from: options.from ?? CALLER, to: CALLED, ...(options.outbox === false ? {} : { messages: storeMessageOutbox(fixture.store) }) });


  async function messages() {
    return fixture.store.messages.page(fixture.accountSid, {}, { limit: 50 });
  }

  it('queues the message with its attributes; action gets SmsSid and SmsStatus=sending, and its document continues the call', async () => {
    fixture.app.documents.set(
      '/voice',
      '<Response><Say>One moment</Say><Sms to="+447700900789" from="+442079460123" action="/sent" statusCallback="/sms-status">Your code is 4321.</Sms><Say>unreachable</Say></Response>',
    );
    fixture.app.documents.set('/sent', '<Response><Say>We sent you a text</Say></Response>');
    const leg = new RecordingCallLeg();
    const events = await run(leg);

    const action = fixture.app.hits.find((h) => h.path === '/sent');
    assert.ok(action, 'the action was requested');
    assert.equal(action.method, 'POST');
    assert.ok(action.signatureValid);
    assert.equal(action.params.SmsStatus, 'sending');
    assert.match(action.params.SmsSid!, /^SM[0-9a-f]{32}$/);
    assert.equal(action.params.CallSid, callSid, 'with the standard parameters');

    const row = await fixture.store.messages.get(fixture.accountSid, action.params.SmsSid!);
    assert.ok(row);
    assert.deepEqual(
      [row.status, row.direction, row.from, row.to, row.body, row.numSegments, row.statusCallback],
      ['queued', 'outbound-call', '+442079460123', '+447700900789', 'Your code is 4321.', 1, `${fixture.app.base}/sms-status`],
    );
    assert.deepEqual(leg.spoken(), ['One moment', 'We sent you a text'], 'verbs after <Sms action> are unreachable');
    assert.equal(events.find((e) => e.type === 'message')?.data.sid, row.sid);
  });

  it('defaults: from the number called, to the caller; without action the document goes on', async () => {
    fixture.app.documents.set('/voice', '<Response><Sms>Thanks for calling</Sms><Say>Goodbye</Say></Response>');
    const leg = new RecordingCallLeg();
    await run(leg);
    const found = (await messages()).find((m) => m.body === 'Thanks for calling');
    assert.ok(found);
    assert.deepEqual([found.from, found.to, found.statusCallback], [CALLED, CALLER, null]);
    assert.deepEqual(leg.spoken(), ['Goodbye']);
    assert.deepEqual(fixture.app.hits.map((h) => h.path), ['/voice']);
  });

  it('method="GET" requests the action with a query', async () => {
    fixture.app.documents.set('/voice', '<Response><Sms action="/sent" method="GET">By GET</Sms></Response>');
    await run(new RecordingCallLeg());
    const action = fixture.app.hits.find((h) => h.path === '/sent');
    assert.equal(action?.method, 'GET');
    assert.equal(action.params.SmsStatus, 'sending');
    assert.ok(action.signatureValid);
  });

  it('a caller with no phone number (a SIP user): nothing is queued, action gets SmsStatus=invalid and an empty SmsSid', async () => {
    fixture.app.documents.set('/voice', '<Response><Sms action="/sent">For a SIP user</Sms></Response>');
    const before = (await messages()).length;
    const events = await run(new RecordingCallLeg(), { from: 'sip:alice@example.org' });
    const action = fixture.app.hits.find((h) => h.path === '/sent');
    assert.deepEqual([action?.params.SmsStatus, action?.params.SmsSid], ['invalid', '']);
    assert.equal((await messages()).length, before);
    const warning = events.find((e) => e.type === 'warning' && e.data.code === 14101);
    assert.ok(warning, JSON.stringify(events.filter((e) => e.type === 'warning')));
  });

  it('an empty body is 14103 and sends nothing; the call goes on', async () => {
    fixture.app.documents.set('/voice', '<Response><Sms to="+15550111"> </Sms><Say>Still here</Say></Response>');
    const leg = new RecordingCallLeg();
    const events = await run(leg);
    assert.ok(events.some((e) => e.type === 'warning' && e.data.code === 14103));
    assert.equal((await messages()).filter((m) => m.to === '+15550111').length, 0);
    assert.deepEqual(leg.spoken(), ['Still here']);
  });

  it('without an outbox the verb is skipped with a warning, and the call goes on', async () => {
    fixture.app.documents.set('/voice', '<Response><Sms>hi</Sms><Say>Still here</Say></Response>');
    const leg = new RecordingCallLeg();
    const events = await run(leg, { outbox: false });
    assert.ok(events.some((e) => e.type === 'warning' && /Sms/.test(String(e.data.message))));
    assert.deepEqual(leg.spoken(), ['Still here']);
  });
});
