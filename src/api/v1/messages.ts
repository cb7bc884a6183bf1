import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Message, MessagesTable } from '../../store/index.js';
import { MessageRejectedError, queueMessage } from '../../telephony/message-outbox.js';
import { pathOf, principalOf } from '../principal.js';
import type { V1Context } from './context.js';
import { invalidField, notFound } from './errors.js';
import { IsoDate, Nullable, checkIfMatch, type Resource } from './resource.js';
import { createRoute, itemRoute, listRoute, removeRoute, type ItemParams } from './routes.js';
import { Url } from './webhooks.js';
import type { WriteLock } from './write-lock.js';

const MESSAGE_STATUSES = ['queued', 'sending', 'sent', 'failed', 'delivered', 'undelivered', 'receiving', 'received', 'accepted', 'scheduled', 'read', 'partially_delivered', 'canceled'];

export const MessageResource: Resource<Message, MessagesTable> = {
  name: 'messages',
  title: 'Message',
  defaultSort: { field: 'date_created', direction: 'desc' },
  fields: {
    id: { schema: Type.String({ pattern: '^(SM|MM)[0-9a-f]{32}$' }), column: 'sid' },
    account_id: { schema: Type.String(), column: 'account_sid' },
    from: { schema: Type.String(), column: 'from' },
    to: { schema: Type.String(), column: 'to' },
    body: { schema: Type.String(), column: 'body' },
    direction: { schema: Type.Union(['inbound', 'outbound-api', 'outbound-call', 'outbound-reply'].map((d) => Type.Literal(d))), column: 'direction' },
    status: { schema: Type.Union(MESSAGE_STATUSES.map((s) => Type.Literal(s))), column: 'status' },
    num_segments: { schema: Type.Integer({ minimum: 1 }), column: 'num_segments', kind: 'integer' },
    media_urls: { schema: Type.Array(Type.String()) },
    messaging_service_id: { schema: Nullable(Type.String()), column: 'messaging_service_sid', nullable: true },
    application_id: { schema: Nullable(Type.String()), column: 'application_sid', nullable: true },
    status_callback: { schema: Nullable(Type.String()), column: 'status_callback', nullable: true },
    error_code: { schema: Nullable(Type.Integer()), column: 'error_code', kind: 'integer', nullable: true },
    error_message: { schema: Nullable(Type.String()), column: 'error_message', nullable: true },
    price: { schema: Nullable(Type.String()), column: 'price', nullable: true },
    price_unit: { schema: Type.String(), column: 'price_unit' },
    date_sent: { schema: Nullable(IsoDate), column: 'date_sent', nullable: true },
    date_created: { schema: IsoDate, column: 'date_created' },
    date_updated: { schema: IsoDate, column: 'date_updated' },
  },
  json: (m) => ({
    id: m.sid,
    account_id: m.accountSid,
    from: m.from,
    to: m.to,
    body: m.body,
    direction: m.direction,
    status: m.status,
    num_segments: m.numSegments,
    media_urls: m.mediaUrls,
    messaging_service_id: m.messagingServiceSid,
    application_id: m.applicationSid,
    status_callback: m.statusCallback,
    error_code: m.errorCode,
    error_message: m.errorMessage,
    price: m.price,
    price_unit: m.priceUnit,
    date_sent: m.dateSent,
    date_created: m.dateCreated,
    date_updated: m.dateUpdated,
  }),
};

const CreateMessage = Type.Object(
  {
    to: Type.String({ pattern: '^\\+[1-9][0-9]{1,14}$', description: 'E.164' }),
    from: Type.String({ minLength: 1, description: "One of the account's numbers (E.164), or an alphanumeric sender ID of up to 11 characters" }),
    body: Type.Optional(Type.String({ maxLength: 1600 })),
    media_urls: Type.Optional(Type.Array(Url, { maxItems: 10 })),
    status_callback: Type.Optional(Nullable(Url)),
  },
  { additionalProperties: false },
);

/**
 * Messages: create (queued; delivery is messaging/'s), list, fetch, delete. The same
 * checks as the compatible API, reported on the native field names.
 */
export async function messageRoutes(app: FastifyInstance, ctx: V1Context, lock: WriteLock): Promise<void> {
  const get = (request: FastifyRequest, id: string) => ctx.store.messages.get(principalOf(request).account.sid, id);
  listRoute(app, MessageResource, (request, query) => ctx.store.messages.query(principalOf(request).account.sid, query));
  itemRoute(app, MessageResource, get);

  createRoute(
    app,
    MessageResource,
    CreateMessage,
    async (request) => {
      const { account } = principalOf(request);
      const b = request.body as { to: string; from: string; body?: string; media_urls?: string[]; status_callback?: string | null };
      const message = { to: b.to, from: b.from, body: b.body ?? '', mediaUrls: b.media_urls ?? [], statusCallback: b.status_callback ?? null };
      try {
        return await queueMessage(ctx.store, account.sid, message);
      } catch (err) {
        if (!(err instanceof MessageRejectedError)) throw err;
        throw invalidField(err.field, err.code === 21602 ? 'A message needs a body or media_urls' : err.message, err.code);
      }
    },
    { summary: 'Send a message (it is queued)' },
  );

  removeRoute(app, MessageResource, 'Delete a message record', async (request) => {
    const { account } = principalOf(request);
    const { id } = request.params as ItemParams;
    await lock.run(id, async () => {
      const current = await get(request, id);
      if (!current) throw notFound(pathOf(request));
      checkIfMatch(request, MessageResource, current);
      await ctx.store.messages.remove(account.sid, id);
    });
  });
}
