import { sql, type CompiledQuery, type Kysely } from 'kysely';
import { fixedQuery } from './fixed-query.js';
import { isoNow } from './now.js';
import type { Database } from './schema.js';

/** One entry of a call's timeline. `data` is whatever the event carries, as JSON. */
export interface CallEvent {
  readonly seq: number;
  readonly at: string;
  readonly type: string;
  readonly data: unknown;
}

interface Queued {
  readonly params: readonly [callSid: string, accountSid: string, at: string, type: string, data: string];
  readonly resolve: (seq: number) => void;
  readonly reject: (err: unknown) => void;
}

/**
 * Timelines are written a batch at a time: every event appended during one turn of the
 * event loop, from every call, goes in one transaction. A call writes about ten events;
 * each in its own commit was a fifth of the main thread at 100 calls per second
 * (bench/sip). `append` still resolves with the event's `seq` once it is committed.
 */
export class CallEventsRepo {
  #queue: Queued[] = [];
  #scheduled = false;
  /** The batch being written; the next one waits for it, so events keep their order. */
  #writing: Promise<void> = Promise.resolve();
  /** Compiled once: building the query with Kysely for every event cost more than running it. */
  readonly #append;

  constructor(readonly db: Kysely<Database>) {
    this.#append = fixedQuery<{ seq: number }>(5, (callSid, accountSid, at, type, data) =>
      db
        .insertInto('call_events')
        .columns(['call_sid', 'account_sid', 'seq', 'at', 'type', 'data'])
        .expression((eb) =>
          eb
            .selectFrom('call_events')
            .select([
              // Casts let PostgreSQL type the parameters of an INSERT ... SELECT.
              sql<string>`cast(${callSid} as text)`.as('call_sid'),
              sql<string>`cast(${accountSid} as text)`.as('account_sid'),
              sql<number>`coalesce(max(seq) + 1, 0)`.as('seq'),
              sql<string>`cast(${at} as text)`.as('at'),
              sql<string>`cast(${type} as text)`.as('type'),
              sql<string>`cast(${data} as text)`.as('data'),
            ])
            .where('call_sid', '=', callSid!),
        )
        .returning('seq'),
    );
  }

  /** Appends the next event of a call; its `seq` follows the call's last one. */
  append(callSid: string, accountSid: string, type: string, data: unknown, at: string = isoNow()): Promise<number> {
    return new Promise<number>((resolve, reject) => {
      this.#queue.push({ params: [callSid, accountSid, at, type, JSON.stringify(data ?? null)], resolve, reject });
      if (!this.#scheduled) {
        this.#scheduled = true;
        setImmediate(() => {
          this.#scheduled = false;
          const batch = this.#queue;
          this.#queue = [];
          this.#writing = this.#writing.then(() => this.#write(batch));
        });
      }
    });
  }

  /** Resolves once every event appended so far is written (or failed). */
  async flushed(): Promise<void> {
    while (this.#scheduled || this.#queue.length > 0) await new Promise<void>((resolve) => setImmediate(resolve));
    await this.#writing;
  }

  async #write(batch: readonly Queued[]): Promise<void> {
    const query = (q: Queued): CompiledQuery<{ seq: number }> => this.#append(...q.params);
    try {
      const seqs = await this.db.transaction().execute(async (trx) => {
        const out: number[] = [];
        for (const q of batch) {
          const result = await trx.executeQuery<{ seq: number }>(query(q));
          out.push(Number(result.rows[0]!.seq));
        }
        return out;
      });
      batch.forEach((q, i) => q.resolve(seqs[i]!));
    } catch {
      // One bad event (its call deleted meanwhile) must not lose the others: each on its own.
      for (const q of batch) {
        try {
          const result = await this.db.executeQuery<{ seq: number }>(query(q));
          q.resolve(Number(result.rows[0]!.seq));
        } catch (err) {
          q.reject(err);
        }
      }
    }
  }

  async list(callSid: string): Promise<CallEvent[]> {
    const rows = await this.db.selectFrom('call_events').select(['seq', 'at', 'type', 'data']).where('call_sid', '=', callSid).orderBy('seq').execute();
    return rows.map((r) => ({ seq: Number(r.seq), at: r.at, type: r.type, data: JSON.parse(r.data) as unknown }));
  }
}
