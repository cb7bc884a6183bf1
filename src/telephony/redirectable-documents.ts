/**
 * The documents a live call runs, one after another: its application, then each one the
 * REST API redirects it to (`POST Calls/{Sid}.json` with Url or Twiml). A redirect
 * releases the leg the running document is on, so its verb stops at once and its session
 * ends; the next document runs in a new session on a fresh leg over the same call.
 * One loop for every call, however it began (an INVITE to one of our numbers, the API).
 */
import type { ApplicationRef } from '../engine/session.js';
import type { CallWiring } from './call-wiring.js';
import type { SipCallLeg } from './sip-call-leg.js';

export interface DocumentLoopOptions {
  readonly wiring: CallWiring;
  /** A leg for the next document, made at once: no await may pass between `over()` and the leg listening to its call. */
  legFor(first: boolean): SipCallLeg;
  /** Work on a new leg before its document runs (answer it, send digits); a redirect meanwhile releases it. */
  prepare?(leg: SipCallLeg, first: boolean): Promise<void>;
  /** The call itself has ended (BYE, CANCEL): a pending redirect has nothing to run on. */
  over(): boolean;
}

export class RedirectableDocuments {
  #leg: SipCallLeg | undefined;
  #next: ApplicationRef | undefined;
  #running = false;
  #stopped = false;

  /** The leg the current (or last) document runs on. */
  get leg(): SipCallLeg | undefined {
    return this.#leg;
  }

  /**
   * Stops the running document and has `app` run next. A second redirect before the
   * first one's document starts replaces it. False when no document is running (not
   * started yet, or the call is over).
   */
  redirect(app: ApplicationRef): boolean {
    if (!this.#running || this.#stopped) return false;
    if (this.#next === undefined) {
      if (this.#leg === undefined || this.#leg.endedWith !== undefined) return false;
      this.#leg.release();
    }
    this.#next = app;
    return true;
  }

  /** No document runs after the current one (the call is being ended); its leg, to hang up. */
  stop(): SipCallLeg | undefined {
    this.#stopped = true;
    this.#next = undefined;
    return this.#leg;
  }

  /** Runs `app` and every document the call is redirected to, until one ends without a redirect; the last leg. */
  async run(app: ApplicationRef, options: DocumentLoopOptions): Promise<SipCallLeg> {
    this.#running = true;
    let next: ApplicationRef | undefined = app;
    let first = true;
    try {
      for (;;) {
        const leg = options.legFor(first);
        this.#leg = leg;
        await options.prepare?.(leg, first);
        await options.wiring.session(leg, next).run();
        first = false;
        next = options.over() || this.#stopped ? undefined : this.#next;
        this.#next = undefined;
        if (next === undefined) return leg;
      }
    } finally {
      this.#running = false;
      this.#next = undefined;
    }
  }
}
