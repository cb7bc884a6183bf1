import { Type } from '@sinclair/typebox';
import type { FastifyInstance } from 'fastify';
import { CALL_STATUSES, isFinalCallStatus, type Call, type CallsTable } from '../../store/index.js';
import { pathOf, principalOf } from '../principal.js';
import type { V1Context } from './context.js';
import { conflict, notFound } from './errors.js';
import { itemRoute, listRoute, removeRoute, type ItemParams } from './routes.js';
import { IsoDate, Nullable, checkIfMatch, type Resource } from './resource.js';
import type { WriteLock } from './write-lock.js';

export const CallResource: Resource<Call, CallsTable> = {
  name: 'calls',
  title: 'Call',
  defaultSort: { field: 'date_created', direction: 'desc' },
  fields: {
    id: { schema: Type.String({ pattern: '^CA[0-9a-f]{32}$' }), column: 'sid' },
    account_id: { schema: Type.String(), column: 'account_sid' },
    parent_call_id: { schema: Nullable(Type.String()), column: 'parent_call_sid', nullable: true },
    number_id: { schema: Nullable(Type.String()), column: 'phone_number_sid', nullable: true },
    from: { schema: Type.String(), column: 'from' },
    to: { schema: Type.String(), column: 'to' },
    caller_name: { schema: Nullable(Type.String()), column: 'caller_name', nullable: true },
    forwarded_from: { schema: Nullable(Type.String()), column: 'forwarded_from', nullable: true },
    direction: { schema: Type.Union(['inbound', 'outbound-api', 'outbound-dial'].map((d) => Type.Literal(d))), column: 'direction' },
    status: { schema: Type.Union(CALL_STATUSES.map((s) => Type.Literal(s))), column: 'status' },
    start_time: { schema: Nullable(IsoDate), column: 'start_time', nullable: true },
    end_time: { schema: Nullable(IsoDate), column: 'end_time', nullable: true },
    duration: { schema: Nullable(Type.Integer({ minimum: 0, description: 'Seconds, once the call has ended' })), column: 'duration', kind: 'integer', nullable: true },
    answered_by: { schema: Nullable(Type.String()), column: 'answered_by', nullable: true },
    date_created: { schema: IsoDate, column: 'date_created' },
    date_updated: { schema: IsoDate, column: 'date_updated' },
  },
  json: (c) => ({
    id: c.sid,
    account_id: c.accountSid,
    parent_call_id: c.parentCallSid,
    number_id: c.phoneNumberSid,
    from: c.from,
    to: c.to,
    caller_name: c.callerName,
    forwarded_from: c.forwardedFrom,
    direction: c.direction,
    status: c.status,
    start_time: c.startTime,
    end_time: c.endTime,
    duration: c.duration,
    answered_by: c.answeredBy,
    date_created: c.dateCreated,
    date_updated: c.dateUpdated,
  }),
};

/**
 * Calls: list, fetch, delete a finished one. Starting a call (`POST /v1/calls`) and
 * changing a live one (`PUT /v1/calls/{id}`) go through telephony/ and are added
 * beside these when call creation lands; nothing is registered for them until then.
 */
export async function callRoutes(app: FastifyInstance, ctx: V1Context, lock: WriteLock): Promise<void> {
  const get = (request: Parameters<typeof principalOf>[0], id: string) => ctx.store.calls.get(id, principalOf(request).account.sid);
  listRoute(app, CallResource, (request, query) => ctx.store.calls.query(principalOf(request).account.sid, query));
  itemRoute(app, CallResource, get);
  removeRoute(app, CallResource, 'Delete a finished call and its record', async (request) => {
    const { id } = request.params as ItemParams;
    return lock.run(id, async () => {
      const call = await get(request, id);
      if (!call) throw notFound(pathOf(request));
      checkIfMatch(request, CallResource, call);
      if (!isFinalCallStatus(call.status)) throw conflict(20009, `Cannot delete call ${call.sid} before it is complete (it is ${call.status})`);
      await ctx.store.calls.remove(call.sid, call.accountSid);
    });
  });
}
