/**
 * Telnyx's way to start a call ("Create a connection-scoped TeXML call", what the official
 * `telnyx` client's `texml.calls.create(connectionId, {From, To, Texml?, Url?, Method?})`
 * sends): `POST /v2/texml/calls/{application id}` with `To` and `From` (form or JSON) and
 * `Authorization: Bearer <API key secret>`. The call fetches the application's voice URL
 * on the answer, unless `Url` overrides it or `Texml` gives the document inline. The
 * parameters are Twilio's names already, so the checks and the placing are the compatible
 * API's (`TelephonyCallControl.place`); only the edge speaks Telnyx: its answer, a flat
 * `{call_sid, from, to, status}` with no `data` wrapper, and its errors
 * `{errors:[{code,title,detail}]}`.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { Call, Store } from '../../store/index.js';
import { hashSecret } from '../../store/api-keys-repo.js';
import type { TelephonyCallControl } from '../compat/call-control.js';
import type { Principal } from '../compat/context.js';
import { readParams } from '../compat/params.js';
import { ApiError } from '../errors.js';

export interface TelnyxCallsOptions {
  readonly store: Store;
  readonly calls: TelephonyCallControl;
}

/** Telnyx's error body; codes are strings there. */
export interface TelnyxErrors {
  readonly errors: readonly { readonly code: string; readonly title: string; readonly detail: string }[];
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Invalid parameter',
  401: 'Authentication failed',
  403: 'Forbidden',
  404: 'Resource not found',
  422: 'Invalid parameter',
  503: 'Service unavailable',
};

export function telnyxErrors(status: number, code: number | string, detail: string): TelnyxErrors {
  return { errors: [{ code: String(code), title: TITLES[status] ?? (status >= 500 ? 'Internal error' : 'Bad request'), detail }] };
}

/** Telnyx's initiate-call answer: flat, as its OpenAPI and the client's `CallCreateResponse` have it. */
export function telnyxCall(call: Call): { call_sid: string; from: string; to: string; status: string } {
  return { call_sid: call.sid, from: call.from, to: call.to, status: call.status };
}

function unauthorized(): ApiError {
  return new ApiError(401, 10009, 'Could not understand the provided credentials: give an API key secret as Authorization: Bearer <secret>');
}

async function authenticate(store: Store, header: string | undefined): Promise<Principal> {
  const m = header === undefined ? null : /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) throw unauthorized();
  // Only the secret's SHA-256 is stored, so the lookup is by the hash; an equal hash is an equal secret.
  const key = await store.apiKeys.credentialBySecretHash(hashSecret(m[1]!));
  if (!key) throw unauthorized();
  const account = await store.accounts.get(key.accountSid);
  if (!account) throw unauthorized();
  if (account.status !== 'active') throw new ApiError(403, 10010, `Account ${account.sid} is not active`);
  return { account, via: 'api-key' };
}

export async function telnyxCallRoutes(app: FastifyInstance, options: TelnyxCallsOptions): Promise<void> {
  const { store, calls } = options;

  app.setErrorHandler((error: FastifyError, request, reply: FastifyReply) => {
    if (error instanceof ApiError) return reply.status(error.status).send(telnyxErrors(error.status, error.code, error.message));
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(status).send(telnyxErrors(status, status === 500 ? 10007 : 10015, error.message));
  });

  app.post<{ Params: { ApplicationId: string } }>('/v2/texml/calls/:ApplicationId', async (request, reply) => {
    const principal = await authenticate(store, request.headers.authorization);
    const params = new Map(readParams(request.body));
    const applicationId = request.params.ApplicationId;
    // The path names the application whatever else is given, so it must be one of the account's.
    if (!(await store.applications.get(principal.account.sid, applicationId))) {
      throw new ApiError(400, 21218, `Invalid application id: ${applicationId} is not an application of this account`);
    }
    // Telnyx's `Texml` is Twilio's `Twiml`; `Url` (with `Method`) overrides the application's URL.
    const texml = params.get('Texml');
    params.delete('Texml');
    params.delete('Twiml');
    params.delete('ApplicationSid');
    if (texml !== undefined) params.set('Twiml', texml);
    if (texml === undefined && !params.has('Url')) params.set('ApplicationSid', [applicationId]);
    const call = await calls.place(principal, { store, base: '/2010-04-01' }, principal.account.sid, params);
    return reply.status(200).send(telnyxCall(call));
  });
}
