import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKey, ApiKeysTable } from '../../store/index.js';
import { AuthenticateError } from '../compat/errors.js';
import { pathOf, principalOf, type Principal } from '../principal.js';
import type { V1Context } from './context.js';
import { notFound } from './errors.js';
import { IsoDate, checkIfMatch, etagOf, itemQuerySchema, readFields, type Resource } from './resource.js';
import { SECURITY, errorResponses, itemRoute, listRoute, removeRoute, updateRoute, type ItemParams } from './routes.js';
import type { WriteLock } from './write-lock.js';

export const KeyResource: Resource<ApiKey, Omit<ApiKeysTable, 'secret_hash'>> = {
  name: 'keys',
  title: 'Key',
  defaultSort: { field: 'date_created', direction: 'asc' },
  fields: {
    id: { schema: Type.String({ pattern: '^SK[0-9a-f]{32}$' }), column: 'sid' },
    account_id: { schema: Type.String(), column: 'account_sid' },
    friendly_name: { schema: Type.String(), column: 'friendly_name' },
    date_created: { schema: IsoDate, column: 'date_created' },
    date_updated: { schema: IsoDate, column: 'date_updated' },
  },
  json: (k) => ({ id: k.sid, account_id: k.accountSid, friendly_name: k.friendlyName, date_created: k.dateCreated, date_updated: k.dateUpdated }),
};

const Body = Type.Object({ friendly_name: Type.Optional(Type.String({ maxLength: 64 })) }, { additionalProperties: false });

/** Like the compatible API: an API key cannot make or see keys; that takes the auth token. */
function ownerOnly(request: FastifyRequest): Principal {
  const principal = principalOf(request);
  if (principal.via !== 'auth-token') throw new AuthenticateError('API keys cannot manage API keys: authenticate with the account SID and auth token');
  return principal;
}

/** API keys: `SK…` and a secret, shown once at creation, that authenticate in place of the auth token. */
export async function keyRoutes(app: FastifyInstance, ctx: V1Context, lock: WriteLock): Promise<void> {
  const get = (request: FastifyRequest, id: string) => ctx.store.apiKeys.get(ownerOnly(request).account.sid, id);
  listRoute(app, KeyResource, (request, query) => ctx.store.apiKeys.query(ownerOnly(request).account.sid, query));
  itemRoute(app, KeyResource, get);

  const created = Type.Object(
    {
      data: Type.Object({ ...Object.fromEntries(Object.entries(KeyResource.fields).map(([n, f]) => [n, Type.Optional(f.schema)])), secret: Type.String() }, { additionalProperties: false }),
      meta: Type.Object({ Etag: Type.String() }, { additionalProperties: false }),
    },
    { additionalProperties: false, description: 'The new key, with its secret: the only time it is shown' },
  );
  app.post(
    '/keys',
    {
      schema: {
        tags: ['keys'],
        summary: 'Create an API key',
        security: SECURITY,
        querystring: itemQuerySchema(),
        body: Body,
        response: { 201: created, ...errorResponses(415) },
      },
    },
    async (request, reply) => {
      const { account } = ownerOnly(request);
      const fields = readFields(KeyResource, request.query as { fields?: string });
      const key = await ctx.store.apiKeys.create(account.sid, (request.body as { friendly_name?: string } | undefined)?.friendly_name);
      const json = KeyResource.json(key);
      const data: Record<string, unknown> = {};
      for (const f of fields ?? Object.keys(json)) data[f] = json[f];
      data.secret = key.secret;
      const etag = etagOf(json);
      return reply.status(201).header('etag', `"${etag}"`).send({ data, meta: { Etag: etag } });
    },
  );

  updateRoute(app, KeyResource, Body, async (request) => {
    const { account } = ownerOnly(request);
    const { id } = request.params as ItemParams;
    return lock.run(id, async () => {
      const current = await get(request, id);
      if (!current) throw notFound(pathOf(request));
      checkIfMatch(request, KeyResource, current);
      const name = (request.body as { friendly_name?: string } | undefined)?.friendly_name;
      const updated = await ctx.store.apiKeys.update(account.sid, id, name === undefined ? {} : { friendlyName: name });
      if (!updated) throw notFound(pathOf(request));
      return updated;
    });
  });

  removeRoute(app, KeyResource, 'Delete an API key: it stops authenticating at once', async (request) => {
    const { account } = ownerOnly(request);
    const { id } = request.params as ItemParams;
    await lock.run(id, async () => {
      const current = await get(request, id);
      if (!current) throw notFound(pathOf(request));
      checkIfMatch(request, KeyResource, current);
      await ctx.store.apiKeys.remove(account.sid, id);
    });
  });
}
