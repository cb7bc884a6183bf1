import type { CallLeg } from './call-leg.js';
import type { CallRecordings } from './recordings.js';
import type { MessageOutbox } from './message-outbox.js';
import type { CallFacts } from './params.js';
import type { Timeline } from './timeline.js';
import type { SpeechRecognizer } from '../speech/index.js';

/** A document request a verb asks the session to make. */
export interface FetchRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly params?: Readonly<Record<string, string>>;
}

/** A callback about the call: `kind` is its timeline entry type, `label` what it tells (`stream-stopped`). */
export interface Notification {
  readonly kind: string;
  readonly label: string;
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly params: Readonly<Record<string, string>>;
}

/** What a verb hands back to the session: go on, fetch a new document, or end. */
export type VerbOutcome =
  /**
   * Run the next verb. With `meanwhile`, the session requests that URL while the
   * document goes on; a document in its answer stops the verb running then and replaces
   * the rest, an empty answer changes nothing (Apifonica's getInput controller).
   */
  | { readonly type: 'continue'; readonly meanwhile?: FetchRequest }
  /** Request `url` and run what it returns; the rest of this document is dropped (SEM-D9). */
  | {
      readonly type: 'fetch';
      readonly url: string;
      readonly method: 'GET' | 'POST';
      readonly params?: Readonly<Record<string, string>>;
    }
  /** The call is over (Hangup, Reject, or the caller left). */
  | { readonly type: 'end' };

export const CONTINUE: VerbOutcome = Object.freeze({ type: 'continue' });
export const END: VerbOutcome = Object.freeze({ type: 'end' });

/** Everything a verb may use; no SIP, no HTTP client. */
export interface VerbContext {
  readonly leg: CallLeg;
  readonly timeline: Timeline;
  /** The URL of the document being run: relative URLs resolve against it (SEM-D7). */
  readonly documentUrl: string;
  /** True for the first verb of the first document: Reject and Pause behave differently there. */
  readonly firstVerb: boolean;
  /** Resolves a possibly relative URL against the document's URL. */
  resolve(url: string): string;
  /** Where recordings go; absent where nothing can be recorded. */
  readonly recordings?: CallRecordings;
  /** The call the document runs on (From and To are message defaults, for one). */
  readonly call: CallFacts;
  /** What transcribes `<Gather input="speech">`; without one, Gather listens for keys (and says so). */
  readonly speech?: SpeechRecognizer;
  /** Where messages sent during the call are queued; without it, message verbs are skipped. */
  readonly messages?: MessageOutbox;
  /**
   * Queues a signed request to the application about something that happened (a stream's
   * status callback) with the call's standard parameters plus `params`; nobody waits for it.
   */
  notify(callback: Notification): void;
}

export function resolveAgainst(documentUrl: string, url: string): string {
  try {
    return new URL(url, documentUrl).toString();
  } catch {
    return url;
  }
}
