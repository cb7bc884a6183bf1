/**
 * The prompt cache: synthesized speech keyed by provider, voice, language and
 * text, so "Press 1 for sales" is synthesized once, not once per call.
 *
 * Two levels: an in-memory LRU bounded by bytes of PCM, and (optionally) a
 * directory of 8 kHz mono WAV files named by the SHA-256 of the key, which
 * survives restarts and can be shared by nodes on a common volume. Concurrent
 * requests for the same key share one disk read or one synthesis. A failed
 * synthesis is not cached. Files are written to a temporary name and renamed,
 * so a reader never sees half a file.
 *
 * Every caller gets the same Int16Array, backed by a SharedArrayBuffer so the
 * media worker can play it in place: treat it as read-only.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeWav, parseWav } from '../media/audio/decode-wav.js';
import { type Pcm8k, sharePcm } from '../media/audio/pcm.js';
import { pcm8kToWav } from '../media/audio/wav-header.js';
import { type SynthesizeOptions, TtsError, type TtsProvider } from './provider.js';

export interface PromptCacheOptions {
  /** Directory for cached prompts (created if missing); omit for memory only. */
  directory?: string;
  /** Bytes of PCM kept in memory (default 32 MiB, about 35 minutes of speech). */
  maxMemoryBytes?: number;
}

export interface PromptCacheStats {
  readonly memoryHits: number;
  readonly diskHits: number;
  /** Requests that joined a read or synthesis already under way. */
  readonly shared: number;
  readonly synthesized: number;
  readonly memoryBytes: number;
  readonly memoryEntries: number;
  /** Disk reads or writes that failed (the prompt was synthesized / served anyway). */
  readonly diskErrors: number;
}

/** What identifies a prompt. */
export interface PromptKey {
  readonly provider: string;
  readonly voice: string;
  readonly language: string;
  readonly text: string;
}

/** SHA-256 (hex) of a prompt key: the cache file's name without `.wav`. */
export function promptKeyHash(key: PromptKey): string {
  return createHash('sha256')
    .update(JSON.stringify([key.provider, key.voice, key.language, key.text]))
    .digest('hex');
}

function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(new TtsError('aborted', 'speech request aborted', { cause: signal.reason }));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(new TtsError('aborted', 'speech request aborted', { cause: signal.reason }));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

export class PromptCache {
  readonly directory: string | undefined;
  readonly maxMemoryBytes: number;
  /** LRU: Map iteration order is insertion order; a hit re-inserts. */
  readonly #memory = new Map<string, Pcm8k>();
  #memoryBytes = 0;
  readonly #inFlight = new Map<string, Promise<Pcm8k>>();
  readonly #writes = new Set<Promise<void>>();
  #directoryReady: Promise<void> | undefined;
  #memoryHits = 0;
  #diskHits = 0;
  #shared = 0;
  #synthesized = 0;
  #diskErrors = 0;

  constructor(options: PromptCacheOptions = {}) {
    this.directory = options.directory;
    this.maxMemoryBytes = options.maxMemoryBytes ?? 32 * 1024 * 1024;
  }

  get stats(): PromptCacheStats {
    return {
      memoryHits: this.#memoryHits,
      diskHits: this.#diskHits,
      shared: this.#shared,
      synthesized: this.#synthesized,
      memoryBytes: this.#memoryBytes,
      memoryEntries: this.#memory.size,
      diskErrors: this.#diskErrors,
    };
  }

  /** The file a prompt is (or would be) cached in, or undefined without a directory. */
  pathOf(key: PromptKey): string | undefined {
    return this.directory === undefined ? undefined : join(this.directory, `${promptKeyHash(key)}.wav`);
  }

  /**
   * The prompt for `text` in `options.voice`: from memory, from disk, or
   * synthesized by `provider` (once, however many ask at the same time).
   * `options.signal` abandons this caller's wait, not the shared synthesis.
   */
  get(provider: TtsProvider, text: string, options: SynthesizeOptions): Promise<Pcm8k> {
    const key: PromptKey = { provider: provider.name, voice: options.voice, language: options.language ?? '', text };
    const hash = promptKeyHash(key);
    const cached = this.#memory.get(hash);
    if (cached !== undefined) {
      this.#memory.delete(hash);
      this.#memory.set(hash, cached);
      this.#memoryHits++;
      return Promise.resolve(cached);
    }
    let pending = this.#inFlight.get(hash);
    if (pending !== undefined) {
      this.#shared++;
    } else {
      const synthesizeOptions: SynthesizeOptions =
        options.language === undefined ? { voice: options.voice } : { voice: options.voice, language: options.language };
      pending = this.#load(provider, text, synthesizeOptions, hash).finally(() => this.#inFlight.delete(hash));
      this.#inFlight.set(hash, pending);
    }
    return abortable(pending, options.signal);
  }

  /** Resolves when every disk write started so far has finished. */
  async idle(): Promise<void> {
    while (this.#writes.size > 0) await Promise.all([...this.#writes]);
  }

  /** Forgets everything held in memory (the disk cache stays). */
  clearMemory(): void {
    this.#memory.clear();
    this.#memoryBytes = 0;
  }

  async #load(provider: TtsProvider, text: string, options: SynthesizeOptions, hash: string): Promise<Pcm8k> {
    const file = this.directory === undefined ? undefined : join(this.directory, `${hash}.wav`);
    if (file !== undefined) {
      const read = await this.#read(file);
      if (read !== undefined) {
        const fromDisk = sharePcm(read);
        this.#diskHits++;
        this.#remember(hash, fromDisk);
        return fromDisk;
      }
    }
    const pcm = sharePcm(await provider.synthesize(text, options));
    this.#synthesized++;
    this.#remember(hash, pcm);
    if (file !== undefined) {
      const write = this.#write(file, pcm).finally(() => this.#writes.delete(write));
      this.#writes.add(write);
    }
    return pcm;
  }

  async #read(file: string): Promise<Pcm8k | undefined> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(file);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') this.#diskErrors++;
      return undefined;
    }
    try {
      const info = parseWav(bytes);
      if (info.sampleRate !== 8000 || info.channels !== 1 || info.truncated) throw new Error('not a cached prompt');
      return await decodeWav(bytes);
    } catch {
      // A damaged or foreign file: drop it and synthesize again.
      this.#diskErrors++;
      await rm(file, { force: true }).catch(() => undefined);
      return undefined;
    }
  }

  async #write(file: string, pcm: Pcm8k): Promise<void> {
    const temporary = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    try {
      this.#directoryReady ??= mkdir(this.directory!, { recursive: true }).then(() => undefined);
      await this.#directoryReady;
      await writeFile(temporary, pcm8kToWav(pcm));
      await rename(temporary, file);
    } catch {
      this.#directoryReady = undefined;
      this.#diskErrors++;
      await rm(temporary, { force: true }).catch(() => undefined);
    }
  }

  #remember(hash: string, pcm: Pcm8k): void {
    const size = pcm.byteLength;
    if (size > this.maxMemoryBytes) return;
    const previous = this.#memory.get(hash);
    if (previous !== undefined) {
      this.#memory.delete(hash);
      this.#memoryBytes -= previous.byteLength;
    }
    this.#memory.set(hash, pcm);
    this.#memoryBytes += size;
    for (const [oldest, value] of this.#memory) {
      if (this.#memoryBytes <= this.maxMemoryBytes) break;
      this.#memory.delete(oldest);
      this.#memoryBytes -= value.byteLength;
    }
  }
}
