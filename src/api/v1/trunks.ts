import { Type, type Static } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { InvalidTrunkError, TrunkExistsError, type Trunk, type TrunkInput } from '../../store/index.js';
import type { TrunksTable } from '../../store/schema.js';
import { pathOf, principalOf } from '../principal.js';
import type { V1Context } from './context.js';
import { FieldError, conflict, notFound } from './errors.js';
import { IsoDate, Nullable, checkIfMatch, type Resource } from './resource.js';
import { createRoute, itemRoute, listRoute, removeRoute, updateRoute, type ItemParams } from './routes.js';
import type { WriteLock } from './write-lock.js';

/** The password is write-only: it is never a field, so it can be neither shown, filtered nor sorted on. */
type ShownColumns = Omit<TrunksTable, 'password'>;

const Transport = Type.Union([Type.Literal('udp'), Type.Literal('tcp')]);
const Prefix = Type.String({ pattern: '^(\\*|\\+[0-9]{1,15})$', description: 'An E.164 prefix (+1, +4420) or * for every number' });

export const TrunkResource: Resource<Trunk, ShownColumns> = {
  name: 'trunks',
  title: 'Trunk',
  defaultSort: { field: 'priority', direction: 'asc' },
  fields: {
    id: { schema: Type.String({ pattern: '^TK[0-9a-f]{32}$' }), column: 'sid' },
    account_id: { schema: Type.String(), column: 'account_sid' },
    friendly_name: { schema: Type.String({ description: 'The name `dialtone trunks` knows it by' }), column: 'friendly_name' },
    host: { schema: Type.String(), column: 'host' },
    port: { schema: Type.Integer({ minimum: 1, maximum: 65535 }), column: 'port', kind: 'integer' },
    transport: { schema: Transport, column: 'transport' },
    username: { schema: Nullable(Type.String({ description: 'Digest username for the carrier’s challenge; the password is never shown' })), column: 'username', nullable: true },
    prefixes: { schema: Type.Array(Prefix, { minItems: 1, description: 'Numbers this trunk takes' }) },
    priority: { schema: Type.Integer({ minimum: 0, maximum: 65535, description: 'Lower first among equally long matching prefixes' }), column: 'priority', kind: 'integer' },
    caller_id: { schema: Nullable(Type.String({ description: 'A fixed E.164 caller ID for every call out; null passes the Dial’s through' })), column: 'caller_id', nullable: true },
    strip_prefix: { schema: Nullable(Type.String({ description: 'Removed from the front of the dialled number' })), column: 'strip_prefix', nullable: true },
    add_prefix: { schema: Nullable(Type.String({ description: 'Then put in front of it' })), column: 'add_prefix', nullable: true },
    enabled: { schema: Type.Boolean({ description: 'A disabled trunk takes no calls' }), column: 'enabled', kind: 'boolean' },
    date_created: { schema: IsoDate, column: 'date_created' },
    date_updated: { schema: IsoDate, column: 'date_updated' },
  },
  json: (t) => ({
    id: t.sid,
    account_id: t.accountSid,
    friendly_name: t.friendlyName,
    host: t.host,
    port: t.port,
    transport: t.transport,
    username: t.username,
    prefixes: t.prefixes,
    priority: t.priority,
    caller_id: t.callerId,
    strip_prefix: t.stripPrefix,
    add_prefix: t.addPrefix,
    enabled: t.enabled,
    date_created: t.dateCreated,
    date_updated: t.dateUpdated,
  }),
};

const Digits = (description: string) => Type.String({ pattern: '^(\\+[0-9]{0,15}|[0-9]{1,15})$', description });
const Name = Type.String({ pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$', description: 'Letters, digits, . _ -; at most 64' });
const Host = Type.String({ minLength: 1, maxLength: 255, description: 'Host name or IP address of the carrier or PBX' });
const settings = {
  port: Type.Optional(Type.Integer({ minimum: 1, maximum: 65535, default: 5060 })),
  transport: Type.Optional(Transport),
  prefixes: Type.Optional(Type.Array(Prefix, { minItems: 1, maxItems: 1000, default: ['*'] })),
  priority: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535, default: 10 })),
  enabled: Type.Optional(Type.Boolean({ default: true })),
};
const Username = Type.String({ minLength: 1, maxLength: 128, description: 'With password: digest credentials for the carrier’s challenge' });
const Password = Type.String({ minLength: 1, maxLength: 256, writeOnly: true, description: 'Write-only: kept to answer the carrier’s challenge, never shown' });
const CallerId = Type.String({ pattern: '^\\+[1-9][0-9]{2,14}$', description: 'E.164' });
const Strip = Digits('+ and/or digits removed from the front of the dialled number');
const Add = Digits('+ and/or digits then put in front of it');

const CreateTrunk = Type.Object(
  {
    friendly_name: Name,
    host: Host,
    ...settings,
    username: Type.Optional(Username),
    password: Type.Optional(Password),
    caller_id: Type.Optional(CallerId),
    strip_prefix: Type.Optional(Strip),
    add_prefix: Type.Optional(Add),
  },
  { additionalProperties: false },
);
const UpdateTrunk = Type.Object(
  {
    friendly_name: Type.Optional(Name),
    host: Type.Optional(Host),
    ...settings,
    username: Type.Optional(Nullable(Username)),
    password: Type.Optional(Nullable(Password)),
    caller_id: Type.Optional(Nullable(CallerId)),
    strip_prefix: Type.Optional(Nullable(Strip)),
    add_prefix: Type.Optional(Nullable(Add)),
  },
  { additionalProperties: false, description: 'Fields given change; null clears username and password (both), caller_id, strip_prefix, add_prefix' },
);

/** Either body: every field optional, the clearable ones nullable. */
type TrunkBody = Static<typeof UpdateTrunk>;

/** A body over what the trunk is now (nothing, when it is new): a given field wins, null clears, absent keeps. */
function merged(body: TrunkBody, current: Trunk | undefined): TrunkInput {
  const pick = (given: string | null | undefined, now: string | null | undefined): string | undefined => (given === undefined ? (now ?? undefined) : (given ?? undefined));
  const input: { -readonly [K in keyof TrunkInput]: TrunkInput[K] } = {
    friendlyName: body.friendly_name ?? current?.friendlyName ?? '',
    host: body.host ?? current?.host ?? '',
  };
  const port = body.port ?? current?.port;
  if (port !== undefined) input.port = port;
  const transport = body.transport ?? current?.transport;
  if (transport !== undefined) input.transport = transport;
  const prefixes = body.prefixes ?? current?.prefixes;
  if (prefixes !== undefined) input.prefixes = prefixes;
  const priority = body.priority ?? current?.priority;
  if (priority !== undefined) input.priority = priority;
  const enabled = body.enabled ?? current?.enabled;
  if (enabled !== undefined) input.enabled = enabled;
  const username = pick(body.username, current?.username);
  // A new username with no password given keeps no old password: credentials change together.
  const password = body.username !== undefined && body.password === undefined ? undefined : pick(body.password, current?.password);
  if (username !== undefined) input.username = username;
  if (password !== undefined) input.password = password;
  const callerId = pick(body.caller_id, current?.callerId);
  if (callerId !== undefined) input.callerId = callerId;
  const strip = pick(body.strip_prefix, current?.stripPrefix);
  if (strip !== undefined) input.stripPrefix = strip;
  const add = pick(body.add_prefix, current?.addPrefix);
  if (add !== undefined) input.addPrefix = add;
  return input;
}

/** The store's own checks (host names, the username/password pair) and name clashes, as answers. */
async function answering<T>(name: string | undefined, write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (error instanceof InvalidTrunkError) throw new FieldError(400, 20001, `Invalid trunk: ${error.message}`);
    if (error instanceof TrunkExistsError) throw conflict(20409, `A trunk named ${error.friendlyName} already exists`, name === undefined ? null : 'friendly_name');
    throw error;
  }
}

/**
 * Trunks: the carriers (or PBXs) `<Dial><Number>` reaches numbers through, the same rows
 * `dialtone trunks` manages; read at each dial, so a change here takes effect on the next call.
 */
export async function trunkRoutes(app: FastifyInstance, ctx: V1Context, lock: WriteLock): Promise<void> {
  const get = async (request: FastifyRequest, id: string): Promise<Trunk | undefined> => {
    const trunk = await ctx.store.trunks.get(principalOf(request).account.sid, id);
    // The repository also finds a trunk by name; a resource's address is its id only.
    return trunk?.sid === id ? trunk : undefined;
  };
  listRoute(app, TrunkResource, (request, query) => ctx.store.trunks.query(principalOf(request).account.sid, query));
  itemRoute(app, TrunkResource, get);

  createRoute(app, TrunkResource, CreateTrunk, async (request) => {
    const { account } = principalOf(request);
    const body = request.body as TrunkBody;
    // One writer per account at a time, so two creates of one name meet the name check, not the unique index.
    return lock.run(`trunks:${account.sid}`, () => answering(body.friendly_name, () => ctx.store.trunks.create(account.sid, merged(body, undefined))));
  });

  updateRoute(app, TrunkResource, UpdateTrunk, async (request) => {
    const { account } = principalOf(request);
    const { id } = request.params as ItemParams;
    const body = request.body as TrunkBody;
    return lock.run(`trunks:${account.sid}`, async () => {
      const current = await get(request, id);
      if (!current) throw notFound(pathOf(request));
      checkIfMatch(request, TrunkResource, current);
      const updated = await answering(body.friendly_name, () => ctx.store.trunks.update(account.sid, current.sid, merged(body, current)));
      if (!updated) throw notFound(pathOf(request));
      return updated;
    });
  });

  removeRoute(app, TrunkResource, 'Delete a trunk: the next dial no longer uses it', async (request) => {
    const { account } = principalOf(request);
    const { id } = request.params as ItemParams;
    await lock.run(`trunks:${account.sid}`, async () => {
      const current = await get(request, id);
      if (!current) throw notFound(pathOf(request));
      checkIfMatch(request, TrunkResource, current);
      await ctx.store.trunks.remove(account.sid, current.sid);
    });
  });
}
