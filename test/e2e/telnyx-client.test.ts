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
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Telnyx from 'telnyx';
import { checkTraffic } from '../support/openapi-conformance.js';
import { startRecordingProxy, type RecordingProxy } from '../support/recording-proxy.js';
import { runCli, startCli } from '../support/run-cli.js';
import { eventually } from '../support/wait.js';
import { freeUdpPort } from '../support/sipp.js';

interface Hit {
  readonly method: string;
  readonly path: string;
  readonly params: Record<string, string>;
}

const ACCOUNT_SID = `AC${'7c'.repeat(16)}`;
const AUTH_TOKEN = 'f'.repeat(32);
const BASIC = `Basic ${Buffer.from(`${ACCOUNT_SID}:${AUTH_TOKEN}`).toString('base64')}`;
const NUMBERS = { caller: '+15550401', looped: '+15550402' } as const;

describe('official telnyx client: texml.calls.create → dialtone start → loop back', { timeout: 300_000 }, () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dialtone-telnyx-client-'));
  const hits: Hit[] = [];
  const documents = new Map<string, string>([
    ['/texml', '<Response><Pause length="1"/><Hangup/></Response>'],
    ['/override', '<Response><Pause length="1"/><Hangup/></Response>'],
    ['/looped', '<Response><Say>Hello.</Say><Pause length="10"/></Response>'],
  ]);
  let app: Server;
  let appBase = '';
  let base = '';
  let dialtone: Awaited<ReturnType<typeof startCli>> | undefined;
  let client: Telnyx;
  /** Between the client and Dialtone, so what it sent and got can be checked against /openapi.json. */
  let proxy: RecordingProxy | undefined;
  let applicationId = '';
  let secret = '';

  before(async () => {
    app = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const url = new URL(req.url ?? '/', 'http://x');
        const params = Object.fromEntries(new URLSearchParams(req.method === 'GET' ? url.search : body));
        hits.push({ method: req.method ?? '', path: url.pathname, params });
        res.setHeader('content-type', 'text/xml');
        res.end(documents.get(url.pathname) ?? '<Response><Hangup/></Response>');
      });
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    appBase = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    const sipPort = await freeUdpPort();
    // A block of 2,000 RTP ports no other e2e file uses (they run in parallel); 20 of it by pid.
    const rtp = 14000 + (process.pid % 100) * 20;
    const env = {
      DIALTONE_DATA_DIR: dataDir,
      DIALTONE_HTTP_PORT: '0',
      DIALTONE_SIP_PORT: String(sipPort),
      DIALTONE_RTP_PORTS: `${rtp}-${rtp + 19}`,
      DIALTONE_BIND_ADDRESS: '127.0.0.1',
      DIALTONE_LOG_LEVEL: 'warn',
      DIALTONE_ACCOUNT_SID: ACCOUNT_SID,
      DIALTONE_AUTH_TOKEN: AUTH_TOKEN,
    };
    dialtone = await startCli(['start'], /Dialtone is running at (\S+)/, env);
    base = dialtone.match[1]!;
    for (const [name, number] of Object.entries(NUMBERS)) {
      const added = await runCli(['numbers', 'add', number, '--voice-url', `${appBase}/${name}`], { env });
      assert.equal(added.code, 0, added.stderr);
    }
    secret = (await compat<{ secret: string }>('Keys', { FriendlyName: 'telnyx client' })).secret;
    applicationId = (await compat<{ sid: string }>('Applications', { FriendlyName: 'texml', VoiceUrl: `${appBase}/texml`, StatusCallback: `${appBase}/status` })).sid;
    proxy = await startRecordingProxy(base);
    client = new Telnyx({ apiKey: secret, baseURL: `${proxy.base}/v2`, maxRetries: 0 });
  });

  after(async () => {
    await proxy?.close();
    await dialtone?.stop();
    await new Promise<void>((r) => app.close(() => r()));
    rmSync(dataDir, { recursive: true, force: true });
  });

  const output = (): string => `--- requests ---\n${JSON.stringify(hits)}\n--- dialtone start ---\n${dialtone?.output() ?? ''}`;

  async function hit(path: string, where: (h: Hit) => boolean): Promise<Hit> {
    await eventually(() => hits.some((h) => h.path === path && where(h)), `a request to ${path}\n${output()}`, 20_000);
    return hits.find((h) => h.path === path && where(h))!;
  }

  async function compat<T>(resource: string, params: Record<string, string>): Promise<T> {
    const res = await fetch(`${base}/2010-04-01/Accounts/${ACCOUNT_SID}/${resource}.json`, {
      method: 'POST',
      headers: { authorization: BASIC, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(params),
    });
    assert.equal(res.status, 201, await res.clone().text());
    return (await res.json()) as T;
  }

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
    assert.equal(hits.some((h) => h.path === '/texml' && h.params.CallSid === call.call_sid), false);
  });

  it('Texml runs inline instructions instead of fetching any URL for the call', async () => {
    const before = hits.filter((h) => h.path === '/looped').length;
    const call = await client.texml.calls.create(applicationId, {
      From: NUMBERS.caller,
      To: NUMBERS.looped,
      Texml: '<Response><Pause length="1"/><Hangup/></Response>',
    });
    assert.equal(call.status, 'queued');
    await eventually(() => hits.filter((h) => h.path === '/looped').length > before, `the looped number rung\n${output()}`, 20_000);
    const done = await hit('/status', (h) => h.params.CallSid === call.call_sid && h.params.CallStatus === 'completed');
    assert.equal(done.params.Direction, 'outbound-api');
    assert.equal(
      hits.some((h) => h.path !== '/status' && h.params.CallSid === call.call_sid),
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
