import type { FastifyInstance } from 'fastify';
import type { Application, ApplicationInput } from '../../store/index.js';
import { pathOf, principalOf } from '../principal.js';
import type { CompatContext } from './context.js';
import { notFound } from './errors.js';
import { envelope, oldestFirst, pageInMemory, readPageRequest, storeQuery } from './paging.js';
import { one, optionalText, optionalUrl, readParams, type Params } from './params.js';
import { accountPath, rfc2822 } from './serialize.js';
import { readWebhookSettings, webhookSettingsJson } from './webhook-settings.js';

export function applicationJson(base: string, a: Application): Record<string, unknown> {
  const w = webhookSettingsJson(a);
  return {
    account_sid: a.accountSid,
    api_version: '2010-04-01',
    date_created: rfc2822(a.dateCreated),
    date_updated: rfc2822(a.dateUpdated),
    friendly_name: a.friendlyName,
    message_status_callback: a.messageStatusCallback,
    sid: a.sid,
    sms_fallback_method: w.sms_fallback_method,
    sms_fallback_url: w.sms_fallback_url,
    sms_method: w.sms_method,
    sms_status_callback: a.smsStatusCallback,
    sms_url: w.sms_url,
    status_callback: w.status_callback,
    status_callback_method: w.status_callback_method,
    uri: `${accountPath(base, a.accountSid)}/Applications/${a.sid}.json`,
    voice_caller_id_lookup: false,
    voice_fallback_method: w.voice_fallback_method,
    voice_fallback_url: w.voice_fallback_url,
    voice_method: w.voice_method,
    voice_url: w.voice_url,
    public_application_connect_enabled: false,
  };
}

function readApplicationInput(params: Params): ApplicationInput {
  const input: { -readonly [K in keyof ApplicationInput]: ApplicationInput[K] } = { ...readWebhookSettings(params) };
  const friendlyName = optionalText(params, 'FriendlyName');
  if (friendlyName !== undefined) input.friendlyName = friendlyName;
  const sms = optionalUrl(params, 'SmsStatusCallback');
  if (sms !== undefined) input.smsStatusCallback = sms;
  const message = optionalUrl(params, 'MessageStatusCallback');
  if (message !== undefined) input.messageStatusCallback = message;
  return input;
}

/** Applications: a set of voice and SMS URLs that numbers (and later calls) point at. */
export async function applicationRoutes(app: FastifyInstance, ctx: CompatContext): Promise<void> {
  type Item = { Params: { AccountSid: string; Sid: string } };
  const list = '/Accounts/:AccountSid/Applications.json';
  const item = '/Accounts/:AccountSid/Applications/:Sid.json';

  app.post(list, async (request, reply) => {
    const { account } = principalOf(request);
    const a = await ctx.store.applications.create(account.sid, readApplicationInput(readParams(request.body)));
    return reply.status(201).send(applicationJson(ctx.base, a));
  });

  app.get(list, async (request) => {
    const { account } = principalOf(request);
    const params = readParams(request.query);
    const pageRequest = readPageRequest(params);
    const friendly = one(params, 'FriendlyName');
    let rows = await ctx.store.applications.list(account.sid);
    if (friendly) rows = rows.filter((a) => a.friendlyName === friendly);
    const page = pageInMemory(rows, storeQuery(pageRequest), oldestFirst);
    return envelope(request, params, pageRequest, 'applications', page, (a) => applicationJson(ctx.base, a));
  });

  app.get<Item>(item, async (request) => {
    const { account } = principalOf(request);
    const a = await ctx.store.applications.get(account.sid, request.params.Sid);
    if (!a) throw notFound(pathOf(request));
    return applicationJson(ctx.base, a);
  });

  app.post<Item>(item, async (request) => {
    const { account } = principalOf(request);
    if (!(await ctx.store.applications.get(account.sid, request.params.Sid))) throw notFound(pathOf(request));
    const a = await ctx.store.applications.update(account.sid, request.params.Sid, readApplicationInput(readParams(request.body)));
    if (!a) throw notFound(pathOf(request));
    return applicationJson(ctx.base, a);
  });

  app.delete<Item>(item, async (request, reply) => {
    const { account } = principalOf(request);
    if (!(await ctx.store.applications.remove(account.sid, request.params.Sid))) throw notFound(pathOf(request));
    return reply.status(204).send();
  });
}
