/**
 * The calls in progress on this node, by SID: what the REST API reaches to redirect or
 * end a live call. A call is here from the moment it is created (queued) or received
 * until its record is final; another node's calls are not (the API answers that they
 * cannot be changed from here).
 */
import type { ApplicationRef } from '../engine/session.js';

/** A live call as the API may act on it. */
export interface LiveCall {
  readonly sid: string;
  readonly accountSid: string;
  /** Answered and running an application. */
  readonly answered: boolean;
  /** Ends a call that is not answered yet (queued or ringing): CANCEL. False when it is answered already. */
  cancel(): Promise<boolean>;
  /** Ends the call whatever its state (CANCEL while it rings, BYE once answered). */
  hangup(): Promise<void>;
  /** Stops the running document and runs this one instead. False when the call cannot be redirected now. */
  redirect(app: ApplicationRef): boolean;
  /** Resolves when the call is over and its record final. */
  readonly finished: Promise<void>;
}

export class LiveCalls {
  readonly #calls = new Map<string, LiveCall>();

  /** Keeps `call` until it is finished. */
  add(call: LiveCall): void {
    this.#calls.set(call.sid, call);
    void call.finished.finally(() => {
      if (this.#calls.get(call.sid) === call) this.#calls.delete(call.sid);
    });
  }

  get(sid: string, accountSid: string): LiveCall | undefined {
    const call = this.#calls.get(sid);
    return call !== undefined && call.accountSid === accountSid ? call : undefined;
  }

  /** Every live call, for shutdown. */
  all(): LiveCall[] {
    return [...this.#calls.values()];
  }
}
