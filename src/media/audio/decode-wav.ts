/**
 * WAV files to {@link Pcm8k}.
 *
 * `wavefile` reads the RIFF/RIFX structure (chunks, `fmt `, `data`); the
 * samples are then converted here, a block at a time, straight to mono float
 * and through the resampler, so a long file never exists as a Float64Array of
 * every channel. Supported: PCM 8-bit (unsigned), 16, 24 and 32-bit, IEEE
 * float 32 and 64-bit, G.711 µ-law and A-law, at any sample rate and channel
 * count, in plain or WAVE_FORMAT_EXTENSIBLE headers. A data chunk cut short
 * (a file still being written, a truncated download) is read as far as it goes.
 */
import wavefile from 'wavefile';
import { alawToLinear, ulawToLinear } from '../codec/g711.js';
import { type DecodeOptions, Yielder } from './cooperate.js';
import { AudioDecodeError } from './errors.js';
import { type Pcm8k, PCM8K_RATE } from './pcm.js';
import { createPcm8kConverter } from './resample.js';

export type WavEncoding = 'pcm' | 'float' | 'ulaw' | 'alaw';

/** What a WAV header says, checked. */
export interface WavInfo {
  readonly container: 'RIFF' | 'RIFX';
  readonly encoding: WavEncoding;
  /** Bits per sample in the container (8, 16, 24, 32 or 64). */
  readonly bitsPerSample: number;
  readonly channels: number;
  readonly sampleRate: number;
  /** Bytes per sample frame (all channels). */
  readonly blockAlign: number;
  /** Whole sample frames present in the data chunk. */
  readonly frames: number;
  /** The data chunk announced more bytes than the file holds. */
  readonly truncated: boolean;
  readonly durationMs: number;
}

/** Frames converted per block. */
const BLOCK_FRAMES = 4096;

const FORMAT_PCM = 1;
const FORMAT_FLOAT = 3;
const FORMAT_ALAW = 6;
const FORMAT_ULAW = 7;
const FORMAT_EXTENSIBLE = 0xfffe;

/** The `wavefile` fields read here (its typings declare them as `object`). */
interface WaveFmt {
  audioFormat: number;
  numChannels: number;
  sampleRate: number;
  blockAlign: number;
  bitsPerSample: number;
  subformat?: number[];
}
interface WaveData {
  chunkSize: number;
  samples: Uint8Array;
}

interface ParsedWav {
  info: WavInfo;
  data: Uint8Array;
}

function encodingOf(format: number, bits: number): WavEncoding {
  switch (format) {
    case FORMAT_PCM:
      if (bits === 8 || bits === 16 || bits === 24 || bits === 32) return 'pcm';
      break;
    case FORMAT_FLOAT:
      if (bits === 32 || bits === 64) return 'float';
      break;
    case FORMAT_ULAW:
      if (bits === 8) return 'ulaw';
      break;
    case FORMAT_ALAW:
      if (bits === 8) return 'alaw';
      break;
    default:
      throw new AudioDecodeError('unsupported-encoding', `WAV: unsupported encoding (format tag 0x${format.toString(16)})`);
  }
  throw new AudioDecodeError('unsupported-encoding', `WAV: unsupported ${bits}-bit samples for format tag ${format}`);
}

function parse(bytes: Uint8Array): ParsedWav {
  const wav = new wavefile.WaveFile();
  try {
    wav.fromBuffer(bytes, true);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new AudioDecodeError('corrupt', `WAV: ${message}`, { cause: error });
  }
  const container = wav.container;
  if (container !== 'RIFF' && container !== 'RIFX') {
    throw new AudioDecodeError('unsupported-encoding', `WAV: unsupported container ${container}`);
  }
  const fmt = wav.fmt as WaveFmt;
  const data = wav.data as WaveData;
  let format = fmt.audioFormat;
  if (format === FORMAT_EXTENSIBLE) {
    const sub = fmt.subformat?.[0];
    if (sub === undefined) throw new AudioDecodeError('corrupt', 'WAV: extensible format without a subformat');
    format = sub;
  }
  const bits = fmt.bitsPerSample;
  const encoding = encodingOf(format, bits);
  const channels = fmt.numChannels;
  const sampleRate = fmt.sampleRate;
  if (!(channels >= 1 && channels <= 32)) throw new AudioDecodeError('corrupt', `WAV: ${channels} channels`);
  if (!(sampleRate >= 1000 && sampleRate <= 768000)) {
    throw new AudioDecodeError('unsupported-encoding', `WAV: sample rate ${sampleRate} Hz outside 1000..768000`);
  }
  const minAlign = (channels * bits) / 8;
  const blockAlign = fmt.blockAlign >= minAlign ? fmt.blockAlign : minAlign;
  const samples = data.samples instanceof Uint8Array ? data.samples : new Uint8Array(0);
  const available = Math.min(samples.length, data.chunkSize);
  const frames = Math.floor(available / blockAlign);
  const info: WavInfo = Object.freeze({
    container,
    encoding,
    bitsPerSample: bits,
    channels,
    sampleRate,
    blockAlign,
    frames,
    truncated: samples.length < data.chunkSize,
    durationMs: (frames * 1000) / sampleRate,
  });
  return { info, data: samples };
}

/** Reads and checks a WAV header; throws {@link AudioDecodeError} for what we cannot play. */
export function parseWav(bytes: Uint8Array): WavInfo {
  return parse(bytes).info;
}

/** Writes `count` frames from `firstFrame`, channels averaged, into `mono` as floats in −1..1. */
function readMono(info: WavInfo, view: DataView, firstFrame: number, count: number, mono: Float32Array): void {
  const { channels, blockAlign, encoding, bitsPerSample } = info;
  const little = info.container === 'RIFF';
  const bytesPerSample = bitsPerSample / 8;
  const scale = 1 / channels;
  for (let f = 0; f < count; f++) {
    const base = (firstFrame + f) * blockAlign;
    let sum = 0;
    for (let c = 0; c < channels; c++) {
      const at = base + c * bytesPerSample;
      let v: number;
      if (encoding === 'pcm') {
        switch (bitsPerSample) {
          case 8:
            v = (view.getUint8(at) - 128) / 128;
            break;
          case 16:
            v = view.getInt16(at, little) / 32768;
            break;
          case 24: {
            const b0 = view.getUint8(at);
            const b1 = view.getUint8(at + 1);
            const b2 = view.getUint8(at + 2);
            const word = little ? b0 | (b1 << 8) | (b2 << 16) : b2 | (b1 << 8) | (b0 << 16);
            v = ((word << 8) >> 8) / 8388608;
            break;
          }
          default:
            v = view.getInt32(at, little) / 2147483648;
        }
      } else if (encoding === 'float') {
        v = bitsPerSample === 32 ? view.getFloat32(at, little) : view.getFloat64(at, little);
        if (!(v === v)) v = 0; // NaN
      } else if (encoding === 'ulaw') {
        v = ulawToLinear(view.getUint8(at)) / 32768;
      } else {
        v = alawToLinear(view.getUint8(at)) / 32768;
      }
      sum += v;
    }
    mono[f] = channels === 1 ? sum : sum * scale;
  }
}

/** 8 kHz mono 16-bit or G.711: no resampling, a straight conversion. */
function direct(info: WavInfo, view: DataView): Pcm8k | undefined {
  if (info.sampleRate !== PCM8K_RATE || info.channels !== 1) return undefined;
  const out = new Int16Array(info.frames);
  const step = info.blockAlign;
  if (info.encoding === 'pcm' && info.bitsPerSample === 16) {
    const little = info.container === 'RIFF';
    for (let i = 0; i < out.length; i++) out[i] = view.getInt16(i * step, little);
    return out;
  }
  if (info.encoding === 'ulaw') {
    for (let i = 0; i < out.length; i++) out[i] = ulawToLinear(view.getUint8(i * step));
    return out;
  }
  if (info.encoding === 'alaw') {
    for (let i = 0; i < out.length; i++) out[i] = alawToLinear(view.getUint8(i * step));
    return out;
  }
  return undefined;
}

/**
 * Decodes a WAV file to 8 kHz mono. Works in slices and yields to the event
 * loop between them (see {@link DecodeOptions}).
 */
export async function decodeWav(bytes: Uint8Array, options: DecodeOptions = {}): Promise<Pcm8k> {
  const yielder = new Yielder(options);
  const { info, data } = parse(bytes);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const quick = direct(info, view);
  if (quick !== undefined) return quick;
  const converter = await createPcm8kConverter(info.sampleRate, options.quality === undefined ? {} : { quality: options.quality });
  try {
    const mono = new Float32Array(Math.min(BLOCK_FRAMES, Math.max(info.frames, 1)));
    for (let frame = 0; frame < info.frames; frame += mono.length) {
      const count = Math.min(mono.length, info.frames - frame);
      readMono(info, view, frame, count, mono);
      converter.push([mono], 0, count);
      await yielder.maybeYield();
    }
    return converter.finish();
  } finally {
    converter.destroy();
  }
}
