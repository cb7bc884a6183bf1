import { AccountsRepo } from './accounts-repo.js';
import { ApplicationsRepo } from './applications-repo.js';
import { CallEventsRepo } from './call-events-repo.js';
import { CallsRepo } from './calls-repo.js';
import { openDatabase, type Db, type StoreOptions } from './db.js';
import { NumbersRepo } from './numbers-repo.js';
import { RecordingsRepo } from './recordings-repo.js';

/** Every repository over one database. */
export interface Store {
  readonly db: Db;
  readonly accounts: AccountsRepo;
  readonly applications: ApplicationsRepo;
  readonly numbers: NumbersRepo;
  readonly calls: CallsRepo;
  readonly callEvents: CallEventsRepo;
  readonly recordings: RecordingsRepo;
  close(): Promise<void>;
}

export async function openStore(options: StoreOptions): Promise<Store> {
  const db = await openDatabase(options);
  const k = db.kysely;
  return {
    db,
    accounts: new AccountsRepo(k),
    applications: new ApplicationsRepo(k),
    numbers: new NumbersRepo(k),
    calls: new CallsRepo(k),
    callEvents: new CallEventsRepo(k),
    recordings: new RecordingsRepo(k),
    close: () => db.close(),
  };
}

export type { Account } from './accounts-repo.js';
export type { Application, ApplicationInput } from './applications-repo.js';
export type { CallEvent } from './call-events-repo.js';
export type { Call, CallFilter, CallCursor, CallPatch, NewCall } from './calls-repo.js';
export type { Recording, NewRecording, RecordingPatch } from './recordings-repo.js';
export { NumberInUseError, type PhoneNumber, type NumberInput, type WebhookSettings } from './numbers-repo.js';
export { MigrationError, type StoreOptions, type StoreDialect } from './db.js';
export { newSid, isSid, newAuthToken, type SidPrefix } from './sid.js';
