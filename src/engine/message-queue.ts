/**
 * The port through which the engine and telephony queue webhooks that tell an
 * application something (status callbacks of calls, recordings and streams): each is
 * stored before it is sent, and delivered, retried and noted on the call's timeline by
 * another part (events/, the durable outbox).
 */
import type { FormParams } from './webhook/sign.js';

/** A webhook to queue. `orderKey` groups rows that must go out in order (a call's SID). */
export interface OutboxMessage {
  readonly accountSid: string;
  readonly orderKey: string;
  /** The call whose timeline hears of each attempt. */
  readonly callSid: string | null;
  /** The timeline entry type, e.g. `status-callback`. */
  readonly kind: string;
  /** What the message is about, e.g. `completed`. */
  readonly label: string;
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly params: FormParams;
}

/** The queue side of the outbox, as producers see it. */
export interface MessageQueue {
  /** Stores the message; resolves with its id once it is stored. */
  enqueue(message: OutboxMessage): Promise<number>;
}
