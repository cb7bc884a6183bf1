import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { ApiKey } from '../../store/index.js';
import { pathOf, principalOf, type Principal } from '../principal.js';
import type { CompatContext } from './context.js';
import { AuthenticateError, notFound } from './errors.js';
import { envelope, oldestFirst, pageInMemory, readPageRequest, storeQuery } from './paging.js';
import { optionalText, readParams } from './params.js';
import { rfc2822 } from './serialize.js';

export function keyJson(key: ApiKey): Record<string, unknown> {
  return { sid: key.sid, friendly_name: key.friendlyName, date_created: rfc2822(key.dateCreated), date_updated: rfc2822(key.dateUpdated) };
}

/** Like Twilio's standard keys, an API key cannot make or see other keys: that takes the auth token. */
function ownerOnly(request: FastifyRequest): Principal {
  const principal = principalOf(request);
  if (principal.via !== 'auth-token') throw new AuthenticateError('API keys cannot manage API keys: authenticate with the account SID and auth token');
  return principal;
}

/** Keys: API keys (`SK…` and a secret shown once) that authenticate in place of the auth token. */
export async function keyRoutes(app: FastifyInstance, ctx: CompatContext): Promise<void> {
  type Item = { Params: { AccountSid: string; Sid: string } };
  const list = '/Accounts/:AccountSid/Keys.json';
  const item = '/Accounts/:AccountSid/Keys/:Sid.json';

  app.post(list, async (request, reply) => {
    const { account } = ownerOnly(request);
    const key = await ctx.store.apiKeys.create(account.sid, optionalText(readParams(request.body), 'FriendlyName'));
    return reply.status(201).send({ ...keyJson(key), secret: key.secret });
  });

  app.get(list, async (request) => {
    const { account } = ownerOnly(request);
    const params = readParams(request.query);
    const pageRequest = readPageRequest(params);
    const rows = await ctx.store.apiKeys.list(account.sid);
    return envelope(request, params, pageRequest, 'keys', pageInMemory(rows, storeQuery(pageRequest), oldestFirst), keyJson);
  });

  app.get<Item>(item, async (request) => {
    const { account } = ownerOnly(request);
    const key = await ctx.store.apiKeys.get(account.sid, request.params.Sid);
    if (!key) throw notFound(pathOf(request));
    return keyJson(key);
  });

  app.post<Item>(item, async (request) => {
    const { account } = ownerOnly(request);
    if (!(await ctx.store.apiKeys.get(account.sid, request.params.Sid))) throw notFound(pathOf(request));
    const friendlyName = optionalText(readParams(request.body), 'FriendlyName');
    const key = await ctx.store.apiKeys.update(account.sid, request.params.Sid, friendlyName === undefined ? {} : { friendlyName });
    if (!key) throw notFound(pathOf(request));
    return keyJson(key);
  });

  app.delete<Item>(item, async (request, reply) => {
    const { account } = ownerOnly(request);
    if (!(await ctx.store.apiKeys.remove(account.sid, request.params.Sid))) throw notFound(pathOf(request));
    return reply.status(204).send();
  });
}
