/**
 * SDP offer/answer (RFC 3264) for one audio stream, as pure functions.
 *
 * We speak G.711 (PCMU, PCMA) and RFC 4733 telephone-event at 8 kHz. An offer's other
 * codecs are ignored; other streams (video, T.38, a second audio line) are refused with
 * port 0; when nothing usable is left the answer is a 488 Not Acceptable Here.
 *
 * Payload type numbers belong to whoever receives: the numbers in a description say how
 * its author wants to receive. So an answer reuses the offer's numbers (RFC 3264 §6.1), and
 * after negotiation we send with the remote side's numbers and receive with our own; the
 * two differ only when the remote side answers our offer with other numbers.
 */
import type { CodecName } from '../../media/codec/index.js';
import {
  type AddressType,
  type AudioSection,
  type ConnectionAddress,
  type MediaDirection,
  type OtherSection,
  type RtpFormat,
  type SessionDescription,
  audioSection,
  connectionOf,
  isHoldAddress,
  writeSdp,
} from './session.js';

/** The audio codecs negotiation knows, with their static payload types (RFC 3551). */
export const SDP_CODECS: Readonly<Record<CodecName, { readonly payloadType: number; readonly clockRate: number }>> =
  Object.freeze({
    PCMU: Object.freeze({ payloadType: 0, clockRate: 8000 }),
    PCMA: Object.freeze({ payloadType: 8, clockRate: 8000 }),
  });

const DEFAULT_CODECS: readonly CodecName[] = ['PCMU', 'PCMA'];
const DEFAULT_TELEPHONE_EVENT_PT = 101;
/** DTMF 0–9, *, #, A–D (0–15) and flash (16). */
const DEFAULT_EVENTS = '0-16';
const DEFAULT_PTIME = 20;
const DEFAULT_TRANSPORTS: readonly string[] = ['RTP/AVP', 'RTP/AVPF'];

/** What our side of a call can do, and where it receives. */
export interface LocalMediaCapabilities {
  /** The address our RTP socket receives on (the `c=` line). */
  readonly address: string;
  /** The RTP port; RTCP is on port + 1 unless rtcp-mux is agreed. */
  readonly port: number;
  /** Codecs we accept, in our order of preference; default PCMU, PCMA. */
  readonly codecs?: readonly CodecName[];
  /**
   * RFC 4733 events: the payload type we offer (default 101; in an answer the offer's number
   * is used) and the events we receive (default `0-16`). `false` leaves telephone-event out.
   */
  readonly telephoneEvent?: false | { readonly payloadType?: number; readonly events?: string };
  /** Packetization we want to receive, ms; default 20. */
  readonly ptime?: number;
  /** Our direction: `sendonly` puts the other side on hold (RFC 3264 §8.4); default `sendrecv`. */
  readonly direction?: MediaDirection;
  /** Offer, or accept, RTP and RTCP on one port (RFC 5761); default false. */
  readonly rtcpMux?: boolean;
  /**
   * Whose preference picks the codec when an offer lists several we accept: the offerer's
   * `m=` line order (default, RFC 3264 §6.1) or ours.
   */
  readonly codecPreference?: 'offerer' | 'local';
  /** `m=` protocols we answer; default `RTP/AVP` and `RTP/AVPF`. */
  readonly transports?: readonly string[];
  /**
   * The `o=` session id of the first description we send in a session (decimal digits).
   * Later descriptions take id and version from the previous one we sent.
   */
  readonly sessionId: string;
  /** The `o=` username; default `-`. */
  readonly username?: string;
  /** The `s=` line; default `-`. */
  readonly sessionName?: string;
}

/** What offer/answer agreed for the audio stream, from our point of view. */
export interface NegotiatedAudio {
  readonly codec: CodecName;
  readonly clockRate: number;
  /** The payload type to send the codec with (the remote side's number). */
  readonly payloadType: number;
  /** The payload type the codec arrives with (our number). */
  readonly receivePayloadType: number;
  /** The payload type to send telephone-event with; absent when not agreed. */
  readonly telephoneEvent?: number;
  /** The payload type telephone-event arrives with. */
  readonly receiveTelephoneEvent?: number;
  /** What we may do: `sendonly` = don't expect media, `recvonly` = don't send, `inactive` = neither. */
  readonly direction: MediaDirection;
  /** Where to send RTP. */
  readonly remote: { readonly address: string; readonly port: number };
  /** Where to send RTCP; absent when rtcp-mux is agreed. */
  readonly remoteRtcp?: { readonly address: string; readonly port: number };
  readonly rtcpMux: boolean;
  /** Packetization to send with, ms: the remote side's `a=ptime`, default 20. */
  readonly ptime: number;
}

/**
 * Why an offer or answer could not be used.
 * - `no-audio`: no audio stream, or its port is 0.
 * - `unsupported-transport`: the audio stream is not plain RTP (SRTP, DTLS…).
 * - `no-common-codec`: none of the stream's codecs is one we accept.
 * - `answer-mismatch`: an answer whose `m=` lines do not line up with the offer's.
 * - `audio-rejected`: an answer that refused our audio stream (port 0).
 */
export type NegotiationFailureReason =
  | 'no-audio'
  | 'unsupported-transport'
  | 'no-common-codec'
  | 'answer-mismatch'
  | 'audio-rejected';

/** A SIP Warning (RFC 3261 §20.43) to send with a 488: 302, 304 or 305. */
export interface MediaWarning {
  readonly code: 302 | 304 | 305;
  readonly text: string;
}

export type AnswerResult =
  | { readonly ok: true; readonly answer: SessionDescription; readonly selected: NegotiatedAudio }
  | {
      readonly ok: false;
      readonly status: 488;
      readonly reason: NegotiationFailureReason;
      readonly detail: string;
      readonly warning: MediaWarning;
    };

export type AcceptResult =
  | { readonly ok: true; readonly selected: NegotiatedAudio }
  | { readonly ok: false; readonly reason: NegotiationFailureReason; readonly detail: string };

// ───────────────────────────── directions ─────────────────────────────

const sends = (d: MediaDirection): boolean => d === 'sendrecv' || d === 'sendonly';
const receives = (d: MediaDirection): boolean => d === 'sendrecv' || d === 'recvonly';

function direction(send: boolean, recv: boolean): MediaDirection {
  return send ? (recv ? 'sendrecv' : 'sendonly') : recv ? 'recvonly' : 'inactive';
}

/**
 * The direction of a description as its author means it: `a=` direction, narrowed by the
 * RFC 2543 hold address (`c=0.0.0.0` means "do not send to me").
 */
function effectiveDirection(desc: SessionDescription): MediaDirection {
  const d = desc.audio.direction;
  const conn = connectionOf(desc);
  return conn !== undefined && isHoldAddress(conn.address) ? direction(sends(d), false) : d;
}

/** The direction to offer to put a stream on hold (RFC 3264 §8.4). */
export function directionForHold(current: MediaDirection): MediaDirection {
  // sendrecv → sendonly, recvonly → inactive; sendonly and inactive stay.
  return direction(sends(current), false);
}

/** The direction to offer to take a stream off hold: what {@link directionForHold} took away. */
export function directionForResume(current: MediaDirection): MediaDirection {
  return current === 'sendonly' ? 'sendrecv' : current === 'inactive' ? 'recvonly' : current;
}

export interface HoldState {
  /** True when the author of the description holds the other side (will not receive media). */
  readonly held: boolean;
  /** How: `a=sendonly`, `a=inactive`, or the RFC 2543 `c=0.0.0.0`. */
  readonly how?: 'sendonly' | 'inactive' | 'zero-address';
}

/**
 * Whether a description puts the other side on hold: `a=sendonly`, `a=inactive`, or a
 * `0.0.0.0` connection address (RFC 3264 §8.4, RFC 2543). A re-INVITE whose offer says so
 * holds us; one that says not any more resumes.
 */
export function holdState(desc: SessionDescription): HoldState {
  const conn = connectionOf(desc);
  if (conn !== undefined && isHoldAddress(conn.address)) return { held: true, how: 'zero-address' };
  const d = desc.audio.direction;
  if (d === 'sendonly' || d === 'inactive') return { held: true, how: d };
  return { held: false };
}

// ───────────────────────────── versions ─────────────────────────────

/** The same description with `o=` sess-version incremented. */
export function nextVersion(desc: SessionDescription): SessionDescription {
  return { ...desc, origin: { ...desc.origin, sessionVersion: desc.origin.sessionVersion + 1n } };
}

/**
 * Give a new description of ours the origin of the previous one we sent: same id, version
 * one up when anything changed, the same version when nothing did (RFC 3264 §8).
 */
function followPrevious(draft: SessionDescription, previous: SessionDescription | undefined): SessionDescription {
  if (previous === undefined) return draft;
  const same = { ...draft, origin: previous.origin };
  return writeSdp(same) === writeSdp(previous) ? same : nextVersion(same);
}

// ───────────────────────────── building ─────────────────────────────

const addressTypeOf = (address: string): AddressType => (address.includes(':') ? 'IP6' : 'IP4');

function localConnection(local: LocalMediaCapabilities): ConnectionAddress {
  return { addressType: addressTypeOf(local.address), address: local.address };
}

function newDescription(
  local: LocalMediaCapabilities,
  audio: AudioSection,
  otherMedia: readonly OtherSection[],
): SessionDescription {
  const conn = localConnection(local);
  return {
    origin: {
      username: local.username ?? '-',
      sessionId: local.sessionId,
      sessionVersion: 1n,
      addressType: conn.addressType,
      address: conn.address,
    },
    sessionName: local.sessionName ?? '-',
    connection: conn,
    audio,
    otherMedia,
  };
}

function codecFormat(codec: CodecName, payloadType: number): RtpFormat {
  return { payloadType, encoding: codec, clockRate: SDP_CODECS[codec].clockRate };
}

function eventFormat(payloadType: number, events: string): RtpFormat {
  return { payloadType, encoding: 'telephone-event', clockRate: 8000, fmtp: events };
}

/** `m=` lines an answer or a re-offer keeps but refuses: same type, protocol and formats, port 0. */
function refused(s: OtherSection): OtherSection {
  return { position: s.position, type: s.type, port: 0, protocol: s.protocol, formats: s.formats };
}

/**
 * Our offer. With `previous` (the last description we sent in this session) it is a
 * re-offer (RFC 3264 §8): same `o=` id and `m=` line layout, version incremented when
 * anything changed, telephone-event kept on the number it had.
 */
export function createOffer(local: LocalMediaCapabilities, previous?: SessionDescription): SessionDescription {
  const codecs = local.codecs ?? DEFAULT_CODECS;
  const formats: RtpFormat[] = codecs.map((c) => codecFormat(c, SDP_CODECS[c].payloadType));
  if (local.telephoneEvent !== false) {
    const pt =
      previous?.audio.telephoneEvent?.payloadType ?? local.telephoneEvent?.payloadType ?? DEFAULT_TELEPHONE_EVENT_PT;
    formats.push(eventFormat(pt, local.telephoneEvent?.events ?? DEFAULT_EVENTS));
  }
  const audio = audioSection({
    position: previous?.audio.position ?? 0,
    port: local.port,
    protocol: previous?.audio.protocol ?? 'RTP/AVP',
    formats,
    direction: local.direction ?? 'sendrecv',
    ptime: local.ptime ?? DEFAULT_PTIME,
    rtcpMux: local.rtcpMux ?? false,
  });
  const draft = newDescription(local, audio, previous?.otherMedia.map(refused) ?? []);
  return followPrevious(draft, previous);
}

function matchesCodec(f: RtpFormat, codec: CodecName): boolean {
  return (
    f.encoding !== undefined &&
    f.encoding.toUpperCase() === codec &&
    f.clockRate === SDP_CODECS[codec].clockRate &&
    (f.channels === undefined || f.channels === 1)
  );
}

function codecOf(f: RtpFormat, accepted: readonly CodecName[]): CodecName | undefined {
  for (const c of accepted) if (matchesCodec(f, c)) return c;
  return undefined;
}

/** The 8 kHz telephone-event format of a section, if any. */
function eventOf(formats: readonly RtpFormat[]): RtpFormat | undefined {
  return formats.find((f) => f.encoding?.toLowerCase() === 'telephone-event' && f.clockRate === 8000);
}

function remoteEndpoints(
  desc: SessionDescription,
  rtcpMux: boolean,
): Pick<NegotiatedAudio, 'remote' | 'remoteRtcp'> {
  const address = connectionOf(desc)?.address ?? '0.0.0.0';
  const port = desc.audio.port;
  const remote = { address, port };
  if (rtcpMux) return { remote };
  const rtcp = desc.audio.rtcp;
  return {
    remote,
    remoteRtcp: { address: rtcp?.connection?.address ?? address, port: rtcp?.port ?? port + 1 },
  };
}

function failAnswer(reason: NegotiationFailureReason, detail: string, warning: MediaWarning): AnswerResult {
  return { ok: false, status: 488, reason, detail, warning };
}

/**
 * Answer an offer (RFC 3264 §6). The answer has the offer's `m=` lines in the same order;
 * the audio stream carries the one codec chosen (first in the offerer's order that we accept,
 * or first in ours with `codecPreference: 'local'`) on the offer's payload type, plus
 * telephone-event on the offer's number when both sides have it; every other stream is
 * refused with port 0. The direction mirrors the offer's (`sendonly` → `recvonly`,
 * `inactive` → `inactive`, `c=0.0.0.0` → we do not send), narrowed by ours.
 *
 * `previous` is the last description we sent in this session (for a re-INVITE): the
 * answer keeps its `o=` id and increments the version when anything changed.
 */
export function answerOffer(
  offer: SessionDescription,
  local: LocalMediaCapabilities,
  previous?: SessionDescription,
): AnswerResult {
  const audio = offer.audio;
  if (audio.port === 0) {
    return failAnswer('no-audio', 'the offer has no active audio stream', { code: 304, text: 'Media type not available' });
  }
  const transports = local.transports ?? DEFAULT_TRANSPORTS;
  if (!transports.some((t) => t.toUpperCase() === audio.protocol.toUpperCase())) {
    return failAnswer('unsupported-transport', `audio over ${audio.protocol} is not supported`, {
      code: 302,
      text: 'Incompatible transport protocol',
    });
  }
  const accepted = local.codecs ?? DEFAULT_CODECS;
  let chosen: { format: RtpFormat; codec: CodecName } | undefined;
  if (local.codecPreference === 'local') {
    for (const codec of accepted) {
      const format = audio.formats.find((f) => matchesCodec(f, codec));
      if (format !== undefined) {
        chosen = { format, codec };
        break;
      }
    }
  } else {
    for (const format of audio.formats) {
      const codec = codecOf(format, accepted);
      if (codec !== undefined) {
        chosen = { format, codec };
        break;
      }
    }
  }
  if (chosen === undefined) {
    const offered = audio.formats.map((f) => f.encoding ?? String(f.payloadType)).join(', ');
    return failAnswer('no-common-codec', `none of the offered codecs (${offered}) is accepted`, {
      code: 305,
      text: 'Incompatible media format',
    });
  }
  const localEvent = local.telephoneEvent === false ? undefined : (local.telephoneEvent ?? {});
  const offeredEvent = localEvent === undefined ? undefined : eventOf(audio.formats);

  const offerDir = effectiveDirection(offer);
  const ours = local.direction ?? 'sendrecv';
  const answerDir = direction(receives(offerDir) && sends(ours), sends(offerDir) && receives(ours));
  const rtcpMux = audio.rtcpMux && (local.rtcpMux ?? false);

  const formats: RtpFormat[] = [codecFormat(chosen.codec, chosen.format.payloadType)];
  if (offeredEvent !== undefined) {
    formats.push(eventFormat(offeredEvent.payloadType, localEvent?.events ?? DEFAULT_EVENTS));
  }
  const answerAudio = audioSection({
    position: audio.position,
    port: local.port,
    protocol: audio.protocol,
    formats,
    direction: answerDir,
    ptime: local.ptime ?? DEFAULT_PTIME,
    rtcpMux,
  });
  const answer = followPrevious(newDescription(local, answerAudio, offer.otherMedia.map(refused)), previous);

  const selected: NegotiatedAudio = {
    codec: chosen.codec,
    clockRate: SDP_CODECS[chosen.codec].clockRate,
    payloadType: chosen.format.payloadType,
    receivePayloadType: chosen.format.payloadType,
    ...(offeredEvent === undefined
      ? {}
      : { telephoneEvent: offeredEvent.payloadType, receiveTelephoneEvent: offeredEvent.payloadType }),
    direction: answerDir,
    ...remoteEndpoints(offer, rtcpMux),
    rtcpMux,
    ptime: audio.ptime ?? DEFAULT_PTIME,
  };
  return { ok: true, answer, selected };
}

/**
 * Take the answer to our offer (RFC 3264 §7): it must have our `m=` lines in our order, keep
 * the audio stream (port ≠ 0) and pick at least one codec we offered. We send with the
 * answer's payload types and receive with our offer's. The first codec of the answer that we
 * offered is used.
 */
export function acceptAnswer(offer: SessionDescription, answer: SessionDescription): AcceptResult {
  const offered = offer.otherMedia.length + 1;
  const answered = answer.otherMedia.length + 1;
  if (offered !== answered || answer.audio.position !== offer.audio.position) {
    return {
      ok: false,
      reason: 'answer-mismatch',
      detail: `the answer has ${answered} m= lines with audio at ${answer.audio.position}; the offer had ${offered} with audio at ${offer.audio.position}`,
    };
  }
  if (answer.audio.port === 0) return { ok: false, reason: 'audio-rejected', detail: 'the answer refused the audio stream' };

  let chosen: { send: RtpFormat; receive: RtpFormat; codec: CodecName } | undefined;
  const offeredCodecs = (Object.keys(SDP_CODECS) as CodecName[]).filter((c) =>
    offer.audio.formats.some((f) => matchesCodec(f, c)),
  );
  for (const format of answer.audio.formats) {
    const codec = codecOf(format, offeredCodecs);
    if (codec === undefined) continue;
    const receive = offer.audio.formats.find((f) => matchesCodec(f, codec));
    if (receive !== undefined) {
      chosen = { send: format, receive, codec };
      break;
    }
  }
  if (chosen === undefined) {
    return { ok: false, reason: 'no-common-codec', detail: 'the answer holds no codec of the offer' };
  }
  const sendEvent = eventOf(answer.audio.formats);
  const receiveEvent = eventOf(offer.audio.formats);
  const events =
    sendEvent !== undefined && receiveEvent !== undefined
      ? { telephoneEvent: sendEvent.payloadType, receiveTelephoneEvent: receiveEvent.payloadType }
      : {};

  const ours = effectiveDirection(offer);
  const theirs = effectiveDirection(answer);
  const rtcpMux = offer.audio.rtcpMux && answer.audio.rtcpMux;
  return {
    ok: true,
    selected: {
      codec: chosen.codec,
      clockRate: SDP_CODECS[chosen.codec].clockRate,
      payloadType: chosen.send.payloadType,
      receivePayloadType: chosen.receive.payloadType,
      ...events,
      direction: direction(sends(ours) && receives(theirs), receives(ours) && sends(theirs)),
      ...remoteEndpoints(answer, rtcpMux),
      rtcpMux,
      ptime: answer.audio.ptime ?? DEFAULT_PTIME,
    },
  };
}
