/**
 * A call's timeline over the store. The store writes one call's events in the order they
 * are appended, batched: each entry is handed over at once, so that entries share a write.
 */
import { Timeline } from '../engine/timeline.js';
import type { Store } from '../store/index.js';

export interface TimelineLogger {
  warn(details: object, message: string): void;
}

export function callTimeline(store: Pick<Store, 'callEvents'>, callSid: string, accountSid: string, logger?: TimelineLogger): Timeline {
  return new Timeline(
    (type, data) => store.callEvents.append(callSid, accountSid, type, data),
    (err) => logger?.warn({ err, callSid }, 'timeline write failed'),
  );
}
