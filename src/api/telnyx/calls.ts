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
import { Type } from '@sinclair/typebox';
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

/** Telnyx's initiate-call answer: flat, as its OpenAPI and the client's `CallCreateResponse` have it. */
export function telnyxCall(call: Call): { call_sid: string; from: string; to: string; status: string } {
  return { call_sid: call.sid, from: call.from, to: call.to, status: call.status };
}

const TelnyxErrorBody = Type.Object(
  { errors: Type.Array(Type.Object({ code: Type.String(), title: Type.String(), detail: Type.String() }, { additionalProperties: false }), { minItems: 1 }) },
  { additionalProperties: false },
);
const OptS = Type.Optional(Type.String());

/**
 * The operation in /openapi.json, as Telnyx's "Create a connection-scoped TeXML call" has
 * it. Documentation only (validation stays with the compatible API's checks and codes).
 */
const CREATE_SCHEMA = {
  tags: ['telnyx'],
  summary: 'Start a call that runs an application (Telnyx TeXML, `texml.calls.create` of the telnyx client)',
  description:
    'Authorization: Bearer <API key secret>. The call fetches the application’s voice URL on answer, unless Url (with Method) overrides it ' +
    'or Texml gives the document inline. Other Twilio call parameters (StatusCallback, Timeout, Record…) are taken as POST Calls takes them.',
  security: [{ bearer: [] }],
  consumes: ['application/json', 'application/x-www-form-urlencoded'],
  params: Type.Object({ ApplicationId: Type.String({ description: 'An application (AP…) of the key’s account' }) }),
  body: Type.Object(
    {
      From: Type.String({ description: 'E.164 number of the account, or a SIP URI' }),
      To: Type.String({ description: 'E.164 number, sip: URI or client:name' }),
      Texml: OptS,
      Url: OptS,
      Method: Type.Optional(Type.Union([Type.Literal('GET'), Type.Literal('POST')])),
      StatusCallback: OptS,
      StatusCallbackMethod: Type.Optional(Type.Union([Type.Literal('GET'), Type.Literal('POST')])),
      Timeout: Type.Optional(Type.Union([Type.Integer(), Type.String()])),
    },
    { additionalProperties: true },
  ),
  response: {
    200: Type.Object(
      {
        call_sid: Type.String({ pattern: '^CA[0-9a-f]{32}$' }),
        from: Type.String(),
        to: Type.String(),
        status: Type.Literal('queued'),
      },
      { additionalProperties: false, description: 'The call, flat (no data wrapper)' },
    ),
    400: { ...TelnyxErrorBody, description: 'A parameter is missing or wrong; the code is the compatible API’s (21201, 21211, 21218…)' },
    401: { ...TelnyxErrorBody, description: 'No bearer, or not an API key secret' },
    403: { ...TelnyxErrorBody, description: 'The account is not active' },
    503: { ...TelnyxErrorBody, description: 'Telephony has not started' },
  },
};

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

  // The schema documents; the compatible API's checks validate (with their codes), JSON.stringify writes.
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  app.setErrorHandler((error: FastifyError, request, reply: FastifyReply) => {
    if (error instanceof ApiError) return reply.status(error.status).send(telnyxErrors(error.status, error.code, error.message));
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(status).send(telnyxErrors(status, status === 500 ? 10007 : 10015, error.message));
  });

  app.post<{ Params: { ApplicationId: string } }>('/v2/texml/calls/:ApplicationId', { schema: CREATE_SCHEMA }, async (request, reply) => {
    const principal = await authenticate(store, request.headers.authorization);
    const params = new Map(readParams(request.body));
    const applicationId = request.params.ApplicationId;
    // The path names the application whatever else is given, so it must be one of the account's.
    const application = await store.applications.get(principal.account.sid, applicationId);
    if (!application) throw new ApiError(400, 21218, `Invalid application id: ${applicationId} is not an application of this account`);
    // Telnyx's `Texml` is Twilio's `Twiml`; `Url` (with `Method`) overrides the application's URL.
    const texml = params.get('Texml');
    params.delete('Texml');
    params.delete('Twiml');
    params.delete('ApplicationSid');
    if (texml !== undefined) params.set('Twiml', texml);
    if (texml === undefined && !params.has('Url')) params.set('ApplicationSid', [applicationId]);
    else if (application.statusCallback && !params.has('StatusCallback')) {
      // Only the instructions are overridden: the application still hears how its call goes.
      params.set('StatusCallback', [application.statusCallback]);
      params.set('StatusCallbackMethod', [application.statusCallbackMethod]);
    }
    const call = await calls.place(principal, params);
    return reply.status(200).send(telnyxCall(call));
  });
}
