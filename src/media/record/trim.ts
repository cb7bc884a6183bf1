/**
 * Cuts a finished 16-bit PCM WAV file (as the recorder writes it: a 44-byte header, then
 * the samples) down to a range of sample frames, in place. Used to trim the silence
 * before and after a recording's voice. The kept range is streamed from the file, not
 * read whole into the worker's heap (an hour of dual audio is ~115 MB).
 */
import { createReadStream, createWriteStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { WAV_HEADER_BYTES, writeWavHeader } from '../audio/wav-header.js';

/** Keeps frames [from, to) of the file (clamped to what it holds); returns the frames kept. */
export async function trimWavFile(path: string, channels: 1 | 2, from: number, to: number): Promise<number> {
  const { size } = await stat(path);
  const blockAlign = channels * 2;
  const total = Math.floor((size - WAV_HEADER_BYTES) / blockAlign);
  const start = Math.max(0, Math.min(total, Math.floor(from)));
  const end = Math.max(start, Math.min(total, Math.ceil(to)));
  if (start === 0 && end === total) return total;
  const header = Buffer.alloc(WAV_HEADER_BYTES);
  writeWavHeader(header, (end - start) * blockAlign, channels);
  const first = WAV_HEADER_BYTES + start * blockAlign;
  const last = WAV_HEADER_BYTES + end * blockAlign - 1;
  // Written beside it, then renamed over it: a reader never sees half a file.
  const temporary = `${path}.trim`;
  try {
    await pipeline(async function* () {
      yield header;
      if (end > start) yield* createReadStream(path, { start: first, end: last });
    }, createWriteStream(temporary));
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await rename(temporary, path);
  return end - start;
}
