/**
 * The codecs the media engine speaks, as one explicit list. Nothing registers
 * itself on import: SDP negotiation and the leg read {@link CODECS} (or the
 * look-ups below), and a new codec is a new entry here.
 */
import { decodeAlaw, decodeUlaw, encodeAlaw, encodeUlaw } from './g711.js';

export type CodecName = 'PCMU' | 'PCMA';

/** A pipeline stage that turns PCM into payload bytes. */
export interface AudioEncoder {
  /**
   * Encodes `length` samples (default: all of `src`) into `dst` at `dstOffset`;
   * returns the number of bytes written.
   */
  encode(src: Int16Array, dst: Uint8Array, dstOffset?: number, length?: number): number;
  /** e.g. "PCMU(encode)". */
  describe(): string;
}

/** A pipeline stage that turns payload bytes into PCM. */
export interface AudioDecoder {
  /**
   * Decodes `length` bytes of `src` from `srcOffset` (default: the rest) into
   * `dst` from index 0; returns the number of samples written.
   */
  decode(src: Uint8Array, dst: Int16Array, srcOffset?: number, length?: number): number;
  /** e.g. "PCMU(decode)". */
  describe(): string;
}

export interface AudioCodec {
  /** The SDP encoding name (rtpmap). */
  readonly name: CodecName;
  /** Static RTP payload type (RFC 3551). */
  readonly payloadType: number;
  /** RTP clock rate and PCM sample rate, Hz. */
  readonly clockRate: number;
  readonly channels: number;
  /** Default packetization interval, ms. */
  readonly ptimeMs: number;
  /** PCM samples in one `ptimeMs` frame. */
  readonly samplesPerFrame: number;
  /** Payload bytes in one `ptimeMs` frame. */
  readonly bytesPerFrame: number;
  /** Payload bytes per PCM sample. */
  readonly bytesPerSample: number;
  readonly encoder: AudioEncoder;
  readonly decoder: AudioDecoder;
  /** e.g. "PCMU/8000". */
  describe(): string;
}

type Encode = (src: Int16Array, dst: Uint8Array, dstOffset?: number, length?: number) => void;
type Decode = (src: Uint8Array, dst: Int16Array, srcOffset?: number, length?: number) => void;

function g711(name: CodecName, payloadType: number, encode: Encode, decode: Decode): AudioCodec {
  const encoderLabel = `${name}(encode)`;
  const decoderLabel = `${name}(decode)`;
  const label = `${name}/8000`;
  const encoder: AudioEncoder = Object.freeze({
    encode(src: Int16Array, dst: Uint8Array, dstOffset = 0, length = src.length): number {
      encode(src, dst, dstOffset, length);
      return length;
    },
    describe: () => encoderLabel,
  });
  const decoder: AudioDecoder = Object.freeze({
    decode(src: Uint8Array, dst: Int16Array, srcOffset = 0, length = src.length - srcOffset): number {
      decode(src, dst, srcOffset, length);
      return length;
    },
    describe: () => decoderLabel,
  });
  return Object.freeze({
    name,
    payloadType,
    clockRate: 8000,
    channels: 1,
    ptimeMs: 20,
    samplesPerFrame: 160,
    bytesPerFrame: 160,
    bytesPerSample: 1,
    encoder,
    decoder,
    describe: () => label,
  });
}

/** G.711 µ-law, RTP payload type 0. */
export const PCMU: AudioCodec = g711('PCMU', 0, encodeUlaw, decodeUlaw);
/** G.711 A-law, RTP payload type 8. */
export const PCMA: AudioCodec = g711('PCMA', 8, encodeAlaw, decodeAlaw);

/** Every codec the engine supports, in default offer order. */
export const CODECS: readonly AudioCodec[] = Object.freeze([PCMU, PCMA]);

/** The codec for a static payload type, or undefined. */
export function codecByPayloadType(payloadType: number): AudioCodec | undefined {
  for (const codec of CODECS) if (codec.payloadType === payloadType) return codec;
  return undefined;
}

/** The codec for an SDP rtpmap name (case-insensitive) and clock rate, or undefined. */
export function codecByName(name: string, clockRate = 8000): AudioCodec | undefined {
  const upper = name.toUpperCase();
  for (const codec of CODECS) if (codec.name === upper && codec.clockRate === clockRate) return codec;
  return undefined;
}
