/**
 * WAV files to MP3 (LAME in WebAssembly), checked by decoding the result with our own
 * gapless MP3 decoder (mpg123): as many samples as the WAV held, the same tone, at the
 * rates a recording may have; and the WAV files it refuses, with the error to branch on.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeMp3 } from '../../../../src/media/audio/decode-mp3.js';
import { encodeWavFileToMp3 } from '../../../../src/media/audio/encode-mp3.js';
import { AudioDecodeError } from '../../../../src/media/audio/errors.js';
import { toneShare, toneWav } from './audio-kit.js';

function withDir<T>(run: (dir: string) => Promise<T>): Promise<T> {
  const dir = mkdtempSync(join(tmpdir(), 'dialtone-encode-mp3-'));
  return run(dir).finally(() => rmSync(dir, { recursive: true, force: true }));
}

describe('encodeWavFileToMp3', () => {
  for (const [sampleRate, channels] of [
    [8000, 1],
    [8000, 2],
    [16000, 1],
    [44100, 1],
  ] as const) {
    it(`${sampleRate} Hz, ${channels} channel(s): decodes gapless to the WAV's length and tone`, (t) =>
      withDir(async (dir) => {
        const seconds = 1.5;
        writeFileSync(join(dir, 'in.wav'), toneWav({ sampleRate, depth: '16', channels, seconds }));
        const written = await encodeWavFileToMp3(join(dir, 'in.wav'), join(dir, 'out.mp3'));
        assert.deepEqual([written.sampleRate, written.channels, written.samples], [sampleRate, channels, Math.round(sampleRate * seconds)]);
        const bytes = readFileSync(join(dir, 'out.mp3'));
        assert.equal(bytes.length, written.bytes);
        assert.equal(bytes.subarray(0, 400).includes(Buffer.from('Info')), true, 'an Info tag leads');
        const pcm = await decodeMp3(bytes);
        // Decoded at 8 kHz: within a frame (± 60 ms is the bar) of the WAV's duration.
        assert.ok(Math.abs(pcm.length - seconds * 8000) <= 480, `${pcm.length} samples decoded for ${seconds * 8000}`);
        t.diagnostic(`${bytes.length} bytes, ${pcm.length} samples decoded at 8 kHz for ${seconds * 8000}`);
        assert.ok(toneShare(pcm, 1000) > 0.9, `1 kHz share ${toneShare(pcm, 1000)}`);
      }));
  }

  it('refuses what is not 16-bit PCM at an MP3 rate, or not WAV at all', () =>
    withDir(async (dir) => {
      const cases: [string, Uint8Array, string][] = [
        ['24-bit', toneWav({ sampleRate: 8000, depth: '24', channels: 1, seconds: 0.2 }), 'unsupported-encoding'],
        ['µ-law', toneWav({ sampleRate: 8000, depth: '8m', channels: 1, seconds: 0.2 }), 'unsupported-encoding'],
        ['6 kHz', toneWav({ sampleRate: 6000, depth: '16', channels: 1, seconds: 0.2 }), 'unsupported-encoding'],
        ['3 channels', toneWav({ sampleRate: 8000, depth: '16', channels: 3, seconds: 0.2 }), 'unsupported-encoding'],
        ['text', new TextEncoder().encode('hello, not a wave'), 'corrupt'],
        ['no samples', toneWav({ sampleRate: 8000, depth: '16', channels: 1, seconds: 0 }), 'corrupt'],
      ];
      for (const [name, bytes, code] of cases) {
        writeFileSync(join(dir, `${name}.wav`), bytes);
        await assert.rejects(encodeWavFileToMp3(join(dir, `${name}.wav`), join(dir, `${name}.mp3`)), (e: unknown) => e instanceof AudioDecodeError && e.code === code, name);
      }
    }));
});
