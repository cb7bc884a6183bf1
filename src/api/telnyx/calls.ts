/**
 * Telnyx's way to start a call (TeXML seed, "Initiate a TeXML Call using the Telnyx API"):
 * `POST /v2/texml/calls/{application id}` with `To` and `From` (form or JSON) and
 * `Authorization: Bearer <API key secret>`. The call fetches the application's voice URL
 * on the answer. The parameters are Twilio's names already, so the checks and the placing
 * are the compatible API's (`TelephonyCallControl.place`); only the edge speaks Telnyx:
 * its answer `{data:{…}}` and its errors `{errors:[{code,title,detail}]}`.
 */
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import type { Call, Store } from '../../store/index.js';
import { hashSecret } from '../../store/api-keys-repo.js';
import type { TelephonyCallControl } from '../compat/call-control.js';
import type { Principal } from '../principal.js';
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

/** Telnyx's initiate-call answer, plus the sid so a client can follow the call. */
export function telnyxCall(call: Call): { data: { call_sid: string; from: string; to: string; status: string } } {
  return { data: { call_sid: call.sid, from: call.from, to: call.to, status: call.status } };
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
    const body = readParams(request.body);
    const params = new Map(body);
    params.delete('Url');
    params.delete('Twiml');
    params.set('ApplicationSid', [request.params.ApplicationId]);
    const call = await calls.place(principal, params);
    return reply.status(200).send(telnyxCall(call));
  });
}
