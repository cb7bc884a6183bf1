/**
 * What every call's sessions are given, however the call began (an INVITE to one of our
 * numbers, a REST API request): its recordings, the queue of messages sent during it and
 * of its status callbacks. One place, so that a call placed one way cannot miss a part
 * the other way has (API-placed calls once had no message outbox: sendMessage was skipped).
 */
import type { MessageQueue } from '../engine/message-queue.js';
import type { CallFacts } from '../engine/params.js';
import { CallSession, type ApplicationRef, type SessionDeps } from '../engine/session.js';
import type { CallLeg } from '../engine/call-leg.js';
import type { Timeline } from '../engine/timeline.js';
import type { WebhookClient } from '../engine/webhook/client.js';
import type { SpeechRecognizer } from '../speech/index.js';
import type { Store } from '../store/index.js';
import { StoredCallRecordings } from './call-recordings.js';
import { storeMessageOutbox } from './message-outbox.js';

export interface CallWiringDeps {
  readonly store: Store;
  readonly webhooks: WebhookClient;
  readonly mode: 'development' | 'production';
  /** Where status callbacks are queued (the durable outbox); none sends none. */
  readonly callbacks?: MessageQueue;
  /** Where recordings are written and the base of their URLs; without it `<Record>` fails. */
  readonly recordings?: { readonly dataDir: string; readonly publicUrl: string };
  /** What transcribes `<Gather input="speech">`; none: Gather listens for keys only. */
  readonly speech?: SpeechRecognizer;
}

export interface CallWiring {
  /** The call's recordings, shared by its sessions (a redirect starts a new one). */
  readonly recordings: StoredCallRecordings | undefined;
  /** A session running `app` on `leg`; `endOfDocument` as SessionDeps has it. */
  session(leg: CallLeg, app: ApplicationRef, options?: Pick<SessionDeps, 'endOfDocument'>): CallSession;
}

export function callWiring(deps: CallWiringDeps, call: CallFacts, authToken: string, timeline: Timeline): CallWiring {
  const { store, webhooks, mode, callbacks, speech } = deps;
  const where = deps.recordings;
  const recordings =
    where &&
    new StoredCallRecordings({
      store,
      dataDir: where.dataDir,
      publicUrl: where.publicUrl,
      accountSid: call.accountSid,
      callSid: call.callSid,
      ...(callbacks ? { callbacks } : {}),
      note: (type, data) => timeline.append(type, data),
    });
  const messages = storeMessageOutbox(store);
  return {
    recordings,
    session: (leg, app, options) =>
      new CallSession(
        {
          leg,
          webhooks,
          timeline,
          authToken,
          mode,
          ...(recordings ? { recordings } : {}),
          messages,
          ...(callbacks ? { callbacks } : {}),
          ...(speech ? { speech } : {}),
          ...options,
        },
        call,
        app,
      ),
  };
}
