/**
 * The engine's MessageOutbox over the store: a message sent during a call becomes a
 * queued row (direction `outbound-call`), counted in SMS parts as the REST API counts
 * them; delivering it is the messaging part's.
 */
import type { MessageOutbox, OutgoingMessage } from '../engine/message-outbox.js';
import { countSegments } from '../messaging/segments.js';
import type { Store } from '../store/index.js';

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
