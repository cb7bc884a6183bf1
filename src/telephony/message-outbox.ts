/**
 * Messages queued for the messaging part to deliver: the engine's MessageOutbox over the
 * store (a message sent during a call, direction `outbound-call`) and `queueMessage`,
 * the one way in for the REST APIs (`outbound-api`). Both count SMS parts alike.
 */
import type { MessageOutbox, OutgoingMessage } from '../engine/message-outbox.js';
import { countSegments } from '../messaging/segments.js';
import type { Message, Store } from '../store/index.js';

const E164 = /^\+[1-9]\d{1,14}$/;
/** An alphanumeric sender ID: up to 11 letters, digits and spaces, at least one letter. */
const ALPHANUMERIC_SENDER = /^(?=.*[A-Za-z])[A-Za-z0-9 ]{1,11}$/;

/** A message the REST APIs refuse, with Twilio's code; each API words and shapes it its own way. */
export class MessageRejectedError extends Error {
  constructor(
    /** 21606 From is not the account's number, 21212 From is no sender at all, 21602 neither body nor media. */
    readonly code: 21606 | 21212 | 21602,
    readonly field: 'from' | 'body',
    message: string,
  ) {
    super(message);
  }
}

export interface ApiMessage {
  readonly from: string;
  readonly to: string;
  readonly body: string;
  readonly mediaUrls: readonly string[];
  readonly statusCallback: string | null;
}

/**
 * Queues a message sent through a REST API, after the rules both APIs share, in the order
 * Twilio reports them: From is one of the account's numbers or an alphanumeric sender ID,
 * then there is a body or media. `check` is the caller's own checks, which come after
 * these and before the row is written.
 */
export async function queueMessage(store: Pick<Store, 'numbers' | 'messages'>, accountSid: string, message: ApiMessage, check?: () => void): Promise<Message> {
  const { from, body, mediaUrls } = message;
  if (E164.test(from)) {
    const number = await store.numbers.findByNumber(from);
    if (!number || number.accountSid !== accountSid) throw new MessageRejectedError(21606, 'from', `${from} is not a number of this account`);
  } else if (!ALPHANUMERIC_SENDER.test(from)) {
    throw new MessageRejectedError(21212, 'from', `${from} is neither an E.164 number nor an alphanumeric sender ID`);
  }
  if (body === '' && mediaUrls.length === 0) throw new MessageRejectedError(21602, 'body', 'A message needs a body or media');
  check?.();
  return store.messages.create({
    accountSid,
    from,
    to: message.to,
    body,
    direction: 'outbound-api',
    numSegments: countSegments(body).segments,
    mediaUrls,
    statusCallback: message.statusCallback,
  });
}

export function storeMessageOutbox(store: Pick<Store, 'messages'>): MessageOutbox {
  return {
    async queue(message: OutgoingMessage): Promise<{ sid: string }> {
      const row = await store.messages.create({
        accountSid: message.accountSid,
        from: message.from,
        to: message.to,
        body: message.body,
        direction: 'outbound-call',
        status: 'queued',
        numSegments: countSegments(message.body).segments,
        ...(message.statusCallback !== undefined ? { statusCallback: message.statusCallback } : {}),
        ...(message.applicationSid !== undefined ? { applicationSid: message.applicationSid } : {}),
      });
      return { sid: row.sid };
    },
  };
}
