/**
 * Any audio body to {@link Pcm8k}: picks the decoder from the first bytes and
 * the Content-Type, the way `<Play>` needs it.
 *
 * The bytes decide when they identify a format (RIFF/RIFX…WAVE, an ID3 tag or
 * an MPEG audio frame header), because servers often label audio loosely.
 * A Content-Type that says the body is not audio at all (HTML, XML, JSON,
 * text) fails with 13420 before any sniffing, as Twilio does. Headerless
 * G.711 is accepted when the type says so (`audio/basic`, `audio/ulaw`,
 * `audio/x-mulaw`, `audio/x-alaw`…), and Sun/NeXT `.snd` files (µ-law, A-law
 * or 16-bit PCM). Anything else is 13420.
 */
import { alawToLinear, ulawToLinear } from '../codec/g711.js';
import type { DecodeOptions } from './cooperate.js';
import { decodeMp3 } from './decode-mp3.js';
import { decodeWav } from './decode-wav.js';
import { AudioDecodeError } from './errors.js';
import { type Pcm8k, PCM8K_RATE } from './pcm.js';
import { toPcm8k } from './resample.js';

export type AudioFormat = 'wav' | 'mp3' | 'au' | 'ulaw' | 'alaw';

export interface AudioDecodeOptions extends DecodeOptions {
  /** The Content-Type the body came with, if any. */
  contentType?: string;
}

/** The media type of a Content-Type header value, lower-cased, without parameters. */
export function mediaType(contentType: string | undefined): string | undefined {
  if (contentType === undefined) return undefined;
  const type = contentType.split(';', 1)[0]!.trim().toLowerCase();
  return type === '' ? undefined : type;
}

const WAV_TYPES = new Set(['audio/wav', 'audio/wave', 'audio/x-wav', 'audio/vnd.wave', 'audio/x-pn-wav']);
const MP3_TYPES = new Set(['audio/mpeg', 'audio/mp3', 'audio/mpeg3', 'audio/x-mpeg', 'audio/x-mpeg-3', 'audio/x-mp3', 'audio/mpa']);
const ULAW_TYPES = new Set(['audio/basic', 'audio/ulaw', 'audio/x-ulaw', 'audio/mulaw', 'audio/x-mulaw', 'audio/pcmu']);
const ALAW_TYPES = new Set(['audio/alaw', 'audio/x-alaw', 'audio/pcma']);
/** Types that say "some bytes" without saying which: sniffing decides. */
const NEUTRAL_TYPES = new Set(['application/octet-stream', 'binary/octet-stream', 'application/binary']);

function ascii(bytes: Uint8Array, offset: number, length: number): string {
  let s = '';
  for (let i = 0; i < length && offset + i < bytes.length; i++) s += String.fromCharCode(bytes[offset + i]!);
  return s;
}

/** True when `bytes[at..]` starts a plausible MPEG audio frame header. */
function isMpegFrame(bytes: Uint8Array, at: number): boolean {
  if (at + 4 > bytes.length) return false;
  const b1 = bytes[at + 1]!;
  const b2 = bytes[at + 2]!;
  if (bytes[at] !== 0xff || (b1 & 0xe0) !== 0xe0) return false;
  const version = (b1 >> 3) & 0x03; // 01 is reserved
  const layer = (b1 >> 1) & 0x03; // 00 is reserved
  const bitrate = b2 >> 4; // 1111 is invalid
  const rate = (b2 >> 2) & 0x03; // 11 is reserved
  return version !== 1 && layer !== 0 && bitrate !== 0x0f && rate !== 0x03;
}

/** The format the first bytes announce, or undefined. */
export function sniffAudio(bytes: Uint8Array): 'wav' | 'mp3' | 'au' | undefined {
  const riff = ascii(bytes, 0, 4);
  if ((riff === 'RIFF' || riff === 'RIFX') && ascii(bytes, 8, 4) === 'WAVE') return 'wav';
  if (riff === '.snd' && bytes.length >= 24) return 'au';
  if (ascii(bytes, 0, 3) === 'ID3') return 'mp3';
  if (isMpegFrame(bytes, 0)) return 'mp3';
  return undefined;
}

/**
 * Chooses the decoder for a body; throws {@link AudioDecodeError} with
 * Twilio's 13420 when it is not audio we play.
 */
export function detectAudioFormat(bytes: Uint8Array, contentType?: string): AudioFormat {
  const type = mediaType(contentType);
  if (type !== undefined && !type.startsWith('audio/') && !NEUTRAL_TYPES.has(type)) {
    throw new AudioDecodeError('invalid-content-type', `Play: Content-Type ${type} is not audio`);
  }
  const sniffed = sniffAudio(bytes);
  if (sniffed !== undefined) return sniffed;
  if (type !== undefined) {
    if (ULAW_TYPES.has(type)) return 'ulaw';
    if (ALAW_TYPES.has(type)) return 'alaw';
    // An MP3 may start with junk before its first frame; mpg123 resynchronises.
    if (MP3_TYPES.has(type)) return 'mp3';
    if (WAV_TYPES.has(type)) throw new AudioDecodeError('corrupt', `Play: ${type} body is not a RIFF/WAVE file`);
  }
  throw new AudioDecodeError(
    'unrecognized',
    `Play: unsupported audio${type === undefined ? '' : ` (${type})`}; WAV and MP3 are played`,
  );
}

/** Decodes a WAV, MP3 or raw G.711 body to 8 kHz mono. */
export async function decodeAudio(bytes: Uint8Array, options: AudioDecodeOptions = {}): Promise<Pcm8k> {
  const format = detectAudioFormat(bytes, options.contentType);
  switch (format) {
    case 'wav':
      return decodeWav(bytes, options);
    case 'mp3':
      return decodeMp3(bytes, options);
    case 'au':
      return decodeAu(bytes, options);
    case 'ulaw': {
      const out = new Int16Array(bytes.length);
      for (let i = 0; i < bytes.length; i++) out[i] = ulawToLinear(bytes[i]!);
      return out;
    }
    case 'alaw': {
      const out = new Int16Array(bytes.length);
      for (let i = 0; i < bytes.length; i++) out[i] = alawToLinear(bytes[i]!);
      return out;
    }
  }
}

const AU_ULAW = 1;
const AU_PCM16 = 3;
const AU_ALAW = 27;

/** A Sun/NeXT `.snd` (AU) file: big-endian header, µ-law, A-law or 16-bit PCM. */
async function decodeAu(bytes: Uint8Array, options: DecodeOptions): Promise<Pcm8k> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const offset = view.getUint32(4);
  const declared = view.getUint32(8);
  const encoding = view.getUint32(12);
  const rate = view.getUint32(16);
  const channels = view.getUint32(20);
  if (offset < 24 || offset > bytes.length || channels < 1 || channels > 32 || rate < 1000 || rate > 768000) {
    throw new AudioDecodeError('corrupt', 'AU: malformed header');
  }
  const width = encoding === AU_PCM16 ? 2 : 1;
  if (encoding !== AU_ULAW && encoding !== AU_ALAW && encoding !== AU_PCM16) {
    throw new AudioDecodeError('unsupported-encoding', `AU: unsupported encoding ${encoding}`);
  }
  let size = bytes.length - offset;
  if (declared !== 0xffffffff && declared < size) size = declared;
  const frames = Math.floor(size / (width * channels));
  const sample = (i: number): number => {
    const at = offset + i * width;
    if (encoding === AU_PCM16) return view.getInt16(at);
    return encoding === AU_ULAW ? ulawToLinear(bytes[at]!) : alawToLinear(bytes[at]!);
  };
  if (rate === PCM8K_RATE && channels === 1) {
    const out = new Int16Array(frames);
    for (let i = 0; i < frames; i++) out[i] = sample(i);
    return out;
  }
  const mono = new Float32Array(frames);
  for (let f = 0; f < frames; f++) {
    let sum = 0;
    for (let c = 0; c < channels; c++) sum += sample(f * channels + c);
    mono[f] = sum / channels / 32768;
  }
  return toPcm8k([mono], rate, options.quality === undefined ? {} : { quality: options.quality });
}
