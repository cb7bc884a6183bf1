import type { FastifyInstance } from 'fastify';
import { countSegments } from '../../messaging/segments.js';
import type { Message, MessageFilter } from '../../store/index.js';
import { pathOf, principalOf, type CompatContext } from './context.js';
import { invalid, notFound } from './errors.js';
import { createIdempotently } from './idempotency.js';
import { envelope, readPageRequest, storeQuery } from './paging.js';
import { isE164, isHttpUrl, many, one, optionalUrl, readParams, type Params } from './params.js';
import { accountPath, rfc2822 } from './serialize.js';
import { timeBounds } from './time-filter.js';

const MAX_BODY = 1600;
const MAX_MEDIA = 10;
/** An alphanumeric sender ID: up to 11 letters, digits and spaces, at least one letter. */
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;

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

interface MessageRequest {
  readonly to: string;
  readonly from: string;
  readonly body: string;
  readonly mediaUrls: string[];
  readonly statusCallback: string | null;
}

/** Checks a create in the order Twilio reports problems: To, From, content, callbacks. */
async function readMessageRequest(ctx: CompatContext, accountSid: string, params: Params): Promise<MessageRequest> {
  const to = one(params, 'To');
  if (to === undefined || to === '') throw invalid(21604, "A 'To' phone number is required.");
  if (!isE164(to)) throw invalid(21211, `The 'To' number ${to} is not a valid phone number.`);
  const from = one(params, 'From');
  const service = one(params, 'MessagingServiceSid');
  if (from === undefined || from === '') {
    if (service) throw invalid(21701, `The Messaging Service Sid ${service} is invalid: Dialtone has no messaging services yet; give From`);
    throw invalid(21603, "A 'From' phone number is required.");
  }
  if (isE164(from)) {
    const number = await ctx.store.numbers.findByNumber(from);
    if (!number || number.accountSid !== accountSid) {
      throw invalid(21606, `The From phone number ${from} is not a valid, SMS-capable inbound phone number or short code for your account.`);
    }
  } else if (!ALPHANUMERIC_SENDER.test(from)) {
    throw invalid(21212, `The 'From' number ${from} is not a valid phone number, shortcode, or alphanumeric sender ID.`);
  }
  const body = one(params, 'Body') ?? '';
  const mediaUrls = [...many(params, 'MediaUrl')].filter((u) => u !== '');
  if (body === '' && mediaUrls.length === 0) throw invalid(21602, 'Message body is required.');
  if (body.length > MAX_BODY) throw invalid(21617, `The concatenated message body exceeds the ${MAX_BODY} character limit.`);
  if (mediaUrls.length > MAX_MEDIA) throw invalid(21623, `Number of media files exceeds allowed limit of ${MAX_MEDIA}.`);
  for (const url of mediaUrls) if (!isHttpUrl(url)) throw invalid(21620, `Invalid media URL(s): ${url}`);
  const statusCallback = optionalUrl(params, 'StatusCallback', 21609) ?? null;
  return { to, from, body, mediaUrls, statusCallback };
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
      const m = await readMessageRequest(ctx, account.sid, params);
      const message = await ctx.store.messages.create({
        accountSid: account.sid,
        from: m.from,
        to: m.to,
        body: m.body,
        direction: 'outbound-api',
        numSegments: m.body === '' ? 1 : countSegments(m.body).segments,
        mediaUrls: m.mediaUrls,
        statusCallback: m.statusCallback,
      });
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
