/**
 * Redirecting a live inbound call through the REST API, end to end: `dialtone call` (a
 * process of its own, recording what it hears) calls one of our numbers whose document
 * loops a 500 Hz tone or pauses for a minute; the official `twilio` client updates the call
 * and what the user sees is checked:
 *
 * - with Twiml: the loop stops and the new document's 1000 Hz tone is what the caller hears
 *   last; the document's end hangs up (the caller gets BYE) and the call is completed;
 * - with Url: the application gets the new request (POST, the call's SID, in-progress) and
 *   its document runs to its end;
 * - a call still ringing (its first verb, a <Pause>, delays the answer) is redirected to a
 *   document that answers; Status=completed then hangs it up (BYE); a finished call
 *   cannot be redirected (21220);
 * - a recording made on a call (an API call looped into the number, `<Record>` hearing
 *   its tone) fetched at RecordingUrl + `.mp3`: audio/mpeg that sox decodes to the tone,
 *   as long as the `.wav` give or take the MP3 encoder's priming and padding.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { assertHeardTone, goertzel, readPcm, sine, SOX, wavBytes } from '../support/audio.js';
import { Dialtone, type ShownCall } from '../support/dialtone.js';
import { startWebApp, type WebApp } from '../support/web-app.js';
import type { CliRun } from '../support/run-cli.js';

delete process.env.TWILIO_REGION;
delete process.env.TWILIO_EDGE;

const ACCOUNT_SID = `AC${'6b'.repeat(16)}`;
const AUTH_TOKEN = 'e'.repeat(32);

describe('live inbound calls redirected and hung up, recordings as MP3 (dialtone call → dialtone start ← twilio client)', { timeout: 300_000 }, () => {
  let app: WebApp;
  let dialtone: Dialtone | undefined;
  let client: twilio.Twilio;
  let dir = '';
  const NUMBER = '+15550601';
  const CALLER = '+15550602';

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'dialtone-redirect-'));
    app = await startWebApp();
    app.wavs.set('/hold.wav', wavBytes(sine(500, 1, 0.5)));
    app.wavs.set('/tone.wav', wavBytes(sine(1000, 2, 0.5)));
    dialtone = await Dialtone.prepare({ name: 'redirect', rtpBase: 60000, env: { DIALTONE_ACCOUNT_SID: ACCOUNT_SID, DIALTONE_AUTH_TOKEN: AUTH_TOKEN } });
    const [, apiBase] = await dialtone.start(/Dialtone is running at (\S+)/);
    await dialtone.addNumber(NUMBER, `${app.base}/inbound`);
    await dialtone.addNumber(CALLER, `${app.base}/caller`);
    client = twilio(ACCOUNT_SID, AUTH_TOKEN);
    client.api.baseUrl = apiBase!;
  });

  after(async () => {
    await dialtone?.stop();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const output = (): string => `--- dialtone start ---\n${dialtone?.output() ?? ''}`;

  /** Calls the number, recording to `name`.wav; resolves with the CallSid the application saw first. */
  async function callIn(name: string): Promise<{ sid: string; calling: Promise<CliRun>; recording: string }> {
    const recording = join(dir, `${name}.wav`);
    const before = app.hits.length;
    const calling = dialtone!.call(NUMBER, ['--record', recording]);
    const first = await app.hit('/inbound', { where: (h) => app.hits.indexOf(h) >= before, context: output });
    // Let the first document's verb start (it loops or pauses for a minute; any moment will do).
    await new Promise((r) => setTimeout(r, 1500));
    return { sid: first.params.CallSid!, calling, recording };
  }

  async function endedByBye(calling: Promise<CliRun>): Promise<void> {
    const run = await calling;
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}\n${output()}`);
    assert.deepEqual((JSON.parse(run.stdout) as { ended: unknown }).ended, { by: 'remote', reason: 'remote-bye' });
  }

  async function finalStatus(sid: string): Promise<string> {
    let status = '';
    for (let i = 0; i < 100; i++) {
      status = (await client.calls(sid).fetch()).status;
      if (!['queued', 'ringing', 'in-progress'].includes(status)) return status;
      await new Promise((r) => setTimeout(r, 200));
    }
    return status;
  }

  it('runs inline Twiml in place of the running <Play loop>: the caller hears the new tone, then BYE', async (t) => {
    app.documents.set('/inbound', `<Response><Play loop="0">${app.base}/hold.wav</Play></Response>`);
    const { sid, calling, recording } = await callIn('twiml');
    const updated = await client.calls(sid).update({ twiml: `<Response><Play>${app.base}/tone.wav</Play></Response>` });
    assert.equal(updated.status, 'in-progress');
    await endedByBye(calling);
    const pcm = readPcm(recording);
    // The hold tone was playing before the redirect: the first document did run.
    assert.ok(goertzel(pcm, 500, 0, Math.min(pcm.length, 8000)) > goertzel(pcm, 1000, 0, Math.min(pcm.length, 8000)), output());
    t.diagnostic(assertHeardTone(pcm, 1.5, output(), 1000, [440, 500, 1500, 2000]));
    assert.equal(await finalStatus(sid), 'completed');
    const shown = await dialtone!.showCall<ShownCall>(sid);
    assert.ok(shown.timeline.some((e) => e.type === 'api' && e.data.event === 'redirect' && e.data.inline === true), JSON.stringify(shown.timeline));
    assert.ok(shown.timeline.some((e) => e.type === 'document-end'), 'the new document ran to its end');
  });

  it('fetches the Url the call is redirected to and runs its document to the end', async (t) => {
    app.documents.set('/inbound', '<Response><Say>One moment.</Say><Pause length="60"/></Response>');
    app.documents.set('/second', `<Response><Play>${app.base}/tone.wav</Play></Response>`);
    const { sid, calling, recording } = await callIn('url');
    await client.calls(sid).update({ url: `${app.base}/second`, method: 'POST' });
    const second = await app.hit('/second', { where: (h) => h.params.CallSid === sid, context: output });
    assert.equal(second.method, 'POST');
    assert.equal(second.params.CallStatus, 'in-progress');
    assert.equal(second.params.Direction, 'inbound');
    await endedByBye(calling);
    t.diagnostic(assertHeardTone(readPcm(recording), 1.5, output()));
    assert.equal(await finalStatus(sid), 'completed');
  });

  it('redirects a call still ringing (a first <Pause> delays the answer), hangs it up with Status=completed; a finished call cannot be redirected', async () => {
    app.documents.set('/inbound', '<Response><Pause length="60"/></Response>');
    const { sid, calling } = await callIn('completed');
    await client.calls(sid).update({ twiml: '<Response><Say>Still here.</Say><Pause length="60"/></Response>' });
    await new Promise((r) => setTimeout(r, 500));
    const ended = await client.calls(sid).update({ status: 'completed' });
    assert.equal(ended.status, 'completed');
    await endedByBye(calling);
    await assert.rejects(client.calls(sid).update({ twiml: '<Response><Hangup/></Response>' }), (e: { status: number; code: number }) => e.status === 400 && e.code === 21220);
  });

  it('serves a call’s recording as MP3 at RecordingUrl.mp3: sox hears its tone', async (t) => {
    app.documents.set('/inbound', `<Response><Play loop="0">${app.base}/tone.wav</Play></Response>`);
    const created = await client.calls.create({
      to: NUMBER,
      from: CALLER,
      twiml: `<Response><Pause length="1"/><Record maxLength="3" playBeep="false" timeout="0" action="${app.base}/recorded"/></Response>`,
    });
    const recorded = await app.hit('/recorded', { where: (h) => h.params.CallSid === created.sid, context: output });
    const mediaUrl = recorded.params.RecordingUrl!;
    assert.match(mediaUrl, /\/Recordings\/RE[0-9a-f]{32}$/);
    assert.equal(await finalStatus(created.sid), 'completed');
    const decoded: Record<'wav' | 'mp3', { samples: number; pcm: Int16Array }> = { wav: { samples: 0, pcm: new Int16Array() }, mp3: { samples: 0, pcm: new Int16Array() } };
    for (const extension of ['wav', 'mp3'] as const) {
      const res = await fetch(`${mediaUrl}.${extension}`);
      assert.equal(res.status, 200, `${extension}: ${await res.clone().text()}`);
      assert.equal(res.headers.get('content-type'), extension === 'mp3' ? 'audio/mpeg' : 'audio/x-wav');
      const file = join(dir, `recording.${extension}`);
      writeFileSync(file, Buffer.from(await res.arrayBuffer()));
      const out = join(dir, `recording-${extension}.wav`);
      const run = spawnSync(SOX, [file, '-b', '16', '-c', '1', out], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      const pcm = readPcm(out);
      decoded[extension] = { samples: pcm.length, pcm };
    }
    t.diagnostic(assertHeardTone(decoded.mp3.pcm, 1, output()));
    // sox is not a gapless decoder: the MP3 runs longer by the encoder's priming and padding and its Info frame (4 frames of 72 ms at most).
    const extra = decoded.mp3.samples - decoded.wav.samples;
    assert.ok(extra >= 0 && extra <= 4 * 576, `MP3 ${decoded.mp3.samples} samples, WAV ${decoded.wav.samples}`);
  });
});
