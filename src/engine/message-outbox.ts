/**
 * The port through which the engine sends a message during a call (Apifonica's
 * `<sendMessage>`): it queues the message and returns its SID; delivery is another
 * part's (messaging/). telephony/ implements it over the store.
 */
export interface OutgoingMessage {
  readonly accountSid: string;
  readonly from: string;
  readonly to: string;
  readonly body: string;
  /** Told about the message's progress (Apifonica `controller_url`). */
  readonly statusCallback?: string;
  /** The application whose controller is told instead (Apifonica `controller_app`). */
  readonly applicationSid?: string;
}

export interface MessageOutbox {
  /** Stores the message as queued; resolves with its SID. */
  queue(message: OutgoingMessage): Promise<{ readonly sid: string }>;
}
