import { AccountsRepo } from './accounts-repo.js';
import { ApiKeysRepo } from './api-keys-repo.js';
import { ApplicationsRepo } from './applications-repo.js';
import { CallEventsRepo } from './call-events-repo.js';
import { CallsRepo } from './calls-repo.js';
import { CredentialEpoch } from './credential-epoch.js';
import { openDatabase, type Db, type StoreOptions } from './db.js';
import { IdempotencyRepo } from './idempotency-repo.js';
import { MessagesRepo } from './messages-repo.js';
import { NumbersRepo } from './numbers-repo.js';
import { OutboxRepo } from './outbox-repo.js';
import { SipClientsRepo } from './sip-clients-repo.js';
import { RecordingsRepo } from './recordings-repo.js';
import { TrunksRepo } from './trunks-repo.js';

/** Every repository over one database. */
export interface Store {
  readonly db: Db;
  readonly accounts: AccountsRepo;
  readonly applications: ApplicationsRepo;
  readonly numbers: NumbersRepo;
  readonly calls: CallsRepo;
  readonly callEvents: CallEventsRepo;
  readonly outbox: OutboxRepo;
  readonly sipClients: SipClientsRepo;
  readonly apiKeys: ApiKeysRepo;
  readonly messages: MessagesRepo;
  readonly idempotency: IdempotencyRepo;
  readonly recordings: RecordingsRepo;
  readonly trunks: TrunksRepo;
  close(): Promise<void>;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const db = await openDatabase(options);
  const k = db.kysely;
  const callEvents = new CallEventsRepo(k);
  const credentialEpoch = new CredentialEpoch();
  return {
    db,
    accounts: new AccountsRepo(k, credentialEpoch),
    applications: new ApplicationsRepo(k),
    numbers: new NumbersRepo(k),
    calls: new CallsRepo(k),
    callEvents,
    outbox: new OutboxRepo(k),
    sipClients: new SipClientsRepo(k),
    apiKeys: new ApiKeysRepo(k, credentialEpoch),
    messages: new MessagesRepo(k),
    idempotency: new IdempotencyRepo(k),
    recordings: new RecordingsRepo(k),
    trunks: new TrunksRepo(k),
    close: async () => {
      await callEvents.flushed();
      await db.close();
    },
  };
}

export type { Account } from './accounts-repo.js';
export type { Application, ApplicationInput } from './applications-repo.js';
export type { CallEvent } from './call-events-repo.js';
export type { Call, CallFilter, CallPatch, NewCall } from './calls-repo.js';
export type { Recording, NewRecording, RecordingFilter, RecordingPatch } from './recordings-repo.js';
export {
  NumberInUseError,
  WEBHOOK_COLUMNS,
  WEBHOOK_METHOD_KEYS,
  WEBHOOK_URL_KEYS,
  type PhoneNumber,
  type NumberInput,
  type WebhookMethodKey,
  type WebhookSettings,
  type WebhookUrlKey,
} from './numbers-repo.js';
export type { OutboxRow, NewOutboxRow, OutboxParams, AttemptOutcome } from './outbox-repo.js';
export { SipClientExistsError, InvalidSipUsernameError, type SipClient } from './sip-clients-repo.js';
export { hashSecret, type ApiKey, type ApiKeyCredential, type NewApiKey } from './api-keys-repo.js';
export type { Message, MessageFilter, NewMessage } from './messages-repo.js';
export { IDEMPOTENCY_WINDOW_MS, type IdempotencyKeyRef, type Reservation } from './idempotency-repo.js';
export type { MessageDirection, MessageStatus, CallStatus, CallDirection, HttpMethod } from './schema.js';
export { CALL_STATUSES, isFinalCallStatus } from './schema.js';
export { MigrationError, type StoreOptions, type StoreDialect } from './db.js';
export type { FilterValue, ListQuery, ListResult, PageCursor, PageQuery } from './list-query.js';
export type { CallsTable, MessagesTable, PhoneNumbersTable, ApplicationsTable, ApiKeysTable } from './schema.js';
export { TrunkExistsError, InvalidTrunkError, type Trunk, type TrunkInput, type TrunkTransport } from './trunks-repo.js';
export { newSid, isSid, newAuthToken, type SidPrefix } from './sid.js';
