import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import wavefile from 'wavefile';
import { decodeWav, parseWav } from '../../../../src/media/audio/decode-wav.js';
import { AudioDecodeError } from '../../../../src/media/audio/errors.js';
import { type WavDepth, rms, toneShare, toneWav } from './audio-kit.js';

const RATES = [8000, 16000, 44100, 48000];
const DEPTHS: WavDepth[] = ['8', '16', '24', '32', '32f'];

function isDecodeError(code: string) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof AudioDecodeError, `expected AudioDecodeError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.twilioCode, 13420);
    return true;
  };
}

describe('decodeWav', () => {
  for (const rate of RATES) {
    for (const depth of DEPTHS) {
      for (const channels of [1, 2]) {
        it(`decodes ${rate} Hz ${depth}-bit ${channels === 1 ? 'mono' : 'stereo'} to 8 kHz with the tone at 1 kHz`, async () => {
          const bytes = toneWav({ sampleRate: rate, depth, channels, seconds: 0.75, amplitude: 0.5 });
          const info = parseWav(bytes);
          assert.equal(info.sampleRate, rate);
          assert.equal(info.channels, channels);
          assert.equal(info.frames, Math.round(rate * 0.75));
          const pcm = await decodeWav(bytes);
          assert.equal(pcm.length, 6000, 'duration: 0.75 s at 8 kHz');
          const share = toneShare(pcm, 1000, 8000, 200, 5800);
          assert.ok(share > 0.98, `energy at 1 kHz: ${share}`);
          const level = rms(pcm, 200, 5800);
          const expected = (0.5 * 32768) / Math.SQRT2;
          assert.ok(Math.abs(20 * Math.log10(level / expected)) < 0.5, `level ${level} vs ${expected}`);
        });
      }
    }
  }

  for (const depth of ['8m', '8a'] as const) {
    it(`decodes ${depth === '8m' ? 'µ-law' : 'A-law'} WAVs at 8 kHz directly and at 16 kHz stereo through the resampler`, async () => {
      const direct = await decodeWav(toneWav({ sampleRate: 8000, depth, channels: 1, seconds: 1 }));
      assert.equal(direct.length, 8000);
      assert.ok(toneShare(direct, 1000, 8000, 0, 8000) > 0.99);
      const wide = await decodeWav(toneWav({ sampleRate: 16000, depth, channels: 2, seconds: 1 }));
      assert.equal(wide.length, 8000);
      assert.ok(toneShare(wide, 1000, 8000, 200, 7800) > 0.99);
    });
  }

  it('decodes 64-bit float, RIFX (big-endian) and WAVE_FORMAT_EXTENSIBLE files', async () => {
    const f64 = await decodeWav(toneWav({ sampleRate: 22050, depth: '64', channels: 1, seconds: 0.5 }));
    assert.equal(f64.length, 4000);
    assert.ok(toneShare(f64, 1000, 8000, 200, 3800) > 0.99);

    const wav = new wavefile.WaveFile(toneWav({ sampleRate: 16000, depth: '16', channels: 1, seconds: 0.5 }));
    wav.toRIFX();
    const rifx = wav.toBuffer();
    assert.equal(String.fromCharCode(...rifx.subarray(0, 4)), 'RIFX');
    const fromRifx = await decodeWav(rifx);
    assert.equal(fromRifx.length, 4000);
    assert.ok(toneShare(fromRifx, 1000, 8000, 200, 3800) > 0.99);

    // Hand-built extensible header: 24-bit PCM subformat, 3 channels, 32 kHz.
    const frames = 32000 / 4;
    const channels = 3;
    const data = new Uint8Array(frames * channels * 3);
    const view = new DataView(data.buffer);
    for (let i = 0; i < frames; i++) {
      const v = Math.round(0.5 * 8388607 * Math.sin((2 * Math.PI * 1000 * i) / 32000));
      for (let c = 0; c < channels; c++) {
        const at = (i * channels + c) * 3;
        view.setUint8(at, v & 0xff);
        view.setUint8(at + 1, (v >> 8) & 0xff);
        view.setUint8(at + 2, (v >> 16) & 0xff);
      }
    }
    const header = new Uint8Array(68);
    const h = new DataView(header.buffer);
    const ascii = (at: number, s: string): void => [...s].forEach((ch, i) => h.setUint8(at + i, ch.charCodeAt(0)));
    ascii(0, 'RIFF');
    h.setUint32(4, 60 + data.length, true);
    ascii(8, 'WAVE');
    ascii(12, 'fmt ');
    h.setUint32(16, 40, true);
    h.setUint16(20, 0xfffe, true);
    h.setUint16(22, channels, true);
    h.setUint32(24, 32000, true);
    h.setUint32(28, 32000 * channels * 3, true);
    h.setUint16(32, channels * 3, true);
    h.setUint16(34, 24, true);
    h.setUint16(36, 22, true); // cbSize
    h.setUint16(38, 24, true); // valid bits
    h.setUint32(40, 0x7, true); // channel mask
    h.setUint32(44, 1, true); // subformat GUID, first word: PCM
    h.setUint32(48, 0x00100000, true);
    h.setUint32(52, 0xaa000080, true);
    h.setUint32(56, 0x719b3800, true);
    ascii(60, 'data');
    h.setUint32(64, data.length, true);
    const file = new Uint8Array(header.length + data.length);
    file.set(header);
    file.set(data, header.length);
    const info = parseWav(file);
    assert.equal(info.encoding, 'pcm');
    assert.equal(info.bitsPerSample, 24);
    const pcm = await decodeWav(file);
    assert.equal(pcm.length, 2000);
    assert.ok(toneShare(pcm, 1000, 8000, 200, 1800) > 0.99);
  });

  it('reads a truncated data chunk as far as it goes', async () => {
    const whole = toneWav({ sampleRate: 16000, depth: '16', channels: 2, seconds: 1 });
    const cut = whole.subarray(0, 44 + 16000 * 4 * 0.5 + 3); // half the audio and a partial frame
    const info = parseWav(cut);
    assert.equal(info.truncated, true);
    assert.equal(info.frames, 8000);
    const pcm = await decodeWav(cut);
    assert.equal(pcm.length, 4000);
  });

  it('rejects non-WAV and broken files as corrupt (13420)', async () => {
    await assert.rejects(decodeWav(new TextEncoder().encode('<html>not audio</html>')), isDecodeError('corrupt'));
    await assert.rejects(decodeWav(new Uint8Array(0)), isDecodeError('corrupt'));
    const noData = toneWav({ sampleRate: 8000, depth: '16', channels: 1, seconds: 0.1 }).subarray(0, 36);
    await assert.rejects(decodeWav(noData), isDecodeError('corrupt'));
  });

  it('rejects encodings it does not play as unsupported (13420)', async () => {
    const wav = new wavefile.WaveFile(toneWav({ sampleRate: 8000, depth: '16', channels: 1, seconds: 0.2 }));
    wav.toIMAADPCM();
    await assert.rejects(decodeWav(wav.toBuffer()), isDecodeError('unsupported-encoding'));
    const twelveBit = toneWav({ sampleRate: 8000, depth: '16', channels: 1, seconds: 0.1 });
    new DataView(twelveBit.buffer, twelveBit.byteOffset).setUint16(34, 12, true);
    await assert.rejects(decodeWav(twelveBit), isDecodeError('unsupported-encoding'));
  });

  it('yields to the event loop while decoding a long file', async () => {
    const bytes = toneWav({ sampleRate: 44100, depth: '16', channels: 2, seconds: 20 });
    let turns = 0;
    const timer = setInterval(() => turns++, 0);
    try {
      const pcm = await decodeWav(bytes, { sliceMs: 2 });
      assert.equal(pcm.length, 160000);
    } finally {
      clearInterval(timer);
    }
    assert.ok(turns > 0, 'timers ran during the decode');
  });

  it('stops when its signal aborts', async () => {
    const bytes = toneWav({ sampleRate: 44100, depth: '16', channels: 1, seconds: 10 });
    const controller = new AbortController();
    const decoding = decodeWav(bytes, { sliceMs: 1, signal: controller.signal });
    controller.abort(new Error('hung up'));
    await assert.rejects(decoding, /hung up/);
  });
});
