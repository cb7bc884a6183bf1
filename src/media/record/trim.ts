/**
 * Cuts a finished 16-bit PCM WAV file (as the recorder writes it: a 44-byte header, then
 * the samples) down to a range of sample frames, in place. Used to trim the silence
 * before and after a recording's voice.
 */
import { readFile, rename, writeFile } from 'node:fs/promises';
import { WAV_HEADER_BYTES, writeWavHeader } from '../audio/wav-header.js';

/** Keeps frames [from, to) of the file (clamped to what it holds); returns the frames kept. */
export async function trimWavFile(path: string, channels: 1 | 2, from: number, to: number): Promise<number> {
  const file = await readFile(path);
  const blockAlign = channels * 2;
  const total = Math.floor((file.length - WAV_HEADER_BYTES) / blockAlign);
  const start = Math.max(0, Math.min(total, Math.floor(from)));
  const end = Math.max(start, Math.min(total, Math.ceil(to)));
  if (start === 0 && end === total) return total;
  const out = Buffer.allocUnsafe(WAV_HEADER_BYTES + (end - start) * blockAlign);
  writeWavHeader(out, (end - start) * blockAlign, channels);
  file.copy(out, WAV_HEADER_BYTES, WAV_HEADER_BYTES + start * blockAlign, WAV_HEADER_BYTES + end * blockAlign);
  // Written beside it, then renamed over it: a reader never sees half a file.
  const temporary = `${path}.trim`;
  await writeFile(temporary, out);
  await rename(temporary, path);
  return end - start;
}
