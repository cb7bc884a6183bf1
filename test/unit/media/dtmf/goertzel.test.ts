import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { DtmfDigit, DtmfDigitEvent } from '../../../../src/media/dtmf/digit.js';
import { DTMF_DIGITS, dtmfFrequencies } from '../../../../src/media/dtmf/digit.js';
import { GoertzelDetector, type GoertzelDetectorOptions } from '../../../../src/media/dtmf/goertzel.js';
import { ToneGenerator, dtmfTone, testTone } from '../../../../src/media/source/tone.js';
import { chirp, concat, mixInto, musicLike, speechLike, whiteNoise } from '../signals.js';

const FRAME = 160;

/** Runs the detector over `pcm` in 20 ms frames and returns the digits it reports. */
function detect(pcm: Int16Array, options: Partial<GoertzelDetectorOptions> = {}): DtmfDigitEvent[] {
  const events: DtmfDigitEvent[] = [];
  const detector = new GoertzelDetector({ onDigit: (e) => events.push(e), ...options });
  for (let i = 0; i < pcm.length; i += FRAME) detector.process(pcm.subarray(i, Math.min(pcm.length, i + FRAME)));
  detector.flush();
  return events;
}

function digits(events: readonly DtmfDigitEvent[]): string {
  return events.map((e) => e.digit).join('');
}

function silence(ms: number): Int16Array {
  return new Int16Array(ms * 8);
}

function tone(digit: DtmfDigit, ms: number, levelDbm0 = -10, twistDb = 0): Int16Array {
  const out = new Int16Array(ms * 8);
  dtmfTone(digit, levelDbm0, twistDb).fill(out);
  return out;
}

function offTone(digit: DtmfDigit, ms: number, deviation: number): Int16Array {
  const { row, column } = dtmfFrequencies(digit);
  const out = new Int16Array(ms * 8);
  new ToneGenerator({ frequencies: [row * (1 + deviation), column * (1 + deviation)], levelDbm0: -10 }).fill(out);
  return out;
}

/** `parts` in sequence with white noise at `noiseDbm0` over all of it. */
function noisy(noiseDbm0: number, seed: number, ...parts: Int16Array[]): Int16Array {
  const pcm = concat(...parts);
  return mixInto(pcm, whiteNoise(pcm.length, noiseDbm0, seed));
}

describe('Goertzel DTMF detector', () => {
  it('detects every digit at -10 dBm0 in white noise at -25 dBm0, once, with its duration', () => {
    for (let seed = 1; seed <= 3; seed++) {
      for (const digit of DTMF_DIGITS) {
        const events = detect(noisy(-25, seed * 31 + digit.charCodeAt(0), silence(100 + seed * 7), tone(digit, 100), silence(100)));
        assert.equal(digits(events), digit, `digit ${digit}, seed ${seed}`);
        const event = events[0]!;
        assert.equal(event.source, 'inband');
        assert.ok(event.durationMs >= 75 && event.durationMs <= 127.5, `duration ${event.durationMs}`);
        if (event.source === 'inband') {
          const start = (100 + seed * 7) * 8;
          assert.ok(Math.abs(event.startSample - start) <= 102, `start ${event.startSample} vs ${start}`);
        }
      }
    }
  });

  it('detects digits 1.5 % off frequency, with 6 dB of twist, and at -25 dBm0', () => {
    for (const digit of DTMF_DIGITS) {
      assert.equal(digits(detect(noisy(-35, 1, silence(60), offTone(digit, 80, 0.015), silence(60)))), digit, `${digit} +1.5 %`);
      assert.equal(digits(detect(noisy(-35, 2, silence(60), offTone(digit, 80, -0.015), silence(60)))), digit, `${digit} −1.5 %`);
      assert.equal(digits(detect(noisy(-40, 3, silence(60), tone(digit, 80, -10, -6), silence(60)))), digit, `${digit} high tone 6 dB weaker`);
      assert.equal(digits(detect(noisy(-40, 4, silence(60), tone(digit, 80, -10, 4), silence(60)))), digit, `${digit} low tone 4 dB weaker`);
      assert.equal(digits(detect(noisy(-45, 5, silence(60), tone(digit, 80, -25), silence(60)))), digit, `${digit} at -25 dBm0`);
    }
  });

  it('rejects excessive twist and tones below the level threshold', () => {
    assert.equal(digits(detect(concat(silence(40), tone('5', 200, -10, -12), silence(40)))), '');
    assert.equal(digits(detect(concat(silence(40), tone('5', 200, -10, 9), silence(40)))), '');
    assert.equal(digits(detect(concat(silence(40), tone('5', 200, -36), silence(40)))), '');
  });

  it('reads a dialled sequence with 60 ms tones and 60 ms pauses', () => {
    const sequence: DtmfDigit[] = ['1', '2', '3', '#', '0', '0', '*', 'D'];
    const parts: Int16Array[] = [silence(40)];
    for (const d of sequence) parts.push(tone(d, 60), silence(60));
    assert.equal(digits(detect(noisy(-30, 9, ...parts))), sequence.join(''));
  });

  it('reports a held digit once, with its full duration', () => {
    const events = detect(noisy(-30, 4, silence(50), tone('7', 2000), silence(100)));
    assert.equal(digits(events), '7');
    assert.ok(Math.abs(events[0]!.durationMs - 2000) <= 26, `duration ${events[0]!.durationMs}`);
  });

  it('accepts 40 ms tones and rejects 20 ms ones at every block alignment', () => {
    for (let offset = 0; offset < 102; offset += 6) {
      const lead = new Int16Array(offset);
      assert.equal(digits(detect(concat(lead, silence(40), tone('9', 40), silence(60)))), '9', `40 ms at offset ${offset}`);
      assert.equal(digits(detect(concat(lead, silence(40), tone('9', 20), silence(60)))), '', `20 ms at offset ${offset}`);
    }
  });

  it('separates presses 40 ms apart and bridges a 10 ms drop-out, at every alignment', () => {
    for (let offset = 0; offset < 102; offset += 6) {
      const lead = new Int16Array(offset);
      const apart = detect(concat(lead, silence(40), tone('4', 80), silence(40), tone('4', 80), silence(60)));
      assert.equal(digits(apart), '44', `40 ms pause at offset ${offset}`);
      const dropout = detect(concat(lead, silence(40), tone('4', 80), silence(10), tone('4', 80), silence(60)));
      assert.equal(digits(dropout), '4', `10 ms drop-out at offset ${offset}`);
    }
  });

  it('does not trigger on a 1 kHz tone, at -10 dBm0 or at 0 dBm0', () => {
    for (const level of [-10, 0]) {
      const pcm = new Int16Array(8000 * 5);
      testTone(1000, level).fill(pcm);
      assert.equal(digits(detect(pcm)), '', `${level} dBm0`);
    }
  });

  it('does not trigger on white noise', () => {
    for (let seed = 1; seed <= 4; seed++) assert.equal(digits(detect(whiteNoise(8000 * 5, -10, seed))), '');
  });

  it('does not trigger on chirps sweeping the DTMF band', () => {
    assert.equal(digits(detect(chirp(8000 * 2, 300, 3400, -10))), '');
    assert.equal(digits(detect(chirp(8000 * 2, 3400, 300, -10))), '');
    assert.equal(digits(detect(chirp(8000 * 10, 600, 1700, -5))), '', 'slow sweep through both groups');
  });

  it('does not trigger on call-progress tones (dial, ringback, busy)', () => {
    for (const frequencies of [[350, 440], [440, 480], [480, 620]] as const) {
      const pcm = new Int16Array(8000 * 2);
      new ToneGenerator({ frequencies, levelDbm0: -13 }).fill(pcm);
      assert.equal(digits(detect(pcm)), '', `${frequencies.join('+')} Hz`);
    }
  });

  it('does not trigger on speech-like or music-like sound (talk-off)', () => {
    let speech = '';
    for (let seed = 0; seed < 80; seed++) speech += digits(detect(speechLike(8000 * 2, -15, seed)));
    assert.equal(speech, '', '160 s of gliding voiced sounds with moving formants');
    let music = '';
    for (let seed = 0; seed < 12; seed++) music += digits(detect(musicLike(8000 * 5, -15, seed, 120)));
    assert.equal(music, '', '60 s of chords');
  });

  it('still detects a digit over background speech', () => {
    const background = speechLike(8000, -30, 3);
    const pcm = concat(silence(300), tone('8', 100), silence(600));
    mixInto(pcm, background);
    assert.equal(digits(detect(pcm)), '8');
  });

  it('does the same whatever the frame size', () => {
    const pcm = noisy(-30, 2, silence(30), tone('2', 70), silence(50), tone('B', 90), silence(50));
    const reference = detect(pcm);
    assert.equal(digits(reference), '2B');
    for (const size of [1, 7, 80, 102, 240, 1000]) {
      const events: DtmfDigitEvent[] = [];
      const detector = new GoertzelDetector({ onDigit: (e) => events.push(e) });
      for (let i = 0; i < pcm.length; i += size) detector.process(pcm.subarray(i, Math.min(pcm.length, i + size)));
      detector.flush();
      assert.deepEqual(events, reference, `frames of ${size}`);
    }
  });

  it('also works with the classic 205-sample block', () => {
    const parts: Int16Array[] = [silence(50)];
    for (const d of DTMF_DIGITS) parts.push(tone(d, 100), silence(80));
    assert.equal(digits(detect(noisy(-30, 6, ...parts), { blockSize: 205 })), DTMF_DIGITS.join(''));
    let speech = '';
    for (let seed = 0; seed < 20; seed++) speech += digits(detect(speechLike(8000 * 2, -15, seed), { blockSize: 205 }));
    assert.equal(speech, '');
  });

  it('resets, and describes itself', () => {
    const events: DtmfDigitEvent[] = [];
    const detector = new GoertzelDetector({ onDigit: (e) => events.push(e) });
    detector.process(tone('3', 100));
    assert.equal(detector.inProgress, true);
    detector.reset();
    detector.process(silence(100));
    assert.equal(events.length, 0);
    assert.equal(detector.describe(), 'dtmf-inband(goertzel 102@8000)');
  });
});
