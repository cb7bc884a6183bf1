import type { TwimlNode } from '../../xml/index.js';
import type { DialRecording, DialResult } from '../call-leg.js';
import type { RecordingSlot } from '../recordings.js';
import type { VerbContext } from '../verb-context.js';
import { recordingStatusNotifier } from './recording-status.js';

type DialAttrs = TwimlNode<'Dial'>['attrs'];

/** Under half a second rounds to a zero-second recording: nothing worth keeping (16101). */
const SHORTEST_MS = 500;

/**
 * `<Dial record>`: the recording of the dialled call as a `DialVerb` recording of this
 * call. The row and its file are made only once the leg starts recording (the answer, or
 * the ringing), so a dial nobody answered leaves no recording behind; `finish` then says
 * how it ended, announces it to `recordingStatusCallback`, and gives the action its
 * RecordingUrl, RecordingSid and RecordingDuration (dialects.md §5.4, §5.5).
 */
export interface DialRecordingPlan {
  readonly request: DialRecording;
  /** After the dial: the recording's parameters for the action (none when nothing was kept). */
  finish(result: DialResult | undefined): Promise<Record<string, string>>;
}

/** The plan for `record`, or undefined when the Dial records nothing (or cannot). */
export function planDialRecording(verb: TwimlNode<'Dial'>, ctx: VerbContext): DialRecordingPlan | undefined {
  const { attrs } = verb;
  if (attrs.record === 'do-not-record') return undefined;
  const warn = (code: number, message: string): void => ctx.timeline.append('warning', { code, message, line: verb.line });
  const recordings = ctx.recordings;
  if (recordings === undefined) {
    warn(13217, `<Dial record="${attrs.record}">: no recording storage is configured on this call; the call is not recorded`);
    return undefined;
  }
  const track = attrs.recordingTrack;
  let channels = requestedChannels(attrs);
  if (track !== 'both' && channels === 'dual') {
    warn(13622, `<Dial recordingTrack="${track}"> records one track: the recording has one channel`);
    channels = 'mono';
  }
  if (attrs.recordingStorageUrl !== undefined) warn(13699, 'recordingStorageUrl is not supported: the recording is kept on this server, nothing is uploaded');
  const count = channels === 'dual' ? 2 : 1;
  let slot: RecordingSlot | undefined;
  const announce = recordingStatusNotifier(
    {
      url: attrs.recordingStatusCallback,
      method: attrs.recordingStatusCallbackMethod,
      events: attrs.recordingStatusCallbackEvent,
      source: 'DialVerb',
      track: attrs.recordingTrack,
    },
    ctx,
    recordings,
    count,
  );
  return {
    request: {
      from: attrs.record.startsWith('record-from-ringing') ? 'ringing' : 'answer',
      channels,
      track,
      trimSilence: attrs.trim === 'trim-silence',
      open: async () => {
        slot = await recordings.begin('DialVerb', count);
        announce(slot, 'in-progress', 0);
        return slot.path;
      },
    },
    async finish(result): Promise<Record<string, string>> {
      if (slot === undefined) return {};
      const recording = result?.recording;
      if (recording === undefined) {
        await recordings.end(slot.sid, { status: 'failed' });
        return {};
      }
      const seconds = Math.round(recording.durationMs / 1000);
      ctx.timeline.append('record', { sid: slot.sid, source: 'DialVerb', durationMs: recording.durationMs, channels: recording.channels ?? count });
      if (recording.durationMs < SHORTEST_MS) {
        await recordings.end(slot.sid, { status: 'absent', errorCode: 16101, durationSeconds: seconds, channels: count });
        announce(slot, 'absent', seconds, 16101);
        return {};
      }
      const duration = Math.max(1, seconds);
      await recordings.end(slot.sid, { status: 'completed', durationSeconds: duration, channels: recording.channels ?? count });
      announce(slot, 'completed', duration);
      return { RecordingUrl: slot.url, RecordingSid: slot.sid, RecordingDuration: String(duration) };
    },
  };
}

/** `-dual` values record two channels; TeXML's `recordingChannels` says it outright. */
function requestedChannels(attrs: DialAttrs): 'mono' | 'dual' {
  if (attrs.recordingChannels !== undefined) return attrs.recordingChannels === 'dual' ? 'dual' : 'mono';
  return attrs.record.endsWith('-dual') ? 'dual' : 'mono';
}

