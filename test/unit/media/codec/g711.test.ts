import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  ALAW_SILENCE,
  ULAW_SILENCE,
  alawFromLinear,
  alawToLinear,
  alawToUlaw,
  decodeAlaw,
  decodeUlaw,
  encodeAlaw,
  encodeUlaw,
  transcodeAlawToUlaw,
  transcodeUlawToAlaw,
  ulawFromLinear,
  ulawToAlaw,
  ulawToLinear,
} from '../../../../src/media/codec/g711.js';
import { CODECS, PCMA, PCMU, codecByName, codecByPayloadType } from '../../../../src/media/codec/index.js';

/** µ-law reconstruction value of a segment/step on ITU-T G.711's 14-bit scale: ((2·step + 33) << segment) − 33. */
function ituUlaw14(segment: number, step: number): number {
  return ((2 * step + 33) << segment) - 33;
}

/** A-law reconstruction value on G.711's 13-bit scale: segment 0 → 2·step + 1, else (2·step + 33) << (segment − 1). */
function ituAlaw13(segment: number, step: number): number {
  return segment === 0 ? 2 * step + 1 : (2 * step + 33) << (segment - 1);
}

describe('G.711 µ-law', () => {
  it('encodes the ITU golden values', () => {
    assert.equal(ulawFromLinear(0), 0xff);
    assert.equal(ULAW_SILENCE, 0xff);
    assert.equal(ulawFromLinear(-1), 0x7f); // "negative zero"
    assert.equal(ulawFromLinear(3), 0xff); // below the first decision value (1 on the 14-bit scale)
    assert.equal(ulawFromLinear(4), 0xfe);
    assert.equal(ulawFromLinear(32767), 0x80);
    assert.equal(ulawFromLinear(-32768), 0x00);
    assert.equal(ulawFromLinear(32124), 0x80);
    assert.equal(ulawFromLinear(-32124), 0x00);
  });

  it('decodes every code to the G.711 reconstruction value (14-bit value × 4)', () => {
    for (let code = 0; code < 256; code++) {
      const u = ~code & 0xff; // transmitted code words are inverted
      const segment = (u >> 4) & 7;
      const step = u & 15;
      const magnitude = ituUlaw14(segment, step) * 4;
      const expected = (u & 0x80) !== 0 ? -magnitude : magnitude;
      assert.equal(ulawToLinear(code), expected === 0 ? 0 : expected, `code 0x${code.toString(16)}`);
    }
    assert.equal(ulawToLinear(0x80), 8031 * 4);
    assert.equal(ulawToLinear(0x00), -8031 * 4);
    assert.equal(ulawToLinear(0x8f), 4191 * 4);
    assert.equal(ulawToLinear(0xef), 33 * 4);
  });

  it('re-encodes every decoded code to itself (but negative zero to positive zero)', () => {
    for (let code = 0; code < 256; code++) {
      const back = ulawFromLinear(ulawToLinear(code));
      assert.equal(back, code === 0x7f ? 0xff : code, `code 0x${code.toString(16)}`);
    }
  });

  it('keeps decode∘encode within half a step over the full 16-bit sweep', () => {
    const src = new Int16Array(65536);
    for (let i = 0; i < 65536; i++) src[i] = i - 32768;
    const codes = new Uint8Array(65536);
    const back = new Int16Array(65536);
    encodeUlaw(src, codes);
    decodeUlaw(codes, back);
    for (let i = 0; i < 65536; i++) {
      const x = src[i]!;
      const y = back[i]!;
      const segment = ((~codes[i]! & 0xff) >> 4) & 7;
      const halfStep = 4 << segment; // steps are 2^(segment+3) on the 16-bit scale
      const clipped = Math.max(-32124, Math.min(32124, x));
      assert.ok(Math.abs(y - clipped) <= halfStep, `x=${x} y=${y}`);
      assert.equal(Math.sign(y) === -Math.sign(x) && y !== 0, false, `sign flipped at ${x}`);
    }
  });

  it('is monotonic', () => {
    let previous = -Infinity;
    for (let x = -32768; x <= 32767; x++) {
      const y = ulawToLinear(ulawFromLinear(x));
      assert.ok(y >= previous, `not monotonic at ${x}`);
      previous = y;
    }
  });
});

describe('G.711 A-law', () => {
  it('encodes the ITU golden values', () => {
    assert.equal(alawFromLinear(0), 0xd5);
    assert.equal(ALAW_SILENCE, 0xd5);
    assert.equal(alawFromLinear(-1), 0x55);
    assert.equal(alawFromLinear(15), 0xd5); // below the first decision value (2 on the 13-bit scale)
    assert.equal(alawFromLinear(16), 0xd4);
    assert.equal(alawFromLinear(32767), 0xaa);
    assert.equal(alawFromLinear(-32768), 0x2a);
  });

  it('decodes every code to the G.711 reconstruction value (13-bit value × 8)', () => {
    for (let code = 0; code < 256; code++) {
      const a = code ^ 0x55; // even bits are inverted on the line
      const magnitude = ituAlaw13((a >> 4) & 7, a & 15) * 8;
      assert.equal(alawToLinear(code), (a & 0x80) !== 0 ? magnitude : -magnitude, `code 0x${code.toString(16)}`);
    }
    assert.equal(alawToLinear(0xd5), 8);
    assert.equal(alawToLinear(0xaa), 4032 * 8);
    assert.equal(alawToLinear(0xa5), 2112 * 8);
  });

  it('re-encodes every decoded code to itself', () => {
    for (let code = 0; code < 256; code++) assert.equal(alawFromLinear(alawToLinear(code)), code);
  });

  it('keeps decode∘encode within half a step over the full 16-bit sweep', () => {
    const src = new Int16Array(65536);
    for (let i = 0; i < 65536; i++) src[i] = i - 32768;
    const codes = new Uint8Array(65536);
    const back = new Int16Array(65536);
    encodeAlaw(src, codes);
    decodeAlaw(codes, back);
    for (let i = 0; i < 65536; i++) {
      const x = src[i]!;
      const segment = ((codes[i]! ^ 0x55) >> 4) & 7;
      const halfStep = segment <= 1 ? 8 : 8 << (segment - 1);
      const clipped = Math.max(-32256, Math.min(32256, x));
      assert.ok(Math.abs(back[i]! - clipped) <= halfStep, `x=${x} y=${back[i]}`);
    }
  });

  it('is monotonic', () => {
    let previous = -Infinity;
    for (let x = -32768; x <= 32767; x++) {
      const y = alawToLinear(alawFromLinear(x));
      assert.ok(y >= previous, `not monotonic at ${x}`);
      previous = y;
    }
  });
});

describe('G.711 buffers and transcoding', () => {
  it('encodes at an offset and decodes from one', () => {
    const pcm = Int16Array.from([0, 1000, -1000, 32767]);
    const packet = new Uint8Array(12 + 4).fill(0x11);
    encodeUlaw(pcm, packet, 12);
    assert.deepEqual([...packet.subarray(0, 12)], new Array(12).fill(0x11));
    assert.deepEqual([...packet.subarray(12)], [...pcm].map(ulawFromLinear));
    const out = new Int16Array(4);
    decodeUlaw(packet, out, 12);
    assert.deepEqual([...out], [...pcm].map((x) => ulawToLinear(ulawFromLinear(x))));
    const partial = new Int16Array(4);
    decodeAlaw(Uint8Array.from([0xd5, 0xaa, 0x2a]), partial, 1, 1);
    assert.deepEqual([...partial], [32256, 0, 0, 0]);
  });

  it('throws RangeError when the destination is too small', () => {
    assert.throws(() => encodeUlaw(new Int16Array(160), new Uint8Array(100)), RangeError);
    assert.throws(() => decodeAlaw(new Uint8Array(160), new Int16Array(10)), RangeError);
    assert.throws(() => encodeAlaw(new Int16Array(160), new Uint8Array(160), 1), RangeError);
  });

  it('transcodes silence to silence and preserves sign and magnitude order', () => {
    assert.equal(ulawToAlaw(0xff), 0xd5);
    // A-law's smallest positive value (+8) is exactly µ-law's second step.
    assert.equal(alawToUlaw(0xd5), 0xfe);
    assert.equal(ulawToLinear(alawToUlaw(0xd5)), 8);
    for (let code = 0; code < 256; code++) {
      const linear = ulawToLinear(code);
      const viaA = alawToLinear(ulawToAlaw(code));
      // A-law's coarsest step is 1024: the error stays within half of the coarser law's step.
      assert.ok(Math.abs(viaA - linear) <= 512 + 8, `µ 0x${code.toString(16)}: ${linear} → ${viaA}`);
      assert.ok(linear === 0 || Math.sign(viaA) === Math.sign(linear));
    }
  });

  it('µ→A→µ and A→µ→A round trips stay close (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 255 }), (code) => {
        const u = ulawToLinear(code);
        const uBack = ulawToLinear(alawToUlaw(ulawToAlaw(code)));
        const a = alawToLinear(code);
        const aBack = alawToLinear(ulawToAlaw(alawToUlaw(code)));
        return Math.abs(uBack - u) <= 1024 && Math.abs(aBack - a) <= 1024;
      }),
      { numRuns: 256 },
    );
  });

  it('array transcoders match the per-code functions, in place too', () => {
    const codes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const a = new Uint8Array(256);
    transcodeUlawToAlaw(codes, a);
    for (let i = 0; i < 256; i++) assert.equal(a[i], ulawToAlaw(i));
    transcodeAlawToUlaw(a, a);
    for (let i = 0; i < 256; i++) assert.equal(a[i], alawToUlaw(ulawToAlaw(i)));
  });

  it('encode∘decode is the identity on code words except µ-law negative zero (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 320 }), (codes) => {
        const pcm = new Int16Array(codes.length);
        const back = new Uint8Array(codes.length);
        decodeAlaw(codes, pcm);
        encodeAlaw(pcm, back);
        for (let i = 0; i < codes.length; i++) if (back[i] !== codes[i]) return false;
        decodeUlaw(codes, pcm);
        encodeUlaw(pcm, back);
        for (let i = 0; i < codes.length; i++) if (back[i] !== (codes[i] === 0x7f ? 0xff : codes[i])) return false;
        return true;
      }),
      { numRuns: 100 },
    );
  });
});

describe('codec list', () => {
  it('lists PCMU (PT 0) and PCMA (PT 8) at 8 kHz, 20 ms', () => {
    assert.deepEqual(
      CODECS.map((c) => [c.name, c.payloadType, c.clockRate, c.ptimeMs, c.samplesPerFrame, c.bytesPerFrame]),
      [
        ['PCMU', 0, 8000, 20, 160, 160],
        ['PCMA', 8, 8000, 20, 160, 160],
      ],
    );
    assert.ok(Object.isFrozen(CODECS));
  });

  it('looks codecs up by payload type and rtpmap name', () => {
    assert.equal(codecByPayloadType(0), PCMU);
    assert.equal(codecByPayloadType(8), PCMA);
    assert.equal(codecByPayloadType(18), undefined);
    assert.equal(codecByName('pcmu'), PCMU);
    assert.equal(codecByName('PCMA', 8000), PCMA);
    assert.equal(codecByName('PCMA', 16000), undefined);
  });

  it('has stages that describe themselves and code into caller buffers', () => {
    assert.equal(PCMU.decoder.describe(), 'PCMU(decode)');
    assert.equal(PCMA.encoder.describe(), 'PCMA(encode)');
    assert.equal(PCMU.describe(), 'PCMU/8000');
    const pcm = new Int16Array(160).fill(1000);
    const bytes = new Uint8Array(172);
    assert.equal(PCMA.encoder.encode(pcm, bytes, 12), 160);
    const out = new Int16Array(160);
    assert.equal(PCMA.decoder.decode(bytes, out, 12), 160);
    assert.equal(out[0], alawToLinear(alawFromLinear(1000)));
  });
});
