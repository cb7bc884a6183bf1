/**
 * `<Echo>` over a real call: baresip (its own process) calls a number of a running
 * `dialtone start` and sends a WAV of tones that change every 250 ms; the document is
 * `<Echo timeout="5"/><Hangup/>`. What baresip heard (its decoded dump) is what it sent,
 * at the best lag of one in the other (baresip's two dumps are not on one clock, so the lag
 * is not the round trip) it matches window by window, at the sent level, for most of the
 * five seconds; then the Hangup after the Echo ends the call.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import wavefile from 'wavefile';
import { RATE, wavBytes } from '../support/audio.js';
import { Baresip, baresipSkip } from '../support/baresip.js';
import { Dialtone } from '../support/dialtone.js';
import { startWebApp, type WebApp } from '../support/web-app.js';

const NUMBER = '+15550151';
const STEP = RATE / 4;
const FREQUENCIES = [500, 700, 900, 1100, 1300, 1700, 2100, 2500];

/** 20 s of tones, each 250 ms long, in a fixed pseudo-random order: its lag in a copy is unambiguous. */
function toneSequence(): Int16Array {
  const out = new Int16Array(20 * RATE);
  let seed = 7;
  let phase = 0;
  for (let step = 0; step * STEP < out.length; step++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    const f = FREQUENCIES[seed % FREQUENCIES.length]!;
    for (let i = step * STEP; i < Math.min(out.length, (step + 1) * STEP); i++) {
      phase += (2 * Math.PI * f) / RATE;
      out[i] = Math.round(0.4 * 32767 * Math.sin(phase));
    }
  }
  return out;
}

function readWav(path: string): Int16Array {
  const wav = new wavefile.WaveFile(readFileSync(path));
  wav.toBitDepth('16');
  if ((wav.fmt as { sampleRate: number }).sampleRate !== RATE) wav.toSampleRate(RATE);
  return wav.getSamples(false, Int16Array) as unknown as Int16Array;
}

function rms(pcm: Int16Array, from = 0, to = pcm.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += pcm[i]! * pcm[i]!;
  return Math.sqrt(sum / Math.max(1, to - from));
}

/** Normalised correlation of `a[from, to)` with `b` shifted by `lag`. */
function correlation(a: Int16Array, b: Int16Array, from: number, to: number, lag: number): number {
  let xy = 0;
  let xx = 0;
  let yy = 0;
  for (let i = from; i < to; i++) {
    const x = a[i]!;
    const y = b[i + lag] ?? 0;
    xy += x * y;
    xx += x * x;
    yy += y * y;
  }
  return xx === 0 || yy === 0 ? 0 : xy / Math.sqrt(xx * yy);
}

describe('<Echo> (baresip → dialtone start → baresip)', { timeout: 120_000 }, () => {
  let app: WebApp;
  let dialtone: Dialtone;

  before(async () => {
    app = await startWebApp({ missing: 404 });
    app.documents.set('/echo', '<Response><Echo timeout="5"/><Hangup/></Response>');
    dialtone = await Dialtone.prepare({ name: 'echo', rtpBase: 62000 });
    await dialtone.addNumber(NUMBER, `${app.base}/echo`);
    await dialtone.start();
  });

  after(async () => {
    await dialtone?.stop();
    await app?.close();
  });

  it('the caller hears their own audio back, then the next verb hangs up', { skip: baresipSkip }, async (t) => {
    const source = join(dialtone.dataDir, 'tones.wav');
    writeFileSync(source, wavBytes(toneSequence()));
    const dumps = mkdtempSync(join(dialtone.dataDir, 'baresip-'));
    const baresip = await Baresip.start({ audioSource: source, dumpAudioTo: dumps, commands: true, killAfterMs: 60_000 });
    const context = (): string => `--- baresip ---\n${baresip.log}\n--- dialtone ---\n${dialtone.output()}`;
    try {
      await baresip.command('dial', `sip:${NUMBER}@127.0.0.1:${dialtone.sipPort}`);
      await baresip.waitForEvent('CALL_CLOSED', 30_000).catch((err: Error) => {
        throw new Error(`${err.message}\n${context()}`);
      });
    } finally {
      await baresip.stop();
    }
    const files = readdirSync(dumps);
    const heardFile = files.find((f) => f.endsWith('-dec.wav'));
    const sentFile = files.find((f) => f.endsWith('-enc.wav'));
    assert.ok(heardFile && sentFile, `baresip's dumps: ${files.join(', ')}`);
    const heard = readWav(join(dumps, heardFile));
    const sent = readWav(join(dumps, sentFile));

    // Where the echo is: the loud stretch of what baresip heard.
    const frame = RATE / 50;
    const loud: number[] = [];
    for (let i = 0; i + frame <= heard.length; i += frame) if (rms(heard, i, i + frame) > 0.1 * 32767) loud.push(i);
    assert.ok(loud.length > 0, `the caller heard nothing loud\n${context()}`);
    const start = loud[0]!;
    const end = loud.at(-1)! + frame;
    const loudMs = ((loud.length * frame) / RATE) * 1000;
    assert.ok(loudMs >= 3000, `the caller heard ${loudMs} ms of loud audio, expected most of a 5 s echo\n${context()}`);

    // The lag of the sent audio in the heard audio, from one second of the middle of the echo.
    const probeFrom = start + Math.floor((end - start) / 2) - RATE / 2;
    let bestLag = 0;
    let best = -1;
    for (let lag = 0; lag <= Math.min(probeFrom, RATE); lag++) {
      const c = correlation(heard, sent, probeFrom, probeFrom + RATE, -lag);
      if (c > best) {
        best = c;
        bestLag = lag;
      }
    }
    // Every full 250 ms window inside the echo (its first and last 250 ms aside: the far ends' jitter buffers fill and drain) matches at that lag.
    const windows: number[] = [];
    for (let from = start + STEP; from + STEP <= end - STEP; from += STEP) windows.push(correlation(heard, sent, from, from + STEP, -bestLag));
    const sorted = [...windows].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    const level = rms(heard, start, end) / rms(sent, start - bestLag, end - bestLag);
    t.diagnostic(
      `echo: ${loudMs} ms heard; heard dump ${((bestLag / RATE) * 1000).toFixed(1)} ms behind the sent one; correlation ${best.toFixed(3)} at that lag, ` +
        `windows min ${sorted[0]?.toFixed(3)} median ${median.toFixed(3)} (${windows.length}); level ${level.toFixed(3)} of sent`,
    );
    assert.ok(best > 0.95, `the heard audio is the sent audio, delayed (correlation ${best.toFixed(3)})\n${context()}`);
    // One window may dip (a far end's jitter buffer resyncing on a loaded machine shifts the lag once); none may be unrelated audio.
    assert.ok(median > 0.95 && sorted[1]! > 0.9 && sorted[0]! > 0.5, `every window matches: ${windows.map((w) => w.toFixed(2)).join(' ')}`);
    assert.ok(level > 0.8 && level < 1.25, `at the level it was sent (${level.toFixed(3)})`);

    const call = await dialtone.lastCall();
    const verbs = call.timeline.filter((e) => e.type === 'verb-start').map((e) => e.data.verb);
    assert.deepEqual(verbs, ['Echo', 'Hangup'], 'the document went on after the Echo');
    assert.equal(call.status, 'completed');
  });
});
