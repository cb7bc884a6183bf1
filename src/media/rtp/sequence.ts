/**
 * RTP sequence-number and timestamp arithmetic, the sender's per-stream state
 * and the receiver's per-source statistics (RFC 3550 §6.4.1, appendix A.1, A.3,
 * A.8).
 *
 * Sequence numbers are 16-bit and timestamps 32-bit unsigned counters that
 * wrap; comparisons are made on the signed distance between two values, which
 * is correct as long as the two are less than half the range apart.
 */
import { randomInt } from 'node:crypto';
import type { RtpHeaderInit, RtpPacketView } from './packet.js';
import type { ReportBlock } from './rtcp.js';

export const SEQ_MOD = 0x10000;

/** `seq + n` modulo 2^16. */
export function seqAdd(seq: number, n: number): number {
  return (seq + n) & 0xffff;
}

/** The signed distance `a - b` between two sequence numbers, in [-32768, 32767]. */
export function seqDiff(a: number, b: number): number {
  const d = (a - b) & 0xffff;
  return d >= 0x8000 ? d - SEQ_MOD : d;
}

/** True when sequence number `a` comes after `b` (wrap-aware). */
export function seqNewer(a: number, b: number): boolean {
  return seqDiff(a, b) > 0;
}

/** `ts + delta` modulo 2^32; `delta` may be negative. */
export function tsAdd(ts: number, delta: number): number {
  return (ts + delta) >>> 0;
}

/** The signed distance `a - b` between two RTP timestamps, in [-2^31, 2^31). */
export function tsDiff(a: number, b: number): number {
  return (a - b) | 0;
}

/** True when timestamp `a` comes after `b` (wrap-aware). */
export function tsNewer(a: number, b: number): boolean {
  return tsDiff(a, b) > 0;
}

/**
 * Turns 16-bit sequence numbers into monotone extended ones (a plain number
 * counting wraps), relative to the highest seen so far, so that a packet
 * reordered across a wrap lands before its successors. The first value is
 * placed at 2^16 + seq so that early reordering never goes negative.
 */
export class SequenceUnwrapper {
  #highest = -1;

  /** The extended form of `seq`; advances the highest-seen value when newer. */
  unwrap(seq: number): number {
    const s = seq & 0xffff;
    if (this.#highest < 0) {
      this.#highest = SEQ_MOD + s;
      return this.#highest;
    }
    const ext = this.#highest + seqDiff(s, this.#highest & 0xffff);
    if (ext > this.#highest) this.#highest = ext;
    return ext;
  }

  /** The extended form `seq` would get, without recording it. */
  peek(seq: number): number {
    if (this.#highest < 0) return SEQ_MOD + (seq & 0xffff);
    return this.#highest + seqDiff(seq & 0xffff, this.#highest & 0xffff);
  }

  /** Highest extended sequence number seen, or -1 before the first. */
  get highest(): number {
    return this.#highest;
  }

  reset(): void {
    this.#highest = -1;
  }
}

/** A source of uniformly random unsigned 32-bit integers. */
export type RandomUint32 = () => number;

/** Cryptographically random unsigned 32-bit integers (RFC 3550 §5.1 asks for unpredictable initial values). */
export const cryptoRandomUint32: RandomUint32 = () => randomInt(0, 0x1_0000_0000);

export interface RtpSenderOptions {
  /** Fixed SSRC; random when omitted. */
  ssrc?: number;
  /** First sequence number; random when omitted. */
  initialSeq?: number;
  /** First timestamp; random when omitted. */
  initialTimestamp?: number;
  /** Random source for what is not given (tests pass a seeded one). */
  random?: RandomUint32;
}

/**
 * The sending side of one RTP stream: SSRC, next sequence number, the media
 * clock (timestamp of the next frame) and the counts an RTCP sender report
 * carries. Stepped once per frame by the leg's tick; writes headers into a
 * caller's reused {@link RtpHeaderInit}, allocating nothing.
 *
 * The marker bit is set on the first packet of the stream and on the first
 * packet after {@link idle} ticks (the start of a talkspurt, RFC 3551 §4.1).
 */
export class RtpSender {
  readonly ssrc: number;
  // Numeric fields get a numeric initializer so V8 stores them unboxed:
  // a field first defined as undefined boxes every non-small number written
  // to it, an allocation per packet.
  #seq = 0;
  #timestamp = 0;
  #markNext = true;
  #packets = 0;
  #octets = 0;

  constructor(options: RtpSenderOptions = {}) {
    const random = options.random ?? cryptoRandomUint32;
    this.ssrc = (options.ssrc ?? random()) >>> 0;
    this.#seq = (options.initialSeq ?? random()) & 0xffff;
    this.#timestamp = (options.initialTimestamp ?? random()) >>> 0;
  }

  /** The sequence number the next packet will carry. */
  get seq(): number {
    return this.#seq;
  }

  /** The media clock: the timestamp of the frame about to be sent. */
  get timestamp(): number {
    return this.#timestamp;
  }

  /** Packets sent so far (RTCP SR "sender's packet count"). */
  get packetCount(): number {
    return this.#packets;
  }

  /** Payload octets sent so far (RTCP SR "sender's octet count"). */
  get octetCount(): number {
    return this.#octets;
  }

  /**
   * Stamps `out` for a media frame at the current clock, then advances the
   * sequence number by one and the clock by `samples`. Returns `out`.
   */
  frame(out: RtpHeaderInit, payloadType: number, samples: number, payloadLength: number): RtpHeaderInit {
    out.marker = this.#markNext;
    out.payloadType = payloadType;
    out.seq = this.#seq;
    out.timestamp = this.#timestamp;
    out.ssrc = this.ssrc;
    this.#markNext = false;
    this.#seq = (this.#seq + 1) & 0xffff;
    this.#timestamp = (this.#timestamp + samples) >>> 0;
    this.#count(payloadLength);
    return out;
  }

  /**
   * Stamps `out` for a packet with its own timestamp, as a telephone-event
   * (RFC 4733) keeps the event's start time in every packet; consumes a
   * sequence number and advances the clock by `samples` (the tick still passes,
   * use 0 for an extra packet in the same tick). Returns `out`.
   */
  stamped(
    out: RtpHeaderInit,
    payloadType: number,
    timestamp: number,
    marker: boolean,
    samples: number,
    payloadLength: number,
  ): RtpHeaderInit {
    out.marker = marker;
    out.payloadType = payloadType;
    out.seq = this.#seq;
    out.timestamp = timestamp >>> 0;
    out.ssrc = this.ssrc;
    this.#seq = (this.#seq + 1) & 0xffff;
    this.#timestamp = (this.#timestamp + samples) >>> 0;
    this.#count(payloadLength);
    return out;
  }

  /** A tick with nothing sent (silence suppression, hold): the clock advances and the next frame starts a talkspurt. */
  idle(samples: number): void {
    this.#timestamp = (this.#timestamp + samples) >>> 0;
    this.#markNext = true;
  }

  /** Sets the marker on the next frame (e.g. after a source change). */
  markNextFrame(): void {
    this.#markNext = true;
  }

  /** e.g. "rtp(send ssrc=0x1a2b3c4d)". */
  describe(): string {
    return `rtp(send ssrc=0x${this.ssrc.toString(16).padStart(8, '0')})`;
  }

  #count(payloadLength: number): void {
    this.#packets = (this.#packets + 1) >>> 0;
    this.#octets = (this.#octets + payloadLength) >>> 0;
  }
}

export interface RtpReceiveStatsOptions {
  /** RTP clock rate of the stream, Hz. */
  clockRate: number;
  /** Sequential packets needed before a new source is valid (RFC 3550 MIN_SEQUENTIAL; default 2, at least 1). */
  minSequential?: number;
  /** Largest forward jump taken as loss rather than a restart (default 3000). */
  maxDropout?: number;
  /** Largest backward step taken as reordering rather than a restart (default 100). */
  maxMisorder?: number;
}

/**
 * Receive-side statistics for one source, following RFC 3550 appendix A.1
 * (sequence validation with probation, wrap counting, restart detection), A.3
 * (expected, lost, fraction lost per report interval) and A.8 (interarrival
 * jitter). Arrival times are passed in, in milliseconds on any monotonic clock.
 */
export class RtpReceiveStats {
  readonly clockRate: number;
  readonly #minSequential: number;
  readonly #maxDropout: number;
  readonly #maxMisorder: number;

  #started = false;
  #probation = 0;
  #maxSeq = 0;
  #cycles = 0;
  #baseSeq = 0;
  #badSeq = SEQ_MOD + 1;
  #received = 0;
  #receivedPrior = 0;
  #expectedPrior = 0;

  #haveTransit = false;
  #lastArrival = 0; // timestamp units
  #lastTimestamp = 0;
  #jitter = 0; // timestamp units, fractional

  // The packet being accounted for: [timestamp, arrival ms]. Kept in a typed
  // array, not passed as arguments, so large values are never boxed.
  readonly #input = new Float64Array(2);

  #lastSr = 0; // middle 32 bits of the last SR's NTP timestamp
  #lastSrArrivalMs = 0;
  #haveSr = false;

  constructor(options: RtpReceiveStatsOptions) {
    this.clockRate = options.clockRate;
    this.#minSequential = Math.max(1, options.minSequential ?? 2);
    this.#maxDropout = options.maxDropout ?? 3000;
    this.#maxMisorder = options.maxMisorder ?? 100;
  }

  /**
   * Accounts for one received packet. Returns false when RFC 3550 A.1 says the
   * packet is not (yet) valid: the source is on probation, or the sequence
   * number jumped too far and has not been confirmed by its successor.
   * Duplicates and reordered packets return true and count as received.
   */
  update(seq: number, timestamp: number, arrivalMs: number): boolean {
    this.#input[0] = timestamp >>> 0;
    this.#input[1] = arrivalMs;
    return this.#update(seq & 0xffff);
  }

  /** {@link update} from a parsed packet (allocation-free with any SSRC and timestamp). */
  updateRtp(view: RtpPacketView, arrivalMs: number): boolean {
    this.#input[0] = view.timestamp;
    this.#input[1] = arrivalMs;
    return this.#update(view.seq);
  }

  #update(s: number): boolean {
    if (!this.#started) {
      this.#started = true;
      this.#initSequence(s);
      this.#maxSeq = (s - 1) & 0xffff;
      this.#probation = this.#minSequential;
    }
    const udelta = (s - this.#maxSeq) & 0xffff;
    if (this.#probation > 0) {
      if (s === ((this.#maxSeq + 1) & 0xffff)) {
        this.#probation--;
        this.#maxSeq = s;
        if (this.#probation === 0) {
          this.#initSequence(s);
          this.#received++;
          this.#updateJitter();
          return true;
        }
      } else {
        this.#probation = this.#minSequential - 1;
        this.#maxSeq = s;
      }
      return false;
    }
    if (udelta < this.#maxDropout) {
      if (s < this.#maxSeq) this.#cycles += SEQ_MOD; // wrapped
      this.#maxSeq = s;
    } else if (udelta <= SEQ_MOD - this.#maxMisorder) {
      // A very large jump. Two sequential packets mean the sender restarted.
      if (s === this.#badSeq) {
        this.#initSequence(s);
        this.#haveTransit = false;
      } else {
        this.#badSeq = (s + 1) & 0xffff;
        return false;
      }
    }
    // else: a duplicate or a reordered packet; counted, nothing else changes.
    this.#received++;
    this.#updateJitter();
    return true;
  }

  /** Records an RTCP sender report from this source (for LSR/DLSR in our reports). */
  onSenderReport(ntpSec: number, ntpFrac: number, arrivalMs: number): void {
    this.#lastSr = (((ntpSec & 0xffff) << 16) | (ntpFrac >>> 16)) >>> 0;
    this.#lastSrArrivalMs = arrivalMs;
    this.#haveSr = true;
  }

  /** Valid packets received (duplicates included, as in RFC 3550). */
  get received(): number {
    return this.#received;
  }

  /** Highest sequence number received, extended with the wrap count. */
  get extendedHighestSeq(): number {
    return this.#cycles + this.#maxSeq;
  }

  /** Packets expected since the source became valid. */
  get expected(): number {
    return this.#received === 0 ? 0 : this.extendedHighestSeq - this.#baseSeq + 1;
  }

  /** Cumulative packets lost (negative when duplicates outnumber losses). */
  get cumulativeLost(): number {
    return this.expected - this.#received;
  }

  /** Cumulative loss in percent of expected, for quality scores. */
  get lossPercent(): number {
    const expected = this.expected;
    return expected <= 0 ? 0 : (Math.max(0, this.cumulativeLost) * 100) / expected;
  }

  /** Interarrival jitter estimate, timestamp units (RFC 3550 A.8). */
  get jitter(): number {
    return this.#jitter;
  }

  /** Interarrival jitter estimate, milliseconds. */
  get jitterMs(): number {
    return (this.#jitter * 1000) / this.clockRate;
  }

  /**
   * Fills `out` with a reception report block for `ssrc` and starts a new
   * report interval (fraction lost is measured since the previous call).
   * `nowMs` is on the same clock as the arrival times. Returns `out`.
   */
  report(out: ReportBlock, ssrc: number, nowMs: number): ReportBlock {
    const expected = this.expected;
    const expectedInterval = expected - this.#expectedPrior;
    this.#expectedPrior = expected;
    const receivedInterval = this.#received - this.#receivedPrior;
    this.#receivedPrior = this.#received;
    const lostInterval = expectedInterval - receivedInterval;
    out.ssrc = ssrc >>> 0;
    out.fractionLost =
      expectedInterval === 0 || lostInterval <= 0 ? 0 : Math.floor((lostInterval * 256) / expectedInterval);
    out.cumulativeLost = Math.max(-0x800000, Math.min(0x7fffff, this.cumulativeLost));
    out.extendedHighestSeq = this.#received === 0 ? 0 : this.extendedHighestSeq >>> 0;
    out.jitter = Math.floor(this.#jitter) >>> 0;
    if (this.#haveSr) {
      out.lastSr = this.#lastSr;
      out.delaySinceLastSr = Math.max(0, Math.round(((nowMs - this.#lastSrArrivalMs) * 65536) / 1000)) >>> 0;
    } else {
      out.lastSr = 0;
      out.delaySinceLastSr = 0;
    }
    return out;
  }

  /** Forgets the source (SSRC change). */
  reset(): void {
    this.#started = false;
    this.#probation = 0;
    this.#initSequence(0);
    this.#haveTransit = false;
    this.#jitter = 0;
    this.#haveSr = false;
    this.#lastSr = 0;
  }

  #initSequence(seq: number): void {
    this.#baseSeq = seq;
    this.#maxSeq = seq;
    this.#badSeq = SEQ_MOD + 1; // so that seq === badSeq is false
    this.#cycles = 0;
    this.#received = 0;
    this.#receivedPrior = 0;
    this.#expectedPrior = 0;
  }

  /** RFC 3550 A.8, for the packet in {@link #input}. */
  #updateJitter(): void {
    const timestamp = this.#input[0]!;
    const arrival = (this.#input[1]! * this.clockRate) / 1000;
    if (this.#haveTransit) {
      // D(i-1, i) = (R_i - R_{i-1}) - (S_i - S_{i-1}); the timestamp step is wrap-aware.
      const d = arrival - this.#lastArrival - tsDiff(timestamp, this.#lastTimestamp);
      this.#jitter += (Math.abs(d) - this.#jitter) / 16;
    }
    this.#haveTransit = true;
    this.#lastArrival = arrival;
    this.#lastTimestamp = timestamp >>> 0;
  }
}
