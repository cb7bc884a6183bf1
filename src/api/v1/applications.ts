import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Application, ApplicationInput, ApplicationsTable } from '../../store/index.js';
import { pathOf, principalOf } from '../principal.js';
import type { V1Context } from './context.js';
import { notFound } from './errors.js';
import { IsoDate, Nullable, checkIfMatch, type Resource } from './resource.js';
import { createRoute, itemRoute, listRoute, removeRoute, updateRoute, type ItemParams } from './routes.js';
import { Url, readWebhookBody, webhookBodyProperties, webhookFields, webhookJson } from './webhooks.js';
import type { WriteLock } from './write-lock.js';

export const ApplicationResource: Resource<Application, ApplicationsTable> = {
  name: 'applications',
  title: 'Application',
  defaultSort: { field: 'date_created', direction: 'asc' },
  fields: {
    id: { schema: Type.String({ pattern: '^AP[0-9a-f]{32}$' }), column: 'sid' },
    account_id: { schema: Type.String(), column: 'account_sid' },
    friendly_name: { schema: Type.String(), column: 'friendly_name' },
    ...webhookFields<ApplicationsTable>(),
    sms_status_callback: { schema: Nullable(Url), column: 'sms_status_callback', nullable: true },
    message_status_callback: { schema: Nullable(Url), column: 'message_status_callback', nullable: true },
    date_created: { schema: IsoDate, column: 'date_created' },
    date_updated: { schema: IsoDate, column: 'date_updated' },
  },
  json: (a) => ({
    id: a.sid,
    account_id: a.accountSid,
    friendly_name: a.friendlyName,
    ...webhookJson(a),
    sms_status_callback: a.smsStatusCallback,
    message_status_callback: a.messageStatusCallback,
    date_created: a.dateCreated,
    date_updated: a.dateUpdated,
  }),
};

const Body = Type.Object(
  {
    friendly_name: Type.Optional(Type.String({ maxLength: 64 })),
    ...webhookBodyProperties(),
    sms_status_callback: Type.Optional(Nullable(Url)),
    message_status_callback: Type.Optional(Nullable(Url)),
  },
  { additionalProperties: false },
);

function readInput(body: Record<string, unknown>): ApplicationInput {
  const input: { -readonly [K in keyof ApplicationInput]: ApplicationInput[K] } = { ...readWebhookBody(body) };
  if (typeof body.friendly_name === 'string') input.friendlyName = body.friendly_name;
  if (body.sms_status_callback !== undefined) input.smsStatusCallback = body.sms_status_callback as string | null;
  if (body.message_status_callback !== undefined) input.messageStatusCallback = body.message_status_callback as string | null;
  return input;
}

/** Applications: a set of voice and SMS URLs that numbers point at. */
export async function applicationRoutes(app: FastifyInstance, ctx: V1Context, lock: WriteLock): Promise<void> {
  const get = (request: FastifyRequest, id: string) => ctx.store.applications.get(principalOf(request).account.sid, id);
  listRoute(app, ApplicationResource, (request, query) => ctx.store.applications.query(principalOf(request).account.sid, query));
  itemRoute(app, ApplicationResource, get);
  createRoute(app, ApplicationResource, Body, async (request) =>
    ctx.store.applications.create(principalOf(request).account.sid, readInput((request.body ?? {}) as Record<string, unknown>)),
  );
  updateRoute(app, ApplicationResource, Body, async (request) => {
    const { account } = principalOf(request);
    const { id } = request.params as ItemParams;
    return lock.run(id, async () => {
      const current = await get(request, id);
      if (!current) throw notFound(pathOf(request));
      checkIfMatch(request, ApplicationResource, current);
      const updated = await ctx.store.applications.update(account.sid, id, readInput((request.body ?? {}) as Record<string, unknown>));
      if (!updated) throw notFound(pathOf(request));
      return updated;
    });
  });
  removeRoute(app, ApplicationResource, 'Delete an application (numbers that used it keep their own URLs)', async (request) => {
    const { account } = principalOf(request);
    const { id } = request.params as ItemParams;
    await lock.run(id, async () => {
      const current = await get(request, id);
      if (!current) throw notFound(pathOf(request));
      checkIfMatch(request, ApplicationResource, current);
      await ctx.store.applications.remove(account.sid, id);
    });
  });
}
