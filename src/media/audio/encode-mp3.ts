/**
 * A 16-bit PCM WAV file (what the recorder writes) to an MP3 file, through
 * `wasm-media-encoders` (LAME compiled to WebAssembly), constant bit rate.
 *
 * The WAV is read a block at a time and each block encoded as it comes, so a
 * four-hour recording never sits in memory and the event loop gets a turn at
 * every read. The first frame of the MP3 is a LAME "Info" tag written last: its
 * frame count and encoder delay and padding let gapless decoders (mpg123,
 * ffmpeg, browsers) trim the encoder's priming and padding, so the MP3 decodes
 * to as many samples as the WAV holds.
 */
import { open, type FileHandle } from 'node:fs/promises';
import { createMp3Encoder } from 'wasm-media-encoders';
import { AudioDecodeError } from './errors.js';

/** What was written. */
export interface Mp3Written {
  readonly channels: 1 | 2;
  readonly sampleRate: number;
  /** Sample frames of the WAV, which a gapless decoder gives back. */
  readonly samples: number;
  readonly bytes: number;
  readonly bitrateKbps: number;
}

/** Where a WAV's samples are, checked. */
interface WavLayout {
  readonly channels: 1 | 2;
  readonly sampleRate: number;
  readonly dataOffset: number;
  /** Whole sample frames present. */
  readonly frames: number;
}

/** Sample frames encoded per block (~1 s at 8 kHz). */
const BLOCK_FRAMES = 8192;
/** LAME's encoder delay (ENCDELAY): samples of priming before the first input sample. */
const ENCODER_DELAY = 576;
const MPEG1_RATES: ReadonlySet<number> = new Set([32000, 44100, 48000]);
const MPEG_RATES: ReadonlySet<number> = new Set([8000, 11025, 12000, 16000, 22050, 24000, ...MPEG1_RATES]);

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

/** Walks the RIFF chunks to `fmt ` and `data`; only 16-bit PCM, mono or stereo, at an MP3 sample rate. */
async function readLayout(file: FileHandle, size: number): Promise<WavLayout> {
  const riff = await readAt(file, 0, 12);
  if (riff.length < 12 || riff.toString('latin1', 0, 4) !== 'RIFF' || riff.toString('latin1', 8, 12) !== 'WAVE') {
    throw new AudioDecodeError('corrupt', 'not a RIFF WAVE file');
  }
  let format: { channels: number; sampleRate: number; encoding: number; bits: number } | undefined;
  for (let at = 12; at + 8 <= size; ) {
    const header = await readAt(file, at, 8);
    const id = header.toString('latin1', 0, 4);
    const length = header.readUInt32LE(4);
    if (id === 'fmt ') {
      const fmt = await readAt(file, at + 8, 16);
      if (fmt.length < 16) break;
      format = { encoding: fmt.readUInt16LE(0), channels: fmt.readUInt16LE(2), sampleRate: fmt.readUInt32LE(4), bits: fmt.readUInt16LE(14) };
    } else if (id === 'data') {
      if (format === undefined) break;
      const { encoding, channels, sampleRate, bits } = format;
      if (encoding !== 1 || bits !== 16 || (channels !== 1 && channels !== 2) || !MPEG_RATES.has(sampleRate)) {
        throw new AudioDecodeError('unsupported-encoding', `cannot encode ${bits}-bit format ${encoding}, ${channels} channels at ${sampleRate} Hz to MP3`);
      }
      // A data size of zero or past the end (a recorder that never patched its header) reads to the end of the file.
      const present = size - (at + 8);
      const bytes = length === 0 || length > present ? present : length;
      const frames = Math.floor(bytes / (2 * channels));
      if (frames === 0) throw new AudioDecodeError('corrupt', 'the WAV file holds no samples');
      return { channels, sampleRate, dataOffset: at + 8, frames };
    }
    at += 8 + length + (length % 2);
  }
  throw new AudioDecodeError('corrupt', 'the WAV file has no fmt and data chunks');
}

/** Layer III bit rates by header index (kb/s): MPEG-1, then MPEG-2 and 2.5. */
const MPEG1_KBPS = [0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320];
const MPEG2_KBPS = [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160];
/** The Xing fields (flags, frames, bytes, seek table, quality) and LAME's extension. */
const TAG_BYTES = 120 + 36;

/** Bytes of a frame without its padding slot. */
function frameBytesAt(sampleRate: number, kbps: number): number {
  return Math.floor(((MPEG1_RATES.has(sampleRate) ? 144_000 : 72_000) * kbps) / sampleRate);
}

/** The bit rate index of the Info frame: the audio's, or the lowest above it whose frame holds the tag. */
function infoBitrateIndex(sampleRate: number, channels: 1 | 2, audioKbps: number): number {
  const table = MPEG1_RATES.has(sampleRate) ? MPEG1_KBPS : MPEG2_KBPS;
  const needed = 4 + sideInfoBytes(sampleRate, channels) + TAG_BYTES;
  const index = table.findIndex((kbps) => kbps >= audioKbps && frameBytesAt(sampleRate, kbps) >= needed);
  return index < 0 ? table.length - 1 : index;
}

/** MPEG-1 at 32–48 kHz, MPEG-2 and 2.5 below: 1152 or 576 samples a frame. */
function samplesPerFrame(sampleRate: number): number {
  return MPEG1_RATES.has(sampleRate) ? 1152 : 576;
}

/** The side information between the frame header and the Xing/Info tag. */
function sideInfoBytes(sampleRate: number, channels: 1 | 2): number {
  if (MPEG1_RATES.has(sampleRate)) return channels === 1 ? 17 : 32;
  return channels === 1 ? 9 : 17;
}

/** CRC-16 (polynomial 0x8005, reflected, initial 0), as the LAME tag's own checksum. */
function crc16(bytes: Uint8Array): number {
  let crc = 0;
  for (const byte of bytes) {
    crc ^= byte;
    for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0xa001 : crc >>> 1;
  }
  return crc;
}

/**
 * The "Info" frame (Xing layout for a constant bit rate) with LAME's extension: an
 * empty audio frame that gapless decoders read and skip, others decode as silence.
 * `firstHeader` is the header of the first audio frame, whose bit rate and mode it shares.
 */
function infoFrame(firstHeader: Uint8Array, layout: WavLayout, bitrateIndex: number, frameBytes: number, audioFrames: number, totalBytes: number, padding: number, bitrateKbps: number): Uint8Array {
  const frame = new Uint8Array(frameBytes);
  const view = new DataView(frame.buffer);
  frame.set(firstHeader.subarray(0, 4));
  // Its own bit rate (a low one has frames too small for the tag), no padding slot: exactly frameBytes long.
  frame[2] = (bitrateIndex << 4) | (frame[2]! & 0x0c);
  let at = 4 + sideInfoBytes(layout.sampleRate, layout.channels);
  frame.set(Buffer.from('Info', 'latin1'), at);
  view.setUint32(at + 4, 0x0f, false); // frames, bytes, TOC and quality present
  view.setUint32(at + 8, audioFrames, false);
  view.setUint32(at + 12, totalBytes, false);
  for (let i = 0; i < 100; i++) frame[at + 16 + i] = Math.floor((i * 256) / 100); // linear seek table: constant bit rate
  view.setUint32(at + 116, 50, false);
  at += 120;
  frame.set(Buffer.from('LAME3.100', 'latin1'), at);
  frame[at + 9] = 0x01; // tag revision 0, constant bit rate
  frame[at + 20] = Math.min(255, bitrateKbps);
  const delay = ENCODER_DELAY;
  frame[at + 21] = delay >> 4;
  frame[at + 22] = ((delay & 0x0f) << 4) | (padding >> 8);
  frame[at + 23] = padding & 0xff;
  view.setUint32(at + 28, totalBytes, false);
  // The tag's checksum covers the frame up to itself: LAME's 190 bytes from the frame start.
  const crcEnd = at + 34;
  view.setUint16(crcEnd, crc16(frame.subarray(0, crcEnd)), false);
  return frame;
}

/**
 * Encodes the WAV at `wavPath` to an MP3 at `mp3Path` (created or truncated). Throws
 * {@link AudioDecodeError} for a WAV it cannot read; the MP3 is left partial then, so
 * write to a temporary name and rename.
 */
export async function encodeWavFileToMp3(wavPath: string, mp3Path: string): Promise<Mp3Written> {
  const input = await open(wavPath, 'r');
  try {
    const size = (await input.stat()).size;
    const layout = await readLayout(input, size);
    const { channels, sampleRate } = layout;
    // Speech at telephone rates: 32 kb/s a channel below 32 kHz, 64 above (LAME's lowest sensible).
    const bitrateKbps = (sampleRate < 32000 ? 32 : 64) * channels;
    const infoIndex = infoBitrateIndex(sampleRate, channels, bitrateKbps);
    const infoBytes = frameBytesAt(sampleRate, (MPEG1_RATES.has(sampleRate) ? MPEG1_KBPS : MPEG2_KBPS)[infoIndex]!);
    const encoder = await createMp3Encoder();
    encoder.configure({ sampleRate, channels, bitrate: bitrateKbps as 32 | 64 | 128 });
    const output = await open(mp3Path, 'w');
    try {
      // Room for the Info frame, written once the counts are known.
      let written = infoBytes;
      let firstHeader: Uint8Array | undefined;
      const emit = async (mp3: Uint8Array): Promise<void> => {
        if (mp3.length === 0) return;
        firstHeader ??= mp3.slice(0, 4);
        await output.write(mp3, 0, mp3.length, written);
        written += mp3.length;
      };
      const planes = Array.from({ length: channels }, () => new Float32Array(BLOCK_FRAMES));
      const blockBytes = BLOCK_FRAMES * 2 * channels;
      for (let frame = 0; frame < layout.frames; frame += BLOCK_FRAMES) {
        const count = Math.min(BLOCK_FRAMES, layout.frames - frame);
        const block = await readAt(input, layout.dataOffset + frame * 2 * channels, Math.min(blockBytes, count * 2 * channels));
        const got = Math.floor(block.length / (2 * channels));
        for (let i = 0; i < got; i++) {
          for (let c = 0; c < channels; c++) planes[c]![i] = block.readInt16LE((i * channels + c) * 2) / 32768;
        }
        // The encoder's buffer is its own and reused: written out before the next call.
        await emit(encoder.encode(planes.map((p) => p.subarray(0, got))));
        if (got < count) break;
      }
      await emit(encoder.finalize());
      if (firstHeader === undefined) throw new AudioDecodeError('corrupt', 'the WAV file holds no samples');
      const perFrame = samplesPerFrame(sampleRate);
      // Constant bit rate: frames average this many bytes (at 44.1 kHz some carry a padding byte, some not).
      const averageFrameBytes = ((MPEG1_RATES.has(sampleRate) ? 144_000 : 72_000) * bitrateKbps) / sampleRate;
      const audioFrames = Math.round((written - infoBytes) / averageFrameBytes);
      const padding = Math.max(0, Math.min(0xfff, audioFrames * perFrame - ENCODER_DELAY - layout.frames));
      await output.write(infoFrame(firstHeader, layout, infoIndex, infoBytes, audioFrames, written, padding, bitrateKbps), 0, infoBytes, 0);
      return { channels, sampleRate, samples: layout.frames, bytes: written, bitrateKbps };
    } finally {
      await output.close();
    }
  } finally {
    await input.close();
  }
}
