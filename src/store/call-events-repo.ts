import { sql, type Kysely } from 'kysely';
import { isoNow } from './now.js';
import type { Database } from './schema.js';

/** One entry of a call's timeline. `data` is whatever the event carries, as JSON. */
export interface CallEvent {
  readonly seq: number;
  readonly at: string;
  readonly type: string;
  readonly data: unknown;
}

export class CallEventsRepo {
  constructor(readonly db: Kysely<Database>) {}

  /** Appends the next event of a call; its `seq` follows the call's last one. */
  async append(callSid: string, accountSid: string, type: string, data: unknown, at: string = isoNow()): Promise<number> {
    const row = await this.db
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
            sql<string>`cast(${JSON.stringify(data ?? null)} as text)`.as('data'),
          ])
          .where('call_sid', '=', callSid),
      )
      .returning('seq')
      .executeTakeFirstOrThrow();
    return Number(row.seq);
  }

  async list(callSid: string): Promise<CallEvent[]> {
    const rows = await this.db.selectFrom('call_events').select(['seq', 'at', 'type', 'data']).where('call_sid', '=', callSid).orderBy('seq').execute();
    return rows.map((r) => ({ seq: Number(r.seq), at: r.at, type: r.type, data: JSON.parse(r.data) as unknown }));
  }
}
