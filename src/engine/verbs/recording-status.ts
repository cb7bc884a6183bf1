import type { CallRecordings, RecordingSlot, RecordingSource } from '../recordings.js';
import { rfc2822 } from '../status-callbacks.js';
import type { VerbContext } from '../verb-context.js';

/** The recording status callback events a verb may ask for. */
export type RecordingEvent = 'in-progress' | 'completed' | 'absent';

/** A verb's `recordingStatusCallback` attributes. */
export interface RecordingStatusRequest {
  readonly url: string | undefined;
  readonly method: 'GET' | 'POST';
  readonly events: readonly string[];
  readonly source: RecordingSource;
  /** `RecordingTrack`, for the verbs that choose one. */
  readonly track?: string;
  /** `RecordingUrl` when it is not the slot's own (`.mp3` asked for). */
  readonly mediaUrl?: (slot: RecordingSlot) => string;
}

/** Queues `recordingStatusCallback` for the events the verb asked for (Record and Dial share it). */
export function recordingStatusNotifier(
  request: RecordingStatusRequest,
  ctx: VerbContext,
  recordings: CallRecordings,
  channels: 1 | 2,
): (slot: RecordingSlot, event: RecordingEvent, durationSeconds: number, errorCode?: number) => void {
  const { url } = request;
  const events = new Set<string>(request.events);
  return (slot, event, durationSeconds, errorCode) => {
    if (url === undefined || !events.has(event)) return;
    const params: Record<string, string> = {
      RecordingSid: slot.sid,
      RecordingUrl: request.mediaUrl?.(slot) ?? slot.url,
      RecordingStatus: event,
      RecordingDuration: String(durationSeconds),
      RecordingChannels: String(channels),
      RecordingStartTime: rfc2822(slot.startTime),
      RecordingSource: request.source,
      ...(request.track === undefined ? {} : { RecordingTrack: request.track }),
    };
    if (errorCode !== undefined) params.ErrorCode = String(errorCode);
    recordings.notify({ url: ctx.resolve(url), method: request.method, params });
  };
}
