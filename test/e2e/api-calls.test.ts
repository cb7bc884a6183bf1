/**
 * Calls placed through the Twilio-compatible REST API, end to end: the official `twilio`
 * client against `dialtone start` (its own process), real SIP peers, and a webhook server
 * standing in for the application. What the user sees is checked:
 *
 * - a call to baresip (auto-answer): 201 queued; the Url is fetched on the answer with
 *   Direction=outbound-api; a live redirect runs the new document; Status=completed hangs
 *   up (baresip gets BYE); the status callbacks arrive in SequenceNumber order;
 * - a call to sipp that rings forever: Status=canceled sends CANCEL (sipp checks it) and
 *   the call ends canceled;
 * - a call to one of our own numbers loops back into Dialtone and runs that number's
 *   application; `<Record>` on the API call (inline Twiml) records its tone, and the
 *   recording is listed under the call and its audio fetched and heard;
 * - paging through calls, and Twilio's codes for a bad To, a From not ours, a number with
 *   no route and a missing Url.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { assertHeardTone, readPcm, sine, wavBytes } from '../support/audio.js';
import { Baresip, baresipSkip } from '../support/baresip.js';
import { Dialtone } from '../support/dialtone.js';
import { eventually } from '../support/wait.js';
import { freeUdpPort, sippScenario, sippSkip, startSipp, waitForUdpBind } from '../support/sipp.js';
import { startWebApp, type Hit, type WebApp } from '../support/web-app.js';

delete process.env.TWILIO_REGION;
delete process.env.TWILIO_EDGE;

const ACCOUNT_SID = `AC${'5a'.repeat(16)}`;
const AUTH_TOKEN = 'f'.repeat(32);

describe('REST API calls (twilio client → dialtone start → SIP peers)', { timeout: 600_000 }, () => {
  let app: WebApp;
  let appBase = '';
  let dialtone: Dialtone | undefined;
  let client: twilio.Twilio;
  const tone = wavBytes(sine(1000, 20, 0.5));
  const NUMBERS = { caller: '+15550201', looped: '+15550202', inbound: '+15550203' } as const;

  before(async () => {
    app = await startWebApp();
    appBase = app.base;
    app.wavs.set('/tone.wav', tone);
    dialtone = await Dialtone.prepare({
      name: 'api-calls',
      rtpBase: 46000,
      env: { DIALTONE_ACCOUNT_SID: ACCOUNT_SID, DIALTONE_AUTH_TOKEN: AUTH_TOKEN },
    });
    const [, apiBase] = await dialtone.start(/Dialtone is running at (\S+)/);
    for (const [name, number] of Object.entries(NUMBERS)) await dialtone.addNumber(number, `${appBase}/${name}`);
    client = twilio(ACCOUNT_SID, AUTH_TOKEN);
    client.api.baseUrl = apiBase!;
  });

  after(async () => {
    await dialtone?.stop();
    await app?.close();
  });

  const output = (): string => `--- dialtone start ---\n${dialtone?.output() ?? ''}`;

  function hit(path: string, context: () => string = output, where: (h: Hit) => boolean = () => true): Promise<Hit> {
    return app.hit(path, { where, context });
  }

  async function finalStatus(sid: string): Promise<string> {
    let status = '';
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline) {
      status = (await client.calls(sid).fetch()).status;
      if (!['queued', 'ringing', 'in-progress'].includes(status)) return status;
      await new Promise((r) => setTimeout(r, 200));
    }
    return status;
  }

  it('rings baresip, runs the Url on the answer, redirects while live, hangs up with Status=completed; callbacks in order', { skip: baresipSkip }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dialtone-api-baresip-'));
    const source = join(dir, 'tone.wav');
    writeFileSync(source, tone);
    const baresip = await Baresip.start({ audioSource: source, killAfterMs: 90_000 });
    const context = (): string => `${output()}\n--- baresip ---\n${baresip.log}`;
    try {
      app.documents.set('/first', '<Response><Say>Hello from the API.</Say><Pause length="60"/></Response>');
      app.documents.set('/second', `<Response><Play loop="0">${appBase}/tone.wav</Play></Response>`);
      const created = await client.calls.create({
        to: baresip.uri,
        from: NUMBERS.caller,
        url: `${appBase}/first`,
        statusCallback: `${appBase}/status`,
        statusCallbackEvent: ['initiated', 'ringing', 'answered', 'completed'],
      });
      assert.equal(created.status, 'queued');
      assert.equal(created.direction, 'outbound-api');
      assert.equal(created.to, baresip.uri);
      assert.equal(created.from, NUMBERS.caller);
      assert.match(created.sid, /^CA[0-9a-f]{32}$/);

      const first = await hit('/first', context, (h) => h.params.CallSid === created.sid);
      assert.equal(first.params.Direction, 'outbound-api');
      assert.equal(first.params.CallStatus, 'in-progress');
      await baresip.waitForEvent('CALL_ESTABLISHED', 10_000);
      assert.equal((await client.calls(created.sid).fetch()).status, 'in-progress');

      const redirected = await client.calls(created.sid).update({ url: `${appBase}/second`, method: 'POST' });
      assert.equal(redirected.status, 'in-progress');
      const second = await hit('/second', context, (h) => h.params.CallSid === created.sid);
      assert.equal(second.params.CallStatus, 'in-progress');

      const ended = await client.calls(created.sid).update({ status: 'completed' });
      assert.equal(ended.status, 'completed', context());
      await baresip.waitForEvent('CALL_CLOSED', 10_000);

      await eventually(() => app.hits.filter((h) => h.path === '/status' && h.params.CallSid === created.sid).length >= 3 && app.hits.some((h) => h.path === '/status' && h.params.CallStatus === 'completed'), `status callbacks\n${context()}`, 20_000);
      const callbacks = app.hits.filter((h) => h.path === '/status' && h.params.CallSid === created.sid).sort((a, b) => Number(a.params.SequenceNumber) - Number(b.params.SequenceNumber));
      const statuses = callbacks.map((h) => h.params.CallStatus);
      // baresip answering at once may send no 180: ringing is there only when it rang.
      assert.deepEqual(statuses.filter((s) => s !== 'ringing'), ['initiated', 'in-progress', 'completed'], JSON.stringify(callbacks.map((h) => h.params)));
      assert.deepEqual(callbacks.map((h) => Number(h.params.SequenceNumber)), callbacks.map((_h, i) => i));
      const final = callbacks.at(-1)!.params;
      assert.equal(final.Direction, 'outbound-api');
      assert.ok(Number(final.CallDuration) >= 0);
      assert.equal(final.CallbackSource, 'call-progress-events');
    } finally {
      await baresip.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('cancels a ringing call with Status=canceled: sipp gets the CANCEL, the call ends canceled', { skip: sippSkip }, async () => {
    const port = await freeUdpPort();
    const sipp = startSipp({ scenario: { file: sippScenario('uas-ring-expect-cancel.xml') }, port, timeoutSec: 30 });
    await waitForUdpBind(port);
    const created = await client.calls.create({ to: `sip:bob@127.0.0.1:${port}`, from: NUMBERS.caller, twiml: '<Response><Say>Never heard.</Say></Response>' });
    let seen = '';
    await eventually(async () => (seen = (await client.calls(created.sid).fetch()).status) === 'ringing', () => `the call rings; last status ${seen}\n${output()}`, 15_000, 100);
    const cancelled = await client.calls(created.sid).update({ status: 'canceled' });
    const run = await sipp.done;
    assert.equal(run.code, 0, `sipp did not get its CANCEL\n${run.report}\n${output()}`);
    assert.equal(cancelled.status, 'canceled');
    assert.equal(await finalStatus(created.sid), 'canceled');
    await assert.rejects(client.calls(created.sid).update({ url: `${appBase}/second` }), (e: { status: number; code: number }) => e.status === 400 && e.code === 21220);
  });

  it('a call to our own number loops back into its application; <Record> on the API call keeps its tone, fetched as audio', async (t) => {
    app.documents.set('/looped', `<Response><Play loop="0">${appBase}/tone.wav</Play></Response>`);
    const created = await client.calls.create({
      to: NUMBERS.looped,
      from: NUMBERS.caller,
      twiml: `<Response><Pause length="1"/><Record maxLength="3" playBeep="false" timeout="0" action="${appBase}/recorded"/></Response>`,
    });
    assert.equal(created.to, NUMBERS.looped);
    assert.equal(created.phoneNumberSid?.startsWith('PN'), true);
    const looped = await hit('/looped');
    assert.equal(looped.params.To, NUMBERS.looped);
    assert.equal(looped.params.From, NUMBERS.caller);
    assert.equal(looped.params.Direction, 'inbound');
    const recorded = await hit('/recorded', output, (h) => h.params.CallSid === created.sid);
    assert.match(recorded.params.RecordingUrl ?? '', /\/Recordings\/RE[0-9a-f]{32}$/);
    assert.equal(await finalStatus(created.sid), 'completed');

    let recordings: Awaited<ReturnType<ReturnType<typeof client.calls>['recordings']['list']>> = [];
    for (let i = 0; i < 50 && !(recordings.length === 1 && recordings[0]!.status === 'completed'); i++) {
      recordings = await client.calls(created.sid).recordings.list();
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(recordings.length, 1, output());
    const recording = recordings[0]!;
    assert.equal(recording.status, 'completed');
    assert.equal(recording.source, 'RecordVerb');
    const resource = await client.recordings(recording.sid).fetch();
    assert.equal(resource.callSid, created.sid);
    assert.equal(resource.mediaUrl, recorded.params.RecordingUrl);
    const res = await fetch(`${resource.mediaUrl}.wav`);
    assert.equal(res.status, 200);
    const dir = mkdtempSync(join(tmpdir(), 'dialtone-api-rec-'));
    try {
      const file = join(dir, 'rec.wav');
      writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      t.diagnostic(assertHeardTone(readPcm(file), 2, output()));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('hangs up an inbound call with Status=completed: the caller gets BYE', async () => {
    app.documents.set('/inbound', '<Response><Say>Hold on.</Say><Pause length="60"/></Response>');
    const calling = dialtone!.call(NUMBERS.inbound);
    const first = await hit('/inbound');
    const ended = await client.calls(first.params.CallSid!).update({ status: 'completed' });
    assert.equal(ended.status, 'completed');
    const run = await calling;
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}\n${output()}`);
    assert.deepEqual((JSON.parse(run.stdout) as { ended: unknown }).ended, { by: 'remote', reason: 'remote-bye' });
  });

  it('pages through calls and answers Twilio’s codes for bad requests', async () => {
    const all = await client.calls.list();
    assert.ok(all.length >= 2);
    const page = await client.calls.page({ pageSize: 1 });
    assert.equal(page.instances.length, 1);
    const next = await page.nextPage();
    assert.equal(next?.instances.length, 1);
    assert.notEqual(next?.instances[0]?.sid, page.instances[0]?.sid);
    const outbound = await client.calls.list({ from: NUMBERS.caller });
    assert.ok(outbound.length > 0, 'the calls placed from the caller are listed');
    assert.ok(outbound.every((c) => c.from === NUMBERS.caller));

    const code = async (params: Record<string, string>): Promise<number | undefined> => {
      try {
        await client.calls.create(params as unknown as Parameters<typeof client.calls.create>[0]);
      } catch (e) {
        return (e as { code?: number }).code;
      }
      return undefined;
    };
    assert.equal(await code({ to: 'not a number', from: NUMBERS.caller, url: `${appBase}/x` }), 21211);
    assert.equal(await code({ to: '+15550299', from: '+15550298', url: `${appBase}/x` }), 21210);
    assert.equal(await code({ to: '+15550299', from: NUMBERS.caller, url: `${appBase}/x` }), 21215);
    assert.equal(await code({ to: NUMBERS.looped, from: NUMBERS.caller }), 21205);
  });
});
