/**
 * Telnyx's and Apifonica's ways to start a call, end to end against `dialtone start` (its
 * own process), with plain `fetch` as the client (the official `telnyx` client is not a
 * dependency yet). Each call goes to one of our own numbers, so it loops back into
 * Dialtone and really rings, is answered and runs both ends' documents:
 *
 * - Telnyx `POST /v2/texml/calls/{application}` with `Authorization: Bearer <key secret>`
 *   answers a flat `{call_sid,from,to,status:"queued"}`, and the application's voice URL is fetched for the
 *   outbound leg while the looped number's URL runs the inbound one; a wrong bearer is a 401
 *   in Telnyx's `{errors:[{code,title,detail}]}`, and so is an unknown application (404-ish
 *   codes stay the compatible API's, in Telnyx's shape);
 * - Apifonica `POST /v2/accounts/{sid}/calls` with Basic auth and `{from,to,events,call_app_sid}`
 *   runs the application as an Apifonica controller (snake_case `call_sid`, `direction`),
 *   and `events: "all"` posts the call-progress events to that controller; its
 *   `<sendMessage>` queues a message as on an inbound call.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createCompatResource, Dialtone } from '../support/dialtone.js';
import { startWebApp, type Hit, type WebApp } from '../support/web-app.js';

const ACCOUNT_SID = `AC${'6b'.repeat(16)}`;
const AUTH_TOKEN = 'e'.repeat(32);
const BASIC = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;

describe('Telnyx and Apifonica make-call (fetch → dialtone start → loop back)', { timeout: 300_000 }, () => {
  let app: WebApp;
  let appBase = '';
  let base = '';
  let dialtone: Dialtone | undefined;
  const NUMBERS = { caller: '+15550301', looped: '+15550302' } as const;

  before(async () => {
    app = await startWebApp();
    appBase = app.base;
    dialtone = await Dialtone.prepare({
      name: 'waysin',
      rtpBase: 58000,
      env: { DIALTONE_ACCOUNT_SID: ACCOUNT_SID, DIALTONE_AUTH_TOKEN: AUTH_TOKEN },
    });
    base = (await dialtone.start(/Dialtone is running at (\S+)/))[1]!;
    for (const [name, number] of Object.entries(NUMBERS)) await dialtone.addNumber(number, `${appBase}/${name}`);
  });

  after(async () => {
    await dialtone?.stop();
    await app?.close();
  });

  const output = (): string => `--- requests ---\n${JSON.stringify(app.hits)}\n--- dialtone start ---\n${dialtone?.output() ?? ''}`;

  function hit(path: string, where: (h: Hit) => boolean = () => true): Promise<Hit> {
    return app.hit(path, { where, context: output });
  }

  const compat = <T>(resource: string, params: Record<string, string>): Promise<T> => createCompatResource<T>(base, ACCOUNT_SID, AUTH_TOKEN, resource, params);

  it('Telnyx: a Bearer key starts a call that fetches the application’s voice URL; a wrong bearer is 401 in Telnyx’s shape', async () => {
    app.documents.set('/texml', '<Response><Pause length="1"/><Hangup/></Response>');
    app.documents.set('/looped', '<Response><Say>Hello.</Say><Pause length="10"/></Response>');
    const key = await compat<{ sid: string; secret: string }>('Keys', { FriendlyName: 'telnyx' });
    const application = await compat<{ sid: string }>('Applications', { FriendlyName: 'texml', VoiceUrl: `${appBase}/texml` });

    const res = await fetch(`${base}/v2/texml/calls/${application.sid}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/json' },
      body: JSON.stringify({ To: NUMBERS.looped, From: NUMBERS.caller }),
    });
    const created = (await res.json()) as { call_sid: string; from: string; to: string; status: string };
    assert.equal(res.status, 200, JSON.stringify(created));
    assert.deepEqual({ from: created.from, to: created.to, status: created.status }, { from: NUMBERS.caller, to: NUMBERS.looped, status: 'queued' });

    const fetched = await hit('/texml', (h) => h.params.CallSid === created.call_sid);
    assert.equal(fetched.params.Direction, 'outbound-api');
    assert.equal(fetched.params.To, NUMBERS.looped);
    const looped = await hit('/looped');
    assert.equal(looped.params.Direction, 'inbound');
    assert.equal(looped.params.From, NUMBERS.caller);

    // Form-encoded works too (the seed's curl); a wrong bearer and no bearer are 401s.
    const form = await fetch(`${base}/v2/texml/calls/${application.sid}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.secret}x`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: NUMBERS.looped, From: NUMBERS.caller }),
    });
    assert.equal(form.status, 401);
    const denied = (await form.json()) as { errors: { code: string; title: string; detail: string }[] };
    assert.equal(denied.errors.length, 1);
    assert.equal(typeof denied.errors[0]!.code, 'string');
    assert.equal(denied.errors[0]!.title, 'Authentication failed');
    assert.ok(denied.errors[0]!.detail.length > 0);
    const none = await fetch(`${base}/v2/texml/calls/${application.sid}`, { method: 'POST', body: new URLSearchParams({ To: NUMBERS.looped }) });
    assert.equal(none.status, 401);

    const bad = await fetch(`${base}/v2/texml/calls/${application.sid}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key.secret}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ To: 'not a number', From: NUMBERS.caller }),
    });
    assert.equal(bad.status, 400);
    assert.deepEqual(((await bad.json()) as { errors: { code: string }[] }).errors.map((e) => e.code), ['21211']);
  });

  it('Apifonica: Basic auth and {from,to,events,call_app_sid} run the application as an Apifonica controller, events posted to it', async () => {
    app.documents.set('/controller', '<response><sendMessage to="+15550399" text="Sent from an API-placed call."/><wait length="1"/><endCall/></response>');
    app.documents.set('/looped', '<Response><Say>Hello.</Say><Pause length="10"/></Response>');
    const application = await compat<{ sid: string }>('Applications', { FriendlyName: 'apifonica', VoiceUrl: `${appBase}/controller` });
    const res = await fetch(`${base}/v2/accounts/${ACCOUNT_SID}/calls`, {
      method: 'POST',
      headers: { authorization: BASIC, 'content-type': 'application/json' },
      body: JSON.stringify({ from: NUMBERS.caller, to: NUMBERS.looped, events: 'all', call_app_sid: application.sid }),
    });
    const created = (await res.json()) as Record<string, string>;
    assert.equal(res.status, 201, JSON.stringify(created));
    assert.match(created.call_sid ?? '', /^CA[0-9a-f]{32}$/);
    assert.equal(created.call_app_sid, application.sid);

    const controller = await hit('/controller', (h) => h.params.call_sid === created.call_sid && h.params.direction === 'outbound-api' && !('sequence_number' in h.params));
    assert.equal(controller.params.to, NUMBERS.looped);
    assert.equal(controller.params.from, NUMBERS.caller);
    assert.equal(controller.params.CallSid, undefined);
    // The progress events reach the controller too, ending with the completed call.
    const done = await hit('/controller', (h) => h.params.call_sid === created.call_sid && h.params.status === 'completed' && h.params.callback_source === 'call-progress-events');
    assert.equal(done.params.CallStatus, undefined);
    // <sendMessage> runs on API-placed calls as on inbound ones: the message is queued, from the number called.
    const messages = await fetch(`${base}/2010-04-01/Accounts/${ACCOUNT_SID}/Messages.json`, { headers: { authorization: BASIC } });
    const sent = ((await messages.json()) as { messages: { body: string; direction: string; from: string; to: string }[] }).messages.find((m) => m.body === 'Sent from an API-placed call.');
    assert.ok(sent, output());
    assert.equal(sent.direction, 'outbound-call');
    assert.equal(sent.from, NUMBERS.looped);
    assert.equal(sent.to, '+15550399');

    const wrong = await fetch(`${base}/v2/accounts/${ACCOUNT_SID}/calls`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${ACCOUNT_SID}:nope`).toString('base64')}`, 'content-type': 'application/json' },
      body: JSON.stringify({ from: NUMBERS.caller, to: NUMBERS.looped, call_app_sid: application.sid }),
    });
    assert.equal(wrong.status, 401);
    const missing = await fetch(`${base}/v2/accounts/${ACCOUNT_SID}/calls`, {
      method: 'POST',
      headers: { authorization: BASIC, 'content-type': 'application/json' },
      body: JSON.stringify({ from: NUMBERS.caller, to: NUMBERS.looped }),
    });
    assert.equal(missing.status, 400);
    assert.match(((await missing.json()) as { message: string }).message, /call_app_sid/);
  });
});
