/**
 * Twilio's Media Streams messages (twilio.com/docs/voice/media-streams/websocket-messages),
 * as text to send and as parsed input: pure functions, no socket.
 *
 * Sent: `connected` first, then `start`, `media` (one per track per 20 ms),
 * `dtmf`, `mark` (the answer to the application's mark), `stop`. Every message
 * but `connected` carries `sequenceNumber`, a string counting from "1", and
 * `streamSid`. Received (bidirectional streams): `media` with a base64 µ-law
 * payload, `mark` with a name, `clear`. Other events are ignored, as Twilio does.
 *
 * The per-frame `media` message is written as a template: its fields are our own
 * SIDs, numbers and base64, none of which JSON escapes.
 */

export type StreamTrackName = 'inbound' | 'outbound';

export interface StartFacts {
  readonly accountSid: string;
  readonly callSid: string;
  readonly customParameters: Readonly<Record<string, string>>;
}

/** The `mediaFormat` of every stream: 8 kHz mono µ-law, whatever the call's codec. */
const MEDIA_FORMAT = Object.freeze({ encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 });

export function connectedMessage(): string {
  return '{"event":"connected","protocol":"Call","version":"1.0.0"}';
}

export function startMessage(sequence: number, streamSid: string, facts: StartFacts, tracks: readonly StreamTrackName[]): string {
  return JSON.stringify({
    event: 'start',
    sequenceNumber: String(sequence),
    start: {
      accountSid: facts.accountSid,
      streamSid,
      callSid: facts.callSid,
      tracks,
      customParameters: facts.customParameters,
      mediaFormat: MEDIA_FORMAT,
    },
    streamSid,
  });
}

/** One 20 ms frame: `chunk` counts the track's frames from 1; `timestampMs` is since the stream started. */
export function mediaMessage(
  sequence: number,
  streamSid: string,
  track: StreamTrackName,
  chunk: number,
  timestampMs: number,
  payloadBase64: string,
): string {
  return (
    `{"event":"media","sequenceNumber":"${sequence}","media":{"track":"${track}","chunk":"${chunk}",` +
    `"timestamp":"${timestampMs}","payload":"${payloadBase64}"},"streamSid":"${streamSid}"}`
  );
}

export function dtmfMessage(sequence: number, streamSid: string, digit: string): string {
  return JSON.stringify({ event: 'dtmf', streamSid, sequenceNumber: String(sequence), dtmf: { track: 'inbound_track', digit } });
}

export function markMessage(sequence: number, streamSid: string, name: string): string {
  return JSON.stringify({ event: 'mark', sequenceNumber: String(sequence), streamSid, mark: { name } });
}

export function stopMessage(sequence: number, streamSid: string, facts: Pick<StartFacts, 'accountSid' | 'callSid'>): string {
  return JSON.stringify({
    event: 'stop',
    sequenceNumber: String(sequence),
    stop: { accountSid: facts.accountSid, callSid: facts.callSid },
    streamSid,
  });
}

/** What the application may send on a bidirectional stream. */
export type InboundMessage =
  | { readonly kind: 'media'; readonly ulaw: Uint8Array }
  | { readonly kind: 'mark'; readonly name: string }
  | { readonly kind: 'clear' }
  /** Valid JSON with an event we do not act on. */
  | { readonly kind: 'ignored'; readonly event: string }
  | { readonly kind: 'invalid'; readonly reason: string };

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Reads one text message from the application; never throws. */
export function parseInbound(text: string): InboundMessage {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return { kind: 'invalid', reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null) return { kind: 'invalid', reason: 'not a JSON object' };
  const message = value as Record<string, unknown>;
  const event = message['event'];
  if (typeof event !== 'string') return { kind: 'invalid', reason: 'no event' };
  switch (event) {
    case 'media': {
      const media = message['media'];
      const payload = typeof media === 'object' && media !== null ? (media as Record<string, unknown>)['payload'] : undefined;
      if (typeof payload !== 'string') return { kind: 'invalid', reason: 'media without media.payload' };
      if (payload.length % 4 !== 0 || !BASE64.test(payload)) return { kind: 'invalid', reason: 'media.payload is not base64' };
      const bytes = Buffer.from(payload, 'base64');
      return { kind: 'media', ulaw: new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length) };
    }
    case 'mark': {
      const mark = message['mark'];
      const name = typeof mark === 'object' && mark !== null ? (mark as Record<string, unknown>)['name'] : undefined;
      if (typeof name !== 'string') return { kind: 'invalid', reason: 'mark without mark.name' };
      return { kind: 'mark', name };
    }
    case 'clear':
      return { kind: 'clear' };
    default:
      return { kind: 'ignored', event };
  }
}
