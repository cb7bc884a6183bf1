/**
 * Call progress callbacks (dialects.md §5.2): `initiated`, `ringing`, `answered`,
 * `completed`, each sent when the call's StatusCallbackEvent asks for it (default: only
 * `completed`) with the standard parameters plus CallStatus, Timestamp (RFC 2822),
 * SequenceNumber (0-based, per call, counting the callbacks sent), CallbackSource and,
 * on the final one, CallDuration, Duration, HangupBy, HangupDirection, AudioInMos and
 * SipResponseCode. Apifonica applications get the same in snake_case.
 *
 * One `CallProgress` per call and per callback URL: inbound calls use their number's
 * StatusCallback, calls made by the REST API and Dial's child legs their own. Nothing
 * here waits for the application: events are queued, durably, and the queue delivers.
 */
import type { MessageQueue } from './message-queue.js';
import type { CallEnd } from './call-leg.js';
import { callParams, type CallFacts, type CallStatusParam } from './params.js';

export const STATUS_CALLBACK_EVENTS = ['initiated', 'ringing', 'answered', 'completed'] as const;
export type StatusCallbackEvent = (typeof STATUS_CALLBACK_EVENTS)[number];

/** Where a call's progress goes and which of it. */
export interface StatusCallbackConfig {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly events: ReadonlySet<StatusCallbackEvent>;
}

/** What the final callback tells about how the call ended. */
export interface CallOutcome {
  /** The final status: completed, busy, no-answer, failed or canceled. */
  readonly status: Extract<CallStatusParam, 'completed' | 'busy' | 'no-answer' | 'failed' | 'canceled'>;
  /** Seconds from answer to hangup; 0 when never answered. */
  readonly durationSeconds: number;
  /** Who hung up, as the leg reports it. */
  readonly endedBy?: CallEnd['by'];
  /** Mean opinion score of the audio received on the call, 1–5, when any was received. */
  readonly audioInMos?: number;
  /** The call's final SIP status (200 when answered). */
  readonly sipResponseCode?: number;
}

export const CALLBACK_SOURCE = 'call-progress-events';

/**
 * The events of a `StatusCallbackEvent` value: names separated by spaces or commas
 * (Twilio's REST clients repeat the parameter, hence the list form), `|` for Apifonica's
 * `events`; `all` and `none` as Apifonica has them. Unknown names are returned apart.
 * Nothing given means Twilio's default, `completed` only.
 */
export function parseStatusCallbackEvents(value: string | readonly string[] | undefined): { events: Set<StatusCallbackEvent>; unknown: string[] } {
  const names = (typeof value === 'string' ? [value] : (value ?? []))
    .flatMap((v) => v.split(/[\s,|]+/))
    .map((v) => v.trim().toLowerCase())
    .filter((v) => v !== '');
  if (names.length === 0) return { events: new Set(['completed']), unknown: [] };
  const events = new Set<StatusCallbackEvent>();
  const unknown: string[] = [];
  for (const name of names) {
    if (name === 'all') for (const e of STATUS_CALLBACK_EVENTS) events.add(e);
    else if (name === 'none') continue;
    else if ((STATUS_CALLBACK_EVENTS as readonly string[]).includes(name)) events.add(name as StatusCallbackEvent);
    else unknown.push(name);
  }
  return { events, unknown };
}

/**
 * A number's StatusCallback for the calls it receives. Twilio sends inbound calls only
 * the final event to it (the number has no StatusCallbackEvent), and so do we.
 */
export function numberStatusCallback(number: { readonly statusCallback: string | null; readonly statusCallbackMethod: 'GET' | 'POST' }): StatusCallbackConfig | undefined {
  if (!number.statusCallback) return undefined;
  return { url: number.statusCallback, method: number.statusCallbackMethod, events: new Set(['completed']) };
}

/** RFC 2822 in UTC, as Twilio writes it: `Mon, 16 Aug 2010 03:45:01 +0000`. */
export function rfc2822(at: Date): string {
  return at.toUTCString().replace(/GMT$/, '+0000');
}

/**
 * Who ended the call, as SignalWire reports it: HangupBy is the number (or address) of
 * the party that hung up, HangupDirection `inbound` when the hangup came to us from the
 * far end and `outbound` when we sent it (the application, or the platform).
 */
export function hangupParams(call: Pick<CallFacts, 'from' | 'to' | 'direction'>, by: CallEnd['by']): { HangupBy: string; HangupDirection: 'inbound' | 'outbound' } {
  // Our side of the call is the called number on inbound calls, the caller on outbound ones.
  const ours = call.direction === 'inbound' ? call.to : call.from;
  if (by === 'caller') return { HangupBy: call.from, HangupDirection: 'inbound' };
  if (by === 'callee') return { HangupBy: call.to, HangupDirection: 'inbound' };
  return { HangupBy: ours, HangupDirection: 'outbound' };
}

export interface CallProgressOptions {
  readonly call: CallFacts;
  readonly config: StatusCallbackConfig;
  readonly dialect: 'twiml' | 'apifonica';
  readonly queue: MessageQueue;
  readonly now?: () => number;
  /** Told when an event could not be queued (the store is down); the call goes on. */
  readonly onError?: (err: unknown) => void;
}

const STATUS_OF: Readonly<Record<Exclude<StatusCallbackEvent, 'completed'>, CallStatusParam>> = {
  initiated: 'initiated',
  ringing: 'ringing',
  answered: 'in-progress',
};

export class CallProgress {
  readonly #options: CallProgressOptions;
  readonly #now: () => number;
  readonly #sent = new Set<StatusCallbackEvent>();
  #sequence = 0;
  #queued: Promise<unknown> = Promise.resolve();

  constructor(options: CallProgressOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
  }

  initiated(): void {
    this.#emit('initiated', {});
  }

  ringing(): void {
    this.#emit('ringing', {});
  }

  answered(): void {
    this.#emit('answered', {});
  }

  /** The final event; later events of the call are not sent. */
  completed(outcome: CallOutcome): void {
    const extra: Record<string, string> = {
      CallStatus: outcome.status,
      CallDuration: String(Math.max(0, Math.round(outcome.durationSeconds))),
      // Twilio's legacy billed minutes.
      Duration: String(Math.ceil(Math.max(0, outcome.durationSeconds) / 60)),
    };
    if (outcome.endedBy !== undefined) Object.assign(extra, hangupParams(this.#options.call, outcome.endedBy));
    if (outcome.audioInMos !== undefined) extra.AudioInMos = (Math.round(outcome.audioInMos * 100) / 100).toString();
    if (outcome.sipResponseCode !== undefined) extra.SipResponseCode = String(outcome.sipResponseCode);
    this.#emit('completed', extra);
  }

  /** Resolves once every event so far is stored in the outbox (not delivered). */
  flushed(): Promise<void> {
    return this.#queued.then(() => undefined);
  }

  #emit(event: StatusCallbackEvent, extra: Record<string, string>): void {
    if (this.#sent.has('completed') || this.#sent.has(event)) return;
    this.#sent.add(event);
    const { config, call, dialect, queue } = this.#options;
    if (!config.events.has(event)) return;
    const status = (extra.CallStatus ?? STATUS_OF[event as Exclude<StatusCallbackEvent, 'completed'>]) as CallStatusParam;
    const params = callParams(call, status, dialect, {
      ...extra,
      CallStatus: status,
      Timestamp: rfc2822(new Date(this.#now())),
      SequenceNumber: String(this.#sequence++),
      CallbackSource: CALLBACK_SOURCE,
    });
    const message = { accountSid: call.accountSid, orderKey: call.callSid, callSid: call.callSid, kind: 'status-callback', label: event, url: config.url, method: config.method, params };
    // One insert after another, so the outbox's order is the SequenceNumber order.
    this.#queued = this.#queued.then(() => queue.enqueue(message)).catch((err: unknown) => this.#options.onError?.(err));
  }
}
