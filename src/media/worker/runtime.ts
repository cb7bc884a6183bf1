/**
 * Everything one media worker runs, apart from the thread plumbing in
 * `main.ts`: the legs, the bridges, the one 20 ms scheduler, and the handling
 * of requests. It talks to the outside through a `post` function, so a test
 * can run it on the main thread.
 *
 * Each tick runs two passes over all legs: first every leg's receive work
 * (so each bridged leg's input for this tick is ready), then every leg's send
 * work. A leg whose tick throws is closed and reported; the others go on.
 *
 * Events a request causes (`legCreated`, `playStarted`, `playEnded` on
 * replace or stop, `legClosed`, an injected `digit`) are posted after that
 * request's reply.
 */
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { createDenoiser } from '../audio/denoise.js';
import { isDtmfDigit } from '../dtmf/digit.js';
import type {
  CommandOf,
  LegCreatedInfo,
  MediaCommand,
  MediaCommandType,
  MediaEvent,
  MediaRequest,
  MediaResults,
  WorkerOutbound,
  WorkerStats,
} from '../protocol.js';
import { resultTransferList } from '../protocol.js';
import { Bridge } from './bridge.js';
import { CommandError, invalid, toWireError } from './command-error.js';
import { LatencyHistogram } from './histogram.js';
import { type BindPorts, Leg, type LegContext } from './leg.js';
import { readOsThreadId } from './os-thread.js';
import { PortPool } from './ports.js';
import { systemTickTimers, TickScheduler, type TickTimers } from './scheduler.js';
import { createSource } from './sources.js';

export type PostMessage = (message: WorkerOutbound, transfer?: ArrayBuffer[]) => void;

export interface MediaWorkerRuntimeOptions {
  workerIndex: number;
  post: PostMessage;
  tickMs?: number;
  maxCatchUpTicks?: number;
  /** The ticks' timers, whose `now` is also the legs' clock (default: `performance.now()`). */
  timers?: TickTimers;
  /** How legs bind their sockets (default: UDP from the worker's port pool). */
  bind?: BindPorts;
}

interface RequestContext {
  readonly after: MediaEvent[];
}

type Handler<T extends MediaCommandType> = (
  command: CommandOf<T>,
  ctx: RequestContext,
) => MediaResults[T] | Promise<MediaResults[T]>;

function isPromise<T>(value: T | Promise<T>): value is Promise<T> {
  return typeof (value as { then?: unknown } | null)?.then === 'function';
}

export class MediaWorkerRuntime {
  readonly workerIndex: number;
  readonly #post: PostMessage;
  readonly #legs = new Map<string, Leg>();
  /** The same legs as an array, for the tick loop (swap-removed by `Leg.index`). */
  readonly #list: Leg[] = [];
  /** Leg ids being created (bind in progress). */
  readonly #opening = new Set<string>();
  readonly #scheduler: TickScheduler;
  readonly #completion = new LatencyHistogram();
  readonly #counters = new Float64Array(2);
  readonly #legContext: LegContext;
  readonly #clock: LegContext['clock'];
  #current: RequestContext | null = null;
  #windowStart = performance.now();
  #elu: EventLoopUtilization = performance.eventLoopUtilization();
  #ticksAtWindow = 0;
  #skippedAtWindow = 0;
  #closed = false;
  readonly #osThreadId = readOsThreadId();

  constructor(options: MediaWorkerRuntimeOptions) {
    this.workerIndex = options.workerIndex;
    this.#post = options.post;
    const timers = options.timers ?? systemTickTimers;
    this.#scheduler = new TickScheduler({
      periodMs: options.tickMs ?? 20,
      maxCatchUpTicks: options.maxCatchUpTicks ?? 5,
      onTick: (due) => this.#tick(due),
      timers,
    });
    this.#clock = timers;
    this.#legContext = {
      emit: (event) => this.#emit(event),
      clock: this.#clock,
      ports: new PortPool(),
      counters: this.#counters,
      ...(options.bind ? { bind: options.bind } : {}),
    };
  }

  get legCount(): number {
    return this.#list.length;
  }

  /** Handles one request; the reply (and the events it caused) are posted when done. */
  handle(request: MediaRequest): void {
    const ctx: RequestContext = { after: [] };
    let outcome: unknown;
    this.#current = ctx;
    try {
      if (typeof request !== 'object' || request === null || typeof request.id !== 'number') {
        throw invalid('malformed request');
      }
      outcome = this.#dispatch(request.command, ctx);
    } catch (error) {
      this.#current = null;
      this.#replyError(request?.id ?? -1, error, ctx);
      return;
    }
    this.#current = null;
    if (isPromise(outcome)) {
      outcome.then(
        (result) => this.#replyOk(request.id, result, ctx),
        (error: unknown) => this.#replyError(request.id, error, ctx),
      );
    } else {
      this.#replyOk(request.id, outcome, ctx);
    }
  }

  /** Closes every leg and stops the clock; resolves once the legs' recordings are finished. */
  async shutdown(): Promise<void> {
    const legs = [...this.#list];
    for (const leg of legs) this.#closeLeg(leg, 'shutdown');
    this.#scheduler.stop();
    this.#closed = true;
    await Promise.all(legs.map((leg) => leg.finished));
  }

  // -------------------------------------------------------------------------

  #dispatch(command: MediaCommand, ctx: RequestContext): unknown {
    if (typeof command !== 'object' || command === null) throw invalid('missing command');
    const handler = this.#handlers[command.type] as Handler<MediaCommandType> | undefined;
    if (handler === undefined) throw invalid(`unknown command ${JSON.stringify((command as { type?: unknown }).type)}`);
    if (this.#closed && command.type !== 'workerStats' && command.type !== 'shutdown') {
      throw new CommandError('host-closed', 'the worker is shutting down');
    }
    return handler(command as CommandOf<MediaCommandType>, ctx);
  }

  readonly #handlers: { [T in MediaCommandType]: Handler<T> } = {
    createLeg: (command, ctx) => this.#createLeg(command, ctx),
    setRemote: (command) => {
      this.#leg(command.legId).setRemote(command.remote, command.codec, command.telephoneEventPt);
      return null;
    },
    play: (command) => {
      const leg = this.#leg(command.legId);
      const source = createSource(command.source, command.loop ?? 1);
      const queued = leg.play(command.playId, source, command.enqueue === true);
      return { playId: command.playId, queued };
    },
    stopPlay: (command) => ({ stopped: this.#leg(command.legId).stopPlay(command.playId) }),
    sendDigits: (command) => ({
      queued: this.#leg(command.legId).sendDigits(command.digits, command.durationMs, command.gapMs),
    }),
    injectDigit: (command) => {
      if (typeof command.digit !== 'string' || !isDtmfDigit(command.digit)) {
        throw invalid(`injectDigit: not a DTMF digit: ${JSON.stringify(command.digit)}`);
      }
      this.#leg(command.legId).injectDigit(command.digit, command.durationMs ?? 100);
      return null;
    },
    startRecord: async (command) => {
      await this.#leg(command.legId).startRecord(command.recordId, command.path, command.mode ?? 'inbound', {
        maxDurationMs: command.maxDurationMs,
        silenceTimeoutMs: command.silenceTimeoutMs,
        trimSilence: command.trimSilence,
        silenceFrom: command.silenceFrom,
      });
      return { recordId: command.recordId };
    },
    stopRecord: (command) => this.#leg(command.legId).stopRecord(command.recordId),
    bridge: (command) => {
      const a = this.#leg(command.legA);
      const b = this.#leg(command.legB);
      if (a === b) throw invalid('bridge: a leg cannot be bridged to itself');
      // Re-bridging replaces earlier bridges of either leg.
      a.bridge?.detach();
      b.bridge?.detach();
      new Bridge(a, b, command.relayDigits ?? true);
      return null;
    },
    echo: (command) => {
      const leg = this.#leg(command.legId);
      leg.bridge?.detach();
      Bridge.echo(leg);
      return null;
    },
    unbridge: (command) => {
      this.#leg(command.legId).bridge?.detach();
      return null;
    },
    setHold: (command) => {
      this.#leg(command.legId).setHold(command.hold === true);
      return null;
    },
    setDenoise: async (command) => {
      const leg = this.#leg(command.legId);
      if (command.enabled !== true) {
        leg.setDenoiser(null);
        return null;
      }
      if (leg.denoising) return null;
      const denoiser = await createDenoiser();
      if (leg.closed) {
        denoiser.destroy();
        throw new CommandError('leg-closed', `leg ${leg.legId} closed while its denoiser was being made`);
      }
      leg.setDenoiser(denoiser);
      return null;
    },
    closeLeg: (command) => this.#closeLeg(this.#leg(command.legId), 'closed'),
    stats: (command) => this.#leg(command.legId).stats(),
    captureStart: (command) => {
      this.#leg(command.legId).startCapture(command.maxMs ?? 10_000);
      return null;
    },
    captureStop: (command) => this.#leg(command.legId).stopCapture(),
    workerStats: (command) => {
      if (command.collectGarbage === true) globalThis.gc?.();
      return this.#workerStats(command.reset === true);
    },
    shutdown: async () => {
      await this.shutdown();
      return null;
    },
    startStream: (command) => {
      this.#leg(command.legId).startStream(command);
      return { streamId: command.streamId };
    },
    stopStream: (command) => ({ stopped: this.#leg(command.legId).stopStream(command.streamId) }),
  };

  async #createLeg(command: CommandOf<'createLeg'>, ctx: RequestContext): Promise<LegCreatedInfo> {
    const legId = command.legId;
    if (typeof legId !== 'string' || legId.length === 0) throw invalid('createLeg: legId is required');
    if (this.#legs.has(legId) || this.#opening.has(legId)) {
      throw new CommandError('leg-exists', `leg ${legId} already exists`);
    }
    if (typeof command.bindAddress !== 'string') throw invalid('createLeg: bindAddress is required');
    if (typeof command.symmetricRtp !== 'boolean') throw invalid('createLeg: symmetricRtp must be a boolean');
    this.#opening.add(legId);
    let leg: Leg;
    try {
      leg = await Leg.open(command, this.#legContext);
    } finally {
      this.#opening.delete(legId);
    }
    if (this.#closed) {
      leg.destroy();
      throw new CommandError('host-closed', 'the worker is shutting down');
    }
    leg.index = this.#list.length;
    this.#list.push(leg);
    this.#legs.set(legId, leg);
    if (!this.#scheduler.running) this.#scheduler.start();
    const info: LegCreatedInfo = { legId, localAddress: leg.localAddress, localPort: leg.localPort, rtcpPort: leg.rtcpPort };
    ctx.after.push({ type: 'legCreated', ...info });
    return info;
  }

  #closeLeg(leg: Leg, reason: 'closed' | 'shutdown'): MediaResults['closeLeg'] {
    const stats = leg.close(reason);
    this.#remove(leg);
    return stats;
  }

  #remove(leg: Leg): void {
    if (this.#legs.get(leg.legId) !== leg) return;
    this.#legs.delete(leg.legId);
    const list = this.#list;
    const last = list.pop()!;
    if (last !== leg) {
      list[leg.index] = last;
      last.index = leg.index;
    }
    leg.index = -1;
    if (list.length === 0) this.#scheduler.stop();
  }

  #leg(legId: string): Leg {
    const leg = typeof legId === 'string' ? this.#legs.get(legId) : undefined;
    if (leg === undefined) throw new CommandError('leg-not-found', `no leg ${JSON.stringify(legId)} in worker ${this.workerIndex}`);
    return leg;
  }

  #tick(due: number): void {
    const list = this.#list;
    const now = this.#clock.now();
    for (let i = 0; i < list.length; i++) {
      const leg = list[i]!;
      try {
        leg.receiveTick(now);
      } catch (error) {
        this.#failLeg(leg, error);
        i--;
      }
    }
    for (let i = 0; i < list.length; i++) {
      const leg = list[i]!;
      try {
        leg.sendTick();
      } catch (error) {
        this.#failLeg(leg, error);
        i--;
      }
    }
    this.#completion.record(performance.now() - due);
  }

  /** A leg's tick threw: report it, close the leg, keep the worker going. */
  #failLeg(leg: Leg, error: unknown): void {
    this.#emit({
      type: 'error',
      legId: leg.legId,
      code: 'internal',
      message: `leg ${leg.legId} failed and was closed: ${error instanceof Error ? error.stack ?? error.message : String(error)}`,
    });
    try {
      leg.close('closed');
    } catch {
      leg.destroy();
    }
    this.#remove(leg);
  }

  #workerStats(reset: boolean): WorkerStats {
    const now = performance.now();
    const scheduler = this.#scheduler;
    const memory = process.memoryUsage();
    const stats: WorkerStats = {
      workerIndex: this.workerIndex,
      legs: this.#list.length,
      windowMs: Math.round(now - this.#windowStart),
      ticks: scheduler.ticks - this.#ticksAtWindow,
      skippedTicks: scheduler.skippedTicks - this.#skippedAtWindow,
      tickLateness: scheduler.lateness.summary(),
      tickCompletion: this.#completion.summary(),
      packetsIn: this.#counters[0]!,
      packetsOut: this.#counters[1]!,
      eventLoopUtilization: Math.round(performance.eventLoopUtilization(this.#elu).utilization * 1000) / 1000,
      heapUsed: memory.heapUsed,
      rss: memory.rss,
      osThreadId: this.#osThreadId,
    };
    if (reset) {
      this.#windowStart = now;
      this.#elu = performance.eventLoopUtilization();
      this.#ticksAtWindow = scheduler.ticks;
      this.#skippedAtWindow = scheduler.skippedTicks;
      scheduler.lateness.reset();
      this.#completion.reset();
      this.#counters.fill(0);
    }
    return stats;
  }

  #emit(event: MediaEvent): void {
    const ctx = this.#current;
    if (ctx !== null) ctx.after.push(event);
    else this.#post({ kind: 'event', event });
  }

  #replyOk(id: number, result: unknown, ctx: RequestContext): void {
    const value = (result ?? null) as MediaResults[MediaCommandType];
    this.#post({ kind: 'reply', id, ok: true, result: value }, resultTransferList(value));
    this.#flush(ctx);
  }

  #replyError(id: number, error: unknown, ctx: RequestContext): void {
    this.#post({ kind: 'reply', id, ok: false, error: toWireError(error) });
    this.#flush(ctx);
  }

  #flush(ctx: RequestContext): void {
    for (const event of ctx.after) this.#post({ kind: 'event', event });
    ctx.after.length = 0;
  }
}
