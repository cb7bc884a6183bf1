/**
 * The durable outbox for webhooks that tell an application something (status callbacks):
 * each one is a row before it is a request. A loop delivers due rows, signed, through the
 * webhook client; a failure, a non-2xx answer or a timeout schedules another attempt
 * with exponential backoff, up to a bounded number of attempts. Rows of one key (a call)
 * go out one at a time in the order they were queued; rows of other keys go out
 * alongside them, up to a bounded number at once, so a slow application delays only its
 * own call's callbacks, never the call and never anyone else's. Each attempt's outcome
 * lands in the call's timeline. Rows left by a stopped or crashed process are delivered
 * by the next one (a crashed holder's lease runs out first).
 */
import type { WebhookClient } from '../engine/webhook/client.js';
import { WebhookError } from '../engine/webhook/errors.js';
import type { MessageQueue, OutboxMessage } from '../engine/message-queue.js';
import type { AttemptOutcome, OutboxRow, Store } from '../store/index.js';

export interface OutboxLogger {
  warn(details: object, message: string): void;
}

export interface WebhookOutboxOptions {
  readonly store: Pick<Store, 'outbox' | 'accounts' | 'callEvents'>;
  readonly webhooks: Pick<WebhookClient, 'fetch'>;
  readonly logger?: OutboxLogger;
  /** Attempts per row, the first included (SignalWire retries twice more: 3). */
  readonly maxAttempts?: number;
  /** Rows delivered at once, across all keys. */
  readonly concurrency?: number;
  /** Wait before attempt n+1: `baseMs · 2^(n−1)`, at most `maxMs`, plus up to 10% jitter. */
  readonly backoff?: { readonly baseMs: number; readonly maxMs: number };
  /** How often the table is read for rows this process was not told of (other nodes, restarts). */
  readonly pollMs?: number;
  /** How long one attempt may hold a row; past it, a crashed holder's row is due again. */
  readonly leaseMs?: number;
  readonly now?: () => number;
}

export interface AttemptNote {
  readonly outboxId: number;
  readonly event: string;
  readonly url: string;
  readonly method: string;
  readonly attempt: number;
  readonly maxAttempts: number;
  readonly outcome: 'delivered' | 'retrying' | 'gave-up';
  readonly httpStatus: number | null;
  readonly code: number | null;
  readonly error: string | null;
  readonly durationMs: number;
  readonly nextAttemptAt: string | null;
}

const DEFAULTS = { maxAttempts: 3, concurrency: 16, backoff: { baseMs: 2000, maxMs: 5 * 60_000 }, pollMs: 1000, leaseMs: 120_000 } as const;

/** Failures no retry can mend: the URL is not one we may or can call. */
const PERMANENT = new Set(['invalid-url', 'refused-destination']);

export class WebhookOutbox implements MessageQueue {
  readonly #store: WebhookOutboxOptions['store'];
  readonly #webhooks: WebhookOutboxOptions['webhooks'];
  readonly #logger: OutboxLogger | undefined;
  readonly #maxAttempts: number;
  readonly #concurrency: number;
  readonly #backoff: { readonly baseMs: number; readonly maxMs: number };
  readonly #pollMs: number;
  readonly #leaseMs: number;
  readonly #now: () => number;
  /** Keys with a row in flight here, and the deliveries themselves. */
  readonly #inflight = new Map<string, Promise<void>>();
  readonly #timers = new Set<NodeJS.Timeout>();
  #running = false;
  #pumping: Promise<void> | undefined;
  #again = false;

  constructor(options: WebhookOutboxOptions) {
    this.#store = options.store;
    this.#webhooks = options.webhooks;
    this.#logger = options.logger;
    this.#maxAttempts = Math.max(1, options.maxAttempts ?? DEFAULTS.maxAttempts);
    this.#concurrency = Math.max(1, options.concurrency ?? DEFAULTS.concurrency);
    this.#backoff = options.backoff ?? DEFAULTS.backoff;
    this.#pollMs = options.pollMs ?? DEFAULTS.pollMs;
    this.#leaseMs = options.leaseMs ?? DEFAULTS.leaseMs;
    this.#now = options.now ?? Date.now;
  }

  /** Starts delivering, rows left from earlier runs first among equals. */
  start(): void {
    if (this.#running) return;
    this.#running = true;
    this.#poll();
  }

  /** Queues a message durably; resolves with its row id once it is stored. */
  async enqueue(message: OutboxMessage): Promise<number> {
    const id = await this.#store.outbox.enqueue({ ...message, maxAttempts: this.#maxAttempts }, this.#iso(0));
    this.#kick();
    return id;
  }

  /** Stops taking rows; waits up to `graceMs` for deliveries in flight. Rows not sent stay queued. */
  async stop(graceMs = 5000): Promise<void> {
    this.#running = false;
    for (const t of this.#timers) clearTimeout(t);
    this.#timers.clear();
    // A pass that is claiming rows right now may still start deliveries: let it finish first.
    await this.#pumping;
    const inflight = Promise.allSettled([...this.#inflight.values()]);
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([inflight, new Promise<void>((r) => (timer = setTimeout(r, graceMs)))]);
    clearTimeout(timer);
  }

  #iso(offsetMs: number): string {
    return new Date(this.#now() + offsetMs).toISOString();
  }

  #later(ms: number, fn: () => void): void {
    const t = setTimeout(() => {
      this.#timers.delete(t);
      fn();
    }, ms);
    t.unref();
    this.#timers.add(t);
  }

  #poll(): void {
    if (!this.#running) return;
    this.#kick();
    this.#later(this.#pollMs, () => this.#poll());
  }

  #kick(): void {
    if (!this.#running) return;
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = this.#pump()
      .catch((err: unknown) => this.#logger?.warn({ err }, 'outbox: reading due rows failed'))
      .finally(() => {
        this.#pumping = undefined;
        if (this.#again) {
          this.#again = false;
          this.#kick();
        }
      });
  }

  async #pump(): Promise<void> {
    do {
      this.#again = false;
      const free = this.#concurrency - this.#inflight.size;
      if (!this.#running || free <= 0) return;
      const now = this.#iso(0);
      const due = await this.#store.outbox.due(now, free, [...this.#inflight.keys()]);
      for (const row of due) {
        if (!this.#running || this.#inflight.has(row.orderKey)) continue;
        const claimed = await this.#store.outbox.claim(row.id, now, this.#iso(this.#leaseMs));
        if (!claimed) continue;
        const delivery = this.#deliver(claimed)
          .catch((err: unknown) => this.#logger?.warn({ err, outboxId: claimed.id }, 'outbox: recording an attempt failed'))
          .finally(() => {
            this.#inflight.delete(claimed.orderKey);
            this.#kick();
          });
        this.#inflight.set(claimed.orderKey, delivery);
      }
    } while (this.#again);
  }

  async #deliver(row: OutboxRow): Promise<void> {
    const started = performance.now();
    let outcome: AttemptOutcome;
    let code: number | null = null;
    let permanent = false;
    try {
      const account = await this.#store.accounts.get(row.accountSid);
      if (!account) throw new AccountGoneError(row.accountSid);
      const response = await this.#webhooks.fetch({ url: row.url, method: row.method, params: row.params, authToken: account.authToken });
      outcome = { httpStatus: response.status, error: null };
    } catch (err) {
      if (err instanceof WebhookError) {
        outcome = { httpStatus: err.status ?? null, error: err.message };
        code = err.code;
        permanent = PERMANENT.has(err.failure);
      } else {
        outcome = { httpStatus: null, error: (err as Error).message ?? String(err) };
        permanent = err instanceof AccountGoneError;
      }
    }
    const durationMs = Math.round(performance.now() - started);
    const now = this.#iso(0);
    let note: Pick<AttemptNote, 'outcome' | 'nextAttemptAt'>;
    if (outcome.error === null) {
      await this.#store.outbox.delivered(row.id, outcome, now);
      note = { outcome: 'delivered', nextAttemptAt: null };
    } else if (permanent || row.attempts >= row.maxAttempts) {
      await this.#store.outbox.failed(row.id, outcome, now);
      note = { outcome: 'gave-up', nextAttemptAt: null };
      this.#logger?.warn({ outboxId: row.id, url: row.url, attempts: row.attempts, error: outcome.error }, 'outbox: gave up on a webhook');
    } else {
      const wait = this.#delayAfter(row.attempts);
      const nextAttemptAt = this.#iso(wait);
      await this.#store.outbox.retryAt(row.id, outcome, nextAttemptAt, now);
      this.#later(wait, () => this.#kick());
      note = { outcome: 'retrying', nextAttemptAt };
    }
    // The store writes a call's events in this process, in order: no race with the call to retry.
    if (row.callSid !== null) {
      await this.#store.callEvents.append(row.callSid, row.accountSid, row.kind, {
        outboxId: row.id,
        event: row.label,
        url: row.url,
        method: row.method,
        attempt: row.attempts,
        maxAttempts: row.maxAttempts,
        httpStatus: outcome.httpStatus,
        code,
        error: outcome.error,
        durationMs,
        ...note,
      } satisfies AttemptNote);
    }
  }

  #delayAfter(attempts: number): number {
    const exp = this.#backoff.baseMs * 2 ** Math.max(0, attempts - 1);
    const capped = Math.min(this.#backoff.maxMs, exp);
    return Math.round(capped * (1 + Math.random() * 0.1));
  }
}

class AccountGoneError extends Error {
  constructor(accountSid: string) {
    super(`account ${accountSid} no longer exists`);
  }
}
