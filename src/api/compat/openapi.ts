import { Type, type TProperties, type TSchema } from '@sinclair/typebox';
import { CALL_STATUSES, WEBHOOK_COLUMNS, type WebhookSettings } from '../../store/index.js';
import { webhookParam } from './webhook-settings.js';

/**
 * The compatible API in OpenAPI terms: per route, its parameters, body and answers, as
 * Twilio's own spec gives them (every key present, nulls included). These schemas
 * document and are checked in tests against real traffic; they do not validate or
 * serialize at run time (see `compatApi`): Twilio's parsing is more lenient than a
 * schema (any case of boolean, repeated keys), and JSON.stringify is the faster writer.
 */

const S = Type.String();
const NS = Type.Union([Type.String(), Type.Null()]);
const Rfc2822 = Type.String({ pattern: '^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \\d{2} [A-Z][a-z]{2} \\d{4} \\d{2}:\\d{2}:\\d{2} \\+0000$', description: 'RFC 2822, UTC' });
const NRfc2822 = Type.Union([Rfc2822, Type.Null()]);
const Method = Type.Union([Type.Literal('GET'), Type.Literal('POST')]);
const UriMap = Type.Record(Type.String(), Type.String());

/** Every key required, nothing else: Twilio sends the full key set. */
const exact = (props: TProperties, title: string): TSchema => Type.Object(props, { additionalProperties: false, title });

/** Twilio's webhook keys, a URL or its method each (Twilio has no dialect). */
const webhookProps = Object.fromEntries(
  (Object.entries(WEBHOOK_COLUMNS) as [keyof WebhookSettings, string][]).filter(([key]) => key !== 'dialect').map(([key, column]) => [column, key.endsWith('Method') ? Method : NS]),
);

export const CompatError = exact({ code: Type.Integer(), message: S, more_info: S, status: Type.Integer() }, 'TwilioError');

const Account = exact(
  { auth_token: NS, date_created: Rfc2822, date_updated: Rfc2822, friendly_name: S, owner_account_sid: S, sid: S, status: S, subresource_uris: UriMap, type: S, uri: S },
  'Account',
);

const Call = exact(
  {
    sid: Type.String({ pattern: '^CA[0-9a-f]{32}$' }),
    date_created: Rfc2822,
    date_updated: Rfc2822,
    parent_call_sid: NS,
    account_sid: S,
    to: S,
    to_formatted: S,
    from: S,
    from_formatted: S,
    phone_number_sid: NS,
    status: Type.Union(CALL_STATUSES.map((s) => Type.Literal(s))),
    start_time: NRfc2822,
    end_time: NRfc2822,
    duration: NS,
    price: NS,
    price_unit: NS,
    direction: S,
    answered_by: NS,
    api_version: S,
    forwarded_from: NS,
    group_sid: NS,
    caller_name: NS,
    queue_time: NS,
    trunk_sid: NS,
    uri: S,
    subresource_uris: UriMap,
  },
  'TwilioCall',
);

const Recording = exact(
  {
    account_sid: S,
    api_version: S,
    call_sid: NS,
    conference_sid: NS,
    date_created: Rfc2822,
    date_updated: Rfc2822,
    start_time: Rfc2822,
    duration: NS,
    sid: Type.String({ pattern: '^RE[0-9a-f]{32}$' }),
    price: NS,
    price_unit: S,
    status: S,
    channels: Type.Integer(),
    source: S,
    error_code: Type.Union([Type.Integer(), Type.Null()]),
    uri: S,
    encryption_details: Type.Union([Type.Record(Type.String(), Type.Unknown()), Type.Null()]),
    subresource_uris: UriMap,
    media_url: S,
  },
  'TwilioRecording',
);

const IncomingPhoneNumber = exact(
  {
    account_sid: S,
    address_sid: NS,
    address_requirements: S,
    api_version: S,
    beta: Type.Boolean(),
    capabilities: Type.Record(Type.String(), Type.Boolean()),
    date_created: Rfc2822,
    date_updated: Rfc2822,
    friendly_name: S,
    identity_sid: NS,
    phone_number: S,
    origin: S,
    sid: Type.String({ pattern: '^PN[0-9a-f]{32}$' }),
    sms_application_sid: NS,
    trunk_sid: NS,
    uri: S,
    voice_receive_mode: S,
    voice_application_sid: NS,
    voice_caller_id_lookup: Type.Boolean(),
    emergency_status: S,
    emergency_address_sid: NS,
    emergency_address_status: S,
    bundle_sid: NS,
    status: S,
    type: S,
    subresource_uris: UriMap,
    ...webhookProps,
  },
  'TwilioIncomingPhoneNumber',
);

const Application = exact(
  {
    account_sid: S,
    api_version: S,
    date_created: Rfc2822,
    date_updated: Rfc2822,
    friendly_name: S,
    message_status_callback: NS,
    sid: Type.String({ pattern: '^AP[0-9a-f]{32}$' }),
    sms_status_callback: NS,
    uri: S,
    voice_caller_id_lookup: Type.Boolean(),
    public_application_connect_enabled: Type.Boolean(),
    ...webhookProps,
  },
  'TwilioApplication',
);

const keyProps = { sid: Type.String({ pattern: '^SK[0-9a-f]{32}$' }), friendly_name: S, date_created: Rfc2822, date_updated: Rfc2822 };
const Key = exact(keyProps, 'TwilioKey');
const NewKey = exact({ ...keyProps, secret: S }, 'TwilioNewKey');

const Message = exact(
  {
    body: S,
    num_segments: S,
    direction: S,
    from: S,
    to: S,
    date_updated: Rfc2822,
    price: NS,
    error_message: NS,
    uri: S,
    account_sid: S,
    num_media: S,
    status: S,
    messaging_service_sid: NS,
    sid: Type.String({ pattern: '^(SM|MM)[0-9a-f]{32}$' }),
    date_sent: NRfc2822,
    date_created: Rfc2822,
    error_code: Type.Union([Type.Integer(), Type.Null()]),
    price_unit: NS,
    api_version: S,
    subresource_uris: UriMap,
  },
  'TwilioMessage',
);

/** Twilio's list envelope around one list key. */
const page = (key: string, item: TSchema): TSchema =>
  Type.Object(
    {
      [key]: Type.Array(item),
      end: Type.Integer(),
      first_page_uri: S,
      next_page_uri: NS,
      page: Type.Integer(),
      page_size: Type.Integer(),
      previous_page_uri: NS,
      start: Type.Integer(),
      uri: S,
    },
    { additionalProperties: false },
  );

const paging = { PageSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })), Page: Type.Optional(Type.Integer({ minimum: 0 })), PageToken: Type.Optional(S) };
const query = (filters: TProperties) => Type.Object({ ...paging, ...filters });
const OptS = Type.Optional(S);
const timeFilter = (name: string) => ({ [name]: OptS, [`${name}<`]: OptS, [`${name}>`]: OptS });
const webhookParams = Object.fromEntries(
  (Object.keys(WEBHOOK_COLUMNS) as (keyof WebhookSettings)[]).filter((key) => key !== 'dialect').map((key) => [webhookParam(key), OptS]),
);
const form = (props: TProperties) => Type.Object(props);

const accountParams = Type.Object({ AccountSid: S });
const itemParams = (name: string) => Type.Object({ AccountSid: S, [name]: S });
const recordingParams = Type.Object({ AccountSid: S, CallSid: S, Sid: S });
/** A parameter that may be repeated. */
const OptList = Type.Optional(Type.Union([S, Type.Array(S)]));
/** What a call runs: a document URL or inline TwiML (or an application), and where a failing URL falls back to. */
const callDocument = { Url: OptS, Method: OptS, FallbackUrl: OptS, FallbackMethod: OptS, Twiml: OptS };
const errors = (...statuses: number[]) => Object.fromEntries([401, 404, ...statuses].map((s) => [s, CompatError]));
const noContent = { type: 'null', description: 'Deleted' };

/** The route schema of each compatible route, by `METHOD path` below the mount. */
export const COMPAT_SCHEMAS: Readonly<Record<string, Record<string, unknown>>> = {
  'GET /Accounts/:AccountSid.json': { summary: 'Fetch your account', params: accountParams, response: { 200: Account, ...errors() } },
  'GET /Accounts.json': { summary: 'List accounts (yours)', querystring: query({ FriendlyName: OptS, Status: OptS }), response: { 200: page('accounts', Account), ...errors(400) } },

  'GET /Accounts/:AccountSid/Calls.json': {
    summary: 'List calls',
    params: accountParams,
    querystring: query({ To: OptS, From: OptS, ParentCallSid: OptS, Status: OptS, ...timeFilter('StartTime'), ...timeFilter('EndTime') }),
    response: { 200: page('calls', Call), ...errors(400) },
  },
  'GET /Accounts/:AccountSid/Calls/:CallSid.json': { summary: 'Fetch a call', params: itemParams('CallSid'), response: { 200: Call, ...errors() } },
  'DELETE /Accounts/:AccountSid/Calls/:CallSid.json': { summary: 'Delete a finished call', params: itemParams('CallSid'), response: { 204: noContent, ...errors(409) } },
  'POST /Accounts/:AccountSid/Calls.json': {
    summary: 'Place a call; an Idempotency-Key header makes retries safe',
    params: accountParams,
    body: form({
      To: OptS,
      From: OptS,
      ApplicationSid: OptS,
      ...callDocument,
      StatusCallback: OptS,
      StatusCallbackMethod: OptS,
      StatusCallbackEvent: OptList,
      Timeout: OptS,
      TimeLimit: OptS,
      SendDigits: OptS,
      Record: OptS,
      RecordingChannels: OptS,
      SipAuthUsername: OptS,
      SipAuthPassword: OptS,
    }),
    response: { 201: Call, ...errors(400, 409, 503) },
  },
  'POST /Accounts/:AccountSid/Calls/:CallSid.json': {
    summary: 'Cancel, hang up or redirect a live call',
    params: itemParams('CallSid'),
    body: form({ Status: OptS, ...callDocument }),
    response: { 200: Call, ...errors(400) },
  },

  'GET /Accounts/:AccountSid/Recordings.json': {
    summary: 'List recordings',
    params: accountParams,
    querystring: query({ CallSid: OptS, ...timeFilter('DateCreated') }),
    response: { 200: page('recordings', Recording), ...errors(400) },
  },
  'GET /Accounts/:AccountSid/Calls/:CallSid/Recordings.json': {
    summary: 'List a call’s recordings',
    params: itemParams('CallSid'),
    querystring: query(timeFilter('DateCreated')),
    response: { 200: page('recordings', Recording), ...errors(400) },
  },
  'GET /Accounts/:AccountSid/Recordings/:Sid.json': { summary: 'Fetch a recording', params: itemParams('Sid'), response: { 200: Recording, ...errors() } },
  'GET /Accounts/:AccountSid/Calls/:CallSid/Recordings/:Sid.json': { summary: 'Fetch a call’s recording', params: recordingParams, response: { 200: Recording, ...errors() } },
  'DELETE /Accounts/:AccountSid/Recordings/:Sid.json': { summary: 'Delete a recording and its audio', params: itemParams('Sid'), response: { 204: noContent, ...errors() } },
  'DELETE /Accounts/:AccountSid/Calls/:CallSid/Recordings/:Sid.json': { summary: 'Delete a call’s recording and its audio', params: recordingParams, response: { 204: noContent, ...errors() } },

  'POST /Accounts/:AccountSid/IncomingPhoneNumbers.json': {
    summary: 'Add a number',
    params: accountParams,
    body: form({ PhoneNumber: OptS, AreaCode: OptS, FriendlyName: OptS, VoiceApplicationSid: OptS, SmsApplicationSid: OptS, ...webhookParams }),
    response: { 201: IncomingPhoneNumber, ...errors(400) },
  },
  'GET /Accounts/:AccountSid/IncomingPhoneNumbers.json': {
    summary: 'List numbers',
    params: accountParams,
    querystring: query({ PhoneNumber: OptS, FriendlyName: OptS, Beta: OptS, Origin: OptS }),
    response: { 200: page('incoming_phone_numbers', IncomingPhoneNumber), ...errors(400) },
  },
  'GET /Accounts/:AccountSid/IncomingPhoneNumbers/:Sid.json': { summary: 'Fetch a number', params: itemParams('Sid'), response: { 200: IncomingPhoneNumber, ...errors() } },
  'POST /Accounts/:AccountSid/IncomingPhoneNumbers/:Sid.json': {
    summary: 'Update a number',
    params: itemParams('Sid'),
    body: form({ FriendlyName: OptS, VoiceApplicationSid: OptS, SmsApplicationSid: OptS, ...webhookParams }),
    response: { 200: IncomingPhoneNumber, ...errors(400) },
  },
  'DELETE /Accounts/:AccountSid/IncomingPhoneNumbers/:Sid.json': { summary: 'Release a number', params: itemParams('Sid'), response: { 204: noContent, ...errors() } },

  'POST /Accounts/:AccountSid/Applications.json': {
    summary: 'Create an application',
    params: accountParams,
    body: form({ FriendlyName: OptS, SmsStatusCallback: OptS, MessageStatusCallback: OptS, ...webhookParams }),
    response: { 201: Application, ...errors(400) },
  },
  'GET /Accounts/:AccountSid/Applications.json': { summary: 'List applications', params: accountParams, querystring: query({ FriendlyName: OptS }), response: { 200: page('applications', Application), ...errors(400) } },
  'GET /Accounts/:AccountSid/Applications/:Sid.json': { summary: 'Fetch an application', params: itemParams('Sid'), response: { 200: Application, ...errors() } },
  'POST /Accounts/:AccountSid/Applications/:Sid.json': {
    summary: 'Update an application',
    params: itemParams('Sid'),
    body: form({ FriendlyName: OptS, SmsStatusCallback: OptS, MessageStatusCallback: OptS, ...webhookParams }),
    response: { 200: Application, ...errors(400) },
  },
  'DELETE /Accounts/:AccountSid/Applications/:Sid.json': { summary: 'Delete an application', params: itemParams('Sid'), response: { 204: noContent, ...errors() } },

  'POST /Accounts/:AccountSid/Keys.json': { summary: 'Create an API key', params: accountParams, body: form({ FriendlyName: OptS }), response: { 201: NewKey, ...errors(400) } },
  'GET /Accounts/:AccountSid/Keys.json': { summary: 'List API keys', params: accountParams, querystring: query({}), response: { 200: page('keys', Key), ...errors(400) } },
  'GET /Accounts/:AccountSid/Keys/:Sid.json': { summary: 'Fetch an API key', params: itemParams('Sid'), response: { 200: Key, ...errors() } },
  'POST /Accounts/:AccountSid/Keys/:Sid.json': { summary: 'Update an API key', params: itemParams('Sid'), body: form({ FriendlyName: OptS }), response: { 200: Key, ...errors(400) } },
  'DELETE /Accounts/:AccountSid/Keys/:Sid.json': { summary: 'Delete an API key', params: itemParams('Sid'), response: { 204: noContent, ...errors() } },

  'POST /Accounts/:AccountSid/Messages.json': {
    summary: 'Send a message (queued); an Idempotency-Key header makes retries safe',
    params: accountParams,
    body: form({ To: OptS, From: OptS, MessagingServiceSid: OptS, Body: OptS, MediaUrl: Type.Optional(Type.Union([S, Type.Array(S)])), StatusCallback: OptS }),
    response: { 201: Message, ...errors(400, 409) },
  },
  'GET /Accounts/:AccountSid/Messages.json': {
    summary: 'List messages',
    params: accountParams,
    querystring: query({ To: OptS, From: OptS, ...timeFilter('DateSent') }),
    response: { 200: page('messages', Message), ...errors(400) },
  },
  'GET /Accounts/:AccountSid/Messages/:Sid.json': { summary: 'Fetch a message', params: itemParams('Sid'), response: { 200: Message, ...errors() } },
  'DELETE /Accounts/:AccountSid/Messages/:Sid.json': { summary: 'Delete a message', params: itemParams('Sid'), response: { 204: noContent, ...errors() } },
};

/** What every compatible operation shares in the document. */
export const COMPAT_OPERATION = {
  tags: ['compatible'],
  security: [{ basic: [] }],
  consumes: ['application/x-www-form-urlencoded', 'application/json'],
};
