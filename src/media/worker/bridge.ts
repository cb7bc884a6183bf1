/**
 * A bridge joins two legs of one worker: each tick, the frame one leg received
 * (after its jitter buffer) becomes the other's outbound audio. Between legs
 * of the same codec the payload bytes pass through untouched; PCMU↔PCMA is
 * converted code word by code word through a 256-entry table, so a bridge
 * never decodes to PCM. A frame lost on the way in is concealed by repeating
 * the previous one once, then by silence.
 *
 * RFC 4733 and SIP INFO digits received on one leg are re-sent to the other
 * (`relayDigits`): the telephone-event packets themselves are not forwarded
 * (the two legs have their own SSRC, sequence and clock), and in-band digits
 * already travel in the audio.
 */
import { alawToUlaw, ulawToAlaw, ALAW_SILENCE, ULAW_SILENCE } from '../codec/g711.js';
import type { CodecName } from '../codec/index.js';
import type { DtmfDigit } from '../dtmf/digit.js';
import type { DigitSource } from '../protocol.js';

/** Nothing received this tick. */
export const RX_NONE = 0;
/** `payload` holds this tick's frame. */
export const RX_FRAME = 1;
/** The frame due this tick was lost; `payload` still holds the previous one. */
export const RX_LOST = 2;

/** The frame a leg received this tick, as the bridge reads it. */
export interface ReceivedFrame {
  state: number;
  /** Consecutive lost frames up to this tick. */
  lostRun: number;
  /** The payload (one 20 ms frame of the leg's codec). */
  readonly payload: Uint8Array;
}

/** What a leg offers a bridge. */
export interface BridgeEnd {
  readonly legId: string;
  /** The codec of what this leg receives and sends. */
  readonly codecName: CodecName;
  /** This tick's received frame (valid during the send pass of the tick). */
  readonly rxFrame: ReceivedFrame;
  /** Called by the bridge when it is attached or detached. */
  attachBridge(bridge: Bridge | null): void;
  /** Sends a digit to this leg's remote (RFC 4733 or in-band). */
  relayDigit(digit: DtmfDigit, durationMs: number): void;
}

/** Writes `length` bytes of `src` (codec `from`) into `dst` as codec `to`. */
export function convertPayload(from: CodecName, src: Uint8Array, to: CodecName, dst: Uint8Array, length: number): void {
  if (from === to) {
    for (let i = 0; i < length; i++) dst[i] = src[i]!;
  } else if (from === 'PCMU') {
    for (let i = 0; i < length; i++) dst[i] = ulawToAlaw(src[i]!);
  } else {
    for (let i = 0; i < length; i++) dst[i] = alawToUlaw(src[i]!);
  }
}

export function silenceByte(codec: CodecName): number {
  return codec === 'PCMU' ? ULAW_SILENCE : ALAW_SILENCE;
}

/** The token that lets a bridge join a leg to itself; never exported. */
const LOOP: unique symbol = Symbol('loop');

export class Bridge {
  readonly a: BridgeEnd;
  readonly b: BridgeEnd;
  readonly relayDigits: boolean;
  #open = true;

  /**
   * A leg bridged to itself (`<Echo>`): each tick it sends the frame it received, so the
   * caller hears themselves one jitter buffer and a tick late. Digits are not looped back.
   */
  static echo(end: BridgeEnd): Bridge {
    return new Bridge(end, end, false, LOOP);
  }

  /** `loop` (only `Bridge.echo` holds it) lets `a` and `b` be one leg. */
  constructor(a: BridgeEnd, b: BridgeEnd, relayDigits = true, loop?: typeof LOOP) {
    if (a === b && loop !== LOOP) throw new RangeError('a leg cannot be bridged to itself; Bridge.echo loops one back');
    this.a = a;
    this.b = b;
    this.relayDigits = relayDigits;
    a.attachBridge(this);
    b.attachBridge(this);
  }

  get open(): boolean {
    return this.#open;
  }

  peerOf(end: BridgeEnd): BridgeEnd {
    return end === this.a ? this.b : this.a;
  }

  /**
   * Writes into `dst` the frame `to` sends this tick: what its peer received,
   * converted to `to`'s codec. Returns false when the peer had nothing (the
   * caller sends its own silence).
   */
  fill(to: BridgeEnd, dst: Uint8Array, length: number): boolean {
    const from = to === this.a ? this.b : this.a;
    const frame = from.rxFrame;
    if (frame.state === RX_FRAME || (frame.state === RX_LOST && frame.lostRun === 1)) {
      convertPayload(from.codecName, frame.payload, to.codecName, dst, length);
      return true;
    }
    if (frame.state === RX_LOST) {
      dst.fill(silenceByte(to.codecName), 0, length);
      return true;
    }
    return false;
  }

  /** A digit `from` received; relayed to the peer when enabled (not in-band ones). */
  onDigit(from: BridgeEnd, digit: DtmfDigit, source: DigitSource, durationMs: number): void {
    if (!this.#open || !this.relayDigits || source === 'inband') return;
    this.peerOf(from).relayDigit(digit, durationMs);
  }

  /** Separates the legs; each goes back to its own audio. */
  detach(): void {
    if (!this.#open) return;
    this.#open = false;
    this.a.attachBridge(null);
    this.b.attachBridge(null);
  }

  describe(): string {
    if (this.a === this.b) return `echo(${this.a.legId})`;
    const mode = this.a.codecName === this.b.codecName ? 'pass-through' : `${this.a.codecName}<->${this.b.codecName}`;
    return `bridge(${this.a.legId} <-> ${this.b.legId}, ${mode})`;
  }
}
