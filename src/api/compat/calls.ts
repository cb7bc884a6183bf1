import type { FastifyInstance } from 'fastify';
import { CALL_STATUSES, isFinalCallStatus, type Call, type CallFilter, type CallStatus } from '../../store/index.js';
import { pathOf, principalOf } from '../principal.js';
import type { CompatContext } from './context.js';
import { invalidParameter, notFound, stillInProgress } from './errors.js';
import { createIdempotently } from './idempotency.js';
import { envelope, readPageRequest, storeQuery } from './paging.js';
import { one, readParams, type Params } from './params.js';
import { timeBounds } from './time-filter.js';
import { accountPath, formatted, rfc2822 } from './serialize.js';

const CALL_SUBRESOURCES: Readonly<Record<string, string>> = {
  feedback: 'Feedback',
  notifications: 'Notifications',
  recordings: 'Recordings',
  streams: 'Streams',
  payments: 'Payments',
  user_defined_message_subscriptions: 'UserDefinedMessageSubscriptions',
  user_defined_messages: 'UserDefinedMessages',
  events: 'Events',
  siprec: 'Siprec',
};

/**
 * Each call record as last answered, per mount. The store hands out the same immutable
 * `Call` until the record changes, so a page polled again is not built again.
 */
const answered = new WeakMap<Call, { readonly base: string; readonly json: Readonly<Record<string, unknown>> }>();

/** The 26 keys of Twilio's call resource, nulls included. */
export function callJson(base: string, call: Call): Readonly<Record<string, unknown>> {
  const known = answered.get(call);
  if (known !== undefined && known.base === base) return known.json;
  const json = buildCallJson(base, call);
  answered.set(call, { base, json });
  return json;
}

function buildCallJson(base: string, call: Call): Record<string, unknown> {
  const path = `${accountPath(base, call.accountSid)}/Calls/${call.sid}`;
  const subresource_uris: Record<string, string> = {};
  for (const [key, name] of Object.entries(CALL_SUBRESOURCES)) subresource_uris[key] = `${path}/${name}.json`;
  return {
    sid: call.sid,
    date_created: rfc2822(call.dateCreated),
    date_updated: rfc2822(call.dateUpdated),
    parent_call_sid: call.parentCallSid,
    account_sid: call.accountSid,
    to: call.to,
    to_formatted: formatted(call.to),
    from: call.from,
    from_formatted: formatted(call.from),
    phone_number_sid: call.phoneNumberSid,
    status: call.status,
    start_time: rfc2822(call.startTime),
    end_time: rfc2822(call.endTime),
    duration: call.duration === null ? null : String(call.duration),
    price: null,
    price_unit: 'USD',
    direction: call.direction,
    answered_by: call.answeredBy,
    api_version: call.apiVersion,
    forwarded_from: call.forwardedFrom,
    group_sid: null,
    caller_name: call.callerName,
    queue_time: '0',
    trunk_sid: null,
    uri: `${path}.json`,
    subresource_uris,
  };
}

export function readCallFilter(params: Params): CallFilter {
  const status = one(params, 'Status');
  if (status !== undefined && status !== '' && !(CALL_STATUSES as readonly string[]).includes(status)) {
    throw invalidParameter('Status', `must be one of ${CALL_STATUSES.join(', ')}`);
  }
  const start = timeBounds(params, 'StartTime');
  const end = timeBounds(params, 'EndTime');
  const filter: { -readonly [K in keyof CallFilter]: CallFilter[K] } = {};
  const to = one(params, 'To');
  const from = one(params, 'From');
  const parent = one(params, 'ParentCallSid');
  if (to) filter.to = to;
  if (from) filter.from = from;
  if (status) filter.status = status as CallStatus;
  if (parent) filter.parentCallSid = parent;
  if (start.after) filter.startTimeAfter = start.after;
  if (start.before) filter.startTimeBefore = start.before;
  if (end.after) filter.endTimeAfter = end.after;
  if (end.before) filter.endTimeBefore = end.before;
  return filter;
}

/** Calls: list with filters, fetch, delete a finished call. */
export async function callRoutes(app: FastifyInstance, ctx: CompatContext): Promise<void> {
  type Item = { Params: { AccountSid: string; CallSid: string } };

  app.get('/Accounts/:AccountSid/Calls.json', async (request) => {
    const { account } = principalOf(request);
    const params = readParams(request.query);
    const pageRequest = readPageRequest(params);
    const rows = await ctx.store.calls.page(account.sid, readCallFilter(params), storeQuery(pageRequest));
    return envelope(request, params, pageRequest, 'calls', rows, (c) => callJson(ctx.base, c));
  });

  app.get<Item>('/Accounts/:AccountSid/Calls/:CallSid.json', async (request) => {
    const { account } = principalOf(request);
    const call = await ctx.store.calls.get(request.params.CallSid, account.sid);
    if (!call) throw notFound(pathOf(request));
    return callJson(ctx.base, call);
  });

  const control = ctx.calls;
  if (control !== undefined) {
    app.post('/Accounts/:AccountSid/Calls.json', async (request, reply) => {
      const { account } = principalOf(request);
      const params = readParams(request.body);
      return createIdempotently(ctx, request, reply, account.sid, 'Calls', async () => {
        const call = await control.place(principalOf(request), params);
        return { status: 201, body: callJson(ctx.base, call) };
      });
    });

    app.post<Item>('/Accounts/:AccountSid/Calls/:CallSid.json', async (request) => {
      const { account } = principalOf(request);
      const call = await ctx.store.calls.get(request.params.CallSid, account.sid);
      if (!call) throw notFound(pathOf(request));
      return callJson(ctx.base, await control.update(call, readParams(request.body)));
    });
  }

  app.delete<Item>('/Accounts/:AccountSid/Calls/:CallSid.json', async (request, reply) => {
    const { account } = principalOf(request);
    const call = await ctx.store.calls.get(request.params.CallSid, account.sid);
    if (!call) throw notFound(pathOf(request));
    if (!isFinalCallStatus(call.status)) throw stillInProgress(`call ${call.sid} (${call.status})`);
    await ctx.store.calls.remove(call.sid, account.sid);
    return reply.status(204).send();
  });
}
