/**
 * The main thread's side of the media runtime: it spawns the media workers,
 * places legs on them, and gives the rest of the program {@link MediaLeg}
 * handles with typed events. The legs themselves (sockets, RTP state,
 * playback, bridges) live only in the workers; a handle sends commands and
 * reflects the events its worker reports.
 *
 * The channel to each worker numbers its requests and keeps them in a pending
 * map until the reply with the same id arrives; when the worker exits, every
 * pending request is rejected with {@link MediaWorkerDiedError}, every leg it
 * held is `workerClosed()`, the host emits `died` and (by default) starts a
 * replacement on the same port range. Replies and events are delivered in the
 * order the worker sent them, and what follows a reply is delivered a
 * macrotask after it, so an event never overtakes the reply it follows (the
 * code awaiting `leg.play()` runs before `playstarted` is emitted).
 *
 * Worker file: `worker/main.js` beside this module when running from `dist/`;
 * from TypeScript sources (tests, `tsx`) `worker/main.ts`, loaded through tsx
 * registered inside the worker, because Node 20's module hooks from
 * `--import tsx` do not reach worker threads (privatenumber/tsx#354).
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { TypedEmitter, type EmitterLogger } from '../events/typed-emitter.js';
import {
  CrossWorkerBridgeError,
  InvalidMediaCommandError,
  LegClosedError,
  MediaError,
  mediaErrorFromWire,
  MediaHostClosedError,
  MediaTimeoutError,
  MediaWorkerDiedError,
} from './errors.js';
import {
  type CodecName,
  type CommandOf,
  commandTransferList,
  type DigitSource,
  type DtmfDigit,
  type InbandDtmfMode,
  type LegCloseReason,
  type LegStats,
  type MediaCommandType,
  type MediaEvent,
  type MediaEventMessage,
  type MediaReply,
  type MediaWorkerData,
  type PlayEndReason,
  type PortRange,
  type RecordingInfo,
  type RecordStopReason,
  type RemoteEndpoint,
  type ResultOf,
  type SilenceSpec,
  type StartRecordCommand,
  type StartStreamCommand,
  type StreamCounts,
  type StreamEndReason,
  type ToneSpec,
  type TransportAddress,
  type WorkerOutbound,
  type WorkerStats,
} from './protocol.js';

/** The logging the host does; a pino `Logger` fits. */
export interface MediaLogger extends EmitterLogger {
  warn(details: object, message: string): void;
}

const consoleLogger: MediaLogger = Object.freeze({
  warn: (details: object, message: string): void => console.warn(message, details),
  error: (details: object, message: string): void => console.error(message, details),
});

export interface MediaHostOptions {
  /** Worker threads (default: one per core minus one, at least 1). */
  workers?: number;
  /** Address the RTP sockets bind (default "127.0.0.1"). */
  bindAddress?: string;
  /** Local RTP ports, split evenly between the workers (default 20000-29999). */
  ports?: PortRange;
  /** Start a new worker in place of one that died (default true). */
  respawn?: boolean;
  /** A request not answered within this time is rejected with `timeout` (default 10 s). */
  requestTimeoutMs?: number;
  /** Default for legs that do not say (0: off). */
  rtpTimeoutMs?: number;
  /** `start()` rejects when the workers are not ready by then (default 30 s). */
  startTimeoutMs?: number;
  logger?: MediaLogger;
}

/** Why a {@link MediaLeg} closed. */
export type MediaLegCloseReason = LegCloseReason | 'worker-died' | 'host-closed';

/** A digit received on a leg. */
export interface LegDigit {
  readonly digit: DtmfDigit;
  readonly source: DigitSource;
  readonly durationMs: number;
}

export type MediaLegEvents = {
  /** A playback began (at once, or when the ones before it in the queue ended). */
  playstarted: [playId: string, description: string];
  playended: [playId: string, reason: PlayEndReason];
  /** One digit, from any source, reported once. */
  digit: [digit: LegDigit];
  /** Every digit queued by `sendDigits` has gone out. */
  digitssent: [];
  rtpstarted: [remote: TransportAddress, latched: boolean];
  rtptimeout: [silentMs: number];
  /** A recording ended without `stopRecord` (max duration, leg closed, write error). */
  recordstopped: [recordId: string, reason: RecordStopReason, recording: RecordingInfo | null];
  /** Voice started in a recording made with `silenceFrom: 'voice'`. */
  recordvoice: [recordId: string];
  /** A failure outside any request (a socket error). */
  error: [error: MediaError];
  /** The worker holding the leg died (followed by `close`). */
  workerclose: [error: MediaWorkerDiedError];
  /** The leg is gone, whatever the cause; `stats` when the worker could report them. */
  close: [reason: MediaLegCloseReason, stats: LegStats | null];
  /** A media stream's WebSocket opened (`connected` and `start` went out). */
  streamstarted: [streamId: string];
  /** A media stream ended; `message` says why when it failed or the application closed it. */
  streamended: [streamId: string, reason: StreamEndReason, counts: StreamCounts, message: string | undefined];
};

/** A media stream to open on a leg (see `StartStreamCommand`). */
export type StreamOptions = Omit<StartStreamCommand, 'type' | 'legId'>;

export type MediaHostEvents = {
  /** A worker exited unexpectedly; its legs are closed. */
  died: [worker: MediaWorkerHandle, error: MediaWorkerDiedError];
  /** A worker reported a failure that names no leg we know. */
  error: [error: MediaError];
};

/** For monitoring (metrics, the call timeline), apart from the owners' events. */
export type MediaHostObserverEvents = {
  newleg: [leg: MediaLeg];
  legclose: [leg: MediaLeg, reason: MediaLegCloseReason];
  newworker: [worker: MediaWorkerHandle];
};

export interface CreateLegOptions {
  /** Default: a random UUID. */
  legId?: string;
  remote?: RemoteEndpoint;
  /** Default PCMU. */
  codec?: CodecName;
  /** The negotiated telephone-event payload type; absent: digits go in-band. */
  telephoneEventPt?: number;
  /** Default true. */
  symmetricRtp?: boolean;
  rtcpMux?: boolean;
  rtpTimeoutMs?: number;
  inbandDtmf?: InbandDtmfMode;
  cname?: string;
  /** Put the leg on this leg's worker, so that the two can be bridged. */
  colocateWith?: MediaLeg;
}

/** PCM to play: copied to the worker, or moved with `transfer` (the array is then detached); shared memory is read in place. */
export interface PcmInput {
  readonly kind: 'pcm';
  /** 8 kHz mono 16-bit samples. */
  readonly pcm: Int16Array;
  readonly transfer?: boolean;
}

export type PlayInput = ToneSpec | SilenceSpec | PcmInput;

export interface PlayOptions {
  /** Times to play; 0 = until stopped (default 1). */
  loop?: number;
  /** Queue behind what plays instead of replacing it. */
  enqueue?: boolean;
  /** Default: a random UUID. */
  playId?: string;
}

interface Pending {
  readonly type: MediaCommandType;
  readonly resolve: (value: unknown) => void;
  readonly reject: (error: Error) => void;
  readonly timer: ReturnType<typeof setTimeout>;
  /** `performance.now()` when it was sent: how long the worker has kept us waiting. */
  readonly sentAt: number;
}

function defaultWorkerCount(): number {
  return Math.max(1, availableParallelism() - 1);
}

/** The even-aligned share of `range` that worker `index` of `count` binds in. */
export function workerPortRange(range: PortRange, count: number, index: number): PortRange {
  const first = range.min % 2 === 0 ? range.min : range.min + 1;
  const pairs = Math.floor((range.max - first + 1) / 2);
  const perWorker = Math.floor(pairs / count);
  if (perWorker < 1) throw new RangeError(`port range ${range.min}-${range.max} is too small for ${count} workers`);
  const min = first + index * perWorker * 2;
  return { min, max: min + perWorker * 2 - 1 };
}

function spawnWorker(data: MediaWorkerData): Worker {
  const here = import.meta.url;
  const fromSource = here.endsWith('.ts');
  const entry = new URL(fromSource ? './worker/main.ts' : './worker/main.js', here);
  if (!fromSource) return new Worker(entry, { workerData: data });
  let tsx: string;
  try {
    tsx = import.meta.resolve('tsx/esm/api');
  } catch (error) {
    throw new Error('media workers run from TypeScript sources need tsx (a dev dependency); run the built dist/ otherwise', {
      cause: error,
    });
  }
  const bootstrap = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry.href)}); });`;
  return new Worker(bootstrap, { eval: true, workerData: data });
}

/** One media worker as the host sees it. */
export class MediaWorkerHandle {
  readonly index: number;
  readonly ports: PortRange;
  readonly #worker: Worker;
  readonly #pending = new Map<number, Pending>();
  /** Legs to notify if the worker dies. */
  readonly #legs = new Set<MediaLeg>();
  /** Legs not closing: what placement counts. */
  readonly #active = new Set<MediaLeg>();
  /** Replies and events not yet delivered, in the order the worker sent them. */
  readonly #inbox: (MediaReply | MediaEventMessage)[] = [];
  readonly #timeoutMs: number;
  /** createLeg requests that timed out, by request id: their legs are closed if they appear. */
  readonly #abandoned = new Map<number, string>();
  readonly #onEvent: (event: MediaEvent) => void;
  readonly #onExit: (handle: MediaWorkerHandle, error: MediaWorkerDiedError) => void;
  readonly ready: Promise<void>;
  #nextId = 0;
  #drainScheduled = false;
  #alive = true;
  #stopping = false;
  #lastError: Error | null = null;
  #resolveReady: () => void = () => undefined;
  #rejectReady: (error: Error) => void = () => undefined;

  constructor(
    index: number,
    ports: PortRange,
    timeoutMs: number,
    onEvent: (event: MediaEvent) => void,
    onExit: (handle: MediaWorkerHandle, error: MediaWorkerDiedError) => void,
  ) {
    this.index = index;
    this.ports = ports;
    this.#timeoutMs = timeoutMs;
    this.#onEvent = onEvent;
    this.#onExit = onExit;
    this.ready = new Promise<void>((resolve, reject) => {
      this.#resolveReady = resolve;
      this.#rejectReady = reject;
    });
    this.ready.catch(() => undefined); // reported through start() or `died`
    this.#worker = spawnWorker({ workerIndex: index });
    this.#worker.on('message', (message: WorkerOutbound) => this.#onMessage(message));
    this.#worker.on('error', (error: Error) => {
      this.#lastError = error;
    });
    this.#worker.on('exit', (code: number) => this.#exited(code));
  }

  /** The worker's thread id (for logs). */
  get threadId(): number {
    return this.#worker.threadId;
  }

  get alive(): boolean {
    return this.#alive;
  }

  /** Legs placed on this worker and not closed. */
  get legCount(): number {
    return this.#active.size;
  }

  /** Requests sent and not yet answered. */
  get pendingCount(): number {
    return this.#pending.size;
  }

  /**
   * How long the oldest request still unanswered has waited, ms (0 with none): a worker
   * that falls behind or stalls shows it here at once, with no round trip to ask it.
   */
  oldestPendingMs(now = performance.now()): number {
    // A Map iterates in insertion order and answered requests leave it: the first is the oldest.
    for (const pending of this.#pending.values()) return Math.max(0, now - pending.sentAt);
    return 0;
  }

  /** Sends a command; resolves with its result or rejects with a {@link MediaError}. */
  request<T extends MediaCommandType>(command: CommandOf<T>): Promise<ResultOf<T>> {
    if (!this.#alive) return Promise.reject(new MediaWorkerDiedError(this.index, null));
    const id = ++this.#nextId;
    return new Promise<ResultOf<T>>((resolve, reject) => {
      const timer = setTimeout(() => {
        if (this.#pending.delete(id)) {
          // A leg created after its caller gave up would live on in the worker
          // unknown to anyone: close it if the late reply says it exists.
          if (command.type === 'createLeg') this.#abandoned.set(id, (command as CommandOf<'createLeg'>).legId);
          reject(new MediaTimeoutError(`media worker ${this.index} did not answer ${command.type} in ${this.#timeoutMs} ms`));
        }
      }, this.#timeoutMs);
      timer.unref();
      this.#pending.set(id, { type: command.type, resolve: resolve as (value: unknown) => void, reject, timer, sentAt: performance.now() });
      try {
        this.#worker.postMessage({ kind: 'request', id, command }, commandTransferList(command));
      } catch (error) {
        this.#pending.delete(id);
        clearTimeout(timer);
        reject(new InvalidMediaCommandError(`cannot send ${command.type}: ${(error as Error).message}`));
      }
    });
  }

  /**
   * The worker's tick lateness, load and legs; `reset` starts a new window;
   * `collectGarbage` makes `heapUsed` live memory (a pause: diagnostics only;
   * needs --expose-gc, else it does nothing).
   */
  stats(reset = false, options: { collectGarbage?: boolean } = {}): Promise<WorkerStats> {
    return this.request<'workerStats'>({ type: 'workerStats', reset, collectGarbage: options.collectGarbage === true });
  }

  /** Stops the thread at once (as a crash would); its legs are `workerClosed()`. */
  async terminate(): Promise<void> {
    await this.#worker.terminate();
  }

  /** @internal Host bookkeeping. */
  addLeg(leg: MediaLeg): void {
    this.#legs.add(leg);
    this.#active.add(leg);
  }

  /** @internal Host bookkeeping: the leg is closing and no longer counts for placement. */
  releaseLeg(leg: MediaLeg): void {
    this.#active.delete(leg);
  }

  /** @internal Host bookkeeping. */
  removeLeg(leg: MediaLeg): void {
    this.#legs.delete(leg);
    this.#active.delete(leg);
  }

  /** @internal Closes the legs (RTCP BYE) and ends the thread; no `died`. */
  async stop(): Promise<void> {
    this.#stopping = true;
    if (this.#alive) {
      try {
        await Promise.race([
          this.request<'shutdown'>({ type: 'shutdown' }),
          new Promise((resolve) => setTimeout(resolve, 2000).unref()),
        ]);
      } catch {
        // the worker is gone or wedged; terminate below
      }
      await new Promise((resolve) => setImmediate(resolve)); // deliver the legClosed events
    }
    await this.#worker.terminate();
  }

  /*
   * Delivery order. Everything is delivered in the order the worker sent it,
   * and whatever follows a reply is delivered at least one macrotask after
   * it, once the code awaiting that reply has run. So a reply with nothing
   * queued before it settles at once; an event always waits for the next
   * drain (setImmediate); a reply behind queued events waits its turn; and a
   * drain stops after each reply it settles and resumes a macrotask later.
   */
  #onMessage(message: WorkerOutbound): void {
    switch (message.kind) {
      case 'reply':
        if (this.#inbox.length === 0) this.#settle(message);
        else this.#inbox.push(message);
        return;
      case 'event':
        this.#inbox.push(message);
        this.#scheduleDrain();
        return;
      case 'ready':
        this.#resolveReady();
        return;
    }
  }

  #settle(reply: MediaReply): void {
    const pending = this.#pending.get(reply.id);
    if (pending === undefined) {
      // Timed out already.
      const legId = this.#abandoned.get(reply.id);
      this.#abandoned.delete(reply.id);
      if (legId !== undefined && reply.ok) this.request<'closeLeg'>({ type: 'closeLeg', legId }).catch(() => undefined);
      return;
    }
    this.#pending.delete(reply.id);
    clearTimeout(pending.timer);
    if (reply.ok) pending.resolve(reply.result);
    else pending.reject(mediaErrorFromWire(reply.error));
  }

  #scheduleDrain(): void {
    if (this.#drainScheduled) return;
    this.#drainScheduled = true;
    setImmediate(() => this.#drain(true));
  }

  /** Delivers the inbox in order; with `pause`, stops after a reply and continues a macrotask later. */
  #drain(pause: boolean): void {
    this.#drainScheduled = false;
    const inbox = this.#inbox;
    let i = 0;
    while (i < inbox.length) {
      const message = inbox[i++]!;
      if (message.kind === 'event') {
        this.#onEvent(message.event);
      } else {
        this.#settle(message);
        if (pause && i < inbox.length) break;
      }
    }
    inbox.splice(0, i);
    if (inbox.length > 0) this.#scheduleDrain();
  }

  #exited(code: number): void {
    this.#alive = false;
    this.#drain(false);
    const error = new MediaWorkerDiedError(this.index, code, this.#lastError ? { cause: this.#lastError } : undefined);
    const rejection = this.#stopping ? new MediaHostClosedError() : error;
    for (const pending of this.#pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(rejection);
    }
    this.#pending.clear();
    this.#rejectReady(rejection);
    const legs = [...this.#legs];
    this.#legs.clear();
    this.#active.clear();
    for (const leg of legs) {
      if (this.#stopping) leg.hostClosed();
      else leg.workerClosed(error);
    }
    if (!this.#stopping) this.#onExit(this, error);
  }
}

/** Hands an event to a leg (the method is private to MediaLeg). */
let deliverToLeg: (leg: MediaLeg, event: MediaEvent) => void;

/** A call leg in a media worker, as the main thread holds it. */
export class MediaLeg extends TypedEmitter<MediaLegEvents> {
  readonly id: string;
  readonly localAddress: string;
  readonly localPort: number;
  readonly rtcpPort: number;
  readonly #worker: MediaWorkerHandle;
  readonly #onClosed: (leg: MediaLeg, reason: MediaLegCloseReason) => void;
  #closed = false;
  #closeEmitted = false;
  #lastStats: LegStats | null = null;

  static {
    deliverToLeg = (leg, event) => leg.#onEvent(event);
  }

  /** @internal Created by {@link MediaHost.createLeg}. */
  constructor(
    id: string,
    worker: MediaWorkerHandle,
    local: { localAddress: string; localPort: number; rtcpPort: number },
    onClosed: (leg: MediaLeg, reason: MediaLegCloseReason) => void,
    logger: EmitterLogger,
  ) {
    super({ logger, name: 'MediaLeg' });
    this.id = id;
    this.#worker = worker;
    this.localAddress = local.localAddress;
    this.localPort = local.localPort;
    this.rtcpPort = local.rtcpPort;
    this.#onClosed = onClosed;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** The worker this leg lives in. */
  get worker(): MediaWorkerHandle {
    return this.#worker;
  }

  /** Where to send RTP to this leg. */
  get local(): TransportAddress {
    return { address: this.localAddress, port: this.localPort };
  }

  setRemote(remote: RemoteEndpoint, options: { codec?: CodecName; telephoneEventPt?: number | null } = {}): Promise<void> {
    return this.#void(
      this.#request<'setRemote'>({
        type: 'setRemote',
        legId: this.id,
        remote,
        ...(options.codec === undefined ? {} : { codec: options.codec }),
        ...(options.telephoneEventPt === undefined ? {} : { telephoneEventPt: options.telephoneEventPt }),
      }),
    );
  }

  /** Starts a playback; resolves with its id once the worker accepted it. */
  async play(input: PlayInput, options: PlayOptions = {}): Promise<string> {
    const playId = options.playId ?? randomUUID();
    const result = await this.#request<'play'>({
      type: 'play',
      legId: this.id,
      playId,
      source: input.kind === 'pcm' ? pcmSpec(input) : input,
      loop: options.loop ?? 1,
      enqueue: options.enqueue === true,
    });
    return result.playId;
  }

  /** Plays and resolves when the playback ends (or the leg closes), with the reason. */
  playAndWait(input: PlayInput, options: PlayOptions = {}): Promise<PlayEndReason> {
    const playId = options.playId ?? randomUUID();
    return new Promise<PlayEndReason>((resolve, reject) => {
      const onEnded = (id: string, reason: PlayEndReason): void => {
        if (id !== playId) return;
        cleanup();
        resolve(reason);
      };
      const onClose = (): void => {
        cleanup();
        resolve('closed');
      };
      const cleanup = (): void => {
        this.off('playended', onEnded);
        this.off('close', onClose);
      };
      this.on('playended', onEnded);
      this.on('close', onClose);
      this.play(input, { ...options, playId }).catch((error: unknown) => {
        cleanup();
        reject(error);
      });
    });
  }

  /** Stops one playback (playing or queued) or all; resolves with how many ended. */
  async stopPlay(playId?: string): Promise<number> {
    const result = await this.#request<'stopPlay'>({
      type: 'stopPlay',
      legId: this.id,
      ...(playId === undefined ? {} : { playId }),
    });
    return result.stopped;
  }

  /** Queues digits for the remote (RFC 4733, or tones without telephone-event); `digitssent` follows. */
  sendDigits(digits: string, options: { durationMs?: number; gapMs?: number } = {}): Promise<void> {
    return this.#void(this.#request<'sendDigits'>({ type: 'sendDigits', legId: this.id, digits, ...options }));
  }

  /** A digit signalled by SIP INFO: merged into this leg's `digit` events. */
  injectDigit(digit: DtmfDigit, durationMs?: number): Promise<void> {
    return this.#void(
      this.#request<'injectDigit'>({
        type: 'injectDigit',
        legId: this.id,
        digit,
        ...(durationMs === undefined ? {} : { durationMs }),
      }),
    );
  }

  /**
   * Starts recording to a WAV file the worker writes at `path` (8 kHz, 16-bit;
   * mono, or received/sent in two channels with `mode: 'dual'`). Resolves once
   * the file is created; rejects with code `record-failed` when it cannot be.
   * `silenceTimeoutMs` stops it (`recordstopped` with `silence`) after that much
   * received audio without voice; `trimSilence` cuts the silence around the voice.
   * With `silenceFrom: 'voice'` the silence counts only after voice, whose start is
   * reported (`recordvoice`).
   */
  async startRecord(
    recordId: string,
    path: string,
    options: Omit<StartRecordCommand, 'type' | 'legId' | 'recordId' | 'path'> = {},
  ): Promise<void> {
    await this.#request<'startRecord'>({
      type: 'startRecord',
      legId: this.id,
      recordId,
      path,
      ...(options.mode === undefined ? {} : { mode: options.mode }),
      ...(options.maxDurationMs === undefined ? {} : { maxDurationMs: options.maxDurationMs }),
      ...(options.silenceTimeoutMs === undefined ? {} : { silenceTimeoutMs: options.silenceTimeoutMs }),
      ...(options.trimSilence === undefined ? {} : { trimSilence: options.trimSilence }),
      ...(options.silenceFrom === undefined ? {} : { silenceFrom: options.silenceFrom }),
    });
  }

  /** Stops a recording; resolves once its file is complete. */
  stopRecord(recordId: string): Promise<RecordingInfo> {
    return this.#request<'stopRecord'>({ type: 'stopRecord', legId: this.id, recordId });
  }

  /** Bridges this leg with `other` (same worker: create it with `colocateWith`). */
  bridge(other: MediaLeg, options: { relayDigits?: boolean } = {}): Promise<void> {
    if (other.#worker !== this.#worker) {
      return Promise.reject(
        new CrossWorkerBridgeError(
          `legs ${this.id} (worker ${this.#worker.index}) and ${other.id} (worker ${other.#worker.index}) are in different workers`,
        ),
      );
    }
    if (other.#closed) return Promise.reject(new LegClosedError(`leg ${other.id} is closed`));
    return this.#void(
      this.#request<'bridge'>({
        type: 'bridge',
        legA: this.id,
        legB: other.id,
        ...(options.relayDigits === undefined ? {} : { relayDigits: options.relayDigits }),
      }),
    );
  }

  /** Sends this leg's received audio back to its remote (`<Echo>`) until `unbridge`. */
  echo(): Promise<void> {
    return this.#void(this.#request<'echo'>({ type: 'echo', legId: this.id }));
  }

  unbridge(): Promise<void> {
    return this.#void(this.#request<'unbridge'>({ type: 'unbridge', legId: this.id }));
  }

  setHold(hold: boolean): Promise<void> {
    return this.#void(this.#request<'setHold'>({ type: 'setHold', legId: this.id, hold }));
  }

  /** Turns noise suppression of this leg's received audio on or off (RNNoise, in the worker). */
  setDenoise(enabled: boolean): Promise<void> {
    return this.#void(this.#request<'setDenoise'>({ type: 'setDenoise', legId: this.id, enabled }));
  }

  stats(): Promise<LegStats> {
    return this.#request<'stats'>({ type: 'stats', legId: this.id });
  }

  /**
   * Opens a media stream: the worker connects to `url` and streams this leg's
   * audio in Twilio's Media Streams protocol. Resolves once the worker took
   * it; `streamstarted` follows when the WebSocket is open and `streamended`
   * when it ends (a stream that cannot connect ends as `failed`).
   */
  async startStream(options: StreamOptions): Promise<void> {
    await this.#request<'startStream'>({ type: 'startStream', legId: this.id, ...options });
  }

  /** Stops a stream (`stop` is sent, the WebSocket closed); resolves with false when it had already ended. */
  async stopStream(streamId: string): Promise<boolean> {
    const result = await this.#request<'stopStream'>({ type: 'stopStream', legId: this.id, streamId });
    return result.stopped;
  }

  /** Starts keeping received audio (decoded, 8 kHz) for up to `maxMs`. */
  captureStart(maxMs?: number): Promise<void> {
    return this.#void(
      this.#request<'captureStart'>({ type: 'captureStart', legId: this.id, ...(maxMs === undefined ? {} : { maxMs }) }),
    );
  }

  /** Stops capturing; resolves with the received audio since `captureStart`. */
  async captureStop(): Promise<Int16Array> {
    const { pcm, samples } = await this.#request<'captureStop'>({ type: 'captureStop', legId: this.id });
    return new Int16Array(pcm, 0, samples);
  }

  /**
   * Closes the leg (you closed it): RTCP BYE, sockets closed, playbacks end as
   * `closed`. Resolves with the final figures (null when the leg was already
   * gone). `close` is emitted too.
   */
  async close(): Promise<LegStats | null> {
    if (this.#closed) return this.#lastStats;
    this.#closed = true;
    this.#worker.releaseLeg(this);
    try {
      const stats = await this.#worker.request<'closeLeg'>({ type: 'closeLeg', legId: this.id });
      this.#lastStats = stats;
      return stats;
    } catch (error) {
      if (error instanceof MediaError && (error.code === 'worker-died' || error.code === 'host-closed')) return null;
      if (error instanceof MediaError && error.code === 'leg-not-found') {
        this.#finish('closed', null);
        return null;
      }
      throw error;
    }
  }

  /** The worker holding this leg died (called by the host, not by applications). */
  workerClosed(error: MediaWorkerDiedError): void {
    if (this.#closeEmitted) return;
    this.#closed = true;
    this.safeEmit('workerclose', error);
    this.#finish('worker-died', null);
  }

  /** @internal The host closed (called by the host). */
  hostClosed(): void {
    this.#closed = true;
    this.#finish('host-closed', null);
  }

  #onEvent(event: MediaEvent): void {
    switch (event.type) {
      case 'playStarted':
        this.safeEmit('playstarted', event.playId, event.description);
        return;
      case 'playEnded':
        this.safeEmit('playended', event.playId, event.reason);
        return;
      case 'digit':
        this.safeEmit('digit', { digit: event.digit, source: event.source, durationMs: event.durationMs });
        return;
      case 'digitsSent':
        this.safeEmit('digitssent');
        return;
      case 'rtpStarted':
        this.safeEmit('rtpstarted', event.remote, event.latched);
        return;
      case 'rtpTimeout':
        this.safeEmit('rtptimeout', event.silentMs);
        return;
      case 'recordStopped':
        this.safeEmit('recordstopped', event.recordId, event.reason, event.recording);
        return;
      case 'recordVoice':
        this.safeEmit('recordvoice', event.recordId);
        return;
      case 'error':
        this.safeEmit('error', new MediaError(event.code, event.message));
        return;
      case 'legClosed':
        this.#closed = true;
        this.#lastStats = event.stats;
        this.#finish(event.reason, event.stats);
        return;
      case 'legCreated':
        return;
      case 'streamStarted':
        this.safeEmit('streamstarted', event.streamId);
        return;
      case 'streamEnded':
        this.safeEmit('streamended', event.streamId, event.reason, event.counts, event.message);
        return;
    }
  }

  #finish(reason: MediaLegCloseReason, stats: LegStats | null): void {
    if (this.#closeEmitted) return;
    this.#closeEmitted = true;
    this.#onClosed(this, reason);
    this.safeEmit('close', reason, stats);
  }

  #request<T extends MediaCommandType>(command: CommandOf<T>): Promise<ResultOf<T>> {
    if (this.#closed) return Promise.reject(new LegClosedError(`leg ${this.id} is closed`));
    return this.#worker.request(command);
  }

  async #void(promise: Promise<unknown>): Promise<void> {
    await promise;
  }
}

function pcmSpec(input: PcmInput): CommandOf<'play'>['source'] {
  const pcm = input.pcm;
  if (!(pcm instanceof Int16Array)) throw new InvalidMediaCommandError('play: pcm must be an Int16Array');
  const buffer = pcm.buffer;
  if (typeof SharedArrayBuffer !== 'undefined' && buffer instanceof SharedArrayBuffer) {
    return { kind: 'pcm', buffer, byteOffset: pcm.byteOffset, samples: pcm.length };
  }
  if (input.transfer === true && pcm.byteOffset === 0 && pcm.byteLength === buffer.byteLength) {
    return { kind: 'pcm', buffer: buffer as ArrayBuffer, byteOffset: 0, samples: pcm.length };
  }
  const copy = pcm.slice();
  return { kind: 'pcm', buffer: copy.buffer, byteOffset: 0, samples: copy.length };
}

/** Spawns and runs the media workers; places legs on them. */
export class MediaHost extends TypedEmitter<MediaHostEvents> {
  readonly observer: TypedEmitter<MediaHostObserverEvents>;
  readonly bindAddress: string;
  readonly #options: Required<Omit<MediaHostOptions, 'logger' | 'startTimeoutMs'>>;
  readonly #logger: MediaLogger;
  readonly #workers: MediaWorkerHandle[] = [];
  readonly #legs = new Map<string, MediaLeg>();
  #closed = false;

  /** Spawns the workers and resolves once all of them are ready (rejects after `startTimeoutMs`). */
  static async start(options: MediaHostOptions = {}): Promise<MediaHost> {
    const host = new MediaHost(options);
    const timeoutMs = options.startTimeoutMs ?? 30_000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    try {
      await Promise.race([
        Promise.all(host.#workers.map((w) => w.ready)),
        new Promise((_resolve, reject) => {
          timer = setTimeout(() => reject(new MediaTimeoutError(`media workers not ready in ${timeoutMs} ms`)), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
    } catch (error) {
      clearTimeout(timer);
      await host.close();
      throw error;
    }
    return host;
  }

  private constructor(options: MediaHostOptions) {
    const logger = options.logger ?? consoleLogger;
    super({ logger, name: 'MediaHost' });
    this.observer = new TypedEmitter<MediaHostObserverEvents>({ logger, name: 'MediaHost.observer' });
    this.#logger = logger;
    const workers = options.workers ?? defaultWorkerCount();
    if (!Number.isInteger(workers) || workers < 1) throw new RangeError(`workers must be a positive integer, not ${workers}`);
    this.#options = {
      workers,
      bindAddress: options.bindAddress ?? '127.0.0.1',
      ports: options.ports ?? { min: 20000, max: 29999 },
      respawn: options.respawn ?? true,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
      rtpTimeoutMs: options.rtpTimeoutMs ?? 0,
    };
    this.bindAddress = this.#options.bindAddress;
    for (let i = 0; i < workers; i++) this.#workers.push(this.#spawn(i));
  }

  /** The workers, by index (a replacement takes the index of the one that died). */
  get workers(): readonly MediaWorkerHandle[] {
    return this.#workers;
  }

  get closed(): boolean {
    return this.#closed;
  }

  /** Open legs. */
  get legs(): ReadonlyMap<string, MediaLeg> {
    return this.#legs;
  }

  /** Creates a leg on the least-loaded worker (or `colocateWith`'s) and binds its ports. */
  async createLeg(options: CreateLegOptions = {}): Promise<MediaLeg> {
    if (this.#closed) throw new MediaHostClosedError();
    const legId = options.legId ?? randomUUID();
    if (this.#legs.has(legId)) throw new MediaError('leg-exists', `leg ${legId} already exists`);
    const worker = this.#place(options.colocateWith);
    const info = await worker.request<'createLeg'>({
      type: 'createLeg',
      legId,
      bindAddress: this.#options.bindAddress,
      ports: worker.ports,
      codec: options.codec ?? 'PCMU',
      symmetricRtp: options.symmetricRtp ?? true,
      ...(options.remote === undefined ? {} : { remote: options.remote }),
      ...(options.telephoneEventPt === undefined ? {} : { telephoneEventPt: options.telephoneEventPt }),
      ...(options.rtcpMux === undefined ? {} : { rtcpMux: options.rtcpMux }),
      rtpTimeoutMs: options.rtpTimeoutMs ?? this.#options.rtpTimeoutMs,
      ...(options.inbandDtmf === undefined ? {} : { inbandDtmf: options.inbandDtmf }),
      ...(options.cname === undefined ? {} : { cname: options.cname }),
    });
    // The events of this leg are delivered a macrotask after they arrive, so
    // registering it here (before anyone awaits us) loses none of them.
    const leg = new MediaLeg(legId, worker, info, (closed, reason) => this.#legClosed(closed, reason), this.#logger);
    if (!worker.alive) {
      leg.workerClosed(new MediaWorkerDiedError(worker.index, null));
      throw new MediaWorkerDiedError(worker.index, null);
    }
    this.#legs.set(legId, leg);
    worker.addLeg(leg);
    this.observer.safeEmit('newleg', leg);
    return leg;
  }

  /** Bridges two legs (of one worker). */
  bridge(a: MediaLeg, b: MediaLeg, options: { relayDigits?: boolean } = {}): Promise<void> {
    return a.bridge(b, options);
  }

  /** Figures of every live worker. */
  async workerStats(reset = false): Promise<WorkerStats[]> {
    return Promise.all(this.#workers.filter((w) => w.alive).map((w) => w.stats(reset)));
  }

  /** Closes every leg and stops the workers. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await Promise.all(this.#workers.map((w) => w.stop()));
    for (const leg of [...this.#legs.values()]) leg.hostClosed();
    this.#legs.clear();
  }

  #spawn(index: number): MediaWorkerHandle {
    const ports = workerPortRange(this.#options.ports, this.#options.workers, index);
    const handle = new MediaWorkerHandle(
      index,
      ports,
      this.#options.requestTimeoutMs,
      (event) => this.#onEvent(event),
      (dead, error) => this.#died(dead, error),
    );
    this.observer.safeEmit('newworker', handle);
    return handle;
  }

  #place(colocateWith: MediaLeg | undefined): MediaWorkerHandle {
    if (colocateWith !== undefined) {
      if (colocateWith.closed) throw new LegClosedError(`leg ${colocateWith.id} is closed`);
      return colocateWith.worker;
    }
    let best: MediaWorkerHandle | undefined;
    for (const worker of this.#workers) {
      if (!worker.alive) continue;
      if (best === undefined || worker.legCount + worker.pendingCount < best.legCount + best.pendingCount) best = worker;
    }
    if (best === undefined) throw new MediaWorkerDiedError(-1, null);
    return best;
  }

  #onEvent(event: MediaEvent): void {
    const legId = 'legId' in event ? event.legId : undefined;
    const leg = legId === undefined ? undefined : this.#legs.get(legId);
    if (leg !== undefined) {
      deliverToLeg(leg, event);
      return;
    }
    if (event.type === 'error') this.safeEmit('error', new MediaError(event.code, event.message));
  }

  #legClosed(leg: MediaLeg, reason: MediaLegCloseReason): void {
    if (this.#legs.get(leg.id) === leg) this.#legs.delete(leg.id);
    leg.worker.removeLeg(leg);
    this.observer.safeEmit('legclose', leg, reason);
  }

  #died(worker: MediaWorkerHandle, error: MediaWorkerDiedError): void {
    this.#logger.error({ err: error, worker: worker.index }, 'media worker died');
    this.safeEmit('died', worker, error);
    if (this.#closed || !this.#options.respawn) return;
    const replacement = this.#spawn(worker.index);
    this.#workers[worker.index] = replacement;
    replacement.ready.catch((cause: unknown) => {
      this.#logger.error({ err: cause, worker: worker.index }, 'replacement media worker failed to start');
    });
  }
}
