import type { TwimlNode } from '../../xml/index.js';
import type { RecordResult } from '../call-leg.js';
import type { RecordingSlot } from '../recordings.js';
import { CONTINUE, END, type VerbContext, type VerbOutcome } from '../verb-context.js';
import { recordingStatusNotifier, type RecordingEvent } from './recording-status.js';

/** Twilio drops trimmed recordings shorter than this (16101). */
const SHORTEST_TRIMMED_MS = 1000;


/**
 * `<Record>`: the beep (`playBeep`), then the caller's audio to a WAV file until `timeout`
 * seconds of silence, a `finishOnKey` key, `maxLength` seconds, or the caller hanging up
 * (SEM-R1). Then it requests `action` (default: this document's URL) with RecordingUrl,
 * RecordingSid, RecordingDuration and Digits (the key, or `hangup`); the rest of the
 * document is unreachable (SEM-R2). After a hang-up the action is still requested and its
 * answer is not run (SEM-R6).
 *
 * An empty recording (no voice at all: 16102; under a second once trimmed: 16101) is kept
 * as `absent`, requests no action, and the document goes on with the next verb, as
 * Twilio documents ("if Twilio receives an empty recording, it will not make a request
 * to the action URL"; SEM-R3).
 */
export async function record(verb: TwimlNode<'Record'>, ctx: VerbContext): Promise<VerbOutcome> {
  await ctx.leg.answer();
  const { attrs } = verb;
  warnUnsupported(verb, ctx);
  const recordings = ctx.recordings;
  if (recordings === undefined) throw new Error('<Record> cannot record on this call: no recording storage is configured');

  const channels = attrs.channels === 'dual' ? 2 : 1;
  const slot = await recordings.begin('RecordVerb', channels);
  const notify = recordingStatusNotifier(
    { url: attrs.recordingStatusCallback, method: attrs.recordingStatusCallbackMethod, events: attrs.recordingStatusCallbackEvent, source: 'RecordVerb', mediaUrl: (s) => mediaUrl(verb, s) },
    ctx,
    recordings,
    channels,
  );
  const announce = (event: RecordingEvent, seconds: number, errorCode?: number): void => notify(slot, event, seconds, errorCode);
  announce('in-progress', 0);

  let result: RecordResult;
  try {
    result = await ctx.leg.record({
      maxLengthMs: attrs.maxLength * 1000,
      silenceTimeoutMs: attrs.timeout * 1000,
      finishOnKeys: attrs.finishOnKey,
      playBeep: attrs.playBeep,
      trimSilence: attrs.trim === 'trim-silence',
      channels: channels === 2 ? 'dual' : 'mono',
      path: slot.path,
    });
  } catch (err) {
    // The call ended before anything was recorded (during the beep), or the file failed.
    await recordings.end(slot.sid, { status: 'failed' }).catch(() => undefined);
    throw err;
  }

  const seconds = Math.round(result.durationMs / 1000);
  const hungUp = result.endedBy === 'hangup';
  const silent = (result.voicedMs ?? result.durationMs) === 0;
  const tooShort = !silent && attrs.trim === 'trim-silence' && result.durationMs < SHORTEST_TRIMMED_MS;
  ctx.timeline.append('record', {
    sid: slot.sid,
    durationMs: result.durationMs,
    voicedMs: result.voicedMs ?? null,
    reason: result.reason ?? null,
    endedBy: result.endedBy,
    empty: silent || tooShort,
  });

  if (silent || tooShort) {
    const errorCode = silent ? 16102 : 16101;
    await recordings.end(slot.sid, { status: 'absent', errorCode, durationSeconds: seconds, channels });
    ctx.timeline.append('warning', {
      code: errorCode,
      message: silent ? 'Recording unavailable: recording is silent; no action requested' : 'Recording unavailable: duration too short; no action requested',
    });
    announce('absent', seconds, errorCode);
    return hungUp ? END : CONTINUE;
  }

  const duration = Math.max(1, seconds);
  await recordings.end(slot.sid, { status: 'completed', durationSeconds: duration, channels });
  announce('completed', duration);
  const params: Record<string, string> = { RecordingUrl: mediaUrl(verb, slot), RecordingDuration: String(duration), RecordingSid: slot.sid };
  if (result.endedBy !== '') params.Digits = result.endedBy;
  return {
    type: 'fetch',
    url: ctx.resolve(attrs.action ?? ctx.documentUrl),
    method: attrs.method,
    params,
  };
}

/**
 * RecordingUrl: Twilio's media URL (no extension; WAV when fetched as is), or, when
 * TeXML's `fileFormat="mp3"` asks for MP3, the same URL with `.mp3`, which serves the
 * recording encoded as MP3.
 */
function mediaUrl(verb: TwimlNode<'Record'>, slot: RecordingSlot): string {
  return verb.attrs.fileFormat === 'mp3' ? `${slot.url}.mp3` : slot.url;
}

/** Attributes of other platforms' recording services that this server does not offer. */
function warnUnsupported(verb: TwimlNode<'Record'>, ctx: VerbContext): void {
  const { attrs } = verb;
  const warn = (code: number, message: string): void => ctx.timeline.append('warning', { code, message, line: verb.line });
  if (attrs.transcribe || attrs.transcription) {
    warn(13618, 'Transcription is not available on this server: the recording is kept, no transcription is made and transcribeCallback is not requested');
  }
  if (attrs.storageUrl !== undefined) warn(13699, 'storageUrl is not supported: the recording is kept on this server, nothing is uploaded');
}
