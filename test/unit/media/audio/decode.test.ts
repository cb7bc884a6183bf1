import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { encodeAlaw, encodeUlaw } from '../../../../src/media/codec/g711.js';
import { decodeAudio, detectAudioFormat, mediaType, sniffAudio } from '../../../../src/media/audio/decode.js';
import { AudioDecodeError } from '../../../../src/media/audio/errors.js';
import { toneShare, toneWav } from './audio-kit.js';

const WAV = toneWav({ sampleRate: 16000, depth: '16', channels: 1, seconds: 0.5 });
const MP3_HEADER = Uint8Array.of(0xff, 0xfb, 0x90, 0x64, 0, 0, 0, 0);
const ID3 = new TextEncoder().encode('ID3\u0004\u0000\u0000\u0000\u0000\u0000\u0000');

function tone8k(samples: number): Int16Array {
  return new Int16Array(samples).map((_, i) => Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 8000)));
}

function rejectsWith(code: string) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof AudioDecodeError);
    assert.equal(error.code, code);
    assert.equal(error.twilioCode, 13420);
    return true;
  };
}

describe('audio format detection', () => {
  it('knows WAV, MP3 (ID3 tag or frame sync) and AU by their first bytes', () => {
    assert.equal(sniffAudio(WAV), 'wav');
    assert.equal(sniffAudio(MP3_HEADER), 'mp3');
    assert.equal(sniffAudio(ID3), 'mp3');
    assert.equal(sniffAudio(Uint8Array.of(0xff, 0xff, 0xff, 0xff)), undefined, 'reserved layer/bitrate bits');
    assert.equal(sniffAudio(new TextEncoder().encode('<?xml version="1.0"?>')), undefined);
  });

  it('reads media types loosely', () => {
    assert.equal(mediaType('Audio/MPEG; charset=binary'), 'audio/mpeg');
    assert.equal(mediaType(''), undefined);
    assert.equal(mediaType(undefined), undefined);
  });

  it('lets the bytes win over a loose audio type', () => {
    assert.equal(detectAudioFormat(WAV, 'audio/mpeg'), 'wav');
    assert.equal(detectAudioFormat(WAV, 'application/octet-stream'), 'wav');
    assert.equal(detectAudioFormat(WAV), 'wav');
    assert.equal(detectAudioFormat(new Uint8Array(10), 'audio/mpeg'), 'mp3');
  });

  it('fails with 13420 when the server says it is not audio, whatever the bytes', () => {
    for (const type of ['text/html', 'text/html; charset=utf-8', 'application/xml', 'text/plain', 'application/json']) {
      assert.throws(() => detectAudioFormat(WAV, type), rejectsWith('invalid-content-type'));
    }
  });

  it('fails with 13420 for audio it does not play', () => {
    assert.throws(() => detectAudioFormat(new TextEncoder().encode('OggS\0\0'), 'audio/ogg'), rejectsWith('unrecognized'));
    assert.throws(() => detectAudioFormat(new TextEncoder().encode('FORM....AIFF'), 'audio/aiff'), rejectsWith('unrecognized'));
    assert.throws(() => detectAudioFormat(new Uint8Array(20)), rejectsWith('unrecognized'));
    assert.throws(() => detectAudioFormat(new Uint8Array(20), 'audio/wav'), rejectsWith('corrupt'));
  });
});

describe('decodeAudio', () => {
  it('decodes WAV by content', async () => {
    const pcm = await decodeAudio(WAV, { contentType: 'audio/x-wav' });
    assert.equal(pcm.length, 4000);
    assert.ok(toneShare(pcm, 1000, 8000, 200, 3800) > 0.99);
  });

  it('decodes headerless G.711 when the type says so', async () => {
    const tone = tone8k(800);
    const ulaw = new Uint8Array(800);
    encodeUlaw(tone, ulaw);
    const fromUlaw = await decodeAudio(ulaw, { contentType: 'audio/basic' });
    assert.equal(fromUlaw.length, 800);
    assert.ok(toneShare(fromUlaw, 1000) > 0.99);
    const alaw = new Uint8Array(800);
    encodeAlaw(tone, alaw);
    const fromAlaw = await decodeAudio(alaw, { contentType: 'audio/x-alaw' });
    assert.ok(toneShare(fromAlaw, 1000) > 0.99);
  });

  it('decodes Sun .snd files (µ-law 8 kHz, 16-bit PCM at 16 kHz)', async () => {
    const tone = tone8k(800);
    const au = (encoding: number, rate: number, payload: Uint8Array): Uint8Array => {
      const file = new Uint8Array(24 + payload.length);
      const view = new DataView(file.buffer);
      file.set(new TextEncoder().encode('.snd'));
      view.setUint32(4, 24);
      view.setUint32(8, payload.length);
      view.setUint32(12, encoding);
      view.setUint32(16, rate);
      view.setUint32(20, 1);
      file.set(payload, 24);
      return file;
    };
    const ulaw = new Uint8Array(800);
    encodeUlaw(tone, ulaw);
    const a = await decodeAudio(au(1, 8000, ulaw), { contentType: 'audio/basic' });
    assert.equal(a.length, 800);
    assert.ok(toneShare(a, 1000) > 0.99);
    const pcm16 = new Uint8Array(3200);
    const view = new DataView(pcm16.buffer);
    for (let i = 0; i < 1600; i++) view.setInt16(i * 2, Math.round(8000 * Math.sin((2 * Math.PI * 1000 * i) / 16000)));
    const b = await decodeAudio(au(3, 16000, pcm16));
    assert.equal(b.length, 800);
    assert.ok(toneShare(b, 1000, 8000, 100, 700) > 0.99);
    await assert.rejects(decodeAudio(au(23, 8000, ulaw)), rejectsWith('unsupported-encoding'));
  });

  it('rejects MP3-looking garbage as corrupt', async () => {
    const junk = new Uint8Array(4096);
    junk.set(MP3_HEADER);
    await assert.rejects(decodeAudio(junk.subarray(0, 8), { contentType: 'audio/mpeg' }), rejectsWith('corrupt'));
  });
});
