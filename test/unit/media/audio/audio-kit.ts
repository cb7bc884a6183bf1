/**
 * Test support for the audio tests (not a .test.ts file): WAV files made in
 * the test with `wavefile` (an independent writer), and measurements on the
 * decoded PCM (Goertzel power at one frequency, RMS).
 */
import wavefile from 'wavefile';

export type WavDepth = '8' | '16' | '24' | '32' | '32f' | '64' | '8m' | '8a';

export interface ToneWavOptions {
  sampleRate: number;
  depth: WavDepth;
  channels: number;
  seconds: number;
  /** Tone frequency in the first channel, Hz (default 1000). */
  frequency?: number;
  /** Peak as a fraction of full scale (default 0.5). */
  amplitude?: number;
  /** Frequency for the other channels (default: the same tone). */
  otherFrequency?: number;
}

function scaled(x: number, depth: WavDepth): number {
  switch (depth) {
    case '8':
      return Math.round(128 + x * 127);
    case '16':
    case '8m':
    case '8a':
      return Math.round(x * 32767);
    case '24':
      return Math.round(x * 8388607);
    case '32':
      return Math.round(x * 2147483647);
    default:
      return x;
  }
}

/** A WAV file holding a sine tone, in any rate, depth and channel count. */
export function toneWav(options: ToneWavOptions): Uint8Array {
  const frames = Math.round(options.sampleRate * options.seconds);
  const amplitude = options.amplitude ?? 0.5;
  const channels: number[][] = [];
  for (let c = 0; c < options.channels; c++) {
    const f = c === 0 ? (options.frequency ?? 1000) : (options.otherFrequency ?? options.frequency ?? 1000);
    const samples = new Array<number>(frames);
    for (let i = 0; i < frames; i++) {
      samples[i] = scaled(amplitude * Math.sin((2 * Math.PI * f * i) / options.sampleRate), options.depth);
    }
    channels.push(samples);
  }
  const wav = new wavefile.WaveFile();
  const companded = options.depth === '8m' || options.depth === '8a';
  wav.fromScratch(options.channels, options.sampleRate, companded ? '16' : options.depth, channels);
  if (options.depth === '8m') wav.toMuLaw();
  if (options.depth === '8a') wav.toALaw();
  return wav.toBuffer();
}

/** Power of `pcm[from..to)` at `frequency` (Goertzel), as a share of the segment's energy (1 = a pure tone). */
export function toneShare(pcm: Int16Array, frequency: number, sampleRate = 8000, from = 0, to = pcm.length): number {
  const n = to - from;
  const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
  let s1 = 0;
  let s2 = 0;
  let energy = 0;
  for (let i = from; i < to; i++) {
    const x = pcm[i]!;
    energy += x * x;
    const s0 = x + coefficient * s1 - s2;
    s2 = s1;
    s1 = s0;
  }
  if (energy === 0) return 0;
  const power = s1 * s1 + s2 * s2 - coefficient * s1 * s2;
  return (2 * power) / (n * energy);
}

/** RMS on the 16-bit scale. */
export function rms(pcm: Int16Array, from = 0, to = pcm.length): number {
  let sum = 0;
  for (let i = from; i < to; i++) sum += pcm[i]! * pcm[i]!;
  return to > from ? Math.sqrt(sum / (to - from)) : 0;
}
