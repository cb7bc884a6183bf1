import type { Kysely } from 'kysely';
import { isoNow } from './now.js';
import type { Database } from './schema.js';

/** How long a key is remembered. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 60 * 60 * 1000;

/** What `reserve` found: the key is ours now, or an earlier request holds it (finished or not). */
export type Reservation =
  | { readonly kind: 'reserved' }
  | { readonly kind: 'replay'; readonly statusCode: number; readonly response: string }
  | { readonly kind: 'in-progress' };

export interface IdempotencyKeyRef {
  readonly accountSid: string;
  readonly scope: string;
  readonly key: string;
}

/**
 * Idempotency keys: the first request with a key reserves it, does its work and records
 * its answer; a repeat within 24 hours gets that answer back and does nothing.
 */
export class IdempotencyRepo {
  constructor(
    readonly db: Kysely<Database>,
    readonly now: () => number = Date.now,
  ) {}

  /**
   * Takes the key, or reports the request that holds it. Keys past the window (this one's
   * and every other's) are dropped first, so an expired key is free again and the table
   * holds one day of keys.
   */
  async reserve(ref: IdempotencyKeyRef): Promise<Reservation> {
    const cutoff = new Date(this.now() - IDEMPOTENCY_WINDOW_MS).toISOString();
    await this.db.deleteFrom('idempotency_keys').where('date_created', '<', cutoff).execute();
    for (let attempt = 0; attempt < 2; attempt++) {
      const inserted = await this.db
        .insertInto('idempotency_keys')
        .values({ account_sid: ref.accountSid, scope: ref.scope, key: ref.key, status_code: null, response: null, date_created: isoNow(this.now) })
        .onConflict((oc) => oc.columns(['account_sid', 'scope', 'key']).doNothing())
        .executeTakeFirst();
      if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) > 0) return { kind: 'reserved' };
      const row = await this.#find(ref);
      if (row === undefined) continue; // released between the insert and the read
      if (row.status_code === null || row.response === null) return { kind: 'in-progress' };
      return { kind: 'replay', statusCode: Number(row.status_code), response: row.response };
    }
    return { kind: 'in-progress' };
  }

  async complete(ref: IdempotencyKeyRef, statusCode: number, response: string): Promise<void> {
    await this.db
      .updateTable('idempotency_keys')
      .set({ status_code: statusCode, response })
      .where('account_sid', '=', ref.accountSid)
      .where('scope', '=', ref.scope)
      .where('key', '=', ref.key)
      .execute();
  }

  /** The request failed and created nothing: a retry with the same key may try again. */
  async release(ref: IdempotencyKeyRef): Promise<void> {
    await this.db
      .deleteFrom('idempotency_keys')
      .where('account_sid', '=', ref.accountSid)
      .where('scope', '=', ref.scope)
      .where('key', '=', ref.key)
      .where('status_code', 'is', null)
      .execute();
  }

  #find(ref: IdempotencyKeyRef) {
    return this.db
      .selectFrom('idempotency_keys')
      .select(['status_code', 'response'])
      .where('account_sid', '=', ref.accountSid)
      .where('scope', '=', ref.scope)
      .where('key', '=', ref.key)
      .executeTakeFirst();
  }
}
