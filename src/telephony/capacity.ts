/**
 * Load shedding: whether this node can take one more call, decided at once from what the
 * main thread already knows, so an INVITE it cannot carry gets `503 Service Unavailable`
 * with `Retry-After` (RFC 3261 §21.5.4) in the time it takes to say so, and the carrier
 * fails over, instead of a caller waiting ten seconds for a media leg that never comes.
 *
 * Two limits:
 * - calls at once on this node (`DIALTONE_MAX_CALLS`): every leg counts, inbound, REST API
 *   and each `<Dial>` child, since each holds a media leg;
 * - the media workers keeping up: a worker with too many requests unanswered, or whose
 *   oldest unanswered request has waited too long (a worker that fell behind or stalled), is
 *   behind; when every worker is behind (or none is alive) no new call can get media.
 *
 * The worker's tick lateness is not read here: it takes a round trip to the worker, which
 * is what a worker that fell behind cannot give; its backlog tells the same story locally.
 *
 * Refusals come in bursts. The log gets one line when a burst begins (with its reason) and
 * one when calls are taken again (with how many were refused), not one per call.
 */
/** The logging capacity does; a pino `Logger` fits. */
export interface CapacityLogger {
  warn(details: object, message: string): void;
  info(details: object, message: string): void;
}

/** What the rule reads of a media worker; `MediaWorkerHandle` fits. */
export interface WorkerBacklog {
  readonly index: number;
  readonly alive: boolean;
  /** Requests sent and not yet answered. */
  readonly pendingCount: number;
  /** How long the oldest unanswered request has waited, ms. */
  oldestPendingMs(now?: number): number;
}

/** What the rule reads of the media host; `MediaHost` fits. */
export interface MediaBacklog {
  readonly workers: readonly WorkerBacklog[];
}

export interface CapacityLimits {
  /** Calls at once on this node; 0: no limit. */
  readonly maxCalls: number;
  /** A worker with more requests than this unanswered is behind. */
  readonly maxPendingPerWorker: number;
  /** A worker whose oldest unanswered request has waited longer than this, ms, is behind. */
  readonly maxReplyWaitMs: number;
  /** What `Retry-After` says, seconds. */
  readonly retryAfterSeconds: number;
}

export const DEFAULT_CAPACITY_LIMITS: CapacityLimits = Object.freeze({
  maxCalls: 0,
  // A worker in good health answers within a tick or two (20 ms each); a burst of call
  // setups puts a few requests per call in flight. Far past both, it is not keeping up.
  maxPendingPerWorker: 256,
  maxReplyWaitMs: 1500,
  retryAfterSeconds: 5,
});

export type RefusalReason = 'max-calls' | 'media-behind' | 'media-down';

/** Why a call is not taken, and when to try again. */
export interface Refusal {
  readonly refused: true;
  readonly reason: RefusalReason;
  readonly message: string;
  readonly retryAfterSeconds: number;
}

/** A call taken: it holds a slot until `release()` (which may be called more than once). */
export interface CallSlot {
  readonly refused: false;
  release(): void;
}

/** Which kind of call asks (for the log). */
export type CallKind = 'inbound' | 'outbound-api' | 'outbound-dial';

/** The rule itself, pure: why a new call cannot be taken now, or undefined when it can. */
export function judgeCapacity(
  state: { readonly calls: number; readonly media: MediaBacklog; readonly now: number },
  limits: CapacityLimits,
): Omit<Refusal, 'refused' | 'retryAfterSeconds'> | undefined {
  if (limits.maxCalls > 0 && state.calls >= limits.maxCalls) {
    return { reason: 'max-calls', message: `${state.calls} calls in progress, the most this server takes at once (DIALTONE_MAX_CALLS=${limits.maxCalls})` };
  }
  const alive = state.media.workers.filter((w) => w.alive);
  if (alive.length === 0) return { reason: 'media-down', message: 'no media worker is running' };
  let worst: string | undefined;
  let worstWait = -1;
  for (const worker of alive) {
    const waited = worker.oldestPendingMs(state.now);
    if (waited <= limits.maxReplyWaitMs && worker.pendingCount <= limits.maxPendingPerWorker) return undefined;
    if (waited > worstWait) {
      worstWait = waited;
      worst =
        waited > limits.maxReplyWaitMs
          ? `media worker ${worker.index} has kept a request waiting ${Math.round(waited)} ms (bound ${limits.maxReplyWaitMs} ms)`
          : `media worker ${worker.index} has ${worker.pendingCount} requests unanswered (bound ${limits.maxPendingPerWorker})`;
    }
  }
  return { reason: 'media-behind', message: `the media workers are not keeping up: ${worst}` };
}

/** A refusal as an error, for callers that throw (the REST API, `<Dial>`). */
export class CapacityError extends Error {
  readonly code = 'over-capacity';
  constructor(readonly refusal: Refusal) {
    super(`this server cannot take another call now: ${refusal.message}`);
  }
}

export interface CallCapacityOptions {
  readonly media: MediaBacklog;
  readonly limits?: Partial<CapacityLimits>;
  readonly logger?: CapacityLogger;
  /** Milliseconds on the clock `oldestPendingMs` uses (`performance.now()`). */
  readonly now?: () => number;
}

/** The calls this node holds, and the door new ones come through. */
export class CallCapacity {
  readonly limits: CapacityLimits;
  readonly #media: MediaBacklog;
  readonly #logger: CapacityLogger | undefined;
  readonly #now: () => number;
  #calls = 0;
  /** The refusal burst in progress: when it began, why, and how many it turned away. */
  #burst: { readonly since: number; readonly reason: RefusalReason; refused: number; readonly byKind: Record<CallKind, number> } | undefined;

  constructor(options: CallCapacityOptions) {
    this.limits = Object.freeze({ ...DEFAULT_CAPACITY_LIMITS, ...options.limits });
    this.#media = options.media;
    this.#logger = options.logger;
    this.#now = options.now ?? (() => performance.now());
  }

  /** Calls holding a slot now. */
  get calls(): number {
    return this.#calls;
  }

  /** A slot for one more call, or why there is none. */
  admit(kind: CallKind): CallSlot | Refusal {
    const now = this.#now();
    const judged = judgeCapacity({ calls: this.#calls, media: this.#media, now }, this.limits);
    if (judged !== undefined) {
      const refusal: Refusal = { refused: true, ...judged, retryAfterSeconds: this.limits.retryAfterSeconds };
      this.#refused(kind, refusal, now);
      return refusal;
    }
    this.#admitted(now);
    this.#calls++;
    let held = true;
    return {
      refused: false,
      release: () => {
        if (!held) return;
        held = false;
        this.#calls--;
      },
    };
  }

  /** Like `admit`, throwing {@link CapacityError} on a refusal. */
  take(kind: CallKind): CallSlot {
    const slot = this.admit(kind);
    if (slot.refused) throw new CapacityError(slot);
    return slot;
  }

  #refused(kind: CallKind, refusal: Refusal, now: number): void {
    if (this.#burst === undefined) {
      this.#burst = { since: now, reason: refusal.reason, refused: 0, byKind: { inbound: 0, 'outbound-api': 0, 'outbound-dial': 0 } };
      this.#logger?.warn({ reason: refusal.reason, detail: refusal.message, calls: this.#calls, retryAfter: refusal.retryAfterSeconds }, `refusing new calls: ${refusal.message}`);
    }
    this.#burst.refused++;
    this.#burst.byKind[kind]++;
  }

  #admitted(now: number): void {
    const burst = this.#burst;
    if (burst === undefined) return;
    this.#burst = undefined;
    this.#logger?.info(
      { reason: burst.reason, refused: burst.refused, byKind: burst.byKind, forMs: Math.round(now - burst.since) },
      `taking calls again after refusing ${burst.refused} (${burst.reason})`,
    );
  }
}
