/**
 * ITU-T G.711 µ-law and A-law on 16-bit linear PCM.
 *
 * The companding laws are computed once, at module load, into lookup tables:
 * a 65,536-entry table per law for encoding (indexed by the sample's 16-bit
 * pattern) and a 256-entry table per law for decoding. The per-frame functions
 * below are then one table read per sample, write into the caller's buffer and
 * allocate nothing.
 *
 * Linear values follow the usual 16-bit convention: µ-law decodes to multiples
 * of 4 (its 14-bit scale shifted left by 2, peak ±32124), A-law to multiples of 8
 * (its 13-bit scale shifted left by 3, peak ±32256).
 */

/** µ-law bias (33 in 14-bit units, shifted to the 16-bit scale). */
const ULAW_BIAS = 0x84;
/** Largest magnitude µ-law can represent before the bias pushes it past 15 bits. */
const ULAW_CLIP = 32635;

/** Encodes one 16-bit sample to a µ-law code word (computed, not looked up). */
function computeUlaw(sample: number): number {
  let magnitude = sample;
  let sign = 0;
  if (magnitude < 0) {
    sign = 0x80;
    magnitude = -magnitude;
  }
  if (magnitude > ULAW_CLIP) magnitude = ULAW_CLIP;
  magnitude += ULAW_BIAS;
  // Segment (exponent) = position of the highest set bit among bits 7..14.
  let exponent = 7;
  for (let mask = 0x4000; exponent > 0 && (magnitude & mask) === 0; mask >>= 1) exponent--;
  const mantissa = (magnitude >> (exponent + 3)) & 0x0f;
  return ~(sign | (exponent << 4) | mantissa) & 0xff;
}

/** Decodes one µ-law code word to a 16-bit sample (computed, not looked up). */
function computeUlawDecode(code: number): number {
  const u = ~code & 0xff;
  const exponent = (u >> 4) & 0x07;
  const magnitude = ((((u & 0x0f) << 3) + ULAW_BIAS) << exponent) - ULAW_BIAS;
  return (u & 0x80) !== 0 ? -magnitude : magnitude;
}

/** Encodes one 16-bit sample to an A-law code word (computed, not looked up). */
function computeAlaw(sample: number): number {
  // A-law works on 13 bits; even bits are inverted on the line (XOR 0x55).
  let value = sample >> 3;
  let mask: number;
  if (value >= 0) {
    mask = 0xd5; // sign bit set for positive values
  } else {
    mask = 0x55;
    value = -value - 1;
  }
  // Segment: how many bits the value has above the 5 low ones (0..7; |value| <= 4095).
  let segment = 0;
  for (let limit = 0x1f; value > limit; limit = (limit << 1) | 1) segment++;
  const step = segment < 2 ? (value >> 1) & 0x0f : (value >> segment) & 0x0f;
  return ((segment << 4) | step) ^ mask;
}

/** Decodes one A-law code word to a 16-bit sample (computed, not looked up). */
function computeAlawDecode(code: number): number {
  const a = code ^ 0x55;
  const segment = (a >> 4) & 0x07;
  let magnitude = ((a & 0x0f) << 4) + 8; // mid-point of the step
  if (segment > 0) magnitude = (magnitude + 0x100) << (segment - 1);
  return (a & 0x80) !== 0 ? magnitude : -magnitude;
}

const ULAW_ENCODE = new Uint8Array(65536);
const ALAW_ENCODE = new Uint8Array(65536);
const ULAW_DECODE = new Int16Array(256);
const ALAW_DECODE = new Int16Array(256);
const ULAW_TO_ALAW = new Uint8Array(256);
const ALAW_TO_ULAW = new Uint8Array(256);

for (let i = 0; i < 65536; i++) {
  const sample = i >= 0x8000 ? i - 0x10000 : i;
  ULAW_ENCODE[i] = computeUlaw(sample);
  ALAW_ENCODE[i] = computeAlaw(sample);
}
for (let c = 0; c < 256; c++) {
  ULAW_DECODE[c] = computeUlawDecode(c);
  ALAW_DECODE[c] = computeAlawDecode(c);
}
// Transcoding goes through the linear value: µ-law's largest steps are coarser
// than A-law's at the top and finer at the bottom, so this picks the A-law code
// whose decision interval holds the µ-law reconstruction value (and vice versa).
for (let c = 0; c < 256; c++) {
  ULAW_TO_ALAW[c] = ALAW_ENCODE[ULAW_DECODE[c]! & 0xffff]!;
  ALAW_TO_ULAW[c] = ULAW_ENCODE[ALAW_DECODE[c]! & 0xffff]!;
}

function checkRoom(what: string, needed: number, available: number): void {
  if (needed > available) {
    throw new RangeError(`${what}: destination holds ${available}, needs ${needed}`);
  }
}

/**
 * µ-law encodes `length` samples of `src` (default: all of it) into `dst`
 * starting at `dstOffset`, so a payload can be written straight after an RTP
 * header in a packet buffer.
 */
export function encodeUlaw(src: Int16Array, dst: Uint8Array, dstOffset = 0, length = src.length): void {
  checkRoom('encodeUlaw', dstOffset + length, dst.length);
  for (let i = 0; i < length; i++) dst[dstOffset + i] = ULAW_ENCODE[src[i]! & 0xffff]!;
}

/**
 * Decodes `length` µ-law bytes of `src` from `srcOffset` (default: the rest of
 * it) into `dst` from index 0, so a payload can be read in place inside a
 * datagram.
 */
export function decodeUlaw(src: Uint8Array, dst: Int16Array, srcOffset = 0, length = src.length - srcOffset): void {
  checkRoom('decodeUlaw', length, dst.length);
  for (let i = 0; i < length; i++) dst[i] = ULAW_DECODE[src[srcOffset + i]!]!;
}

/** A-law counterpart of {@link encodeUlaw}. */
export function encodeAlaw(src: Int16Array, dst: Uint8Array, dstOffset = 0, length = src.length): void {
  checkRoom('encodeAlaw', dstOffset + length, dst.length);
  for (let i = 0; i < length; i++) dst[dstOffset + i] = ALAW_ENCODE[src[i]! & 0xffff]!;
}

/** A-law counterpart of {@link decodeUlaw}. */
export function decodeAlaw(src: Uint8Array, dst: Int16Array, srcOffset = 0, length = src.length - srcOffset): void {
  checkRoom('decodeAlaw', length, dst.length);
  for (let i = 0; i < length; i++) dst[i] = ALAW_DECODE[src[srcOffset + i]!]!;
}

/** Converts µ-law code words to A-law without going through a PCM buffer; `src` and `dst` may be the same array. */
export function transcodeUlawToAlaw(src: Uint8Array, dst: Uint8Array, length = src.length): void {
  checkRoom('transcodeUlawToAlaw', length, dst.length);
  for (let i = 0; i < length; i++) dst[i] = ULAW_TO_ALAW[src[i]!]!;
}

/** Converts A-law code words to µ-law; `src` and `dst` may be the same array. */
export function transcodeAlawToUlaw(src: Uint8Array, dst: Uint8Array, length = src.length): void {
  checkRoom('transcodeAlawToUlaw', length, dst.length);
  for (let i = 0; i < length; i++) dst[i] = ALAW_TO_ULAW[src[i]!]!;
}

/** One sample to µ-law (table lookup). */
export function ulawFromLinear(sample: number): number {
  return ULAW_ENCODE[sample & 0xffff]!;
}

/** One µ-law code word to a 16-bit sample (table lookup). */
export function ulawToLinear(code: number): number {
  return ULAW_DECODE[code & 0xff]!;
}

/** One sample to A-law (table lookup). */
export function alawFromLinear(sample: number): number {
  return ALAW_ENCODE[sample & 0xffff]!;
}

/** One A-law code word to a 16-bit sample (table lookup). */
export function alawToLinear(code: number): number {
  return ALAW_DECODE[code & 0xff]!;
}

/** One µ-law code word to A-law. */
export function ulawToAlaw(code: number): number {
  return ULAW_TO_ALAW[code & 0xff]!;
}

/** One A-law code word to µ-law. */
export function alawToUlaw(code: number): number {
  return ALAW_TO_ULAW[code & 0xff]!;
}

/** The µ-law code for digital silence (linear 0). */
export const ULAW_SILENCE = 0xff;
/** The A-law code for digital silence (linear 0 encodes to +8). */
export const ALAW_SILENCE = 0xd5;
