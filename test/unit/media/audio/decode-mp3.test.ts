/**
 * MP3 decoding against files encoded by sox (libsox-fmt-mp3, i.e. LAME) in the
 * test. Without an MP3-capable sox the encode-and-decode cases are skipped,
 * saying why; the error cases always run.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMp3 } from '../../../../src/media/audio/decode-mp3.js';
import { decodeAudio } from '../../../../src/media/audio/decode.js';
import { AudioDecodeError } from '../../../../src/media/audio/errors.js';
import { rms, toneShare } from './audio-kit.js';

function soxMp3Support(): string | undefined {
  try {
    const help = execFileSync('sox', ['-h'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    const formats = /AUDIO FILE FORMATS:(.*)/.exec(help)?.[1]?.split(/\s+/) ?? [];
    return formats.includes('mp3') ? undefined : 'sox cannot write MP3 here (install libsox-fmt-mp3)';
  } catch {
    return 'sox is not installed';
  }
}

const skip = soxMp3Support();

/**
 * Decoded length is the tone's, plus whatever encoder delay and padding is
 * left: sox writes no LAME gapless tag, so up to ~3 MPEG frames of it remain.
 */
function assertLength(length: number, seconds: number, rate: number): void {
  const expected = seconds * 8000;
  const slack = Math.ceil((3 * 1152 * 8000) / rate);
  assert.ok(length >= expected - 160 && length <= expected + slack, `length ${length}, expected ${expected} (+${slack})`);
}

function encodeToneMp3(rate: number, channels: number, seconds: number): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'dialtone-mp3-'));
  try {
    const file = join(dir, 'tone.mp3');
    execFileSync('sox', ['-n', '-r', String(rate), '-c', String(channels), file, 'synth', String(seconds), 'sine', '1000', 'vol', '0.5']);
    return readFileSync(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('decodeMp3', () => {
  for (const [rate, channels] of [
    [44100, 2],
    [22050, 1],
    [8000, 1],
  ] as const) {
    it(`decodes a ${rate} Hz ${channels === 2 ? 'stereo' : 'mono'} MP3 tone to 8 kHz`, { skip }, async () => {
      const mp3 = encodeToneMp3(rate, channels, 2);
      const pcm = await decodeAudio(mp3, { contentType: 'audio/mpeg' });
      assertLength(pcm.length, 2, rate);
      assert.ok(toneShare(pcm, 1000, 8000, 2000, 14000) > 0.99);
      assert.ok(rms(pcm, 2000, 14000) > 8000);
    });
  }

  it('decodes a long MP3 in slices, yielding to the event loop', { skip }, async () => {
    const mp3 = encodeToneMp3(44100, 2, 30);
    let turns = 0;
    const timer = setInterval(() => turns++, 0);
    try {
      const pcm = await decodeMp3(mp3, { sliceMs: 2 });
      assertLength(pcm.length, 30, 44100);
    } finally {
      clearInterval(timer);
    }
    assert.ok(turns > 0);
  });

  it('rejects bytes with no MPEG frames as corrupt (13420)', async () => {
    for (const bytes of [new Uint8Array(0), new Uint8Array(5000).fill(0x55)]) {
      await assert.rejects(decodeMp3(bytes), (error: unknown) => {
        assert.ok(error instanceof AudioDecodeError);
        assert.equal(error.code, 'corrupt');
        assert.equal(error.twilioCode, 13420);
        return true;
      });
    }
  });
});
