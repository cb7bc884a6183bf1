import type { Kysely, Selectable } from 'kysely';
import type { Database, HttpMethod, OutboxStatus, WebhookOutboxTable } from './schema.js';

/** Form parameters as the webhook client sends them (a key may repeat). */
export type OutboxParams = Readonly<Record<string, string | readonly string[]>>;

export interface NewOutboxRow {
  readonly accountSid: string;
  readonly orderKey: string;
  readonly callSid: string | null;
  readonly kind: string;
  readonly label: string;
  readonly url: string;
  readonly method: HttpMethod;
  readonly params: OutboxParams;
  readonly maxAttempts: number;
}

export interface OutboxRow extends NewOutboxRow {
  readonly id: number;
  readonly status: OutboxStatus;
  /** Attempts started so far, this one included once claimed. */
  readonly attempts: number;
  readonly nextAttemptAt: string;
  readonly leaseUntil: string | null;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
}

export interface AttemptOutcome {
  /** The HTTP status, when the application answered at all. */
  readonly httpStatus: number | null;
  readonly error: string | null;
}

function toRow(r: Selectable<WebhookOutboxTable>): OutboxRow {
  return {
    id: Number(r.id),
    accountSid: r.account_sid,
    orderKey: r.order_key,
    callSid: r.call_sid,
    kind: r.kind,
    label: r.label,
    url: r.url,
    method: r.method,
    params: JSON.parse(r.params) as OutboxParams,
    maxAttempts: Number(r.max_attempts),
    status: r.status,
    attempts: Number(r.attempts),
    nextAttemptAt: r.next_attempt_at,
    leaseUntil: r.lease_until,
    lastStatus: r.last_status === null ? null : Number(r.last_status),
    lastError: r.last_error,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/**
 * The outbox table. Times are ISO strings passed in by the caller, so the delivery
 * loop's clock decides what is due. Claiming is a conditional update, which is atomic
 * on SQLite and on PostgreSQL alike: two nodes never hold one row at once.
 */
export class OutboxRepo {
  constructor(readonly db: Kysely<Database>) {}

  async enqueue(row: NewOutboxRow, now: string): Promise<number> {
    const inserted = await this.db
      .insertInto('webhook_outbox')
      .values({
        account_sid: row.accountSid,
        order_key: row.orderKey,
        call_sid: row.callSid,
        kind: row.kind,
        label: row.label,
        url: row.url,
        method: row.method,
        params: JSON.stringify(row.params),
        status: 'pending',
        attempts: 0,
        max_attempts: row.maxAttempts,
        next_attempt_at: now,
        lease_until: null,
        last_status: null,
        last_error: null,
        created_at: now,
        updated_at: now,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return Number(inserted.id);
  }

  /**
   * Pending rows that are due, unheld, and first of their key among pending rows (so a
   * key's later rows wait for its earlier ones, even through their backoff). Keys in
   * `busy` are skipped: this node is already delivering one of their rows.
   */
  async due(now: string, limit: number, busy: readonly string[] = []): Promise<OutboxRow[]> {
    if (limit <= 0) return [];
    let q = this.db
      .selectFrom('webhook_outbox as o')
      .selectAll('o')
      .where('o.status', '=', 'pending')
      .where('o.next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('o.lease_until', 'is', null), eb('o.lease_until', '<=', now)]))
      .where(({ not, exists, selectFrom }) =>
        not(
          exists(
            selectFrom('webhook_outbox as p')
              .select('p.id')
              .whereRef('p.order_key', '=', 'o.order_key')
              .where('p.status', '=', 'pending')
              .whereRef('p.id', '<', 'o.id'),
          ),
        ),
      );
    if (busy.length > 0) q = q.where('o.order_key', 'not in', [...busy]);
    const rows = await q.orderBy('o.next_attempt_at').orderBy('o.id').limit(limit).execute();
    return rows.map(toRow);
  }

  /** Takes a row for one attempt until `leaseUntil`; false when another holder got it first. */
  async claim(id: number, now: string, leaseUntil: string): Promise<OutboxRow | undefined> {
    const row = await this.db
      .updateTable('webhook_outbox')
      .set((eb) => ({ lease_until: leaseUntil, attempts: eb('attempts', '+', 1), updated_at: now }))
      .where('id', '=', id)
      .where('status', '=', 'pending')
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<=', now)]))
      .returningAll()
      .executeTakeFirst();
    return row && toRow(row);
  }

  async delivered(id: number, outcome: AttemptOutcome, now: string): Promise<void> {
    await this.db
      .updateTable('webhook_outbox')
      .set({ status: 'delivered', lease_until: null, last_status: outcome.httpStatus, last_error: null, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  /** Another attempt at `nextAttemptAt`. */
  async retryAt(id: number, outcome: AttemptOutcome, nextAttemptAt: string, now: string): Promise<void> {
    await this.db
      .updateTable('webhook_outbox')
      .set({ lease_until: null, next_attempt_at: nextAttemptAt, last_status: outcome.httpStatus, last_error: outcome.error, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  /** No more attempts: the row stays, marked failed, for whoever investigates. */
  async failed(id: number, outcome: AttemptOutcome, now: string): Promise<void> {
    await this.db
      .updateTable('webhook_outbox')
      .set({ status: 'failed', lease_until: null, last_status: outcome.httpStatus, last_error: outcome.error, updated_at: now })
      .where('id', '=', id)
      .execute();
  }

  async get(id: number): Promise<OutboxRow | undefined> {
    const row = await this.db.selectFrom('webhook_outbox').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toRow(row);
  }

  /** A key's rows in order (a call's callbacks). */
  async list(orderKey: string): Promise<OutboxRow[]> {
    const rows = await this.db.selectFrom('webhook_outbox').selectAll().where('order_key', '=', orderKey).orderBy('id').execute();
    return rows.map(toRow);
  }
}
