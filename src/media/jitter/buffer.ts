/**
 * A plain jitter buffer: packets are pushed as they arrive, in any order, and
 * one frame is popped per packetization interval by the leg's tick.
 *
 * - Time is passed in (`arrivalMs`, `nowMs`, any monotonic millisecond clock);
 *   the buffer never reads a clock.
 * - Packets are ordered by extended sequence number; each packet is one frame
 *   of `ptimeMs` (the negotiated ptime).
 * - The buffer starts (and restarts after running dry) once the first queued
 *   packet has waited the target delay, or at once if a burst already queued
 *   that much. The target follows the measured delay variation: the peak of
 *   each packet's transit time above the fastest recent transit, decaying
 *   slowly (half-life ≈ 7 s), plus half a frame, clamped to
 *   [minDelayMs, maxDelayMs]. When more than twice the target is queued (a
 *   slow first packet, a sender clock running fast), one frame per pop is
 *   discarded until the queue is back to the target.
 * - Duplicates (of a queued or an already played frame) and late packets (whose
 *   turn has passed) are dropped and counted. A packet up to one buffer's
 *   length beyond what the buffer holds pushes the oldest frames out; a larger
 *   jump in sequence numbers, confirmed by the next packet, or a new SSRC,
 *   restarts it.
 *
 * Payloads are copied into slots allocated up front; push and pop allocate
 * nothing while the payload size stays the same. `pop` returns one of three
 * reused result objects, valid until the next call.
 */
import type { RtpPacketView } from '../rtp/packet.js';
import { SequenceUnwrapper, tsDiff } from '../rtp/sequence.js';

/** What {@link JitterBuffer.push} takes; an `RtpPacketView` fits. */
export interface JitterPacket {
  readonly seq: number;
  readonly timestamp: number;
  readonly payload: Uint8Array;
  readonly marker: boolean;
  /** When given, a change restarts the buffer. */
  readonly ssrc?: number | undefined;
}

/** The header fields the buffer reads. */
type JitterPacketHeader = Pick<JitterPacket, 'seq' | 'timestamp' | 'marker' | 'ssrc'>;

/** A frame to play. `payload` is a view into the buffer's storage, valid until the next push or pop. */
export interface JitterFrame {
  readonly kind: 'frame';
  readonly seq: number;
  readonly timestamp: number;
  readonly marker: boolean;
  readonly payload: Uint8Array;
}

/** The frame due now never arrived: conceal it. */
export interface JitterLost {
  readonly kind: 'lost';
  readonly seq: number;
  /** The timestamp the missing frame should have had. */
  readonly timestamp: number;
}

/** Nothing to play (not started, waiting for the target delay, or run dry). */
export interface JitterEmpty {
  readonly kind: 'empty';
}

export type JitterPop = JitterFrame | JitterLost | JitterEmpty;

/** What became of a pushed packet. */
export type JitterPushResult = 'queued' | 'duplicate' | 'late' | 'dropped';

export interface JitterStats {
  /** Packets pushed. */
  received: number;
  /** Copies of a frame already queued or played. */
  duplicates: number;
  /** Packets that arrived after their turn to play. */
  late: number;
  /** Frames popped as `lost` or skipped while catching up. */
  lost: number;
  /** Packets that arrived after a packet with a higher sequence number. */
  reordered: number;
  /** Frames popped as `frame`. */
  played: number;
  /** Frames thrown away to bring the delay back to the target. */
  discarded: number;
  /** Times the buffer ran dry while playing. */
  underruns: number;
  /** Restarts on an SSRC change or a sequence jump. */
  resets: number;
  /** Packets dropped for a payload larger than a slot, or a jump not (yet) confirmed. */
  dropped: number;
}

export interface JitterBufferOptions {
  /** RTP clock rate, Hz (default 8000). */
  clockRate?: number;
  /** Duration of one packet, ms (default 20). */
  ptimeMs?: number;
  /** Lower bound of the target delay, ms (default 20). */
  minDelayMs?: number;
  /** Upper bound of the target delay, ms (default 200). */
  maxDelayMs?: number;
  /** Target delay before anything has been measured, ms (default 60). */
  initialDelayMs?: number;
  /** Frames the buffer can hold (default: enough for maxDelayMs plus 12 frames). */
  capacity?: number;
  /** Largest payload, bytes (default 320: 40 ms of G.711). */
  maxPayloadBytes?: number;
  /** Largest backward step taken as a late packet rather than a restart (default 100). */
  maxMisorder?: number;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

const EMPTY_SLOT = 0;
const QUEUED = 1;
const PLAYED = 2;

/** Packets per window of the running minimum transit time. */
const MIN_TRANSIT_WINDOW = 250;
/** A transit-time rise beyond this is taken as a timestamp discontinuity, not delay, ms. */
const TIMEBASE_JUMP_MS = 2000;
/** Per-packet decay of the delay-variation peak (half-life ≈ 350 packets, 7 s at 20 ms). */
const PEAK_DECAY = 0.998;

export class JitterBuffer {
  readonly clockRate: number;
  readonly ptimeMs: number;
  readonly capacity: number;
  readonly maxPayloadBytes: number;
  readonly stats: Readonly<JitterStats>;

  readonly #stats: JitterStats = {
    received: 0,
    duplicates: 0,
    late: 0,
    lost: 0,
    reordered: 0,
    played: 0,
    discarded: 0,
    underruns: 0,
    resets: 0,
    dropped: 0,
  };
  readonly #minDelay: number;
  readonly #maxDelay: number;
  readonly #initialDelay: number;
  readonly #maxMisorder: number;
  readonly #frameSamples: number;

  readonly #storage: Uint8Array;
  readonly #views: Uint8Array[];
  readonly #state: Uint8Array;
  readonly #ext: Float64Array;
  readonly #ts: Uint32Array;
  readonly #marker: Uint8Array;
  readonly #unwrapper = new SequenceUnwrapper();

  readonly #frame: Mutable<JitterFrame> = {
    kind: 'frame',
    seq: 0,
    timestamp: 0,
    marker: false,
    payload: new Uint8Array(0),
  };
  readonly #lost: Mutable<JitterLost> = { kind: 'lost', seq: 0, timestamp: 0 };
  readonly #empty: JitterEmpty = Object.freeze({ kind: 'empty' });

  #started = false;
  #playing = false;
  #draining = false;
  #playedSinceAnchor = false;
  #bufferingSince = Number.NaN;
  #nextExt = 0;
  #highestExt = 0;
  #queued = 0;
  #lastTimestamp = 0;
  #haveSsrc = false;
  #ssrc = 0;
  #badSeq = -1;

  // Delay estimation.
  #tsRef = 0;
  #tsRefMs = 0;
  #minCurrent = Number.POSITIVE_INFINITY;
  #minPrevious = Number.POSITIVE_INFINITY;
  #windowCount = 0;
  // Initialized (not just declared) so V8 keeps them unboxed: see RtpSender.
  #peak = 0;
  #target = 0;
  #haveTransit = false;
  #lastTransit = 0;
  #jitter = 0;

  constructor(options: JitterBufferOptions = {}) {
    this.clockRate = options.clockRate ?? 8000;
    this.ptimeMs = options.ptimeMs ?? 20;
    this.#minDelay = options.minDelayMs ?? 20;
    this.#maxDelay = Math.max(this.#minDelay, options.maxDelayMs ?? 200);
    this.#initialDelay = Math.min(this.#maxDelay, Math.max(this.#minDelay, options.initialDelayMs ?? 60));
    this.#maxMisorder = options.maxMisorder ?? 100;
    this.capacity = options.capacity ?? Math.ceil(this.#maxDelay / this.ptimeMs) + 12;
    if (this.capacity < 4) throw new RangeError(`jitter buffer capacity ${this.capacity} below 4`);
    this.maxPayloadBytes = options.maxPayloadBytes ?? 320;
    this.#frameSamples = Math.round((this.clockRate * this.ptimeMs) / 1000);
    this.#storage = new Uint8Array(this.capacity * this.maxPayloadBytes);
    this.#views = [];
    for (let i = 0; i < this.capacity; i++) {
      const start = i * this.maxPayloadBytes;
      this.#views.push(this.#storage.subarray(start, start));
    }
    this.#state = new Uint8Array(this.capacity);
    this.#ext = new Float64Array(this.capacity);
    this.#ts = new Uint32Array(this.capacity);
    this.#marker = new Uint8Array(this.capacity);
    this.#peak = this.#initialDelay - this.ptimeMs / 2;
    this.#target = this.#initialDelay;
    this.stats = this.#stats;
  }

  /** Current target delay, ms. */
  get targetDelayMs(): number {
    return this.#target;
  }

  /** Interarrival jitter (RFC 3550 A.8 smoothing), ms. */
  get jitterMs(): number {
    return this.#jitter;
  }

  /** Frames queued and not yet played. */
  get queued(): number {
    return this.#queued;
  }

  /** Audio queued ahead of the play position (highest queued minus next to play), ms. */
  get bufferedMs(): number {
    return this.#queued === 0 ? 0 : (this.#highestExt - this.#nextExt + 1) * this.ptimeMs;
  }

  /** Queues a packet (its payload is copied). */
  push(pkt: JitterPacket, arrivalMs: number): JitterPushResult {
    return this.#push(pkt, pkt.payload, 0, pkt.payload.length, arrivalMs);
  }

  /** Queues a parsed RTP packet, reading its payload in place (no view is created). */
  pushRtp(view: RtpPacketView, arrivalMs: number): JitterPushResult {
    return this.#push(view, view.buf, view.payloadOffset, view.payloadLength, arrivalMs);
  }

  /** The next frame, a lost-frame marker or nothing; call once per `ptimeMs`. */
  pop(nowMs: number): JitterPop {
    if (!this.#started || this.#queued === 0) {
      this.#draining = false;
      if (this.#playing) {
        this.#playing = false;
        this.#bufferingSince = Number.NaN;
        this.#stats.underruns++;
      }
      return this.#empty;
    }
    if (!this.#playing) {
      // Start once the first queued packet has waited the target delay, or
      // as soon as the queue already holds that much audio (a burst).
      const aheadMs = (this.#highestExt - this.#nextExt) * this.ptimeMs;
      if (nowMs - this.#bufferingSince < this.#target && aheadMs < this.#target) return this.#empty;
      this.#playing = true;
    }
    // Too much queued (after a stall and a burst, or a slow first packet):
    // drop one frame per pop from above the high-water mark (twice the target)
    // down to the low-water mark (the target).
    const aheadMs = (this.#highestExt - this.#nextExt) * this.ptimeMs;
    if (aheadMs > 2 * this.#target + this.ptimeMs) this.#draining = true;
    else if (aheadMs <= this.#target + this.ptimeMs) this.#draining = false;
    if (this.#draining) this.#skip(1);
    const ext = this.#nextExt;
    const idx = ext % this.capacity;
    this.#nextExt++;
    this.#playedSinceAnchor = true;
    if (this.#state[idx] === QUEUED && this.#ext[idx] === ext) {
      this.#state[idx] = PLAYED;
      this.#queued--;
      const frame = this.#frame;
      frame.seq = ext & 0xffff;
      frame.timestamp = this.#ts[idx]!;
      frame.marker = this.#marker[idx] === 1;
      frame.payload = this.#views[idx]!;
      this.#lastTimestamp = frame.timestamp;
      this.#stats.played++;
      return frame;
    }
    const lost = this.#lost;
    lost.seq = ext & 0xffff;
    this.#lastTimestamp = (this.#lastTimestamp + this.#frameSamples) >>> 0;
    lost.timestamp = this.#lastTimestamp;
    this.#stats.lost++;
    return lost;
  }

  /** Drops everything queued and forgets the stream (counters are kept). */
  reset(): void {
    this.#started = false;
    this.#playing = false;
    this.#haveSsrc = false;
    this.#clearSlots();
  }

  /** e.g. "jitter(60ms)". */
  describe(): string {
    return `jitter(${Math.round(this.#target)}ms)`;
  }

  // Header fields are read from the packet object here rather than passed as
  // arguments: SSRCs and timestamps above 2^31 are not small integers in V8,
  // and each one passed to a call that is not inlined is boxed (allocated).
  #push(
    pkt: JitterPacketHeader,
    bytes: Uint8Array,
    offset: number,
    length: number,
    arrivalMs: number,
  ): JitterPushResult {
    const stats = this.#stats;
    stats.received++;
    if (length > this.maxPayloadBytes) {
      stats.dropped++;
      return 'dropped';
    }
    const seq = pkt.seq & 0xffff;
    const ssrc = pkt.ssrc;
    if (ssrc !== undefined) {
      if (this.#haveSsrc && ssrc >>> 0 !== this.#ssrc && this.#started) {
        stats.resets++;
        this.#started = false;
      }
      this.#haveSsrc = true;
      this.#ssrc = ssrc >>> 0;
    }
    if (!this.#started) this.#anchor(seq, pkt);

    let ext = this.#unwrapper.peek(seq);
    let ahead = ext - this.#nextExt;
    if (ahead < 0) {
      const idx = ext % this.capacity;
      if (this.#ext[idx] === ext && this.#state[idx] !== EMPTY_SLOT) {
        stats.duplicates++;
        return 'duplicate';
      }
      if (!this.#playedSinceAnchor && this.#highestExt - ext < this.capacity) {
        this.#nextExt = ext; // reordered before playback started: move the start back
        ahead = 0;
      } else if (ahead >= -this.#maxMisorder) {
        stats.late++;
        return 'late';
      }
    }
    if (ahead >= this.capacity && ahead < 2 * this.capacity) {
      // The queue overflows: make room by dropping the oldest frames.
      this.#skip(ahead - this.capacity + 1);
      ahead = this.capacity - 1;
    }
    if (ahead < 0 || ahead >= this.capacity) {
      // A jump the buffer cannot hold: restart if nothing is queued or if
      // this packet follows the previous out-of-range one.
      if (this.#queued === 0 || seq === this.#badSeq) {
        stats.resets++;
        this.#anchor(seq, pkt);
        ext = this.#unwrapper.peek(seq);
      } else {
        this.#badSeq = (seq + 1) & 0xffff;
        stats.dropped++;
        return 'dropped';
      }
    }
    this.#badSeq = -1;

    const idx = ext % this.capacity;
    if (this.#state[idx] === QUEUED && this.#ext[idx] === ext) {
      stats.duplicates++;
      return 'duplicate';
    }
    if (this.#queued > 0 && ext < this.#highestExt) stats.reordered++;
    this.#unwrapper.unwrap(seq);
    if (this.#queued === 0 || ext > this.#highestExt) this.#highestExt = ext;

    let view = this.#views[idx]!;
    if (view.length !== length) {
      const start = idx * this.maxPayloadBytes;
      view = this.#storage.subarray(start, start + length);
      this.#views[idx] = view;
    }
    for (let i = 0; i < length; i++) view[i] = bytes[offset + i]!;
    this.#state[idx] = QUEUED;
    this.#ext[idx] = ext;
    this.#ts[idx] = pkt.timestamp >>> 0;
    this.#marker[idx] = pkt.marker ? 1 : 0;
    this.#queued++;
    if (!this.#playing && Number.isNaN(this.#bufferingSince)) this.#bufferingSince = arrivalMs;
    this.#measure(idx, arrivalMs);
    return 'queued';
  }

  /**
   * Advances the play position by `count` frames, discarding queued ones
   * (counted as discarded) and passing missing ones (counted as lost).
   */
  #skip(count: number): void {
    for (let i = 0; i < count; i++) {
      const idx = this.#nextExt % this.capacity;
      if (this.#state[idx] === QUEUED && this.#ext[idx] === this.#nextExt) {
        this.#state[idx] = PLAYED;
        this.#queued--;
        this.#lastTimestamp = this.#ts[idx]!;
        this.#stats.discarded++;
      } else {
        this.#lastTimestamp = (this.#lastTimestamp + this.#frameSamples) >>> 0;
        this.#stats.lost++;
      }
      this.#nextExt++;
    }
    this.#playedSinceAnchor = true;
  }

  #anchor(seq: number, pkt: JitterPacketHeader): void {
    const timestamp = pkt.timestamp;
    this.#clearSlots();
    this.#unwrapper.reset();
    const ext = this.#unwrapper.peek(seq);
    this.#started = true;
    this.#playing = false;
    this.#draining = false;
    this.#playedSinceAnchor = false;
    this.#bufferingSince = Number.NaN;
    this.#nextExt = ext;
    this.#highestExt = ext;
    this.#lastTimestamp = (timestamp - this.#frameSamples) >>> 0;
    this.#badSeq = -1;
    this.#tsRef = timestamp >>> 0;
    this.#tsRefMs = 0;
    this.#haveTransit = false;
    this.#minCurrent = Number.POSITIVE_INFINITY;
    this.#minPrevious = Number.POSITIVE_INFINITY;
    this.#windowCount = 0;
  }

  #clearSlots(): void {
    this.#state.fill(EMPTY_SLOT);
    this.#queued = 0;
  }

  /** Updates the delay estimate with the packet just stored in slot `idx`. */
  #measure(idx: number, arrivalMs: number): void {
    const timestamp = this.#ts[idx]!;
    // Media time of this packet in ms, unwrapped against a moving reference.
    const d = tsDiff(timestamp, this.#tsRef);
    const mediaMs = this.#tsRefMs + (d * 1000) / this.clockRate;
    if (d > 0) {
      this.#tsRef = timestamp >>> 0;
      this.#tsRefMs = mediaMs;
    }
    const transit = arrivalMs - mediaMs;

    if (this.#haveTransit) {
      this.#jitter += (Math.abs(transit - this.#lastTransit) - this.#jitter) / 16;
    }
    this.#haveTransit = true;
    this.#lastTransit = transit;

    if (transit < this.#minCurrent) this.#minCurrent = transit;
    if (++this.#windowCount >= MIN_TRANSIT_WINDOW) {
      this.#minPrevious = this.#minCurrent;
      this.#minCurrent = transit;
      this.#windowCount = 0;
    }
    let minTransit = Math.min(this.#minCurrent, this.#minPrevious);
    if (transit - minTransit > TIMEBASE_JUMP_MS) {
      // Far beyond any network delay: the sender's timestamps jumped back
      // (a new source behind the same SSRC). Measure from here on.
      this.#minCurrent = transit;
      this.#minPrevious = transit;
      this.#windowCount = 0;
      minTransit = transit;
    }
    const variation = transit - minTransit;
    const decayed = this.#peak * PEAK_DECAY;
    this.#peak = variation > decayed ? variation : decayed;
    const target = this.#peak + this.ptimeMs / 2;
    this.#target = target < this.#minDelay ? this.#minDelay : target > this.#maxDelay ? this.#maxDelay : target;
  }
}
