/**
 * A REFER we sent in a session, and the implicit subscription it makes (RFC 3515 §2.4.4,
 * RFC 6665): the referee answers the REFER (202), then reports how its INVITE to the
 * target goes in NOTIFYs of the `refer` event package, each a `message/sipfrag` status
 * line (`SIP/2.0 100 Trying` … `SIP/2.0 200 OK`). The transfer is over at the first
 * final status (≥ 200), at `Subscription-State: terminated`, when the REFER is refused,
 * when no NOTIFY ends it within the timeout, or when the session ends.
 *
 * The session owns the NOTIFY dispatch (it answers them); this object only keeps the
 * state of one REFER and settles its outcome once.
 */
import type { Clock, TimerHandle } from '../clock.js';
import {
  type EventHeader,
  type SipfragStatus,
  type SipRequest,
  type SipResponse,
  getContentType,
  getSubscriptionState,
  parseSipfragStatus,
} from '../message/index.js';
import { bodyText } from './core.js';
import { RequestRejectedError } from './errors.js';

export interface ReferOptions {
  /** The Referred-By value (a name-addr); default our URI in the dialog (RFC 3892). */
  readonly referredBy?: string;
  /** Further header lines for the REFER. */
  readonly headers?: readonly (readonly [string, string])[];
  /** How long the transfer may take after the REFER is accepted, ms; default 64*T1. */
  readonly notifyTimeoutMs?: number;
  /** Told of each status the referee reports, provisional or final. */
  readonly onProgress?: (status: SipfragStatus) => void;
}

/**
 * How a REFER came out:
 * - `final`: a NOTIFY reported a final status (`final` holds it; 2xx is a transfer made);
 * - `subscription-terminated`: the referee ended the subscription without one;
 * - `rejected`: the REFER got a non-2xx final response (`response`);
 * - `no-response`: the REFER got no final response (or could not be sent);
 * - `notify-timeout`: accepted, but no final status within the timeout;
 * - `session-ended`: the session ended first (the referee hung up on us, say).
 */
export type ReferEnd = 'final' | 'subscription-terminated' | 'rejected' | 'no-response' | 'notify-timeout' | 'session-ended';

export interface ReferOutcome {
  readonly end: ReferEnd;
  /** The final response to the REFER, when one came (202). */
  readonly response: SipResponse | undefined;
  /** Every status the NOTIFYs reported, in order. */
  readonly progress: readonly SipfragStatus[];
  /** The final status reported (≥ 200), when one was. */
  readonly final: SipfragStatus | undefined;
}

/** A NOTIFY received in a session. */
export interface IncomingNotify {
  readonly request: SipRequest;
  readonly event: EventHeader;
  /** `active`, `pending`, `terminated`, or undefined without the header. */
  readonly subscriptionState: string | undefined;
  /** Media type, lower-case. */
  readonly contentType: string | undefined;
  readonly body: string | undefined;
}

/** @internal One REFER's subscription, as the session keeps it. */
export class ReferSubscription {
  /** CSeq number of the REFER: the `id` of its NOTIFYs' Event header. */
  readonly seq: number;
  readonly outcome: Promise<ReferOutcome>;
  readonly #clock: Clock;
  readonly #timeoutMs: number;
  readonly #onProgress: ((status: SipfragStatus) => void) | undefined;
  readonly #release: () => void;
  #resolve!: (outcome: ReferOutcome) => void;
  #response: SipResponse | undefined;
  readonly #progress: SipfragStatus[] = [];
  #timer: TimerHandle | undefined;
  #settled = false;
  /** The REFER has its final response (or failed). */
  #answered = false;
  /** How it ended, while a NOTIFY that ended it overtook the REFER's response. */
  #ending: ReferEnd | undefined;

  constructor(init: { seq: number; clock: Clock; timeoutMs: number; onProgress?: (status: SipfragStatus) => void; release: () => void }) {
    this.seq = init.seq;
    this.#clock = init.clock;
    this.#timeoutMs = init.timeoutMs;
    this.#onProgress = init.onProgress;
    this.#release = init.release;
    this.outcome = new Promise((resolve) => (this.#resolve = resolve));
  }

  get settled(): boolean {
    return this.#settled;
  }

  /** Whether a NOTIFY with this Event header belongs here (no `id`: the first REFER's). */
  matches(event: EventHeader): boolean {
    return event.package === 'refer' && (event.id === undefined || event.id === String(this.seq));
  }

  /** The REFER's final response. */
  answered(response: SipResponse): void {
    this.#response = response;
    this.#answered = true;
    if (this.#ending !== undefined) return this.#settle(this.#ending);
    if (this.#settled) return;
    this.#timer = this.#clock.setTimeout(() => {
      this.#timer = undefined;
      this.#settle('notify-timeout');
    }, this.#timeoutMs);
  }

  /** The REFER failed: refused (a `RequestRejectedError`), or no response. */
  failed(err: unknown): void {
    this.#answered = true;
    if (err instanceof RequestRejectedError) {
      this.#response = err.response;
      this.#settle('rejected');
    } else {
      this.#settle('no-response');
    }
  }

  notified(notify: IncomingNotify): void {
    if (this.#settled || this.#ending !== undefined) return;
    const status = notify.contentType === 'message/sipfrag' && notify.body !== undefined ? parseSipfragStatus(notify.body) : undefined;
    if (status !== undefined) {
      this.#progress.push(status);
      try {
        this.#onProgress?.(status);
      } catch {
        // a listener's fault is not the transfer's
      }
      if (status.status >= 200) {
        this.#settle('final');
        return;
      }
    }
    if (notify.subscriptionState === 'terminated') this.#settle('subscription-terminated');
  }

  sessionEnded(): void {
    // A final status already reported stands, even if its REFER's 202 never came.
    if (this.#ending !== undefined) this.#settle(this.#ending, true);
    else this.#settle('session-ended');
  }

  #settle(end: ReferEnd, force = false): void {
    if (this.#settled) return;
    if (!force && !this.#answered && (end === 'final' || end === 'subscription-terminated')) {
      // The NOTIFY overtook the 202: the outcome waits for the response it reports.
      this.#ending = end;
      return;
    }
    this.#settled = true;
    if (this.#timer !== undefined) this.#clock.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#release();
    const last = this.#progress.at(-1);
    this.#resolve({
      end,
      response: this.#response,
      progress: [...this.#progress],
      final: last !== undefined && last.status >= 200 ? last : undefined,
    });
  }
}

/** Reads a NOTIFY's event headers and body; `undefined` without a readable Event header. */
export function readNotify(request: SipRequest, event: EventHeader | undefined): IncomingNotify | undefined {
  if (event === undefined) return undefined;
  return {
    request,
    event,
    subscriptionState: getSubscriptionState(request)?.state,
    contentType: getContentType(request)?.mediaType,
    body: bodyText(request.body),
  };
}
