/**
 * The official `telnyx` npm client against `dialtone start` (its own process): the key's
 * secret is the client's `apiKey`, and `baseURL` is Dialtone's `/v2`, as the client's own
 * default is `https://api.telnyx.com/v2`. `client.texml.calls.create(application, {From, To})`
 * posts to `POST /v2/texml/calls/{application}`; each call goes to one of our own numbers,
 * so it loops back into Dialtone over SIP and really rings, is answered and runs both
 * ends' documents. What the client answers is what Telnyx documents for that operation:
 * a flat `{call_sid, from, to, status: "queued"}`; failures are the client's own error
 * classes carrying Telnyx's `{errors:[{code,title,detail}]}`.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import Telnyx from 'telnyx';
import { createCompatResource, Dialtone } from '../support/dialtone.js';
import { checkTraffic } from '../support/openapi-conformance.js';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy.js';
import { eventually } from '../support/wait.js';
import { startWebApp, type Hit, type WebApp } from '../support/web-app.js';

const ACCOUNT_SID = `AC${'7c'.repeat(16)}`;
const AUTH_TOKEN = 'f'.repeat(32);
const BASIC = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
const NUMBERS = { caller: '+15550401', looped: '+15550402' } as const;

describe('official telnyx client: texml.calls.create → dialtone start → loop back', { timeout: 300_000 }, () => {
  const DOCUMENTS = {
    '/texml': '<Response><Pause length="1"/><Hangup/></Response>',
    '/override': '<Response><Pause length="1"/><Hangup/></Response>',
    '/looped': '<Response><Say>Hello.</Say><Pause length="10"/></Response>',
  };
  let app: WebApp;
  let appBase = '';
  let base = '';
  let dialtone: Dialtone | undefined;
  let client: Telnyx;
  /** Between the client and Dialtone, so what it sent and got can be checked against /openapi.json. */
  let proxy: RecordingProxy | undefined;
  let applicationId = '';
  let secret = '';

  before(async () => {
    app = await startWebApp();
    appBase = app.base;
    for (const [path, document] of Object.entries(DOCUMENTS)) app.documents.set(path, document);
    dialtone = await Dialtone.prepare({
      name: 'telnyx-client',
      rtpBase: 14000,
      env: { DIALTONE_ACCOUNT_SID: ACCOUNT_SID, DIALTONE_AUTH_TOKEN: AUTH_TOKEN },
    });
    base = (await dialtone.start(/Dialtone is running at (\S+)/))[1]!;
    for (const [name, number] of Object.entries(NUMBERS)) await dialtone.addNumber(number, `${appBase}/${name}`);
    secret = (await compat<{ secret: string }>('Keys', { FriendlyName: 'telnyx client' })).secret;
    applicationId = (await compat<{ sid: string }>('Applications', { FriendlyName: 'texml', VoiceUrl: `${appBase}/texml`, StatusCallback: `${appBase}/status` })).sid;
    proxy = await startRecordingProxy(base);
    client = new Telnyx({ apiKey: secret, baseURL: `${proxy.base}/v2`, maxRetries: 0 });
  });

  after(async () => {
    await proxy?.close();
    await dialtone?.stop();
    await app?.close();
  });

  const output = (): string => `--- requests ---\n${JSON.stringify(app.hits)}\n--- dialtone start ---\n${dialtone?.output() ?? ''}`;

  const hit = (path: string, where: (h: Hit) => boolean): Promise<Hit> => app.hit(path, { where, context: output });
  const compat = <T>(resource: string, params: Record<string, string>): Promise<T> => createCompatResource<T>(base, ACCOUNT_SID, AUTH_TOKEN, resource, params);

  /** The call as the compatible API records it, once it has ended. */
  async function finished(sid: string): Promise<{ status: string; direction: string }> {
    let call: { status: string; direction: string } = { status: '', direction: '' };
    const ended = new Set(['completed', 'failed', 'busy', 'no-answer', 'canceled']);
    const deadline = Date.now() + 30_000;
    while (!ended.has(call.status)) {
      if (Date.now() > deadline) assert.fail(`call ${sid} did not end: ${JSON.stringify(call)}\n${output()}`);
      await new Promise((r) => setTimeout(r, 100));
      const res = await fetch(`${base}/2010-04-01/Accounts/${ACCOUNT_SID}/Calls/${sid}.json`, { headers: { authorization: BASIC } });
      call = (await res.json()) as typeof call;
    }
    return call;
  }

  it('create answers the flat call Telnyx documents, and the call fetches the application’s URL and reaches the number', async () => {
    const call = await client.texml.calls.create(applicationId, { From: NUMBERS.caller, To: NUMBERS.looped });
    assert.deepEqual(Object.keys(call).sort(), ['call_sid', 'from', 'status', 'to']);
    assert.match(call.call_sid, /^CA[0-9a-f]{32}$/);
    assert.deepEqual({ from: call.from, to: call.to, status: call.status }, { from: NUMBERS.caller, to: NUMBERS.looped, status: 'queued' });

    const fetched = await hit('/texml', (h) => h.params.CallSid === call.call_sid);
    assert.equal(fetched.params.Direction, 'outbound-api');
    assert.equal(fetched.params.CallStatus, 'in-progress');
    const looped = await hit('/looped', (h) => h.params.From === NUMBERS.caller);
    assert.equal(looped.params.Direction, 'inbound');
    assert.equal(looped.params.To, NUMBERS.looped);
    // Answered, then hung up by the application's <Hangup/>: completed, not failed or no-answer.
    assert.equal((await finished(call.call_sid)).status, 'completed');
  });

  it('Url (with Method) overrides the application’s URL; its status callback still applies', async () => {
    const call = await client.texml.calls.create(applicationId, { From: NUMBERS.caller, To: NUMBERS.looped, Url: `${appBase}/override`, Method: 'GET' });
    const fetched = await hit('/override', (h) => h.params.CallSid === call.call_sid);
    assert.equal(fetched.method, 'GET');
    assert.equal((await finished(call.call_sid)).status, 'completed');
    // Only the instructions are overridden: the application's status callback still hears the call end.
    await hit('/status', (h) => h.params.CallSid === call.call_sid && h.params.CallStatus === 'completed');
    assert.equal(app.hits.some((h) => h.path === '/texml' && h.params.CallSid === call.call_sid), false);
  });

  it('Texml runs inline instructions instead of fetching any URL for the call', async () => {
    const before = app.hits.filter((h) => h.path === '/looped').length;
    const call = await client.texml.calls.create(applicationId, {
      From: NUMBERS.caller,
      To: NUMBERS.looped,
      Texml: '<Response><Pause length="1"/><Hangup/></Response>',
    });
    assert.equal(call.status, 'queued');
    await eventually(() => app.hits.filter((h) => h.path === '/looped').length > before, `the looped number rung\n${output()}`, 20_000);
    const done = await hit('/status', (h) => h.params.CallSid === call.call_sid && h.params.CallStatus === 'completed');
    assert.equal(done.params.Direction, 'outbound-api');
    assert.equal(
      app.hits.some((h) => h.path !== '/status' && h.params.CallSid === call.call_sid),
      false,
      'no document was fetched for the outbound leg',
    );
  });

  it('failures are the client’s error classes with Telnyx’s error body', async () => {
    const wrongKey = new Telnyx({ apiKey: `${secret}x`, baseURL: `${proxy!.base}/v2`, maxRetries: 0 });
    await assert.rejects(wrongKey.texml.calls.create(applicationId, { From: NUMBERS.caller, To: NUMBERS.looped }), (err: unknown) => {
      assert.ok(err instanceof Telnyx.AuthenticationError, String(err));
      assert.equal(err.status, 401);
      const body = err.error as { errors: { code: string; title: string; detail: string }[] };
      assert.equal(body.errors[0]!.title, 'Authentication failed');
      return true;
    });

    await assert.rejects(client.texml.calls.create(applicationId, { From: NUMBERS.caller, To: 'not a number' }), (err: unknown) => {
      assert.ok(err instanceof Telnyx.BadRequestError, String(err));
      assert.deepEqual((err.error as { errors: { code: string }[] }).errors.map((e) => e.code), ['21211']);
      return true;
    });

    await assert.rejects(client.texml.calls.create(`AP${'0'.repeat(32)}`, { From: NUMBERS.caller, To: NUMBERS.looped }), (err: unknown) => {
      assert.ok(err instanceof Telnyx.BadRequestError, String(err));
      const body = err.error as { errors: { code: string; detail: string }[] };
      assert.equal(body.errors[0]!.code, '21218');
      assert.match(body.errors[0]!.detail, /AP0{32}/);
      return true;
    });
  });

  it('every request the client made and every answer it got kept to /openapi.json', async () => {
    const result = await checkTraffic(base, proxy!.exchanges);
    assert.deepEqual(result.problems, []);
    assert.deepEqual(result.undocumented.map((e) => `${e.method} ${e.url}`), []);
    assert.ok(result.checked >= 6, `${result.checked} exchanges checked`);
  });
});
