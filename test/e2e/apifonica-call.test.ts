/**
 * Apifonica applications on real SIP calls: `dialtone call` (our softphone, a process)
 * calls a running `dialtone start` whose numbers are `--dialect apifonica` and point at a
 * web application in this test. Asserts what the controller received (snake_case
 * parameters), what the caller heard (tones in the recording, measured by Goertzel power
 * and silence), and how the call ended (SIP status, BYE).
 *
 * Needs no external binary: both ends are ours.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { CallReport } from '../../src/cli/commands/call.js';
import { RATE, readPcm, rms, sine, wavBytes } from '../support/audio.js';
import { Dialtone, type ShownCall } from '../support/dialtone.js';
import { startWebApp, type WebApp } from '../support/web-app.js';

const FRAME = RATE / 50;

/** A WAV of a sine at `hz` for `seconds`, 8 kHz 16-bit mono, as an application would serve. */
function toneWav(hz: number, seconds: number): Buffer {
  return wavBytes(sine(hz, seconds, 0.5));
}

/** Goertzel power of `hz` in one 20 ms frame, relative to the frame's energy (1 = a pure tone). */
function toneShare(pcm: Int16Array, from: number, hz: number): number {
  const k = (2 * Math.cos((2 * Math.PI * hz) / RATE)) as number;
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (let i = from; i < from + FRAME; i++) {
    const x = pcm[i]! / 32768;
    energy += x * x;
    const s = x + k * s1 - s2;
    s2 = s1;
    s1 = s;
  }
  const power = s1 * s1 + s2 * s2 - k * s1 * s2;
  return energy === 0 ? 0 : (2 * power) / (FRAME * energy);
}

/** Runs of 20 ms frames where `hz` dominates and the level is audible: [startMs, endMs]. */
function toneRuns(pcm: Int16Array, hz: number): [number, number][] {
  const runs: [number, number][] = [];
  let start: number | undefined;
  for (let i = 0; i + FRAME <= pcm.length; i += FRAME) {
    const on = rms(pcm, i, i + FRAME) / 32768 > 0.05 && toneShare(pcm, i, hz) > 0.8;
    const ms = (i / RATE) * 1000;
    if (on && start === undefined) start = ms;
    if (!on && start !== undefined) {
      if (ms - start >= 100) runs.push([start, ms]);
      start = undefined;
    }
  }
  if (start !== undefined) runs.push([start, (pcm.length / RATE) * 1000]);
  return runs;
}

describe('Apifonica applications over SIP (dialtone call → dialtone start)', { timeout: 240_000 }, () => {
  let app: WebApp;
  let dialtone: Dialtone;
  const audio = new Map<string, Buffer>([
    ['/tone-1000.wav', toneWav(1000, 1.5)],
    ['/tone-600.wav', toneWav(600, 0.5)],
    ['/tone-1000-long.wav', toneWav(1000, 8)],
  ]);
  const xml = (body: string): string => `<?xml version="1.0" encoding="UTF-8"?>\n<response>${body}</response>`;

  const NUMBERS = {
    play: '+15550131',
    input: '+15550132',
    reject: '+15550133',
    busy: '+15550134',
    redirect: '+15550135',
    wait: '+15550136',
    broken: '+15550137',
  } as const;

  before(async () => {
    app = await startWebApp({ missing: 404, contentType: 'text/plain' });
    for (const [path, wav] of audio) app.wavs.set(path, wav);
    app.documents.set('/play', xml('<playAudio>/tone-1000.wav</playAudio>'));
    app.documents.set(
      '/input',
      xml(
        '<getInput controller="/input-controller" maxSymbols="2" timeoutGeneral="10"><playAudio>/tone-1000-long.wav</playAudio></getInput>' +
          '<wait length="30"/><playAudio>/tone-600.wav</playAudio>',
      ),
    );
    app.documents.set('/input-controller', xml('<endCall/>'));
    app.documents.set('/reject', xml('<endCall signal="reject"/><playAudio>/tone-1000.wav</playAudio>'));
    app.documents.set('/busy', xml('<endCall signal="busy"/>'));
    app.documents.set('/redirect', xml('<redirect method="GET">/redirected</redirect><playAudio>/tone-600.wav</playAudio>'));
    app.documents.set('/redirected', xml('<playAudio>/tone-1000.wav</playAudio>'));
    app.documents.set('/wait', xml('<playAudio>/tone-600.wav</playAudio><wait length="2"/><playAudio>/tone-1000.wav</playAudio>'));
    app.documents.set('/broken', '<?xml version="1.0" encoding="UTF-8"?>\n<response><playAudio>/tone-600.wav</response>');
    app.documents.set('/fallback', xml('<playAudio>/tone-1000.wav</playAudio>'));

    dialtone = await Dialtone.prepare({ name: 'apifonica', rtpBase: 44000 });
    for (const [name, number] of Object.entries(NUMBERS)) {
      const extra = ['--dialect', 'apifonica', ...(name === 'broken' ? ['--fallback-url', `${app.base}/fallback`] : [])];
      await dialtone.addNumber(number, `${app.base}/${name}`, ...extra);
    }
    await dialtone.start();
  });

  after(async () => {
    await dialtone?.stop();
    await app?.close();
  });

  async function call(number: string, extra: string[] = []): Promise<{ report: CallReport; output: string; heard?: Int16Array }> {
    const out = join(dialtone.dataDir, `heard-${number}.wav`);
    const run = await dialtone.call(number, ['--record', out, ...extra]);
    const output = `${run.stdout}\n${run.stderr}\n--- dialtone start ---\n${dialtone.output()}`;
    const report = JSON.parse(run.stdout) as CallReport;
    return { report, output, ...(report.answered ? { heard: readPcm(out) } : {}) };
  }

  function callRecord(callSid: string): Promise<ShownCall> {
    return dialtone.showCall(callSid);
  }

  it('<playAudio> of a WAV served by the application: the caller hears its 1 kHz for its length; the controller got snake_case parameters', async (t) => {
    app.hits.length = 0;
    const { report, output, heard } = await call(NUMBERS.play);
    assert.equal(report.answered, true, output);
    assert.deepEqual(report.ended, { by: 'remote', reason: 'remote-bye' }, output);
    const first = app.hits.find((h) => h.path === '/play')!;
    assert.equal(first.params.to, NUMBERS.play);
    assert.equal(first.params.from, '+15550199');
    assert.equal(first.params.status, 'ringing');
    assert.equal(first.params.direction, 'inbound');
    assert.match(first.params.call_sid ?? '', /^CA[0-9a-f]{32}$/);
    assert.match(first.params.account_sid ?? '', /^AC[0-9a-f]{32}$/);
    assert.equal(first.params.CallSid, undefined);
    const runs = toneRuns(heard!, 1000);
    assert.equal(runs.length, 1, JSON.stringify(runs));
    const heardMs = runs[0]![1] - runs[0]![0];
    t.diagnostic(`1 kHz heard for ${heardMs} ms (file: 1500 ms)`);
    assert.ok(Math.abs(heardMs - 1500) <= 100, `1 kHz heard for ${heardMs} ms of 1500`);
  });

  it('<getInput>: --digits reach the controller as digits=42; its XML stops the wait that began meanwhile and ends the call', async (t) => {
    app.hits.length = 0;
    const { report, output, heard } = await call(NUMBERS.input, ['--digits', 'WW42']);
    assert.equal(report.answered, true, output);
    assert.equal(report.digitsSent, '42');
    assert.deepEqual(report.ended, { by: 'remote', reason: 'remote-bye' }, output);
    const controller = app.hits.find((h) => h.path === '/input-controller');
    assert.ok(controller, JSON.stringify(app.hits));
    assert.equal(controller.params.digits, '42');
    assert.equal(controller.params.status, 'in-progress');
    assert.equal(controller.params.to, NUMBERS.input);
    assert.equal(controller.params.from, '+15550199');
    assert.equal(controller.params.call_sid, app.hits[0]!.params.call_sid);
    assert.equal(controller.params.Digits, undefined);
    // The key interrupted the 8 s prompt; the 600 Hz after the wait never played.
    const prompt = toneRuns(heard!, 1000);
    assert.equal(prompt.length, 1);
    t.diagnostic(`prompt heard ${prompt[0]![1] - prompt[0]![0]} ms of 8000 before the key stopped it`);
    assert.ok(prompt[0]![1] - prompt[0]![0] < 6000, `the prompt played ${prompt[0]![1] - prompt[0]![0]} ms: not interrupted`);
    assert.deepEqual(toneRuns(heard!, 600), []);
    const record = await callRecord(controller.params.call_sid!);
    const waitEnd = record.timeline.find((e) => e.type === 'verb-end' && e.data.verb === 'wait');
    assert.equal(waitEnd?.data.outcome, 'replaced', JSON.stringify(record.timeline));
    assert.equal(record.status, 'completed');
  });

  it('<endCall signal="reject"> before the answer: the caller gets 603 and the call is never answered', async () => {
    const { report, output } = await call(NUMBERS.reject);
    assert.equal(report.answered, false, output);
    assert.equal(report.status, 603, output);
    assert.equal(report.exitCode, 1);
  });

  it('<endCall signal="busy"> before the answer: the caller gets 486 Busy Here; the call is recorded busy', async () => {
    app.hits.length = 0;
    const { report, output } = await call(NUMBERS.busy);
    assert.equal(report.answered, false, output);
    assert.equal(report.status, 486, output);
    const record = await callRecord(app.hits[0]!.params.call_sid!);
    assert.equal(record.status, 'busy');
  });

  it('<redirect>: the next document runs (GET with the call parameters), the rest of the first does not', async () => {
    app.hits.length = 0;
    const { report, output, heard } = await call(NUMBERS.redirect);
    assert.equal(report.answered, true, output);
    assert.deepEqual(app.hits.map((h) => h.path), ['/redirect', '/redirected']);
    assert.equal(app.hits[1]!.params.call_sid, app.hits[0]!.params.call_sid);
    assert.equal(toneRuns(heard!, 1000).length, 1);
    assert.deepEqual(toneRuns(heard!, 600), []);
  });

  it('<wait length="2">: two seconds of silence between the two files', async (t) => {
    const { report, output, heard } = await call(NUMBERS.wait);
    assert.equal(report.answered, true, output);
    const low = toneRuns(heard!, 600);
    const high = toneRuns(heard!, 1000);
    assert.equal(low.length, 1, JSON.stringify(low));
    assert.equal(high.length, 1, JSON.stringify(high));
    const gapMs = high[0]![0] - low[0]![1];
    const quiet = rms(heard!, Math.round((low[0]![1] / 1000) * RATE) + FRAME, Math.round((high[0]![0] / 1000) * RATE) - FRAME) / 32768;
    t.diagnostic(`gap ${gapMs} ms, RMS in it ${quiet.toFixed(5)} FS`);
    assert.ok(Math.abs(gapMs - 2000) <= 150, `the gap between the files is ${gapMs} ms`);
    assert.ok(quiet < 0.01, `the wait was not silent: RMS ${quiet}`);
  });

  it('a broken Apifonica document: the fallback gets error_code=12100 and error_url, and its document plays', async () => {
    app.hits.length = 0;
    const { report, output, heard } = await call(NUMBERS.broken);
    assert.equal(report.answered, true, output);
    const fallback = app.hits.find((h) => h.path === '/fallback');
    assert.ok(fallback, JSON.stringify(app.hits));
    assert.equal(fallback.params.error_code, '12100');
    assert.equal(fallback.params.error_url, `${app.base}/broken`);
    assert.equal(fallback.params.call_sid, app.hits[0]!.params.call_sid);
    assert.equal(toneRuns(heard!, 1000).length, 1);
    assert.deepEqual(toneRuns(heard!, 600), []);
  });
});
