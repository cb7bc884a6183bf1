/**
 * One call leg inside a media worker: its UDP sockets, the RTP stream it
 * sends, the stream it receives and what is done with it.
 *
 * Receive path (per datagram, from the socket):
 *   RTCP (muxed) → report handling
 *   RTP parse → payload type check → source check (symmetric RTP latching)
 *   → RtpReceiveStats → audio: JitterBuffer (only while something consumes
 *   received audio: a bridge, a capture, in-band DTMF detection)
 *   → telephone-event: DtmfReceiver
 *
 * Receive pass (per tick): pop one frame from the jitter buffer → the
 * bridge's input, and decoded PCM for capture and the Goertzel detector;
 * telephone-event end timeout; RTP timeout; RTCP reports every ~5 s.
 *
 * Send pass (per tick), first that applies:
 *   RFC 4733 digit → in-band digit → playback → bridged audio → silence
 *   → encode → RtpSender (sequence, timestamp, SSRC, marker) → socket.
 *
 * The per-packet and per-tick paths allocate nothing of their own: packet
 * buffers, PCM frames, the parsed view and the RTP header are created with the
 * leg and reused (Node's dgram allocates its own request objects per send and
 * a Buffer per received datagram; that cost is the same for any JS sender).
 */
import { createSocket, type RemoteInfo, type Socket } from 'node:dgram';
import { isIP, isIPv6 } from 'node:net';
import { FRAME_MS, FRAME_SAMPLES, PCM8K_RATE } from '../audio/pcm.js';
import type { Denoiser } from '../audio/denoise.js';
import { WAV_HEADER_BYTES } from '../audio/wav-header.js';
import { type AudioCodec, codecByName, type CodecName } from '../codec/index.js';
import { type DtmfDigit, type DtmfDigitEvent } from '../dtmf/digit.js';
import { GoertzelDetector } from '../dtmf/goertzel.js';
import { createTelephoneEventPacket, DtmfReceiver, DtmfSender, type TelephoneEventPacket } from '../dtmf/rfc4733.js';
import { JitterBuffer } from '../jitter/buffer.js';
import { meanOpinionScore } from '../quality/mos.js';
import { RtpPacketView, writeRtpHeader, type RtpHeaderInit, RTP_FIXED_HEADER_SIZE } from '../rtp/packet.js';
import {
  isRtcp,
  ntpFromUnixMs,
  parseRtcp,
  roundTripMs,
  writeBye,
  writeReceiverReport,
  writeSdesCname,
  writeSenderReport,
  type ReportBlock,
  type SenderInfo,
} from '../rtp/rtcp.js';
import { RtpReceiveStats, RtpSender } from '../rtp/sequence.js';
import { EnergyVoiceActivity } from '../record/voice-activity.js';
import { trimWavFile } from '../record/trim.js';
import { WavRecorder } from '../record/wav-recorder.js';
import type { AudioSource } from '../source/types.js';
import type {
  CreateLegCommand,
  DigitSource,
  InbandDtmfMode,
  LegCloseReason,
  LegStats,
  MediaEvent,
  PortRange,
  RecordingInfo,
  RecordMode,
  RecordStopReason,
  RemoteEndpoint,
  StartStreamCommand,
} from '../protocol.js';
import { Bridge, type BridgeEnd, convertPayload, type ReceivedFrame, RX_FRAME, RX_LOST, RX_NONE, silenceByte } from './bridge.js';
import { CommandError, invalid } from './command-error.js';
import { DigitMerger } from './digits.js';
import { InbandDtmfSender } from './inband-dtmf.js';
import { Player } from './player.js';
import { LegStream } from './stream.js';
import { encodeUlaw, ULAW_SILENCE } from '../codec/g711.js';
import type { PortPool } from './ports.js';
import type { TickTimers } from './scheduler.js';

const FRAME_BYTES = 160;
const PACKET_BYTES = RTP_FIXED_HEADER_SIZE + FRAME_BYTES;
const EVENT_PACKET_BYTES = RTP_FIXED_HEADER_SIZE + 4;
/** RFC 3550 §6.2 minimum interval, randomized to [0.5, 1.5] of it. */
const RTCP_INTERVAL_MS = 5000;
/** Symmetric RTP: packets from one new source that latch it. */
const LATCH_PACKETS = 2;
/** Symmetric RTP: a latched source silent this long may be replaced by another. */
const RELATCH_AFTER_MS = 1000;
/** Longest capture, ms. */
const MAX_CAPTURE_MS = 120_000;
/** Media streams one leg may carry at once (Twilio's limit per call). */
const MAX_STREAMS = 4;

/** The part of a dgram socket a leg uses (`dgram.Socket` is one). */
export interface LegSocket {
  send(msg: Uint8Array, port: number, address: string, callback?: (error: Error | null) => void): void;
  send(
    msg: Uint8Array,
    offset: number,
    length: number,
    port: number,
    address: string,
    callback?: (error: Error | null) => void,
  ): void;
  on(event: 'message', listener: (msg: Buffer, rinfo: RemoteInfo) => void): this;
  on(event: 'error', listener: (error: Error) => void): this;
  close(): void;
}

/** A leg's bound sockets: RTP on `port`, RTCP on `port + 1` or none (rtcp-mux). */
export interface BoundPorts {
  readonly rtp: LegSocket;
  readonly rtcp: LegSocket | null;
  readonly port: number;
}

/** Binds a leg's sockets; the default binds UDP sockets from the worker's port pool. */
export type BindPorts = (address: string, range: PortRange, mux: boolean) => Promise<BoundPorts>;

/** What a leg needs from the worker that runs it. */
export interface LegContext {
  emit(event: MediaEvent): void;
  /**
   * The time of everything a leg does: the worker's tick clock, milliseconds on
   * a monotonic scale (fractional). Every received packet reads it once for the
   * receive statistics, the jitter buffer and the DTMF receiver; the tick reads
   * it once for all legs. A fractional read is a heap number (16 bytes), the one
   * allocation of the per-packet path, which no script can avoid; the
   * allocation test injects a clock in whole milliseconds to show nothing else
   * in the path allocates.
   */
  readonly clock: Pick<TickTimers, 'now'>;
  readonly ports: PortPool;
  /** Shared counters [packets in, packets out], unboxed. */
  readonly counters: Float64Array;
  /** Default: UDP sockets bound with {@link bindUdpPorts}. */
  readonly bind?: BindPorts;
}

/** One recording of a leg: a WAV file fed every tick. */
interface Recording {
  readonly id: string;
  readonly recorder: WavRecorder;
  readonly mode: RecordMode;
  /** Voice in the received audio: for the silence timeout and trimming. */
  readonly voice: EnergyVoiceActivity;
  /** Unvoiced frames in a row that stop the recording (Infinity: never). */
  readonly silenceFrames: number;
  readonly trimSilence: boolean;
  /** Silence counts once voice was heard, whose start is reported (an utterance). */
  readonly afterVoice: boolean;
  /** Voiced frames in a row so far, until voice is taken as started. */
  voicedRun: number;
  voiceStarted: boolean;
}

/** How a recording is made, besides its file and mode. */
interface RecordSettings {
  readonly maxDurationMs?: number | undefined;
  readonly silenceTimeoutMs?: number | undefined;
  readonly trimSilence?: boolean | undefined;
  readonly silenceFrom?: 'start' | 'voice' | undefined;
}

/** Voiced frames in a row that start an utterance: a click or a breath is not speech. */
const VOICE_START_FRAMES = 3;

/** What this tick sent, for recordings of the outbound direction. */
const TX_SILENCE = 0;
const TX_PCM = 1;
const TX_PAYLOAD = 2;

const NO_BYTES = new Uint8Array(0);

/** `text` cut to at most `bytes` bytes of UTF-8, on a character boundary. */
function truncateUtf8(text: string, bytes: number): string {
  let out = text;
  while (Buffer.byteLength(out, 'utf8') > bytes) out = out.slice(0, -1);
  return out;
}

function codecOf(name: CodecName): AudioCodec {
  const codec = typeof name === 'string' ? codecByName(name) : undefined;
  if (codec === undefined) throw invalid(`unknown codec ${JSON.stringify(name)}`);
  return codec;
}

function checkPayloadType(pt: number | undefined | null, what: string): void {
  if (pt === undefined || pt === null) return;
  if (!Number.isInteger(pt) || pt < 96 || pt > 127) throw invalid(`${what}: telephone-event payload type ${pt} outside 96..127`);
}

function checkRemote(remote: RemoteEndpoint, ipv6: boolean): void {
  if (typeof remote !== 'object' || remote === null || typeof remote.address !== 'string') {
    throw invalid('remote.address is required');
  }
  if (isIP(remote.address) === 0) throw invalid(`remote.address ${JSON.stringify(remote.address)} is not an IP address`);
  if (isIPv6(remote.address) !== ipv6) {
    throw invalid(`remote ${remote.address} is not of the bind address family (${ipv6 ? 'IPv6' : 'IPv4'})`);
  }
  if (!Number.isInteger(remote.port) || remote.port < 1 || remote.port > 65535) throw invalid(`remote.port ${remote.port}`);
  if (remote.rtcpPort !== undefined && (!Number.isInteger(remote.rtcpPort) || remote.rtcpPort < 1 || remote.rtcpPort > 65535)) {
    throw invalid(`remote.rtcpPort ${remote.rtcpPort}`);
  }
}

/**
 * Addresses here are IP literals (checked on the way in). Node's default
 * lookup answers those on the next tick, which defers every `send` to after
 * the current tick's work: with catch-up ticks run back to back, a leg would
 * rewrite its packet buffer before the earlier sends went out. Answering at
 * once makes `send` hand the datagram to the kernel immediately.
 */
type LookupCallback = (error: NodeJS.ErrnoException | null, address: string, family: number) => void;

function literalLookup4(address: string, _family: unknown, callback: LookupCallback): void {
  callback(null, address, 4);
}

function literalLookup6(address: string, _family: unknown, callback: LookupCallback): void {
  callback(null, address, 6);
}

function bindSocket(address: string, port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const ipv6 = isIPv6(address);
    const socket = createSocket({ type: ipv6 ? 'udp6' : 'udp4', lookup: ipv6 ? literalLookup6 : literalLookup4 });
    const onError = (error: Error): void => {
      try {
        socket.close();
      } catch {
        // never bound
      }
      reject(error);
    };
    socket.once('error', onError);
    socket.bind({ port, address, exclusive: true }, () => {
      socket.off('error', onError);
      resolve(socket);
    });
  });
}

function isAddressInUse(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  return code === 'EADDRINUSE' || code === 'EACCES';
}

/** Binds RTP (and RTCP on the next port unless muxed) on the first free even port of the range. */
export async function bindUdpPorts(pool: PortPool, address: string, range: PortRange, mux: boolean): Promise<BoundPorts> {
  let tried = 0;
  for (const port of pool.candidates(range, !mux)) {
    tried++;
    let rtp: Socket;
    try {
      rtp = await bindSocket(address, port);
    } catch (error) {
      if (isAddressInUse(error)) continue;
      throw new CommandError('bind-failed', `cannot bind ${address}:${port}: ${(error as Error).message}`, { cause: error });
    }
    if (mux) {
      pool.reserve(port, false);
      return { rtp, rtcp: null, port };
    }
    try {
      const rtcp = await bindSocket(address, port + 1);
      pool.reserve(port, true);
      return { rtp, rtcp, port };
    } catch (error) {
      rtp.close();
      if (isAddressInUse(error)) continue;
      throw new CommandError('bind-failed', `cannot bind ${address}:${port + 1}: ${(error as Error).message}`, { cause: error });
    }
  }
  throw new CommandError(
    'ports-exhausted',
    `no free ${mux ? 'port' : 'port pair'} in ${range.min}-${range.max} on ${address} (${tried} tried)`,
  );
}

export class Leg implements BridgeEnd {
  readonly legId: string;
  readonly localAddress: string;
  readonly localPort: number;
  readonly rtcpPort: number;
  readonly rtcpMux: boolean;
  readonly symmetricRtp: boolean;
  readonly cname: string;
  readonly createdAt: number;
  readonly rxFrame: ReceivedFrame = { state: RX_NONE, lostRun: 0, payload: new Uint8Array(FRAME_BYTES) };

  readonly #ctx: LegContext;
  readonly #clock: LegContext['clock'];
  readonly #ipv6: boolean;
  readonly #rtp: LegSocket;
  readonly #rtcp: LegSocket | null;
  #codec: AudioCodec;
  #tePt = -1;
  #inbandMode: InbandDtmfMode;
  #rtpTimeoutMs = 0;

  // Remote (where RTP and RTCP go).
  #remoteAddress = '';
  #remotePort = 0;
  #rtcpAddress = '';
  #rtcpRemotePort = 0;
  #rtcpPortExplicit = false;
  #latched = false;
  #candidateAddress = '';
  #candidatePort = 0;
  #candidateCount = 0;
  #lastFromRemoteMs = 0;

  // Send side.
  readonly #sender = new RtpSender();
  readonly #header: RtpHeaderInit = { marker: false, payloadType: 0, seq: 0, timestamp: 0, ssrc: 0 };
  // Two of each packet buffer, used in turn: should the kernel queue a send
  // (libuv keeps a reference), the next tick writes the other one.
  readonly #packets = [Buffer.alloc(PACKET_BYTES), Buffer.alloc(PACKET_BYTES)] as const;
  readonly #payloads: readonly [Uint8Array, Uint8Array];
  readonly #eventPackets = [Buffer.alloc(EVENT_PACKET_BYTES), Buffer.alloc(EVENT_PACKET_BYTES)] as const;
  #packet: Buffer;
  #payload: Uint8Array;
  #eventPacket: Buffer;
  #turn = 0;
  readonly #event: TelephoneEventPacket = createTelephoneEventPacket();
  readonly #pcm = new Int16Array(FRAME_SAMPLES);
  readonly #player: Player;
  #dtmfSender: DtmfSender | null = null;
  readonly #inbandSender = new InbandDtmfSender();
  #digitsPending = false;
  #held = false;

  // Receive side.
  readonly #view = new RtpPacketView();
  readonly #stats = new RtpReceiveStats({ clockRate: 8000 });
  readonly #jitter = new JitterBuffer({ maxPayloadBytes: FRAME_BYTES });
  readonly #dtmfReceiver: DtmfReceiver;
  #goertzel: GoertzelDetector | null = null;
  readonly #rxPcm = new Int16Array(FRAME_SAMPLES);
  readonly #merger: DigitMerger;
  #rxWanted = false;
  /** Noise suppression of received audio (`<Denoise>`), ahead of every consumer; null: off. */
  #denoiser: Denoiser | null = null;
  #haveSsrc = false;
  #rxSsrc = 0;
  #priorReceived = 0;
  #priorLost = 0;
  #lastRxMs = 0;
  #flowing = false;
  #timedOut = false;

  // Counters.
  #invalid = 0;
  #ignored = 0;
  #foreign = 0;
  #rtcpSent = 0;
  #rtcpReceived = 0;
  #digitsReceived = 0;
  #rttMs = -1;

  // RTCP: everything a report needs is made once, so that reports allocate nothing.
  #nextRtcpMs = 0;
  readonly #rtcpBuffer = Buffer.alloc(256);
  readonly #reportBlock: ReportBlock = {
    ssrc: 0,
    fractionLost: 0,
    cumulativeLost: 0,
    extendedHighestSeq: 0,
    jitter: 0,
    lastSr: 0,
    delaySinceLastSr: 0,
  };
  readonly #oneBlock: ReportBlock[] = [this.#reportBlock];
  readonly #noBlocks: ReportBlock[] = [];
  readonly #senderInfo: SenderInfo = { ntpSec: 0, ntpFrac: 0, rtpTimestamp: 0, packetCount: 0, octetCount: 0 };
  /** The SDES CNAME packet, encoded once (the SSRC and name never change). */
  readonly #sdes: Uint8Array;
  #packetsAtLastReport = 0;

  // Consumers of received audio.
  #bridge: Bridge | null = null;
  #capture: Int16Array | null = null;
  #captureLength = 0;
  #recordings: Recording[] = [];
  /** Recordings being opened (their files), by id. */
  readonly #recordingsOpening = new Set<string>();
  readonly #txPcm = new Int16Array(FRAME_SAMPLES);
  #txState = TX_SILENCE;
  /** Resolves once the leg is closed and its recordings are finished. */
  #finished: Promise<void> = Promise.resolve();
  /** Media streams (WebSockets) fed every tick; µ-law frames of this tick for them. */
  #streams: LegStream[] = [];
  /** The bidirectional stream (at most one), whose audio the leg plays. */
  #playoutStream: LegStream | null = null;
  readonly #streamRx = new Uint8Array(FRAME_BYTES);
  readonly #streamTx = new Uint8Array(FRAME_BYTES);

  #closed = false;
  #socketsClosed = false;
  /** Position in the runtime's list of legs (maintained by the runtime). */
  index = -1;

  /** Binds the sockets and returns a running leg; throws a CommandError on bad arguments or no ports. */
  static async open(command: CreateLegCommand, ctx: LegContext): Promise<Leg> {
    const codec = codecOf(command.codec);
    checkPayloadType(command.telephoneEventPt, 'createLeg');
    const ipv6 = isIPv6(command.bindAddress);
    if (command.remote !== undefined) checkRemote(command.remote, ipv6);
    const { min, max } = command.ports ?? ({} as Partial<PortRange>);
    if (!Number.isInteger(min) || !Number.isInteger(max) || min! < 1024 || max! > 65535 || min! > max!) {
      throw invalid(`createLeg: port range ${min}-${max} must lie within 1024-65535`);
    }
    const mux = command.rtcpMux === true;
    const range = { min: min!, max: max! };
    const bound = ctx.bind ? await ctx.bind(command.bindAddress, range, mux) : await bindUdpPorts(ctx.ports, command.bindAddress, range, mux);
    return new Leg(command, ctx, codec, bound.rtp, bound.rtcp, bound.port, ipv6);
  }

  private constructor(
    command: CreateLegCommand,
    ctx: LegContext,
    codec: AudioCodec,
    rtp: LegSocket,
    rtcp: LegSocket | null,
    port: number,
    ipv6: boolean,
  ) {
    this.legId = command.legId;
    this.#ctx = ctx;
    this.#clock = ctx.clock;
    this.#codec = codec;
    this.#ipv6 = ipv6;
    this.#rtp = rtp;
    this.#rtcp = rtcp;
    this.localAddress = command.bindAddress;
    this.localPort = port;
    this.rtcpMux = rtcp === null;
    this.rtcpPort = rtcp === null ? port : port + 1;
    this.symmetricRtp = command.symmetricRtp;
    this.cname = command.cname ?? `dialtone-${command.legId}`;
    this.#inbandMode = command.inbandDtmf ?? 'auto';
    this.#rtpTimeoutMs = command.rtpTimeoutMs ?? 0;
    this.createdAt = this.#clock.now();
    this.#lastRxMs = this.createdAt;
    this.#payloads = [this.#packets[0].subarray(RTP_FIXED_HEADER_SIZE), this.#packets[1].subarray(RTP_FIXED_HEADER_SIZE)];
    this.#packet = this.#packets[0];
    this.#payload = this.#payloads[0];
    this.#eventPacket = this.#eventPackets[0];

    this.#merger = new DigitMerger((digit, source, durationMs) => this.#reportDigit(digit, source, durationMs));
    this.#dtmfReceiver = new DtmfReceiver({
      onDigit: (event: DtmfDigitEvent) => this.#merger.push(event.digit, 'rfc4733', event.durationMs, this.#clock.now()),
    });
    this.#player = new Player({
      started: (playId, description) =>
        ctx.emit({ type: 'playStarted', legId: this.legId, playId, description }),
      ended: (playId, reason) => ctx.emit({ type: 'playEnded', legId: this.legId, playId, reason }),
    });
    this.#setTelephoneEvent(command.telephoneEventPt ?? null);
    if (command.remote !== undefined) this.#setRemoteEndpoint(command.remote);

    rtp.on('message', (msg: Buffer, rinfo: RemoteInfo) => this.#onRtpSocket(msg, rinfo));
    rtp.on('error', (error: Error) => this.#onSocketError(error));
    if (rtcp !== null) {
      rtcp.on('message', (msg: Buffer, rinfo: RemoteInfo) => this.#onRtcp(msg, rinfo, this.#clock.now()));
      rtcp.on('error', (error: Error) => this.#onSocketError(error));
    }
    this.#nextRtcpMs = this.createdAt + RTCP_INTERVAL_MS * (0.5 + Math.random());
    const sdes = Buffer.alloc(300);
    this.#sdes = sdes.subarray(0, writeSdesCname(sdes, 0, this.#sender.ssrc, truncateUtf8(this.cname, 255)));
  }

  get codecName(): CodecName {
    return this.#codec.name;
  }

  get closed(): boolean {
    return this.#closed;
  }

  get bridge(): Bridge | null {
    return this.#bridge;
  }

  // -------------------------------------------------------------------------
  // Commands

  setRemote(remote: RemoteEndpoint, codec: CodecName | undefined, telephoneEventPt: number | null | undefined): void {
    checkRemote(remote, this.#ipv6);
    checkPayloadType(telephoneEventPt, 'setRemote');
    if (codec !== undefined) {
      const next = codecOf(codec);
      if (next !== this.#codec) {
        this.#codec = next;
        this.#jitter.reset();
        this.#sender.markNextFrame();
      }
    }
    if (telephoneEventPt !== undefined) this.#setTelephoneEvent(telephoneEventPt);
    this.#setRemoteEndpoint(remote);
  }

  play(playId: string, source: AudioSource, enqueue: boolean): boolean {
    if (typeof playId !== 'string' || playId.length === 0) throw invalid('play: playId is required');
    const queued = this.#player.play(playId, source, enqueue);
    if (!queued) {
      this.#sender.markNextFrame();
      this.#sendFirstFrameNow();
    }
    return queued;
  }

  /**
   * A prompt that starts now sends its first frame at once: waiting for the worker's
   * shared tick would add up to 20 ms (10 on average) before the caller hears it. The
   * next frames follow on the tick, so the stream runs one frame ahead of the tick from
   * here; the new talkspurt's marker bit lets the far end's jitter buffer take that in.
   * Recordings and streams take each frame at the tick, and DTMF has the wire: with any
   * of them the first frame waits for the tick as before.
   */
  #sendFirstFrameNow(): void {
    if (this.#remotePort === 0 || this.#held) return;
    if (this.#recordings.length > 0 || this.#streams.length > 0) return;
    if (this.#inbandSender.busy || this.#dtmfSender?.busy === true) return;
    const turn = (this.#turn ^= 1);
    this.#packet = this.#packets[turn]!;
    this.#payload = this.#payloads[turn]!;
    this.#eventPacket = this.#eventPackets[turn]!;
    if (this.#player.read(this.#pcm)) this.#sendPcm();
  }

  stopPlay(playId: string | undefined): number {
    return this.#player.stop(playId);
  }

  /** Queues digits for the remote; returns how many. */
  sendDigits(digits: string, durationMs = 100, gapMs = 60): number {
    if (typeof digits !== 'string' || digits.length === 0) throw invalid('sendDigits: digits is required');
    if (!(durationMs > 0) || !(gapMs >= 0)) throw invalid('sendDigits: durationMs must be positive and gapMs not negative');
    try {
      if (this.#dtmfSender !== null) this.#dtmfSender.send(digits, durationMs, gapMs);
      else this.#inbandSender.send(digits, durationMs, gapMs);
    } catch (error) {
      throw invalid(`sendDigits: ${(error as Error).message}`);
    }
    this.#digitsPending = true;
    return digits.length;
  }

  relayDigit(digit: DtmfDigit, durationMs: number): void {
    if (this.#closed) return;
    this.sendDigits(digit, Math.max(40, Math.min(durationMs, 1000)), 40);
  }

  injectDigit(digit: DtmfDigit, durationMs: number): void {
    this.#merger.push(digit, 'info', durationMs, this.#clock.now());
  }

  setHold(hold: boolean): void {
    if (hold === this.#held) return;
    this.#held = hold;
    if (!hold) {
      this.#sender.markNextFrame();
      this.#lastRxMs = this.#clock.now();
      this.#timedOut = false;
    }
  }

  /**
   * Turns noise suppression of the received audio on (a denoiser) or off (null).
   * Everything downstream hears the denoised audio: recordings, streams, capture
   * and the bridge; in-band DTMF is detected on the audio as received.
   */
  setDenoiser(denoiser: Denoiser | null): void {
    if (denoiser === this.#denoiser) return;
    this.#denoiser?.destroy();
    this.#denoiser = this.#closed ? null : denoiser;
    if (this.#closed) denoiser?.destroy();
  }

  get denoising(): boolean {
    return this.#denoiser !== null;
  }

  attachBridge(bridge: Bridge | null): void {
    this.#bridge = bridge;
    this.#updateRxWanted();
  }

  startCapture(maxMs: number): void {
    if (!(maxMs > 0) || maxMs > MAX_CAPTURE_MS) throw invalid(`captureStart: maxMs must be in (0, ${MAX_CAPTURE_MS}]`);
    this.#capture = new Int16Array(Math.ceil((maxMs * 8000) / 1000));
    this.#captureLength = 0;
    this.#updateRxWanted();
  }

  stopCapture(): { pcm: ArrayBuffer; samples: number } {
    const capture = this.#capture;
    if (capture === null) throw new CommandError('not-capturing', `leg ${this.legId} is not capturing`);
    this.#capture = null;
    this.#updateRxWanted();
    const samples = this.#captureLength;
    // Hand over exactly the captured part (a copy only when the buffer was not filled).
    const pcm = samples === capture.length ? capture.buffer : capture.buffer.slice(0, samples * 2);
    return { pcm: pcm as ArrayBuffer, samples };
  }

  stats(): LegStats {
    const s = this.#stats;
    const received = this.#priorReceived + s.received;
    const lost = this.#priorLost + Math.max(0, s.cumulativeLost);
    const lossPercent = received + lost === 0 ? 0 : (lost * 100) / (received + lost);
    const jitterMs = s.jitterMs;
    const rttMs = this.#rttMs < 0 ? null : this.#rttMs;
    const j = this.#jitter.stats;
    return {
      legId: this.legId,
      durationMs: Math.round(this.#clock.now() - this.createdAt),
      packetsSent: this.#sender.packetCount,
      octetsSent: this.#sender.octetCount,
      packetsReceived: received,
      packetsLost: lost,
      jitterMs: Math.round(jitterMs * 1000) / 1000,
      mos: Math.round(meanOpinionScore({ lossPercent, jitterMs, latencyMs: rttMs === null ? 0 : rttMs / 2 }) * 100) / 100,
      rttMs: rttMs === null ? null : Math.round(rttMs * 10) / 10,
      invalidPackets: this.#invalid,
      ignoredPackets: this.#ignored,
      foreignPackets: this.#foreign,
      framesPlayed: j.played,
      framesLost: j.lost,
      framesLate: j.late,
      framesDiscarded: j.discarded,
      duplicates: j.duplicates,
      rtcpSent: this.#rtcpSent,
      rtcpReceived: this.#rtcpReceived,
      digitsReceived: this.#digitsReceived,
      remote: this.#remotePort === 0 ? null : { address: this.#remoteAddress, port: this.#remotePort },
      latched: this.#latched,
    };
  }

  /** Closes the sockets (after an RTCP BYE); playbacks end as `closed`; emits `legClosed`. */
  close(reason: LegCloseReason): LegStats {
    if (this.#closed) return this.stats();
    let sent = false;
    if (this.#remotePort !== 0) {
      try {
        // The sockets close once the BYE is out (a send is asynchronous).
        sent = this.#sendRtcp(this.#clock.now(), true, () => this.#closeSockets());
      } catch {
        // best effort
      }
    }
    this.#closed = true;
    this.#denoiser?.destroy();
    this.#denoiser = null;
    this.#player.close();
    this.#bridge?.detach();
    this.#playoutStream = null;
    for (const stream of this.#streams.splice(0)) stream.stop('leg-closed');
    const stats = this.stats();
    if (!sent) this.#closeSockets();
    const recordings = this.#recordings.splice(0);
    if (recordings.length === 0) {
      this.#ctx.emit({ type: 'legClosed', legId: this.legId, reason, stats });
    } else {
      // legClosed follows the recordStopped of each recording, once its file is finished.
      this.#finished = Promise.allSettled(recordings.map((r) => this.#finishRecording(r, 'closed'))).then(() => {
        this.#ctx.emit({ type: 'legClosed', legId: this.legId, reason, stats });
      });
    }
    return stats;
  }

  /** Resolves once the leg is closed and its recordings are finished. */
  get finished(): Promise<void> {
    return this.#finished;
  }

  /** Starts a recording (the file is created first). */
  async startRecord(recordId: string, path: string, mode: RecordMode, settings: RecordSettings = {}): Promise<void> {
    const { maxDurationMs, silenceTimeoutMs } = settings;
    if (typeof recordId !== 'string' || recordId.length === 0) throw invalid('startRecord: recordId is required');
    if (typeof path !== 'string' || path.length === 0) throw invalid('startRecord: path is required');
    if (mode !== 'inbound' && mode !== 'mixed' && mode !== 'dual') throw invalid(`startRecord: mode ${JSON.stringify(mode)}`);
    if (maxDurationMs !== undefined && !(maxDurationMs > 0)) throw invalid('startRecord: maxDurationMs must be positive');
    if (silenceTimeoutMs !== undefined && !(silenceTimeoutMs >= 0)) throw invalid('startRecord: silenceTimeoutMs must be 0 or more');
    const { silenceFrom } = settings;
    if (silenceFrom !== undefined && silenceFrom !== 'start' && silenceFrom !== 'voice') throw invalid(`startRecord: silenceFrom ${JSON.stringify(silenceFrom)}`);
    if (this.#recordingsOpening.has(recordId) || this.#recordings.some((r) => r.id === recordId)) {
      throw invalid(`startRecord: recording ${recordId} already exists on leg ${this.legId}`);
    }
    this.#recordingsOpening.add(recordId);
    let recorder: WavRecorder;
    try {
      recorder = await WavRecorder.open({
        path,
        channels: mode === 'dual' ? 2 : 1,
        // Whole ticks: the recording is full after the tick that reaches the limit.
        ...(maxDurationMs === undefined ? {} : { maxDurationMs: Math.ceil(maxDurationMs / FRAME_MS) * FRAME_MS }),
      });
    } catch (error) {
      throw new CommandError('record-failed', `cannot record to ${path}: ${(error as Error).message}`, { cause: error });
    } finally {
      this.#recordingsOpening.delete(recordId);
    }
    if (this.#closed) {
      await recorder.abort();
      throw new CommandError('leg-closed', `leg ${this.legId} closed while the recording was being opened`);
    }
    const silenceFrames =
      silenceTimeoutMs === undefined || silenceTimeoutMs === 0 ? Number.POSITIVE_INFINITY : Math.ceil(silenceTimeoutMs / FRAME_MS);
    this.#recordings.push({
      id: recordId,
      recorder,
      mode,
      voice: new EnergyVoiceActivity(),
      silenceFrames,
      trimSilence: settings.trimSilence === true,
      afterVoice: settings.silenceFrom === 'voice',
      voicedRun: 0,
      voiceStarted: false,
    });
    this.#updateRxWanted();
  }

  /** Stops a recording and finishes its file. */
  async stopRecord(recordId: string): Promise<RecordingInfo> {
    const index = this.#recordings.findIndex((r) => r.id === recordId);
    if (index < 0) throw new CommandError('record-not-found', `no recording ${JSON.stringify(recordId)} on leg ${this.legId}`);
    const [recording] = this.#recordings.splice(index, 1);
    this.#updateRxWanted();
    try {
      return await this.#closeRecording(recording!);
    } catch (error) {
      throw new CommandError('record-failed', `recording ${recordId} failed: ${(error as Error).message}`, { cause: error });
    }
  }

  /** Opens a media stream (its WebSocket connects in the background). */
  startStream(command: StartStreamCommand): void {
    this.#pruneStreams();
    if (this.#streams.some((s) => s.streamId === command.streamId)) throw invalid(`startStream: stream ${command.streamId} already exists`);
    if (this.#streams.length >= MAX_STREAMS) throw invalid(`startStream: leg ${this.legId} already carries ${MAX_STREAMS} streams`);
    if (command.bidirectional === true && this.#streams.some((s) => s.bidirectional)) {
      throw invalid(`startStream: leg ${this.legId} already has a bidirectional stream`);
    }
    const stream = new LegStream(this.legId, command, { emit: (event) => this.#ctx.emit(event) });
    this.#streams.push(stream);
    if (stream.bidirectional) this.#playoutStream = stream;
    this.#updateRxWanted();
  }

  /** Stops a stream (`stop`, then the WebSocket closes); false when it had already ended. */
  stopStream(streamId: string): boolean {
    const index = this.#streams.findIndex((s) => s.streamId === streamId);
    if (index < 0) throw new CommandError('stream-not-found', `no stream ${JSON.stringify(streamId)} on leg ${this.legId}`);
    const [stream] = this.#streams.splice(index, 1);
    if (stream === this.#playoutStream) this.#playoutStream = null;
    this.#updateRxWanted();
    const running = !stream!.ended;
    stream!.stop('stopped');
    return running;
  }

  /** Closes the sockets without events (a leg whose creation was abandoned). */
  destroy(): void {
    this.#closed = true;
    this.#denoiser?.destroy();
    this.#denoiser = null;
    this.#closeSockets();
  }

  describe(): string {
    const parts = [`leg ${this.legId}`, `${this.localAddress}:${this.localPort}`, this.#codec.describe()];
    if (this.#tePt >= 0) parts.push(`telephone-event/${this.#tePt}`);
    if (this.#goertzel !== null) parts.push(this.#goertzel.describe());
    if (this.#denoiser !== null) parts.push('denoise');
    if (this.#bridge !== null) parts.push(this.#bridge.describe());
    return parts.join(' ');
  }

  // -------------------------------------------------------------------------
  // Tick

  /** First pass of a tick: received audio, timeouts, RTCP. */
  receiveTick(now: number): void {
    this.#dtmfReceiver.poll(now);
    const frame = this.rxFrame;
    if (this.#rxWanted) {
      const out = this.#jitter.pop(now);
      if (out.kind === 'frame') {
        const n = out.payload.length < FRAME_BYTES ? out.payload.length : FRAME_BYTES;
        const dst = frame.payload;
        const src = out.payload;
        for (let i = 0; i < n; i++) dst[i] = src[i]!;
        if (n < FRAME_BYTES) dst.fill(silenceByte(this.#codec.name), n);
        frame.state = RX_FRAME;
        frame.lostRun = 0;
      } else if (out.kind === 'lost') {
        // Conceal with the previous frame only right after a real one.
        frame.lostRun = frame.state === RX_NONE ? 2 : frame.lostRun + 1;
        frame.state = RX_LOST;
      } else {
        frame.state = RX_NONE;
        frame.lostRun = 0;
      }
      const denoised = this.#denoiser !== null && frame.state === RX_FRAME;
      if (denoised) this.#denoiseFrame();
      if (this.#goertzel !== null || this.#capture !== null || this.#recordings.length > 0) {
        this.#consumePcm(frame.state, denoised);
      }
    } else {
      frame.state = RX_NONE;
    }

    if (this.#rtpTimeoutMs > 0 && !this.#held && !this.#timedOut && now - this.#lastRxMs >= this.#rtpTimeoutMs) {
      this.#timedOut = true;
      this.#flowing = false;
      this.#ctx.emit({ type: 'rtpTimeout', legId: this.legId, silentMs: Math.round(now - this.#lastRxMs) });
    }
    if (now >= this.#nextRtcpMs) {
      this.#nextRtcpMs = now + RTCP_INTERVAL_MS * (0.5 + Math.random());
      if (this.#remotePort !== 0 && !this.#held) this.#sendRtcp(now, false);
    }
  }

  /** Second pass of a tick: one packet (or none) to the remote; then the recordings. */
  sendTick(): void {
    this.#txState = TX_SILENCE;
    this.#send();
    if (this.#recordings.length > 0) this.#recordFrame();
    if (this.#streams.length > 0) this.#streamFrame();
  }

  #send(): void {
    const sender = this.#sender;
    if (this.#remotePort === 0 || this.#held) {
      sender.idle(FRAME_SAMPLES);
      return;
    }
    const turn = (this.#turn ^= 1);
    this.#packet = this.#packets[turn]!;
    this.#payload = this.#payloads[turn]!;
    this.#eventPacket = this.#eventPackets[turn]!;
    const dtmf = this.#dtmfSender;
    if (dtmf !== null && dtmf.busy) {
      if (dtmf.step(sender, this.#event)) {
        this.#sendEvent();
        return;
      }
    }
    const inband = this.#inbandSender;
    if (inband.busy) {
      inband.fill(this.#pcm);
      this.#sendPcm();
      return;
    }
    if (this.#digitsPending && (dtmf === null || !dtmf.busy)) {
      this.#digitsPending = false;
      this.#ctx.emit({ type: 'digitsSent', legId: this.legId });
    }
    if (this.#player.active && this.#player.read(this.#pcm)) {
      this.#sendPcm();
      return;
    }
    if (this.#playoutStream !== null && this.#playoutStream.readPlayout(this.#pcm)) {
      this.#sendPcm();
      return;
    }
    const bridge = this.#bridge;
    if (bridge === null || !bridge.fill(this, this.#payload, FRAME_BYTES)) {
      this.#payload.fill(silenceByte(this.#codec.name));
    }
    this.#sendPayload();
  }

  // -------------------------------------------------------------------------
  // Internals: send

  #sendPcm(): void {
    this.#codec.encoder.encode(this.#pcm, this.#packet, RTP_FIXED_HEADER_SIZE, FRAME_SAMPLES);
    this.#sendPayload();
    this.#txState = TX_PCM;
  }

  #sendPayload(): void {
    this.#txState = TX_PAYLOAD;
    const header = this.#sender.frame(this.#header, this.#codec.payloadType, FRAME_SAMPLES, FRAME_BYTES);
    writeRtpHeader(header, this.#packet, 0);
    this.#rtp.send(this.#packet, this.#remotePort, this.#remoteAddress);
    this.#ctx.counters[1]!++;
  }

  #sendEvent(): void {
    const event = this.#event;
    // The event's timestamp stays in the packet object: never passed as an argument (boxing).
    const header = this.#header;
    this.#sender.frame(header, event.payloadType, FRAME_SAMPLES, event.payload.length);
    header.marker = event.marker;
    header.timestamp = event.timestamp;
    writeRtpHeader(header, this.#eventPacket, 0);
    this.#eventPacket.set(event.payload, RTP_FIXED_HEADER_SIZE);
    this.#rtp.send(this.#eventPacket, this.#remotePort, this.#remoteAddress);
    this.#ctx.counters[1]!++;
  }

  /** Sends a compound report (with a BYE when leaving); returns false when there was nowhere to send it. */
  #sendRtcp(now: number, bye: boolean, done?: () => void): boolean {
    const address = this.rtcpMux ? this.#remoteAddress : this.#rtcpAddress;
    const port = this.rtcpMux ? this.#remotePort : this.#rtcpRemotePort;
    if (port === 0) return false;
    const buffer = this.#rtcpBuffer;
    const blocks = this.#haveSsrc && this.#stats.received > 0 ? this.#oneBlock : this.#noBlocks;
    if (blocks.length > 0) this.#stats.report(this.#reportBlock, this.#rxSsrc, now);
    const sender = this.#sender;
    let length: number;
    if (sender.packetCount !== this.#packetsAtLastReport) {
      this.#packetsAtLastReport = sender.packetCount;
      const info = this.#senderInfo;
      ntpFromUnixMs(Date.now(), info);
      info.rtpTimestamp = sender.timestamp;
      info.packetCount = sender.packetCount;
      info.octetCount = sender.octetCount;
      length = writeSenderReport(buffer, 0, sender.ssrc, info, blocks);
    } else {
      length = writeReceiverReport(buffer, 0, sender.ssrc, blocks);
    }
    buffer.set(this.#sdes, length);
    length += this.#sdes.length;
    if (bye) length += writeBye(buffer, length, [sender.ssrc]);
    const socket = this.#rtcp ?? this.#rtp;
    if (done === undefined) socket.send(buffer, 0, length, port, address);
    else socket.send(buffer, 0, length, port, address, () => done());
    this.#rtcpSent++;
    return true;
  }

  // -------------------------------------------------------------------------
  // Internals: media streams

  /**
   * Hands this tick's received and sent audio, as µ-law, to every open stream;
   * drops streams that ended. µ-law passes through; A-law goes through the
   * bridge's code-word table (equal to decoding and encoding again).
   */
  #streamFrame(): void {
    let rx: Uint8Array | null = null;
    let tx: Uint8Array | null = null;
    const state = this.rxFrame.state;
    let ended = false;
    const streams = this.#streams;
    for (let i = 0; i < streams.length; i++) {
      const stream = streams[i]!;
      if (stream.ended) {
        ended = true;
        continue;
      }
      if (!stream.open) continue;
      if (rx === null && stream.wantsInbound && state !== RX_NONE) rx = this.#streamInbound(state);
      if (tx === null && stream.wantsOutbound) tx = this.#streamOutbound();
      stream.frame(rx, tx);
    }
    if (ended) this.#pruneStreams();
  }

  /** This tick's received frame as µ-law; a lost frame is silence. */
  #streamInbound(state: number): Uint8Array {
    const payload = this.rxFrame.payload;
    const codec = this.#codec.name;
    if (state !== RX_FRAME) return this.#streamRx.fill(ULAW_SILENCE);
    if (codec === 'PCMU') return payload;
    convertPayload(codec, payload, 'PCMU', this.#streamRx, FRAME_BYTES);
    return this.#streamRx;
  }

  /** This tick's sent frame as µ-law. */
  #streamOutbound(): Uint8Array {
    const codec = this.#codec.name;
    if (this.#txState === TX_SILENCE) return this.#streamTx.fill(ULAW_SILENCE);
    if (codec === 'PCMU') return this.#payload;
    // A-law of played PCM holds less than the PCM: encode that, as before.
    if (this.#txState === TX_PCM) encodeUlaw(this.#pcm, this.#streamTx);
    else convertPayload(codec, this.#payload, 'PCMU', this.#streamTx, FRAME_BYTES);
    return this.#streamTx;
  }

  #pruneStreams(): void {
    if (!this.#streams.some((s) => s.ended)) return;
    this.#streams = this.#streams.filter((s) => !s.ended);
    if (this.#playoutStream?.ended === true) this.#playoutStream = null;
    this.#updateRxWanted();
  }

  // -------------------------------------------------------------------------
  // Internals: recording

  /** Appends this tick to every recording: received audio (decoded in the receive pass) and, when asked, what was sent. */
  #recordFrame(): void {
    const rx = this.#rxPcm;
    let tx: Int16Array | undefined;
    const recordings = this.#recordings;
    for (let i = 0; i < recordings.length; i++) {
      const recording = recordings[i]!;
      if (recording.mode !== 'inbound' && tx === undefined) tx = this.#outboundPcm();
      recording.recorder.write(rx, recording.mode === 'inbound' ? undefined : tx);
      const voiced = recording.voice.push(rx);
      if (recording.afterVoice && !recording.voiceStarted) this.#watchVoiceStart(recording, voiced);
      const full = recording.recorder.full;
      const silent = recording.voice.silentRun >= recording.silenceFrames && (recording.voiceStarted || !recording.afterVoice);
      if (full || silent) {
        recordings.splice(i--, 1);
        this.#updateRxWanted();
        void this.#finishRecording(recording, full ? 'max-duration' : 'silence');
      }
    }
  }

  /** Reports the start of voice in an utterance: a few voiced frames in a row. */
  #watchVoiceStart(recording: Recording, voiced: boolean): void {
    recording.voicedRun = voiced ? recording.voicedRun + 1 : 0;
    if (recording.voicedRun < VOICE_START_FRAMES) return;
    recording.voiceStarted = true;
    this.#ctx.emit({ type: 'recordVoice', legId: this.legId, recordId: recording.id });
  }

  /** This tick's outbound audio as PCM: the frame played, the payload sent decoded, or silence. */
  #outboundPcm(): Int16Array {
    if (this.#txState === TX_PCM) return this.#pcm;
    const pcm = this.#txPcm;
    if (this.#txState === TX_PAYLOAD) this.#codec.decoder.decode(this.#payload, pcm, 0, FRAME_BYTES);
    else pcm.fill(0);
    return pcm;
  }

  /** Finishes a recording's file and reports `recordStopped`. */
  async #finishRecording(recording: Recording, reason: RecordStopReason): Promise<void> {
    try {
      const info = await this.#closeRecording(recording);
      this.#ctx.emit({ type: 'recordStopped', legId: this.legId, recordId: recording.id, reason, recording: info });
    } catch (error) {
      this.#ctx.emit({
        type: 'recordStopped',
        legId: this.legId,
        recordId: recording.id,
        reason: 'failed',
        recording: null,
        message: (error as Error).message,
      });
    }
  }

  /** Finishes the file (trimmed to its voice when asked) and describes it. */
  async #closeRecording(recording: Recording): Promise<RecordingInfo> {
    const result = await recording.recorder.close();
    const voice = recording.voice;
    const info: RecordingInfo = {
      recordId: recording.id,
      path: result.path,
      channels: result.channels,
      durationMs: Math.round(result.durationMs),
      bytes: result.bytes,
      droppedFrames: result.droppedFrames,
      voicedMs: voice.voicedFrames * FRAME_MS,
    };
    if (!recording.trimSilence) return info;
    // Voice is found per 20 ms tick; with no voice at all nothing is kept.
    const from = voice.firstVoiced < 0 ? 0 : voice.firstVoiced * FRAME_SAMPLES;
    const to = voice.firstVoiced < 0 ? 0 : (voice.lastVoiced + 1) * FRAME_SAMPLES;
    const kept = await trimWavFile(result.path, result.channels, from, to);
    return {
      ...info,
      durationMs: Math.round((kept * 1000) / PCM8K_RATE),
      bytes: WAV_HEADER_BYTES + kept * result.channels * 2,
      untrimmedMs: info.durationMs,
    };
  }

  // -------------------------------------------------------------------------
  // Internals: receive

  #onRtpSocket(msg: Buffer, rinfo: RemoteInfo): void {
    if (this.#closed) return;
    const now = this.#clock.now();
    if (this.rtcpMux && isRtcp(msg)) {
      this.#onRtcp(msg, rinfo, now);
      return;
    }
    const view = this.#view;
    if (!view.parse(msg)) {
      this.#invalid++;
      return;
    }
    const pt = view.payloadType;
    const audio = pt === this.#codec.payloadType;
    if (!audio && pt !== this.#tePt) {
      this.#ignored++;
      view.buf = NO_BYTES;
      return;
    }
    if (this.symmetricRtp && !this.#acceptSource(rinfo, now)) {
      this.#foreign++;
      view.buf = NO_BYTES;
      return;
    }
    if (!this.#haveSsrc || view.ssrc !== this.#rxSsrc) this.#newSource(view);
    this.#stats.updateRtp(view, now);
    this.#lastRxMs = now;
    this.#ctx.counters[0]!++;
    if (!this.#flowing) this.#startFlowing(rinfo);
    if (audio) {
      if (this.#rxWanted) this.#jitter.pushRtp(view, now);
    } else {
      this.#dtmfReceiver.pushRtp(view, now);
    }
    // Let the datagram die young: a view that kept it would carry every
    // leg's last receive buffer through each young-generation collection.
    view.buf = NO_BYTES;
  }

  /** Symmetric RTP: whether to take a packet from `rinfo`, latching the send address to a new source. */
  #acceptSource(rinfo: RemoteInfo, now: number): boolean {
    if (this.#latched) {
      if (rinfo.port === this.#remotePort && rinfo.address === this.#remoteAddress) {
        this.#lastFromRemoteMs = now;
        return true;
      }
      if (now - this.#lastFromRemoteMs < RELATCH_AFTER_MS) return false;
    }
    if (rinfo.port === this.#candidatePort && rinfo.address === this.#candidateAddress) {
      this.#candidateCount++;
    } else {
      this.#candidateAddress = rinfo.address;
      this.#candidatePort = rinfo.port;
      this.#candidateCount = 1;
    }
    if (this.#candidateCount >= LATCH_PACKETS) {
      const moved = rinfo.port !== this.#remotePort || rinfo.address !== this.#remoteAddress;
      const relatch = this.#latched;
      this.#latched = true;
      this.#remoteAddress = rinfo.address;
      this.#remotePort = rinfo.port;
      if (!this.#rtcpPortExplicit || moved) {
        this.#rtcpAddress = rinfo.address;
        this.#rtcpRemotePort = this.rtcpMux ? rinfo.port : rinfo.port + 1;
      }
      this.#lastFromRemoteMs = now;
      this.#candidatePort = 0;
      this.#candidateAddress = '';
      this.#candidateCount = 0;
      if (relatch && moved) {
        this.#ctx.emit({ type: 'rtpStarted', legId: this.legId, remote: { address: rinfo.address, port: rinfo.port }, latched: true });
      } else if (!this.#flowing) {
        this.#startFlowing(rinfo);
      }
    }
    return true;
  }

  #startFlowing(rinfo: RemoteInfo): void {
    // Under symmetric RTP, RTP "starts" once the source is latched.
    if (this.symmetricRtp && !this.#latched) return;
    this.#flowing = true;
    this.#timedOut = false;
    this.#ctx.emit({
      type: 'rtpStarted',
      legId: this.legId,
      remote: { address: rinfo.address, port: rinfo.port },
      latched: this.symmetricRtp,
    });
  }

  #newSource(view: RtpPacketView): void {
    if (this.#haveSsrc) {
      this.#priorReceived += this.#stats.received;
      this.#priorLost += Math.max(0, this.#stats.cumulativeLost);
      this.#stats.reset();
      this.#dtmfReceiver.reset();
    }
    this.#haveSsrc = true;
    this.#rxSsrc = view.ssrc;
  }

  #onRtcp(msg: Buffer, rinfo: RemoteInfo, now: number): void {
    if (this.#closed) return;
    const packets = parseRtcp(msg);
    if (packets === null) {
      this.#invalid++;
      return;
    }
    this.#rtcpReceived++;
    if (this.symmetricRtp && !this.rtcpMux) {
      this.#rtcpAddress = rinfo.address;
      this.#rtcpRemotePort = rinfo.port;
    }
    const ours = this.#sender.ssrc;
    for (const packet of packets) {
      if (packet.type === 'sr') {
        if (this.#haveSsrc && packet.ssrc === this.#rxSsrc) {
          this.#stats.onSenderReport(packet.sender.ntpSec, packet.sender.ntpFrac, now);
        }
      }
      if (packet.type === 'sr' || packet.type === 'rr') {
        for (const block of packet.reports) {
          if (block.ssrc !== ours) continue;
          const rtt = roundTripMs(block, Date.now());
          if (rtt !== null) this.#rttMs = rtt;
        }
      }
    }
  }

  /**
   * Replaces the received frame with its denoised version, in `#rxPcm` and in
   * the payload (re-encoded, for the bridge and streams). Digits are detected
   * first: RNNoise treats a steady DTMF tone as noise.
   */
  #denoiseFrame(): void {
    const pcm = this.#rxPcm;
    const payload = this.rxFrame.payload;
    this.#codec.decoder.decode(payload, pcm, 0, FRAME_BYTES);
    this.#goertzel?.process(pcm);
    this.#denoiser!.process(pcm);
    this.#codec.encoder.encode(pcm, payload, 0, FRAME_SAMPLES);
  }

  /** Decodes the received frame (unless `#denoiseFrame` did) for in-band DTMF, capture and recordings. */
  #consumePcm(state: number, denoised: boolean): void {
    const pcm = this.#rxPcm;
    if (!denoised) {
      if (state === RX_FRAME) this.#codec.decoder.decode(this.rxFrame.payload, pcm, 0, FRAME_BYTES);
      else pcm.fill(0);
      if (this.#goertzel !== null && state !== RX_NONE) this.#goertzel.process(pcm);
    }
    const capture = this.#capture;
    if (capture !== null) {
      const room = capture.length - this.#captureLength;
      const n = room < FRAME_SAMPLES ? room : FRAME_SAMPLES;
      for (let i = 0; i < n; i++) capture[this.#captureLength + i] = pcm[i]!;
      this.#captureLength += n;
    }
  }

  #reportDigit(digit: DtmfDigit, source: DigitSource, durationMs: number): void {
    this.#digitsReceived++;
    this.#ctx.emit({ type: 'digit', legId: this.legId, digit, source, durationMs: Math.round(durationMs) });
    for (const stream of this.#streams) stream.dtmf(digit);
    this.#bridge?.onDigit(this, digit, source, durationMs);
  }

  // -------------------------------------------------------------------------
  // Internals: configuration

  #setRemoteEndpoint(remote: RemoteEndpoint): void {
    const moved = remote.address !== this.#remoteAddress || remote.port !== this.#remotePort;
    if (moved && this.#latched) {
      // New SDP: learn the source again.
      this.#latched = false;
      this.#flowing = false;
    }
    this.#remoteAddress = remote.address;
    this.#remotePort = remote.port;
    this.#rtcpAddress = remote.address;
    this.#rtcpPortExplicit = remote.rtcpPort !== undefined;
    this.#rtcpRemotePort = this.rtcpMux ? remote.port : (remote.rtcpPort ?? remote.port + 1);
    this.#lastRxMs = this.#clock.now();
    this.#timedOut = false;
  }

  #setTelephoneEvent(pt: number | null): void {
    const next = pt === null ? -1 : pt;
    if (next !== this.#tePt) {
      this.#tePt = next;
      this.#dtmfSender = next < 0 ? null : new DtmfSender({ payloadType: next });
      this.#dtmfReceiver.reset();
    }
    const inband = this.#inbandMode === 'on' || (this.#inbandMode === 'auto' && this.#tePt < 0);
    if (inband && this.#goertzel === null) {
      this.#goertzel = new GoertzelDetector({
        onDigit: (event: DtmfDigitEvent) => this.#merger.push(event.digit, 'inband', event.durationMs, this.#clock.now()),
      });
    } else if (!inband) {
      this.#goertzel = null;
    }
    this.#updateRxWanted();
  }

  #updateRxWanted(): void {
    const wanted =
      this.#bridge !== null || this.#capture !== null || this.#goertzel !== null || this.#recordings.length > 0 || this.#streams.length > 0;
    if (wanted !== this.#rxWanted) {
      this.#rxWanted = wanted;
      if (!wanted) {
        this.#jitter.reset();
        this.rxFrame.state = RX_NONE;
      }
    }
  }

  #onSocketError(error: Error): void {
    this.#ctx.emit({ type: 'error', legId: this.legId, code: 'socket-error', message: error.message });
  }

  #closeSockets(): void {
    if (this.#socketsClosed) return;
    this.#socketsClosed = true;
    try {
      this.#rtp.close();
    } catch {
      // already closed
    }
    try {
      this.#rtcp?.close();
    } catch {
      // already closed
    }
    this.#ctx.ports.release(this.localPort, this.#rtcp !== null);
  }
}
