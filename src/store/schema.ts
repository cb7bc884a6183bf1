/**
 * The Kysely `Database` type: one interface per table. Times are ISO-8601 UTC strings
 * (they sort as text and read the same on SQLite and PostgreSQL); booleans are 0/1.
 */
import type { Generated } from 'kysely';

export type Dialect = 'twiml' | 'apifonica';
export type HttpMethod = 'GET' | 'POST';

export interface AccountsTable {
  sid: string;
  friendly_name: string;
  auth_token: string;
  status: 'active' | 'suspended' | 'closed';
  date_created: string;
  date_updated: string;
}

/** The webhook settings a number or an application carries. */
export interface VoiceAndSmsUrls {
  voice_url: string | null;
  voice_method: HttpMethod;
  voice_fallback_url: string | null;
  voice_fallback_method: HttpMethod;
  status_callback: string | null;
  status_callback_method: HttpMethod;
  sms_url: string | null;
  sms_method: HttpMethod;
  sms_fallback_url: string | null;
  sms_fallback_method: HttpMethod;
  dialect: Dialect;
}

export interface ApplicationsTable extends VoiceAndSmsUrls {
  sid: string;
  account_sid: string;
  friendly_name: string;
  /** Where message status changes of messages sent with this application go (0003_api). */
  sms_status_callback: string | null;
  message_status_callback: string | null;
  date_created: string;
  date_updated: string;
}

export interface PhoneNumbersTable extends VoiceAndSmsUrls {
  sid: string;
  account_sid: string;
  /** E.164, unique across the node: it is how an INVITE finds its account. */
  phone_number: string;
  friendly_name: string;
  voice_application_sid: string | null;
  sms_application_sid: string | null;
  date_created: string;
  date_updated: string;
}

export type CallDirection = 'inbound' | 'outbound-api' | 'outbound-dial';
export const CALL_STATUSES = ['queued', 'ringing', 'in-progress', 'canceled', 'completed', 'failed', 'busy', 'no-answer'] as const;
export type CallStatus = (typeof CALL_STATUSES)[number];

const LIVE_CALL_STATUSES: ReadonlySet<CallStatus> = new Set(['queued', 'ringing', 'in-progress']);

/** Whether a call has ended: its record changes no more (so it may be deleted, and changing it is a no-op). */
export function isFinalCallStatus(status: CallStatus): boolean {
  return !LIVE_CALL_STATUSES.has(status);
}

export interface CallsTable {
  sid: string;
  account_sid: string;
  parent_call_sid: string | null;
  phone_number_sid: string | null;
  from: string;
  to: string;
  caller_name: string | null;
  forwarded_from: string | null;
  direction: CallDirection;
  status: CallStatus;
  start_time: string | null;
  end_time: string | null;
  /** Seconds, set when the call ends. */
  duration: number | null;
  answered_by: string | null;
  api_version: string;
  sip_call_id: string | null;
  date_created: string;
  date_updated: string;
}

/** One entry of a call's timeline: requests and responses, verbs, SIP and media, errors. */
export interface CallEventsTable {
  id: Generated<number>;
  call_sid: string;
  account_sid: string;
  /** Order within the call, from 0. */
  seq: number;
  at: string;
  type: string;
  /** JSON text. */
  data: string;
}

export type RecordingStatus = 'in-progress' | 'paused' | 'stopped' | 'processing' | 'completed' | 'absent' | 'failed';

export interface RecordingsTable {
  sid: string;
  account_sid: string;
  call_sid: string | null;
  status: RecordingStatus;
  channels: number;
  source: string;
  /** Seconds; null until completed. */
  duration: number | null;
  start_time: string;
  /** Relative to the data directory. */
  file_path: string | null;
  error_code: number | null;
  date_created: string;
  date_updated: string;
}

export type OutboxStatus = 'pending' | 'delivered' | 'failed';

/** A webhook waiting to go out, going out, or done with (status callbacks; 0002_outbox). */
export interface WebhookOutboxTable {
  id: Generated<number>;
  account_sid: string;
  /** Rows of one key are delivered one at a time, in id order (a call's SID). */
  order_key: string;
  /** The call whose timeline hears of each attempt. */
  call_sid: string | null;
  kind: string;
  /** What the row is about, for people (`completed`). */
  label: string;
  url: string;
  method: HttpMethod;
  /** JSON text of the form parameters. */
  params: string;
  status: OutboxStatus;
  attempts: number;
  max_attempts: number;
  next_attempt_at: string;
  /** Set while a node delivers the row; a later time means someone holds it. */
  lease_until: string | null;
  last_status: number | null;
  last_error: string | null;
  created_at: string;
  updated_at: string;
}

export interface SipClientsTable {
  sid: string;
  account_sid: string;
  username: string;
  /** The Digest realm the HA1s were made for. */
  realm: string;
  ha1_md5: string;
  ha1_sha256: string;
  date_created: string;
  date_updated: string;
}

/** An API key: used in place of the account's auth token. Only a hash of the secret is kept. */
export interface ApiKeysTable {
  sid: string;
  account_sid: string;
  friendly_name: string;
  /** SHA-256 of the secret, hex. */
  secret_hash: string;
  date_created: string;
  date_updated: string;
}

export type MessageDirection = 'inbound' | 'outbound-api' | 'outbound-call' | 'outbound-reply';
export type MessageStatus =
  | 'queued'
  | 'sending'
  | 'sent'
  | 'failed'
  | 'delivered'
  | 'undelivered'
  | 'receiving'
  | 'received'
  | 'accepted'
  | 'scheduled'
  | 'read'
  | 'partially_delivered'
  | 'canceled';

export interface MessagesTable {
  sid: string;
  account_sid: string;
  from: string;
  to: string;
  body: string;
  direction: MessageDirection;
  status: MessageStatus;
  num_segments: number;
  /** JSON array of media URLs. */
  media_urls: string;
  messaging_service_sid: string | null;
  status_callback: string | null;
  application_sid: string | null;
  error_code: number | null;
  error_message: string | null;
  price: string | null;
  price_unit: string;
  api_version: string;
  date_sent: string | null;
  date_created: string;
  date_updated: string;
}

/** The first answer to a create carrying an Idempotency-Key, kept 24 hours. */
export interface IdempotencyKeysTable {
  account_sid: string;
  /** What was created: 'Calls' or 'Messages'. */
  scope: string;
  key: string;
  /** Null while the first request is still being handled. */
  status_code: number | null;
  response: string | null;
  date_created: string;
}

/** A SIP trunk of an account (0005_trunks): where numbers that are not ours are dialled. */
export interface TrunksTable {
  sid: string;
  account_sid: string;
  friendly_name: string;
  host: string;
  port: number;
  transport: 'udp' | 'tcp';
  /** Digest credentials for the carrier's challenge; the password as given (see 0005_trunks). */
  username: string | null;
  password: string | null;
  /** JSON array of E.164 prefixes or `*`. */
  prefixes: string;
  /** Lower first, among trunks whose matching prefix is equally long. */
  priority: number;
  /** A fixed From number; null passes the Dial's caller ID through. */
  caller_id: string | null;
  /** Rewrites of the dialled number: this prefix removed, then that one added. */
  strip_prefix: string | null;
  add_prefix: string | null;
  enabled: number;
  date_created: string;
  date_updated: string;
}

export interface Database {
  accounts: AccountsTable;
  applications: ApplicationsTable;
  phone_numbers: PhoneNumbersTable;
  calls: CallsTable;
  call_events: CallEventsTable;
  recordings: RecordingsTable;
  webhook_outbox: WebhookOutboxTable;
  sip_clients: SipClientsTable;
  api_keys: ApiKeysTable;
  messages: MessagesTable;
  idempotency_keys: IdempotencyKeysTable;
  trunks: TrunksTable;
}
