/**
 * `dialtone call`, spawned as its own process, against baresip (real, /usr/bin/baresip)
 * answering on 127.0.0.1 with a WAV file as its audio. The audio is checked, not assumed:
 *
 * - a 1 kHz tone arrives ~3 s long (we hang up after 3 s), loud, with its energy at 1 kHz
 *   (Goertzel power at 1000 Hz against 500/1500/2000 Hz, and `sox stat` as a second opinion);
 * - a TTS prompt (our flite voice) arrives non-silent for as long as it lasts (baresip
 *   hangs up at the end of its file), and the recording matches the source sample for
 *   sample (normalised cross-correlation at the best lag);
 * - `--digits 1w23` reaches baresip as RFC 4733 events, in order, with the half-second pause.
 *
 * baresip calling out to us needs the engine and is for a later slice.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CallReport } from '../../src/cli/commands/call.js';
import { FliteProvider } from '../../src/tts/index.js';
import { activeSpan, correlationAt, goertzel, median, RATE, readWav, rms, sine, SOX, soxStat, windowMatch, writeWav } from '../support/audio.js';
import { Baresip, baresipSkip } from '../support/baresip.js';
import { runCli } from '../support/run-cli.js';

describe('dialtone call → baresip (UDP, PCMU): audio checked', { skip: baresipSkip, timeout: 120_000 }, () => {
  let dir = '';
  const peers: Baresip[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dialtone-call-baresip-'));
  });
  afterEach(async () => {
    await Promise.all(peers.splice(0).map((p) => p.stop()));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  async function peer(audioSource: string): Promise<Baresip> {
    const p = await Baresip.start({ audioSource });
    peers.push(p);
    return p;
  }

  it('hears a 1 kHz tone: ~3 s recorded, non-silent, energy at 1 kHz (Goertzel and sox)', async (t) => {
    const source = join(dir, 'tone.wav');
    // Longer than the call: baresip hangs up at the end of its file, and here we hang up first.
    writeWav(source, sine(1000, 6, 0.5));
    const baresip = await peer(source);
    const out = join(dir, 'tone-heard.wav');
    const run = await runCli(['call', baresip.uri, '--record', out, '--hangup-after', '3', '--json', '--timeout', '20']);
    const output = `${run.stdout}\n${run.stderr}\n--- baresip ---\n${baresip.log}`;
    assert.equal(run.code, 0, output);
    const report = JSON.parse(run.stdout) as CallReport;
    assert.equal(report.answered, true);
    assert.equal(report.codec, 'PCMU/8000');
    assert.deepEqual(report.ended, { by: 'local', reason: 'hangup-after' });
    assert.ok(report.timeline.some((e) => e.type === 'media' && e.event === 'started'), output);
    assert.ok(report.media !== null && report.media.packetsReceived >= 140, `packets in: ${report.media?.packetsReceived}`);
    await baresip.waitForEvent('CALL_ESTABLISHED', 2000);
    await baresip.waitForEvent('CALL_CLOSED', 5000);

    const wav = readWav(readFileSync(out));
    const samples = wav.samples;
    assert.deepEqual([wav.audioFormat, wav.channels, wav.rate, wav.bitsPerSample], [1, 1, 8000, 16]);
    const seconds = samples.length / RATE;
    assert.ok(Math.abs(seconds - 3) <= 0.15, `recorded ${seconds} s`);
    assert.equal(report.recording?.durationMs, Math.round(samples.length / 8));

    // Skip the first 200 ms (jitter buffer fill) and measure the rest.
    const from = RATE / 5;
    const level = rms(samples, from) / 32768;
    const p1000 = goertzel(samples, 1000, from);
    const others = [500, 1500, 2000].map((f) => goertzel(samples, f, from));
    // A 1 kHz tone decoded from G.711 is periodic in 8 samples: the other bins can be exactly 0.
    const ratioDb = Math.min(200, 10 * Math.log10(p1000 / Math.max(...others, p1000 * 1e-20)));
    // Almost all the energy is at 1 kHz: A²/4 per sample for a sine of amplitude A = RMS²/2.
    const share = (2 * p1000) / (rms(samples, from) ** 2 * (samples.length - from));
    t.diagnostic(
      `tone: ${seconds.toFixed(3)} s, RMS ${level.toFixed(3)} FS (sent 0.354), 1 kHz over 500/1500/2000 Hz: ` +
        `${ratioDb >= 200 ? '> 200' : ratioDb.toFixed(1)} dB, share of the energy at 1 kHz ${share.toFixed(4)}`,
    );
    assert.ok(level > 0.3 && level < 0.4, `RMS ${level} of full scale; the source is 0.354`);
    assert.ok(ratioDb > 40, `1 kHz only ${ratioDb.toFixed(1)} dB above the other frequencies`);
    assert.ok(share > 0.95, `share of the energy at 1 kHz: ${share}`);

    const stat = existsSync(SOX) ? soxStat(out) : undefined;
    if (stat !== undefined) {
      t.diagnostic(`sox stat: length ${stat.get('Length (seconds)')} s, RMS ${stat.get('RMS amplitude')}, rough frequency ${stat.get('Rough frequency')} Hz`);
      assert.ok(Math.abs((stat.get('Length (seconds)') ?? 0) - 3) <= 0.15);
      assert.ok((stat.get('RMS amplitude') ?? 0) > 0.3);
      const rough = stat.get('Rough frequency') ?? 0;
      assert.ok(rough > 900 && rough < 1100, `sox rough frequency ${rough}`);
    }
  });

  it('hears a TTS prompt: non-silent for its length (baresip hangs up at its end) and matching the source', async (t) => {
    const flite = new FliteProvider();
    let prompt: Int16Array;
    try {
      prompt = await flite.synthesize('Thank you for calling Dialtone. Please enter your account number, followed by the pound key.', { voice: 'kal' });
    } finally {
      await flite.close();
    }
    const source = join(dir, 'prompt.wav');
    writeWav(source, prompt);
    const promptSeconds = prompt.length / RATE;
    const baresip = await peer(source);
    const out = join(dir, 'prompt-heard.wav');
    const run = await runCli(['call', baresip.uri, '--record', out, '--json', '--timeout', '25']);
    const output = `${run.stdout}\n${run.stderr}\n--- baresip ---\n${baresip.log}`;
    assert.equal(run.code, 0, output);
    const report = JSON.parse(run.stdout) as CallReport;
    assert.deepEqual(report.ended, { by: 'remote', reason: 'remote-bye' }, output);

    const { samples } = readWav(readFileSync(out));
    const seconds = samples.length / RATE;
    const threshold = 0.02 * 32768;
    const sent = activeSpan(prompt, threshold);
    const heard = activeSpan(samples, threshold);
    assert.ok(sent !== undefined && heard !== undefined, 'speech in both');
    const sentMs = ((sent.end - sent.start) / RATE) * 1000;
    const heardMs = ((heard.end - heard.start) / RATE) * 1000;
    const level = rms(samples, heard.start, heard.end) / rms(prompt, sent.start, sent.end);
    // baresip starts its file when it answers, our recording when the answer arrives: the
    // lag is the jitter buffer's delay (later) less the time to start capturing (earlier),
    // well within half a second either way.
    const windows = windowMatch(prompt, samples, -RATE / 2, RATE / 2, threshold);
    const correlations = windows.map((w) => w.correlation);
    const matched = correlations.filter((c) => c > 0.95).length / windows.length;
    const whole = correlationAt(prompt, samples, 0, prompt.length, windows[0]?.lag ?? 0);
    const m = report.media;
    t.diagnostic(
      `prompt ${promptSeconds.toFixed(3)} s, recorded ${seconds.toFixed(3)} s; speech ${sentMs} ms sent, ${heardMs} ms heard; ` +
        `level ratio ${level.toFixed(3)}; ${windows.length} windows of 250 ms: median correlation ${median(correlations).toFixed(4)}, ` +
        `${(matched * 100).toFixed(0)}% above 0.95, lags ${Math.min(...windows.map((w) => w.lag)) / 8} to ${Math.max(...windows.map((w) => w.lag)) / 8} ms; ` +
        `whole prompt at the first lag ${whole.toFixed(4)}; jitter buffer: ${m?.framesLost} lost, ${m?.framesLate} late, ${m?.framesDiscarded} discarded`,
    );
    // The call lasts as long as baresip plays the file (it hangs up a little after its end).
    assert.ok(seconds >= promptSeconds - 0.1 && seconds <= promptSeconds + 0.6, `recorded ${seconds} s of a ${promptSeconds} s prompt`);
    assert.ok(Math.abs(heardMs - sentMs) <= 150, `speech lasts ${heardMs} ms in the recording, ${sentMs} ms in the prompt`);
    assert.ok(level > 0.8 && level < 1.25, `level ratio ${level}`);
    assert.ok(windows.length >= 10, `${windows.length} windows with sound`);
    assert.ok(median(correlations) > 0.98, `median correlation with the source ${median(correlations)}`);
    assert.ok(matched >= 0.8, `only ${(matched * 100).toFixed(0)}% of the windows match the source: ${correlations.map((c) => c.toFixed(2)).join(' ')}`);
  });

  it('sends --digits 1w23 as RFC 4733: baresip reports 1, 2, 3 in order, with the half-second pause', async (t) => {
    const source = join(dir, 'quiet.wav');
    writeWav(source, sine(440, 8, 0.1));
    const baresip = await peer(source);
    const run = await runCli(['call', baresip.uri, '--digits', '1w23', '--hangup-after', '2.5', '--timeout', '20']);
    const output = `${run.stdout}\n${run.stderr}\n--- baresip ---\n${baresip.log}`;
    assert.equal(run.code, 0, output);
    assert.match(run.stdout, /→ DTMF 1\n/);
    assert.match(run.stdout, /← 200 Answering \(PCMU\/8000, telephone-event 101\)/);
    await baresip.waitForEvent('CALL_CLOSED', 5000);
    const starts = baresip.eventsOf('CALL_DTMF_START');
    assert.deepEqual(
      starts.map((e) => e.param),
      ['1', '2', '3'],
      output,
    );
    assert.equal(baresip.eventsOf('CALL_DTMF_END').length, 3);
    // The gaps are timed where the digits are sent (the printed timeline, `+<ms>ms → DTMF d`):
    // baresip's event times add its own scheduling, which a loaded machine stretches.
    const sent = [...run.stdout.matchAll(/^\+(\d+)ms\s+→ DTMF (\d)/gm)].map((m) => ({ digit: m[2], atMs: Number(m[1]) }));
    assert.deepEqual(sent.map((d) => d.digit), ['1', '2', '3'], output);
    const gap12 = sent[1]!.atMs - sent[0]!.atMs;
    const gap23 = sent[2]!.atMs - sent[1]!.atMs;
    t.diagnostic(`sent 1 → 2 after ${gap12} ms, 2 → 3 after ${gap23} ms; baresip saw them ${(starts[1]!.at - starts[0]!.at).toFixed(0)} and ${(starts[2]!.at - starts[1]!.at).toFixed(0)} ms apart`);
    assert.ok(gap12 >= 600, `1 → 2 in ${gap12} ms: a digit (160 ms) and w (500 ms)`);
    assert.ok(gap23 < 450, `2 → 3 in ${gap23} ms: no pause`);
    assert.match(baresip.log, /received event: '3' \(end=1\)/);
  });
});
