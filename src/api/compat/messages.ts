import type { FastifyInstance } from 'fastify';
import type { Message, MessageFilter } from '../../store/index.js';
import { MessageRejectedError, queueMessage } from '../../telephony/message-outbox.js';
import type { ApiError } from '../errors.js';
import { pathOf, principalOf } from '../principal.js';
import type { CompatContext } from './context.js';
import { invalid, notFound } from './errors.js';
import { createIdempotently } from './idempotency.js';
import { envelope, readPageRequest, storeQuery } from './paging.js';
import { isE164, isHttpUrl, many, one, optionalUrl, readParams, type Params } from './params.js';
import { accountPath, rfc2822 } from './serialize.js';
import { timeBounds } from './time-filter.js';

const MAX_BODY = 1600;
const MAX_MEDIA = 10;

/** The 20 keys of Twilio's message resource. */
export function messageJson(base: string, m: Message): Record<string, unknown> {
  const path = `${accountPath(base, m.accountSid)}/Messages/${m.sid}`;
  return {
    body: m.body,
    num_segments: String(m.numSegments),
    direction: m.direction,
    from: m.from,
    to: m.to,
    date_updated: rfc2822(m.dateUpdated),
    price: m.price,
    error_message: m.errorMessage,
    uri: `${path}.json`,
    account_sid: m.accountSid,
    num_media: String(m.mediaUrls.length),
    status: m.status,
    messaging_service_sid: m.messagingServiceSid,
    sid: m.sid,
    date_sent: rfc2822(m.dateSent),
    date_created: rfc2822(m.dateCreated),
    error_code: m.errorCode,
    price_unit: m.priceUnit,
    api_version: m.apiVersion,
    subresource_uris: { media: `${path}/Media.json`, feedback: `${path}/Feedback.json` },
  };
}

/** Twilio's words for the refusals the shared rules make. */
function rejected(error: MessageRejectedError, from: string): ApiError {
  if (error.code === 21606) return invalid(21606, `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`);
  if (error.code === 21212) return invalid(21212, `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`);
  return invalid(21602, 'Message body is required.');
}

/** Checks a create in the order Twilio reports problems: To, From, content, callbacks; then queues it. */
async function createMessage(ctx: CompatContext, accountSid: string, params: Params): Promise<Message> {
  const to = one(params, 'To');
  if (to === undefined || to === '') throw invalid(21604, "A 'To' phone number is required.");
  if (!isE164(to)) throw invalid(21211, `The 'To' number ${to} is not a valid phone number.`);
  const from = one(params, 'From');
  const service = one(params, 'MessagingServiceSid');
  if (from === undefined || from === '') {
    if (service) throw invalid(21701, `The Messaging Service Sid ${service} is invalid: Dialtone has no messaging services yet; give From`);
    throw invalid(21603, "A 'From' phone number is required.");
  }
  const body = one(params, 'Body') ?? '';
  const mediaUrls = [...many(params, 'MediaUrl')].filter((u) => u !== '');
  const statusCallback = one(params, 'StatusCallback') || null;
  const check = (): void => {
    if (body.length > MAX_BODY) throw invalid(21617, `The concatenated message body exceeds the ${MAX_BODY} character limit.`);
    if (mediaUrls.length > MAX_MEDIA) throw invalid(21623, `Number of media files exceeds allowed limit of ${MAX_MEDIA}.`);
    for (const url of mediaUrls) if (!isHttpUrl(url)) throw invalid(21620, `Invalid media URL(s): ${url}`);
    optionalUrl(params, 'StatusCallback', 21609);
  };
  try {
    return await queueMessage(ctx.store, accountSid, { to, from, body, mediaUrls, statusCallback }, check);
  } catch (err) {
    throw err instanceof MessageRejectedError ? rejected(err, from) : err;
  }
}

function readMessageFilter(params: Params): MessageFilter {
  const filter: { -readonly [K in keyof MessageFilter]: MessageFilter[K] } = {};
  const to = one(params, 'To');
  const from = one(params, 'From');
  if (to) filter.to = to;
  if (from) filter.from = from;
  const sent = timeBounds(params, 'DateSent');
  if (sent.after) filter.dateSentAfter = sent.after;
  if (sent.before) filter.dateSentBefore = sent.before;
  return filter;
}

/**
 * Messages: create (queued; delivery is messaging/'s, later), list, fetch, delete.
 * A create may carry an Idempotency-Key.
 */
export async function messageRoutes(app: FastifyInstance, ctx: CompatContext): Promise<void> {
  type Item = { Params: { AccountSid: string; Sid: string } };
  const list = '/Accounts/:AccountSid/Messages.json';
  const item = '/Accounts/:AccountSid/Messages/:Sid.json';

  app.post(list, async (request, reply) => {
    const { account } = principalOf(request);
    const params = readParams(request.body);
    return createIdempotently(ctx, request, reply, account.sid, 'Messages', async () => {
      const message = await createMessage(ctx, account.sid, params);
      return { status: 201, body: messageJson(ctx.base, message) };
    });
  });

  app.get(list, async (request) => {
    const { account } = principalOf(request);
    const params = readParams(request.query);
    const pageRequest = readPageRequest(params);
    const rows = await ctx.store.messages.page(account.sid, readMessageFilter(params), storeQuery(pageRequest));
    return envelope(request, params, pageRequest, 'messages', rows, (m) => messageJson(ctx.base, m));
  });

  app.get<Item>(item, async (request) => {
    const { account } = principalOf(request);
    const m = await ctx.store.messages.get(account.sid, request.params.Sid);
    if (!m) throw notFound(pathOf(request));
    return messageJson(ctx.base, m);
  });

  app.delete<Item>(item, async (request, reply) => {
    const { account } = principalOf(request);
    if (!(await ctx.store.messages.remove(account.sid, request.params.Sid))) throw notFound(pathOf(request));
    return reply.status(204).send();
  });
}
