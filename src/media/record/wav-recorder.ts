/**
 * Records 20 ms frames to an 8 kHz 16-bit PCM WAV file, mono or dual-channel
 * (inbound audio left, outbound right, like Twilio's dual recordings).
 *
 * Memory stays bounded whatever the length: frames are copied into a small
 * pool of fixed-size buffers that a file write stream drains; a buffer goes
 * back to the pool when its write completes. If the disk falls behind by more
 * than `maxPendingBytes`, frames are dropped and counted rather than queued
 * without limit. The header is written up front with zero sizes and patched
 * on `close()`. `write()` allocates nothing once the pool has warmed up.
 */
import { createWriteStream, type WriteStream } from 'node:fs';
import { open, rm } from 'node:fs/promises';
import { once } from 'node:events';
import { PCM8K_RATE } from '../audio/pcm.js';
import { MAX_WAV_DATA_BYTES, WAV_HEADER_BYTES, writeWavHeader } from '../audio/wav-header.js';

export type RecordingChannels = 1 | 2;

export interface WavRecorderOptions {
  /** File to create (truncated if it exists). */
  path: string;
  /** 1 = mono, 2 = dual (left inbound, right outbound). Default 1. */
  channels?: RecordingChannels;
  /** Bytes gathered before each file write (default 16,000: 1 s mono, 0.5 s dual). */
  chunkBytes?: number;
  /** Bytes that may wait for the disk before frames are dropped (default 1 MiB). */
  maxPendingBytes?: number;
  /** Stop accepting frames after this much audio, ms (default: the WAV size limit). */
  maxDurationMs?: number;
}

export interface RecordingResult {
  readonly path: string;
  readonly channels: RecordingChannels;
  /** Audio recorded, ms. */
  readonly durationMs: number;
  /** File size, bytes (header included). */
  readonly bytes: number;
  /** Frames dropped because the disk fell behind. */
  readonly droppedFrames: number;
}

function clamp16(v: number): number {
  return v > 32767 ? 32767 : v < -32768 ? -32768 : v;
}

export class WavRecorder {
  readonly path: string;
  readonly channels: RecordingChannels;
  readonly #stream: WriteStream;
  readonly #chunkBytes: number;
  readonly #maxPendingBytes: number;
  readonly #maxSamples: number;
  readonly #pool: Buffer[] = [];
  #current: Buffer;
  #fill = 0;
  #pendingBytes = 0;
  /** Sample frames (per channel) accepted. */
  #samples = 0;
  #dropped = 0;
  #error: Error | undefined;
  #closing: Promise<RecordingResult> | undefined;

  private constructor(stream: WriteStream, options: WavRecorderOptions) {
    this.path = options.path;
    this.channels = options.channels ?? 1;
    const blockAlign = this.channels * 2;
    const chunk = options.chunkBytes ?? 16000;
    this.#chunkBytes = Math.max(blockAlign, chunk - (chunk % blockAlign));
    this.#maxPendingBytes = options.maxPendingBytes ?? 1024 * 1024;
    const limit = Math.floor(MAX_WAV_DATA_BYTES / blockAlign);
    this.#maxSamples =
      options.maxDurationMs === undefined
        ? limit
        : Math.min(limit, Math.round((options.maxDurationMs * PCM8K_RATE) / 1000));
    this.#stream = stream;
    this.#current = Buffer.allocUnsafe(this.#chunkBytes);
    stream.on('error', (error) => {
      this.#error ??= error;
    });
  }

  /** Creates the file and writes a provisional header. Rejects if the file cannot be opened. */
  static async open(options: WavRecorderOptions): Promise<WavRecorder> {
    const channels = options.channels ?? 1;
    if (channels !== 1 && channels !== 2) throw new RangeError(`recorder channels ${String(channels)} is not 1 or 2`);
    const stream = createWriteStream(options.path, { flags: 'w' });
    await once(stream, 'ready');
    const recorder = new WavRecorder(stream, options);
    const header = Buffer.alloc(WAV_HEADER_BYTES);
    writeWavHeader(header, 0, channels);
    stream.write(header);
    return recorder;
  }

  /** True once `maxDurationMs` of audio is in: no frame is taken any more. */
  get full(): boolean {
    return this.#samples >= this.#maxSamples;
  }

  /** Audio accepted so far, ms. */
  get durationMs(): number {
    return (this.#samples * 1000) / PCM8K_RATE;
  }

  /** Bytes handed to the file stream and not yet written. */
  get pendingBytes(): number {
    return this.#pendingBytes;
  }

  /** Frames dropped so far because the disk fell behind. */
  get droppedFrames(): number {
    return this.#dropped;
  }

  /**
   * Appends one frame. Mono: `left` is the frame (`right`, if given, is mixed
   * in). Dual: `left` is the inbound channel and `right` the outbound one
   * (silence when omitted); both must have the same length. Returns false when
   * the frame was not recorded (closed, failed, full, or dropped).
   */
  write(left: Int16Array, right?: Int16Array): boolean {
    if (this.#closing !== undefined || this.#error !== undefined) return false;
    const n = left.length;
    if (right !== undefined && right.length !== n) {
      throw new RangeError(`recorder: channel frames differ in length (${n} and ${right.length})`);
    }
    if (this.#samples + n > this.#maxSamples) return false;
    const bytes = n * this.channels * 2;
    if (this.#pendingBytes + bytes > this.#maxPendingBytes) {
      this.#dropped++;
      return false;
    }
    const dual = this.channels === 2;
    for (let i = 0; i < n; i++) {
      if (dual) {
        this.#put(left[i]!);
        this.#put(right === undefined ? 0 : right[i]!);
      } else {
        this.#put(right === undefined ? left[i]! : clamp16(left[i]! + right[i]!));
      }
    }
    this.#samples += n;
    return true;
  }

  #put(sample: number): void {
    this.#current.writeInt16LE(sample, this.#fill);
    this.#fill += 2;
    if (this.#fill === this.#chunkBytes) this.#flush();
  }

  /** Hands the current buffer to the stream and takes a fresh one from the pool. */
  #flush(): void {
    const full = this.#current;
    const size = this.#fill;
    this.#pendingBytes += size;
    this.#stream.write(size === full.length ? full : full.subarray(0, size), () => {
      this.#pendingBytes -= size;
      this.#pool.push(full);
    });
    this.#current = this.#pool.pop() ?? Buffer.allocUnsafe(this.#chunkBytes);
    this.#fill = 0;
  }

  /**
   * Flushes, closes the file and patches the header sizes. Idempotent: later
   * calls return the same result. Rejects if any write failed.
   */
  close(): Promise<RecordingResult> {
    this.#closing ??= this.#finish();
    return this.#closing;
  }

  async #finish(): Promise<RecordingResult> {
    if (this.#fill > 0 && this.#error === undefined) this.#flush();
    const stream = this.#stream;
    if (!stream.destroyed) {
      stream.end();
      await once(stream, 'close').catch(() => undefined);
    }
    if (this.#error !== undefined) throw this.#error;
    const dataBytes = this.#samples * this.channels * 2;
    const header = Buffer.alloc(WAV_HEADER_BYTES);
    writeWavHeader(header, dataBytes, this.channels);
    const file = await open(this.path, 'r+');
    try {
      await file.write(header, 0, WAV_HEADER_BYTES, 0);
    } finally {
      await file.close();
    }
    return Object.freeze({
      path: this.path,
      channels: this.channels,
      durationMs: this.durationMs,
      bytes: WAV_HEADER_BYTES + dataBytes,
      droppedFrames: this.#dropped,
    });
  }

  /** Stops recording and deletes the file. */
  async abort(): Promise<void> {
    this.#closing ??= Promise.reject(new Error('recording aborted'));
    this.#closing.catch(() => undefined);
    if (!this.#stream.destroyed) {
      this.#stream.destroy();
      await once(this.#stream, 'close').catch(() => undefined);
    }
    await rm(this.path, { force: true });
  }
}
