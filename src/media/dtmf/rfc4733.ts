/**
 * DTMF as RTP telephone-events (RFC 4733 §2.3, §2.5).
 *
 * Payload, 4 bytes:  event (8) | E (1) R (1) volume (6) | duration (16)
 *
 * The sender is a state machine stepped once per packetization interval by
 * the leg's tick. Every packet of one event carries the event's start
 * timestamp; the first one carries the marker bit; the duration grows by one
 * interval per packet; the final packet (E bit set) is sent three times, on
 * three consecutive ticks, so one or two losses do not lose the end.
 *
 * The receiver turns such a packet stream (lost, duplicated, reordered) into
 * digits, each reported exactly once: packets with the timestamp of an event
 * already reported are dropped; an event whose end packets were all lost is
 * reported when the next event begins or after a timeout.
 */
import type { RtpPacketView } from '../rtp/packet.js';
import { tsNewer } from '../rtp/sequence.js';
import {
  type DtmfDigit,
  type DtmfDigitEvent,
  type DtmfEndCause,
  dtmfDigitOf,
  dtmfEventCode,
  isDtmfDigit,
} from './digit.js';

/** Bytes in one telephone-event payload. */
export const TELEPHONE_EVENT_SIZE = 4;
/** Largest duration field value. */
const MAX_DURATION = 0xffff;

/** Writes a telephone-event payload at `offset`. */
export function writeTelephoneEvent(
  dst: Uint8Array,
  offset: number,
  event: number,
  end: boolean,
  volume: number,
  duration: number,
): void {
  dst[offset] = event & 0xff;
  dst[offset + 1] = (end ? 0x80 : 0) | (volume & 0x3f);
  dst[offset + 2] = (duration >>> 8) & 0xff;
  dst[offset + 3] = duration & 0xff;
}

/**
 * The stream's media clock: the RTP timestamp of the current tick
 * (`RtpSender` is one). Passed as an object so that a timestamp above 2^31 is
 * read where it is used instead of being boxed into a call argument.
 */
export interface MediaClock {
  readonly timestamp: number;
}

/** One packet for the leg to send instead of an audio frame; owned and reused by the sender. */
export interface TelephoneEventPacket {
  payloadType: number;
  marker: boolean;
  /** RTP timestamp: the event's start, the same for all its packets. */
  timestamp: number;
  /** The 4-byte payload (a reused buffer). */
  readonly payload: Uint8Array;
  /** Decoded fields of `payload`, for logs and tests. */
  event: number;
  end: boolean;
  duration: number;
}

export interface DtmfSenderOptions {
  /** Negotiated telephone-event payload type (dynamic, often 101). */
  payloadType: number;
  /** telephone-event clock rate, Hz (default 8000). */
  clockRate?: number;
  /** Tick interval, ms (default 20). */
  ptimeMs?: number;
  /** Power level in -dBm0, 0–63 (default 10). */
  volume?: number;
  /** Times the final packet is sent (default 3, RFC 4733 §2.5.1.4). */
  endPackets?: number;
}

type SenderState = 'idle' | 'tone' | 'end' | 'gap';

interface QueuedDigit {
  readonly code: number;
  readonly samples: number;
  readonly gapTicks: number;
}

/**
 * Sends queued digits as telephone-events, one packet per {@link step}.
 * Queueing allocates; stepping does not.
 */
export class DtmfSender {
  readonly payloadType: number;
  readonly clockRate: number;
  readonly ptimeMs: number;
  readonly #tickSamples: number;
  readonly #volume: number;
  readonly #endPackets: number;
  readonly #queue: QueuedDigit[] = [];
  #head = 0;

  #state: SenderState = 'idle';
  #code = 0;
  #eventTimestamp = 0;
  #totalSamples = 0;
  #elapsed = 0;
  #endsSent = 0;
  #gapLeft = 0;
  #gapTicks = 0;

  constructor(options: DtmfSenderOptions) {
    this.payloadType = options.payloadType;
    this.clockRate = options.clockRate ?? 8000;
    this.ptimeMs = options.ptimeMs ?? 20;
    this.#tickSamples = Math.round((this.clockRate * this.ptimeMs) / 1000);
    this.#volume = Math.max(0, Math.min(63, Math.round(options.volume ?? 10)));
    this.#endPackets = Math.max(1, options.endPackets ?? 3);
  }

  /**
   * Queues digits, each sounding `durationMs` (clamped to 40 ms .. 8 s) and
   * followed by at least `gapMs` without events (audio resumes then).
   * Throws RangeError on a character that is not a DTMF digit.
   */
  send(digits: string, durationMs = 100, gapMs = 60): void {
    for (const ch of digits) {
      if (!isDtmfDigit(ch)) throw new RangeError(`not a DTMF digit: ${JSON.stringify(ch)}`);
    }
    const minSamples = Math.round((40 * this.clockRate) / 1000);
    const samples = Math.min(MAX_DURATION, Math.max(minSamples, Math.round((durationMs * this.clockRate) / 1000)));
    const gapTicks = Math.max(0, Math.ceil(gapMs / this.ptimeMs));
    if (this.#head > 0 && this.#head === this.#queue.length) {
      this.#queue.length = 0;
      this.#head = 0;
    }
    for (const ch of digits) this.#queue.push({ code: dtmfEventCode(ch as DtmfDigit), samples, gapTicks });
  }

  /** True while digits are queued or an event (or its trailing gap) is in progress. */
  get busy(): boolean {
    return this.#state !== 'idle' || this.#head < this.#queue.length;
  }

  /** Drops queued digits; an event in progress still ends properly (its end packets are sent). */
  clear(): void {
    this.#queue.length = 0;
    this.#head = 0;
    if (this.#state === 'tone') {
      this.#totalSamples = Math.max(this.#elapsed, 1);
    }
    if (this.#state === 'gap') this.#state = 'idle';
  }

  /**
   * One tick. `clock` is the stream's media clock (the leg's `RtpSender`):
   * its timestamp for this tick starts a new event. Returns true when this
   * tick carries a telephone-event, written into `out`; false when the tick
   * is audio.
   */
  step(clock: MediaClock, out: TelephoneEventPacket): boolean {
    switch (this.#state) {
      case 'gap':
        if (--this.#gapLeft > 0) return false;
        this.#state = 'idle';
        return this.#startNext(clock, out);
      case 'idle':
        return this.#startNext(clock, out);
      case 'tone':
        this.#elapsed += this.#tickSamples;
        if (this.#elapsed >= this.#totalSamples) {
          this.#state = 'end';
          this.#endsSent = 1;
          this.#emit(out, false, true, this.#totalSamples);
          this.#afterEnd();
        } else {
          this.#emit(out, false, false, this.#elapsed);
        }
        return true;
      case 'end':
        this.#endsSent++;
        this.#emit(out, false, true, this.#totalSamples);
        this.#afterEnd();
        return true;
    }
  }

  describe(): string {
    return `telephone-event/${this.clockRate}(send, pt ${this.payloadType})`;
  }

  #startNext(clock: MediaClock, out: TelephoneEventPacket): boolean {
    if (this.#head >= this.#queue.length) return false;
    const next = this.#queue[this.#head++]!;
    this.#code = next.code;
    this.#totalSamples = next.samples;
    this.#gapTicks = next.gapTicks;
    this.#eventTimestamp = clock.timestamp >>> 0;
    this.#elapsed = this.#tickSamples;
    if (this.#elapsed >= this.#totalSamples) {
      this.#state = 'end';
      this.#endsSent = 1;
      this.#emit(out, true, true, this.#totalSamples);
      this.#afterEnd();
    } else {
      this.#state = 'tone';
      this.#emit(out, true, false, this.#elapsed);
    }
    return true;
  }

  #afterEnd(): void {
    if (this.#endsSent < this.#endPackets) return;
    if (this.#gapTicks > 0) {
      this.#state = 'gap';
      this.#gapLeft = this.#gapTicks + 1; // decremented on the first gap tick
    } else {
      this.#state = 'idle';
    }
  }

  #emit(out: TelephoneEventPacket, marker: boolean, end: boolean, duration: number): void {
    out.payloadType = this.payloadType;
    out.marker = marker;
    out.timestamp = this.#eventTimestamp;
    out.event = this.#code;
    out.end = end;
    out.duration = duration;
    writeTelephoneEvent(out.payload, 0, this.#code, end, this.#volume, duration);
  }
}

/** A reusable packet for {@link DtmfSender.step}. */
export function createTelephoneEventPacket(): TelephoneEventPacket {
  return {
    payloadType: 0,
    marker: false,
    timestamp: 0,
    payload: new Uint8Array(TELEPHONE_EVENT_SIZE),
    event: 0,
    end: false,
    duration: 0,
  };
}

export interface DtmfReceiverOptions {
  /** Called once per digit, when it is over. */
  onDigit: (event: DtmfDigitEvent) => void;
  /** telephone-event clock rate, Hz (default 8000). */
  clockRate?: number;
  /** An event with no packet for this long is over (its end packets were lost); default 500 ms. */
  endTimeoutMs?: number;
  /**
   * How long an ended event's timestamp is remembered to drop its late and
   * redundant packets; after that, with no event packets in between, any
   * timestamp starts a new event (a sender that restarted its clock). Default 2000 ms.
   */
  memoryMs?: number;
}

/** Counters of a {@link DtmfReceiver}. */
export interface DtmfReceiverStats {
  /** Packets pushed. */
  packets: number;
  /** Packets of an event already reported or older than the current one. */
  stale: number;
  /** Packets too short or carrying a non-DTMF event. */
  ignored: number;
  /** Digits reported. */
  digits: number;
}

/**
 * Turns received telephone-event packets into digits. Time comes in with each
 * call; {@link poll} must be called now and then (each tick is fine) so an
 * event whose end packets were all lost is reported after the timeout.
 */
export class DtmfReceiver {
  readonly clockRate: number;
  readonly stats: DtmfReceiverStats = { packets: 0, stale: 0, ignored: 0, digits: 0 };
  readonly #onDigit: (event: DtmfDigitEvent) => void;
  readonly #endTimeoutMs: number;
  readonly #memoryMs: number;

  #active = false;
  #timestamp = 0;
  #code = 0;
  #duration = 0;
  #volume = 0;
  #lastPacketMs = 0;

  #haveDone = false;
  #doneTimestamp = 0;
  #doneAtMs = 0;

  constructor(options: DtmfReceiverOptions) {
    this.#onDigit = options.onDigit;
    this.clockRate = options.clockRate ?? 8000;
    this.#endTimeoutMs = options.endTimeoutMs ?? 500;
    this.#memoryMs = options.memoryMs ?? 2000;
  }

  /** Feeds the payload of one telephone-event packet with its RTP timestamp. */
  push(payload: Uint8Array, timestamp: number, nowMs: number): void {
    this.#push(payload, 0, payload.length, timestamp, nowMs);
  }

  /** Feeds a parsed RTP packet (its payload is read in place, nothing is allocated). */
  pushRtp(view: RtpPacketView, nowMs: number): void {
    this.#push(view.buf, view.payloadOffset, view.payloadLength, view.timestamp, nowMs);
  }

  /** Reports an event whose end was lost once the timeout has passed. */
  poll(nowMs: number): void {
    if (this.#active && nowMs - this.#lastPacketMs >= this.#endTimeoutMs) this.#finish('timeout', nowMs);
  }

  /** True while an event has started and not yet been reported. */
  get inProgress(): boolean {
    return this.#active;
  }

  /** Forgets everything (new SSRC, re-INVITE); an event in progress is dropped unreported. */
  reset(): void {
    this.#active = false;
    this.#haveDone = false;
  }

  describe(): string {
    return `telephone-event/${this.clockRate}(receive)`;
  }

  #push(b: Uint8Array, offset: number, length: number, timestamp: number, nowMs: number): void {
    this.stats.packets++;
    this.poll(nowMs);
    if (length < TELEPHONE_EVENT_SIZE) {
      this.stats.ignored++;
      return;
    }
    const code = b[offset]!;
    if (dtmfDigitOf(code) === undefined) {
      this.stats.ignored++;
      return;
    }
    const end = (b[offset + 1]! & 0x80) !== 0;
    const volume = b[offset + 1]! & 0x3f;
    const duration = (b[offset + 2]! << 8) | b[offset + 3]!;
    const ts = timestamp >>> 0;

    if (this.#active && ts === this.#timestamp) {
      if (code !== this.#code) {
        this.stats.ignored++; // same start time, another event: a broken sender
        return;
      }
      if (duration > this.#duration) this.#duration = duration;
      this.#lastPacketMs = nowMs;
      if (end) this.#finish('end-packet', nowMs);
      return;
    }
    if (this.#haveDone && nowMs - this.#doneAtMs > this.#memoryMs && !this.#active) this.#haveDone = false;
    if (this.#haveDone && !tsNewer(ts, this.#doneTimestamp)) {
      this.stats.stale++; // a redundant end packet, a duplicate or a late packet of a reported event
      return;
    }
    if (this.#active) {
      if (!tsNewer(ts, this.#timestamp)) {
        this.stats.stale++; // older than the event in progress
        return;
      }
      this.#finish('next-event', nowMs);
    }
    this.#active = true;
    this.#timestamp = ts;
    this.#code = code;
    this.#duration = duration;
    this.#volume = volume;
    this.#lastPacketMs = nowMs;
    if (end) this.#finish('end-packet', nowMs);
  }

  #finish(ended: DtmfEndCause, nowMs: number): void {
    this.#active = false;
    this.#haveDone = true;
    this.#doneTimestamp = this.#timestamp;
    this.#doneAtMs = nowMs;
    this.stats.digits++;
    this.#onDigit({
      source: 'rfc4733',
      digit: dtmfDigitOf(this.#code)!,
      durationMs: (this.#duration * 1000) / this.clockRate,
      timestamp: this.#timestamp,
      volume: this.#volume,
      ended,
    });
  }
}
