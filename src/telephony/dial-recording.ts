/**
 * `<Dial record>` on the media worker's recorder: which leg records what, and how the
 * recording is stopped whichever way the dial ends. The caller's leg (the parent)
 * receives the caller and sends the callee once bridged, so its `dual` recording is
 * Twilio's layout (first channel the parent call, second the child), its `mixed` one the
 * mono mix, its `inbound` one the caller alone. The callee alone (`recordingTrack`
 * outbound) is what the callee's leg receives.
 */
import { randomUUID } from 'node:crypto';
import type { DialRecording, RecordResult } from '../engine/call-leg.js';
import type { MediaLeg } from '../media/host.js';
import type { RecordingInfo, RecordMode, RecordStopReason } from '../media/protocol.js';

export interface DialRecorder {
  /** Stops the recording (if the leg's end did not already) and says what it holds; undefined when it failed. */
  stop(): Promise<RecordResult | undefined>;
}

/** The recorder's mode for a Dial recording: both tracks in two channels or mixed, or one track alone. */
export function dialRecordMode(recording: Pick<DialRecording, 'track' | 'channels'>): RecordMode {
  if (recording.track !== 'both') return 'inbound';
  return recording.channels === 'dual' ? 'dual' : 'mixed';
}

/**
 * Starts a Dial recording on `media` (the caller's leg, or the callee's for the outbound
 * track). Resolves undefined, after telling `note`, when it could not start: the dial goes
 * on unrecorded rather than failing the call.
 */
export async function startDialRecording(
  media: MediaLeg,
  recording: DialRecording,
  maxDurationMs: number,
  note: (type: string, data: Readonly<Record<string, unknown>>) => void,
): Promise<DialRecorder | undefined> {
  const recordId = randomUUID();
  let ended: { reason: RecordStopReason; info: RecordingInfo | null } | undefined;
  const onStopped = (id: string, reason: RecordStopReason, info: RecordingInfo | null): void => {
    if (id === recordId) ended = { reason, info };
  };
  media.on('recordstopped', onStopped);
  try {
    const path = await recording.open();
    await media.startRecord(recordId, path, { mode: dialRecordMode(recording), maxDurationMs, trimSilence: recording.trimSilence });
    note('media', { event: 'record-started', recordId, path, from: recording.from, track: recording.track, channels: recording.channels });
  } catch (err) {
    media.off('recordstopped', onStopped);
    note('warning', { code: 13217, message: `<Dial record> could not start recording: ${(err as Error).message}` });
    return undefined;
  }
  return {
    async stop() {
      // A leg that closed first (its side hung up) finished the file itself.
      const info = ended?.info ?? (await media.stopRecord(recordId).catch(() => ended?.info ?? null));
      media.off('recordstopped', onStopped);
      if (info === null) {
        note('warning', { code: 13217, message: `<Dial record>: the recording ${recordId} failed` });
        return undefined;
      }
      note('media', { event: 'record-stopped', recordId, durationMs: info.durationMs, channels: info.channels });
      return {
        file: info.path,
        durationMs: info.durationMs,
        endedBy: '',
        channels: info.channels,
        ...(info.voicedMs === undefined ? {} : { voicedMs: info.voicedMs }),
      };
    },
  };
}
