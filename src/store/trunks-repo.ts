import { isIP } from 'node:net';
import type { Kysely, Selectable } from 'kysely';
import { runListQuery, type ListQuery, type ListResult } from './list-query.js';
import { isoNow } from './now.js';
import type { Database, TrunksTable } from './schema.js';
import { isSid, newSid } from './sid.js';

export type TrunkTransport = 'udp' | 'tcp';

/** A SIP trunk of an account: a carrier (or PBX) that takes the numbers its prefixes match. */
export interface Trunk {
  readonly sid: string;
  readonly accountSid: string;
  readonly friendlyName: string;
  readonly host: string;
  readonly port: number;
  readonly transport: TrunkTransport;
  /** Digest credentials for the trunk's 401/407; both or neither. */
  readonly username: string | null;
  readonly password: string | null;
  /** E.164 prefixes (`+1`, `+4420`) or `*` for every number. */
  readonly prefixes: readonly string[];
  /** Lower first, among trunks whose matching prefix is equally long. */
  readonly priority: number;
  /** A fixed caller ID (E.164) for every call out of this trunk; null passes the Dial's through. */
  readonly callerId: string | null;
  /** Removed from the front of the dialled number when it starts with it (`+`). */
  readonly stripPrefix: string | null;
  /** Then put in front of it (`00`, a carrier's tech prefix). */
  readonly addPrefix: string | null;
  readonly enabled: boolean;
  readonly dateCreated: string;
  readonly dateUpdated: string;
}

export interface TrunkInput {
  readonly friendlyName: string;
  readonly host: string;
  readonly port?: number;
  readonly transport?: TrunkTransport;
  readonly username?: string;
  readonly password?: string;
  readonly prefixes?: readonly string[];
  readonly priority?: number;
  readonly callerId?: string;
  readonly stripPrefix?: string;
  readonly addPrefix?: string;
  readonly enabled?: boolean;
}

export const TRUNK_DEFAULTS = { port: 5060, transport: 'udp', prefixes: ['*'], priority: 10 } as const;

/** A name users type on the command line; never a SID, so `remove NAME|SID` is unambiguous. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;
const HOSTNAME = /^(?=.{1,253}$)[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;
const PREFIX = /^\+[0-9]{1,15}$/;
const E164 = /^\+[1-9][0-9]{2,14}$/;
/** Digits, with an optional leading `+`: what can stand in a Request-URI user part as is. */
const DIGITS = /^(\+[0-9]{0,15}|[0-9]{1,15})$/;
/** Digest usernames go in a quoted string: no quotes, backslashes or controls. */
const USERNAME = /^[^"\\\x00-\x1f\x7f]{1,128}$/;

export class TrunkExistsError extends Error {
  readonly code = 'trunk_exists';
  constructor(readonly friendlyName: string) {
    super(`a trunk named ${friendlyName} already exists`);
  }
}

export class InvalidTrunkError extends Error {
  readonly code = 'invalid_trunk';
}

/** The input checked and completed with defaults; throws InvalidTrunkError with the first problem. */
function checkTrunkInput(input: TrunkInput): Omit<Trunk, 'sid' | 'accountSid' | 'dateCreated' | 'dateUpdated'> {
  const bad = (message: string): never => {
    throw new InvalidTrunkError(message);
  };
  if (!NAME.test(input.friendlyName) || isSid(input.friendlyName))
    bad(`${JSON.stringify(input.friendlyName)} is not a trunk name: letters, digits, '.', '_' and '-', at most 64, starting with a letter or digit`);
  const host = input.host.replace(/^\[(.*)\]$/, '$1');
  if (!HOSTNAME.test(host) && isIP(host) === 0) bad(`${JSON.stringify(input.host)} is not a host name or IP address`);
  const port = input.port ?? TRUNK_DEFAULTS.port;
  if (!Number.isInteger(port) || port < 1 || port > 65535) bad(`port ${input.port} is not between 1 and 65535`);
  const transport = input.transport ?? TRUNK_DEFAULTS.transport;
  if (transport !== 'udp' && transport !== 'tcp') bad(`transport ${JSON.stringify(transport)} is not udp or tcp`);
  if ((input.username === undefined) !== (input.password === undefined)) bad('a username needs a password and a password a username');
  if (input.username !== undefined && !USERNAME.test(input.username)) bad(`${JSON.stringify(input.username)} is not a digest username`);
  if (input.password !== undefined && (input.password.length === 0 || /[\x00-\x1f\x7f]/.test(input.password))) bad('the password is empty or has control characters');
  const prefixes = [...new Set(input.prefixes ?? TRUNK_DEFAULTS.prefixes)];
  if (prefixes.length === 0) bad('a trunk needs at least one prefix (`*` for every number)');
  for (const p of prefixes) if (p !== '*' && !PREFIX.test(p)) bad(`prefix ${JSON.stringify(p)} is not * or + and digits (like +1 or +4420)`);
  const priority = input.priority ?? TRUNK_DEFAULTS.priority;
  if (!Number.isInteger(priority) || priority < 0 || priority > 65535) bad(`priority ${input.priority} is not a whole number from 0 to 65535`);
  if (input.callerId !== undefined && !E164.test(input.callerId)) bad(`caller ID ${JSON.stringify(input.callerId)} is not an E.164 number (like +15550100)`);
  if (input.stripPrefix !== undefined && !DIGITS.test(input.stripPrefix)) bad(`strip prefix ${JSON.stringify(input.stripPrefix)} is not + and/or digits`);
  if (input.addPrefix !== undefined && !DIGITS.test(input.addPrefix)) bad(`add prefix ${JSON.stringify(input.addPrefix)} is not + and/or digits`);
  return {
    friendlyName: input.friendlyName,
    host,
    port,
    transport,
    username: input.username ?? null,
    password: input.password ?? null,
    prefixes,
    priority,
    callerId: input.callerId ?? null,
    stripPrefix: input.stripPrefix ?? null,
    addPrefix: input.addPrefix ?? null,
    enabled: input.enabled ?? true,
  };
}

function toTrunk(row: Selectable<TrunksTable>): Trunk {
  return {
    sid: row.sid,
    accountSid: row.account_sid,
    friendlyName: row.friendly_name,
    host: row.host,
    port: Number(row.port),
    transport: row.transport,
    username: row.username,
    password: row.password,
    prefixes: JSON.parse(row.prefixes) as string[],
    priority: Number(row.priority),
    callerId: row.caller_id,
    stripPrefix: row.strip_prefix,
    addPrefix: row.add_prefix,
    enabled: Number(row.enabled) === 1,
    dateCreated: row.date_created,
    dateUpdated: row.date_updated,
  };
}

/** A checked input's columns: every setting a trunk has, as create and update write them. */
function settingColumns(t: ReturnType<typeof checkTrunkInput>): Omit<Selectable<TrunksTable>, 'sid' | 'account_sid' | 'date_created' | 'date_updated'> {
  return {
    friendly_name: t.friendlyName,
    host: t.host,
    port: t.port,
    transport: t.transport,
    username: t.username,
    password: t.password,
    prefixes: JSON.stringify(t.prefixes),
    priority: t.priority,
    caller_id: t.callerId,
    strip_prefix: t.stripPrefix,
    add_prefix: t.addPrefix,
    enabled: t.enabled ? 1 : 0,
  };
}

export class TrunksRepo {
  constructor(readonly db: Kysely<Database>) {}

  async create(accountSid: string, input: TrunkInput): Promise<Trunk> {
    const t = checkTrunkInput(input);
    if ((await this.get(accountSid, t.friendlyName)) !== undefined) throw new TrunkExistsError(t.friendlyName);
    const now = isoNow();
    const row: Selectable<TrunksTable> = {
      sid: newSid('TK'),
      account_sid: accountSid,
      ...settingColumns(t),
      date_created: now,
      date_updated: now,
    };
    await this.db.insertInto('trunks').values(row).execute();
    return toTrunk(row);
  }

  /** By SID or by name. */
  async get(accountSid: string, nameOrSid: string): Promise<Trunk | undefined> {
    const row = await this.db
      .selectFrom('trunks')
      .selectAll()
      .where('account_sid', '=', accountSid)
      .where(isSid(nameOrSid, 'TK') ? 'sid' : 'friendly_name', '=', nameOrSid)
      .executeTakeFirst();
    return row === undefined ? undefined : toTrunk(row);
  }

  /** In routing order for equally long prefixes: priority, then name. */
  async list(accountSid: string): Promise<Trunk[]> {
    const rows = await this.db
      .selectFrom('trunks')
      .selectAll()
      .where('account_sid', '=', accountSid)
      .orderBy('priority')
      .orderBy('friendly_name')
      .execute();
    return rows.map(toTrunk);
  }

  /** One page of an account's trunks, filtered and sorted on columns (the native API's lists). */
  async query(accountSid: string, query: ListQuery<TrunksTable>): Promise<ListResult<Trunk>> {
    return runListQuery(this.db, 'trunks', accountSid, query, toTrunk);
  }

  /**
   * Replaces every setting of the trunk with `input`, checked as `create` checks it; the
   * caller merges what it keeps. Undefined when there is no such trunk; TrunkExistsError
   * when the new name is another trunk's.
   */
  async update(accountSid: string, sid: string, input: TrunkInput): Promise<Trunk | undefined> {
    const found = await this.get(accountSid, sid);
    if (found === undefined) return undefined;
    const t = checkTrunkInput(input);
    if (t.friendlyName !== found.friendlyName) {
      const named = await this.get(accountSid, t.friendlyName);
      if (named !== undefined && named.sid !== found.sid) throw new TrunkExistsError(t.friendlyName);
    }
    const now = isoNow();
    await this.db
      .updateTable('trunks')
      .set({ ...settingColumns(t), date_updated: now })
      .where('sid', '=', found.sid)
      .where('account_sid', '=', accountSid)
      .execute();
    return { ...found, ...t, dateUpdated: now };
  }

  /** The trunk, or undefined when there is none of that name or SID. */
  async setEnabled(accountSid: string, nameOrSid: string, enabled: boolean): Promise<Trunk | undefined> {
    const found = await this.get(accountSid, nameOrSid);
    if (found === undefined) return undefined;
    const now = isoNow();
    await this.db.updateTable('trunks').set({ enabled: enabled ? 1 : 0, date_updated: now }).where('sid', '=', found.sid).execute();
    return { ...found, enabled, dateUpdated: now };
  }

  /** The removed trunk, or undefined when there was none of that name or SID. */
  async remove(accountSid: string, nameOrSid: string): Promise<Trunk | undefined> {
    const found = await this.get(accountSid, nameOrSid);
    if (found === undefined) return undefined;
    await this.db.deleteFrom('trunks').where('sid', '=', found.sid).execute();
    return found;
  }
}
