/**
 * Recordings as MP3 (`GET …/Recordings/{Sid}.mp3`): the WAV is encoded on the first
 * request and the MP3 kept beside it (`RE….mp3`), so later requests read a file. A
 * request that comes while the same recording is being encoded waits for that encoding
 * instead of starting another; the MP3 appears under its name only once complete.
 */
import { randomUUID } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import { encodeWavFileToMp3 } from '../media/audio/encode-mp3.js';
import { AudioDecodeError } from '../media/audio/errors.js';

/** The recording's WAV is gone or is not one we can encode: there is no MP3 to give. */
export class Mp3UnavailableError extends Error {
  readonly code = 'mp3_unavailable';
}

/** Where the MP3 of the recording at `wavPath` is kept. */
export function mp3PathOf(wavPath: string): string {
  return `${wavPath.replace(/\.wav$/i, '')}.mp3`;
}

export class RecordingMp3s {
  readonly #encoding = new Map<string, Promise<string>>();

  /** The MP3 of the recording at `wavPath`, encoded now if it is not yet; `Mp3UnavailableError` when the WAV cannot be read. */
  async fileFor(wavPath: string): Promise<string> {
    const mp3 = mp3PathOf(wavPath);
    const running = this.#encoding.get(mp3);
    if (running !== undefined) return running;
    if (await isFile(mp3)) return mp3;
    const encoding = encodeOnce(wavPath, mp3).finally(() => this.#encoding.delete(mp3));
    this.#encoding.set(mp3, encoding);
    return encoding;
  }
}

async function isFile(path: string): Promise<boolean> {
  return stat(path).then(
    (s) => s.isFile(),
    () => false,
  );
}

async function encodeOnce(wavPath: string, mp3: string): Promise<string> {
  const partial = `${mp3}.${randomUUID()}.part`;
  try {
    await encodeWavFileToMp3(wavPath, partial);
    await rename(partial, mp3);
    return mp3;
  } catch (err) {
    await rm(partial, { force: true });
    if (err instanceof AudioDecodeError || (err as NodeJS.ErrnoException).code === 'ENOENT') throw new Mp3UnavailableError((err as Error).message, { cause: err });
    throw err;
  }
}
