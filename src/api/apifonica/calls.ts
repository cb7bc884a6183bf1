/**
 * Apifonica's make-call (dialects.md §9.10): `POST /v2/accounts/{sid}/calls` with a JSON
 * body `{from, to, events, call_app_sid}` and HTTP Basic `accountSid:authToken`. The call
 * runs the application's controller as Apifonica XML whatever the application's dialect,
 * and `events` (`all`, `none`, or `answered|completed`…) sends call-progress events to that
 * controller in Apifonica's snake_case. Checks and placing are the compatible API's
 * (`TelephonyCallControl.place`); this edge only translates names and answers.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { Call, Store } from '../../store/index.js';
import type { TelephonyCallControl } from '../compat/call-control.js';
import { Authenticator } from '../compat/auth.js';
import { readParams, one } from '../compat/params.js';
import { invalidParameter } from '../compat/errors.js';
import { ApiError } from '../errors.js';

export interface ApifonicaCallsOptions {
  readonly store: Store;
  readonly calls: TelephonyCallControl;
}

const EVENTS = ['initiated', 'ringing', 'answered', 'completed'] as const;

/** `events` as status-callback events: `all`, `none`/empty, or a pipe-separated list. */
export function apifonicaEvents(value: string | undefined): readonly string[] {
  if (value === undefined || value === '' || value === 'none') return [];
  if (value === 'all') return EVENTS;
  const named = value.split('|').map((e) => e.trim()).filter((e) => e !== '');
  const unknown = named.filter((e) => !(EVENTS as readonly string[]).includes(e));
  if (unknown.length > 0) throw invalidParameter('events', `unknown event ${unknown.join(', ')}; use all, none, or a | list of ${EVENTS.join(', ')}`);
  return named;
}

export function apifonicaCall(call: Call, appSid: string): Record<string, string | null> {
  return {
    call_sid: call.sid,
    account_sid: call.accountSid,
    call_app_sid: appSid,
    from: call.from,
    to: call.to,
    status: call.status,
    direction: call.direction,
    created: call.dateCreated,
  };
}

function apifonicaError(status: number, code: number, message: string): { status_code: number; error_code: number; message: string } {
  return { status_code: status, error_code: code, message };
}

export async function apifonicaCallRoutes(app: FastifyInstance, options: ApifonicaCallsOptions): Promise<void> {
  const { store, calls } = options;
  const auth = new Authenticator(store);

  app.setErrorHandler((error: FastifyError, request, reply: FastifyReply) => {
    if (error instanceof ApiError) {
      if (error.status === 401) void reply.header('www-authenticate', 'Basic realm="Apifonica API"');
      return reply.status(error.status).send(apifonicaError(error.status, error.code, error.message));
    }
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(status).send(apifonicaError(status, 20500, error.message));
  });

  app.post<{ Params: { AccountSid: string } }>('/v2/accounts/:AccountSid/calls', async (request, reply) => {
    const principal = await auth.authenticate(request.headers.authorization);
    const accountSid = request.params.AccountSid;
    if (principal.account.sid !== accountSid) throw new ApiError(403, 20403, `The credentials given do not act for account ${accountSid}`);
    const body = readParams(request.body);
    const to = one(body, 'to');
    const from = one(body, 'from');
    const appSid = one(body, 'call_app_sid');
    if (appSid === undefined || appSid === '') throw invalidParameter('call_app_sid', 'is required: the application whose controller runs the call');
    const params = new Map<string, string[]>([['ApplicationSid', [appSid]]]);
    if (to !== undefined) params.set('To', [to]);
    if (from !== undefined) params.set('From', [from]);
    const events = apifonicaEvents(one(body, 'events'));
    if (events.length > 0) {
      const application = await store.applications.get(accountSid, appSid);
      if (application?.voiceUrl) {
        params.set('StatusCallback', [application.voiceUrl]);
        params.set('StatusCallbackMethod', [application.voiceMethod]);
        params.set('StatusCallbackEvent', [...events]);
      }
    }
    const call = await calls.place(principal, params, { dialect: 'apifonica' });
    return reply.status(201).send(apifonicaCall(call, appSid));
  });
}
