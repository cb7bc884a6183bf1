/**
 * The media API across the worker boundary: the one module both the main
 * thread (`media/host.ts`) and a media worker (`media/worker/main.ts`) import.
 *
 * The main thread sends {@link MediaRequest}s (a {@link MediaCommand} and a
 * request `id`); the worker answers each with exactly one {@link MediaReply}
 * carrying the same `id`, and sends {@link MediaEvent}s on its own (a digit,
 * the end of a playback, RTP timeout). Everything is structured-cloned by
 * `postMessage`; audio crosses as ArrayBuffers in the transfer list (moved,
 * not copied) or as SharedArrayBuffers (shared). A worker sends the events a
 * command causes (`playStarted` for `play`, `legClosed` for `closeLeg`) after
 * that command's reply. A leg that was recording reports `recordStopped` for
 * each recording, then `legClosed`, once its files are finished.
 *
 * Call state lives in one place: a leg (its sockets, RTP state, playback,
 * bridge) exists only in the worker that owns it; the main thread holds a
 * handle (`MediaLeg`) and learns about changes from events.
 */
import type { CodecName } from './codec/index.js';
import type { DtmfDigit } from './dtmf/digit.js';

export type { CodecName, DtmfDigit };

// ---------------------------------------------------------------------------
// Shared shapes

/** An IPv4/IPv6 address (a literal, never a host name) and a UDP port. */
export interface TransportAddress {
  readonly address: string;
  readonly port: number;
}

/** Where a leg sends RTP: the address and port from the remote SDP. */
export interface RemoteEndpoint extends TransportAddress {
  /** RTCP port when RTCP is not muxed (default: `port + 1`, RFC 3550 §11). */
  readonly rtcpPort?: number;
}

/** Inclusive range of local UDP ports; RTP takes even ports, RTCP the odd one above. */
export interface PortRange {
  readonly min: number;
  readonly max: number;
}

/** How in-band (audio) DTMF detection is chosen: `auto` runs it when no telephone-event is negotiated. */
export type InbandDtmfMode = 'auto' | 'on' | 'off';

/** A steady tone of one or two frequencies (a test tone, a DTMF digit, call progress). */
export interface ToneSpec {
  readonly kind: 'tone';
  readonly frequencies: readonly [number] | readonly [number, number];
  /** Level of each frequency, dBm0 (default -10). */
  readonly levelDbm0?: number;
  /** Length of one play-through, ms; without it the tone plays until stopped. */
  readonly durationMs?: number;
}

/**
 * 8 kHz mono 16-bit PCM in native byte order: `samples` samples starting at
 * `byteOffset` in `buffer`. An ArrayBuffer is transferred to the worker (and
 * detached in the sender); a SharedArrayBuffer is shared and read in place.
 */
export interface PcmSpec {
  readonly kind: 'pcm';
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  readonly byteOffset: number;
  readonly samples: number;
}

/** Digital silence (a `<Pause>`). */
export interface SilenceSpec {
  readonly kind: 'silence';
  readonly durationMs: number;
}

export type PlaySource = ToneSpec | PcmSpec | SilenceSpec;

/** Why a playback ended. */
export type PlayEndReason =
  /** The source ran out (after its last loop). */
  | 'finished'
  /** `stopPlay`. */
  | 'stopped'
  /** A later `play` without `enqueue` took its place. */
  | 'replaced'
  /** The leg closed. */
  | 'closed';

/** Where a digit came from. */
export type DigitSource = 'rfc4733' | 'info' | 'inband';

/** Why a leg closed, as the worker reports it. */
export type LegCloseReason = 'closed' | 'shutdown';

// ---------------------------------------------------------------------------
// Commands (main thread → worker)

export interface CreateLegCommand {
  readonly type: 'createLeg';
  readonly legId: string;
  /** Local address to bind, e.g. "127.0.0.1" or "0.0.0.0". */
  readonly bindAddress: string;
  /** Ports to choose from. */
  readonly ports: PortRange;
  /** Where to send RTP; until given (here or by `setRemote`) the leg only listens. */
  readonly remote?: RemoteEndpoint;
  readonly codec: CodecName;
  /** The negotiated telephone-event payload type; absent: not negotiated (digits go in-band). */
  readonly telephoneEventPt?: number;
  /**
   * Symmetric RTP (RFC 4961 behaviour, "comedia"): send to the address RTP
   * actually comes from, latched after the first valid packets.
   */
  readonly symmetricRtp: boolean;
  /** RTP and RTCP on one port (RFC 5761); default false (RTCP on port + 1). */
  readonly rtcpMux?: boolean;
  /** Report `rtpTimeout` after this long without RTP; 0 or absent: never. */
  readonly rtpTimeoutMs?: number;
  /** Default `auto`. */
  readonly inbandDtmf?: InbandDtmfMode;
  /** RTCP SDES CNAME (default "dialtone-<legId>"). */
  readonly cname?: string;
}

/** The remote end changed (a re-INVITE or the answer to our offer). */
export interface SetRemoteCommand {
  readonly type: 'setRemote';
  readonly legId: string;
  readonly remote: RemoteEndpoint;
  readonly codec?: CodecName;
  /** A number sets it, null removes it (no longer negotiated), absent leaves it. */
  readonly telephoneEventPt?: number | null;
}

export interface PlayCommand {
  readonly type: 'play';
  readonly legId: string;
  /** Chosen by the caller; names this playback in `playStarted` / `playEnded`. */
  readonly playId: string;
  readonly source: PlaySource;
  /** Times to play the source; 0 = until stopped (default 1). */
  readonly loop?: number;
  /** Queue after what is playing instead of replacing it (default false). */
  readonly enqueue?: boolean;
}

export interface StopPlayCommand {
  readonly type: 'stopPlay';
  readonly legId: string;
  /** Stop this playback (playing or queued); absent: stop all. */
  readonly playId?: string;
}

/** Send digits to the remote: RFC 4733 events when negotiated, else in-band tones. */
export interface SendDigitsCommand {
  readonly type: 'sendDigits';
  readonly legId: string;
  /** 0-9, *, #, A-D. */
  readonly digits: string;
  /** Tone length per digit, ms (default 100). */
  readonly durationMs?: number;
  /** Pause after each digit, ms (default 60). */
  readonly gapMs?: number;
}

/** A digit signalled outside the media (SIP INFO), merged into the leg's digit stream. */
export interface InjectDigitCommand {
  readonly type: 'injectDigit';
  readonly legId: string;
  readonly digit: DtmfDigit;
  readonly durationMs?: number;
}

/**
 * What a recording holds: the received audio (`inbound`, mono), both
 * directions mixed (`mixed`, mono), or both apart (`dual`: received left,
 * sent right, like Twilio's dual-channel recordings).
 */
export type RecordMode = 'inbound' | 'mixed' | 'dual';

/** Records the leg to an 8 kHz 16-bit WAV file, written by the worker. */
export interface StartRecordCommand {
  readonly type: 'startRecord';
  readonly legId: string;
  /** Chosen by the caller; names the recording in `stopRecord` and `recordStopped`. */
  readonly recordId: string;
  /** The file to create (truncated if it exists); its directory must exist. */
  readonly path: string;
  /** Default `inbound`. */
  readonly mode?: RecordMode;
  /** Stop by itself after this much audio (`recordStopped` with `max-duration`). */
  readonly maxDurationMs?: number;
  /**
   * Stop by itself after this much received audio without voice, counted from the start
   * while no voice was heard (`recordStopped` with `silence`). Absent or 0: never.
   */
  readonly silenceTimeoutMs?: number;
  /** Cut the silence before the first and after the last voiced frame when the file is finished. */
  readonly trimSilence?: boolean;
  /**
   * `voice`: the silence timeout counts only once voice was heard, and `recordVoice` is
   * reported when it starts (an utterance for speech recognition: whoever asked decides
   * how long to wait for it). Default `start`, as `<Record>` has it.
   */
  readonly silenceFrom?: 'start' | 'voice';
}

export interface StopRecordCommand {
  readonly type: 'stopRecord';
  readonly legId: string;
  readonly recordId: string;
}

/** Joins two legs of one worker: each one's received audio becomes the other's outbound audio. */
export interface BridgeCommand {
  readonly type: 'bridge';
  readonly legA: string;
  readonly legB: string;
  /** Re-send RFC 4733 / INFO digits received on one leg to the other (default true). */
  readonly relayDigits?: boolean;
}

/**
 * Loops the leg's received audio back to its own remote (`<Echo>`): a bridge of the leg to
 * itself, replacing any bridge it is in, ended by `unbridge`. Digits are not echoed.
 */
export interface EchoCommand {
  readonly type: 'echo';
  readonly legId: string;
}

export interface UnbridgeCommand {
  readonly type: 'unbridge';
  readonly legId: string;
}

/**
 * On hold the leg sends no RTP (its RTP clock keeps running; the first packet
 * after resuming carries the marker bit), still receives, and does not time out.
 */
export interface SetHoldCommand {
  readonly type: 'setHold';
  readonly legId: string;
  readonly hold: boolean;
}

/**
 * Noise suppression (RNNoise) of the leg's received audio, on or off: what
 * recordings, streams, capture and a bridged leg get is the denoised audio.
 */
export interface SetDenoiseCommand {
  readonly type: 'setDenoise';
  readonly legId: string;
  readonly enabled: boolean;
}

export interface CloseLegCommand {
  readonly type: 'closeLeg';
  readonly legId: string;
}

export interface StatsCommand {
  readonly type: 'stats';
  readonly legId: string;
}

/** Starts keeping the leg's received, decoded audio (up to `maxMs`, default 10 s, at most 120 s). */
export interface CaptureStartCommand {
  readonly type: 'captureStart';
  readonly legId: string;
  readonly maxMs?: number;
}

/** Stops capturing and returns the audio (transferred). */
export interface CaptureStopCommand {
  readonly type: 'captureStop';
  readonly legId: string;
}

/** The worker's own figures: tick lateness, legs, load. */
export interface WorkerStatsCommand {
  readonly type: 'workerStats';
  /** Start a new measurement window after reading this one. */
  readonly reset?: boolean;
  /**
   * Run a full garbage collection before reading the heap, so that `heapUsed`
   * is live memory (for memory figures; it pauses the worker for a few ms to
   * tens of ms: not for production use). Only where `gc` is exposed (the
   * process runs with --expose-gc, as the media benchmark arranges); nothing
   * otherwise.
   */
  readonly collectGarbage?: boolean;
}

/**
 * Which audio a media stream carries to its WebSocket: what the leg receives
 * (`inbound`, the caller's voice), what it sends (`outbound`), or both, each
 * as its own track.
 */
export type StreamTracks = 'inbound' | 'outbound' | 'both';

/**
 * Opens a WebSocket from the worker and streams the leg's audio over it in
 * Twilio's Media Streams protocol: `connected`, `start`, one `media` message
 * per track per 20 ms (base64 µ-law whatever the leg's codec), `dtmf` for each
 * digit received, `stop` when stopped. A `bidirectional` stream also plays
 * the `media` the application sends (queued in order, before any bridge and
 * after playbacks), answers its `mark`s once the audio before them has played,
 * and empties the queue on `clear`. The reply comes at once; `streamStarted`
 * follows once the WebSocket is open, `streamEnded` when it is over.
 */
export interface StartStreamCommand {
  readonly type: 'startStream';
  readonly legId: string;
  /** The stream's SID (`MZ…`), sent as `streamSid`; names it in `stopStream` and the events. */
  readonly streamId: string;
  /** `ws://` or `wss://`. */
  readonly url: string;
  readonly tracks: StreamTracks;
  readonly bidirectional: boolean;
  /** What the `start` message says about the call. */
  readonly start: {
    readonly accountSid: string;
    readonly callSid: string;
    readonly customParameters: Readonly<Record<string, string>>;
  };
  /** Give up opening the WebSocket after this long (default 10 s). */
  readonly connectTimeoutMs?: number;
}

/** Sends `stop` and closes the stream's WebSocket. */
export interface StopStreamCommand {
  readonly type: 'stopStream';
  readonly legId: string;
  readonly streamId: string;
}

/** Close every leg (RTCP BYE) before the worker is terminated. */
export interface ShutdownCommand {
  readonly type: 'shutdown';
}

export type MediaCommand =
  | CreateLegCommand
  | SetRemoteCommand
  | PlayCommand
  | StopPlayCommand
  | SendDigitsCommand
  | InjectDigitCommand
  | StartRecordCommand
  | StopRecordCommand
  | BridgeCommand
  | EchoCommand
  | UnbridgeCommand
  | SetHoldCommand
  | SetDenoiseCommand
  | CloseLegCommand
  | StatsCommand
  | CaptureStartCommand
  | CaptureStopCommand
  | WorkerStatsCommand
  | ShutdownCommand
  | StartStreamCommand
  | StopStreamCommand;

export type MediaCommandType = MediaCommand['type'];

/** The command of a given type. */
export type CommandOf<T extends MediaCommandType> = Extract<MediaCommand, { type: T }>;

// ---------------------------------------------------------------------------
// Results (what a successful reply carries, per command)

export interface LegCreatedInfo {
  readonly legId: string;
  readonly localAddress: string;
  readonly localPort: number;
  /** Equal to `localPort` with rtcp-mux. */
  readonly rtcpPort: number;
}

export interface LegStats {
  readonly legId: string;
  /** Since the leg was created, ms. */
  readonly durationMs: number;
  readonly packetsSent: number;
  readonly octetsSent: number;
  /** Valid RTP packets received (audio and telephone-event). */
  readonly packetsReceived: number;
  /** Cumulative loss by sequence number (RFC 3550 A.3), never negative. */
  readonly packetsLost: number;
  /** Interarrival jitter (RFC 3550 A.8), ms. */
  readonly jitterMs: number;
  /** E-model estimate (see `quality/mos.ts`), from loss, jitter and RTT. */
  readonly mos: number;
  /** Round trip from RTCP, ms; null until the remote reported on our stream. */
  readonly rttMs: number | null;
  /** Datagrams that were not valid RTP (or RTCP on a muxed port). */
  readonly invalidPackets: number;
  /** Valid RTP with a payload type that was not negotiated. */
  readonly ignoredPackets: number;
  /** RTP from another address than the latched one (symmetric RTP). */
  readonly foreignPackets: number;
  /**
   * Jitter buffer (counted only while received audio is used: bridge,
   * capture, in-band DTMF): frames played, concealed (lost), arrived too late,
   * discarded to bring the delay back down, and duplicates dropped.
   */
  readonly framesPlayed: number;
  readonly framesLost: number;
  readonly framesLate: number;
  readonly framesDiscarded: number;
  readonly duplicates: number;
  readonly rtcpSent: number;
  readonly rtcpReceived: number;
  readonly digitsReceived: number;
  /** Where RTP goes now (the latched address under symmetric RTP). */
  readonly remote: TransportAddress | null;
  readonly latched: boolean;
}

export interface CapturedAudio {
  /** 8 kHz mono 16-bit PCM in native byte order; `samples` of it are valid. */
  readonly pcm: ArrayBuffer;
  readonly samples: number;
}

/** A percentile summary of one measurement, ms. */
export interface TimingSummary {
  readonly count: number;
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface WorkerStats {
  readonly workerIndex: number;
  readonly legs: number;
  /** Length of the window these figures cover, ms. */
  readonly windowMs: number;
  readonly ticks: number;
  /** Ticks dropped because the worker fell more than the catch-up limit behind. */
  readonly skippedTicks: number;
  /** When each tick began, after the time it was due. */
  readonly tickLateness: TimingSummary;
  /** When each tick had handed its last packet to the sockets, after the time it was due. */
  readonly tickCompletion: TimingSummary;
  /** RTP packets received and sent by all legs in the window. */
  readonly packetsIn: number;
  readonly packetsOut: number;
  /** Share of the window the worker's event loop was busy (0–1): its CPU load. */
  readonly eventLoopUtilization: number;
  /** The worker's V8 heap, bytes. */
  readonly heapUsed: number;
  /** The process's resident set (all threads), bytes. */
  readonly rss: number;
  /** The worker's thread id in the OS (Linux), for `taskset -p` or `perf -t`; null elsewhere. */
  readonly osThreadId: number | null;
}

/** A finished recording. */
export interface RecordingInfo {
  readonly recordId: string;
  readonly path: string;
  readonly channels: 1 | 2;
  readonly durationMs: number;
  /** File size, header included. */
  readonly bytes: number;
  /** Frames lost because the disk fell behind. */
  readonly droppedFrames: number;
  /** Received audio the voice detector found voiced, ms (0: the caller was silent). */
  readonly voicedMs?: number;
  /** Length before trimming, ms, when `trimSilence` cut the file. */
  readonly untrimmedMs?: number;
}

export interface PlayAccepted {
  readonly playId: string;
  /** True when it waits behind another playback. */
  readonly queued: boolean;
}

export interface MediaResults {
  createLeg: LegCreatedInfo;
  setRemote: null;
  play: PlayAccepted;
  stopPlay: { readonly stopped: number };
  sendDigits: { readonly queued: number };
  injectDigit: null;
  startRecord: { readonly recordId: string };
  stopRecord: RecordingInfo;
  bridge: null;
  echo: null;
  unbridge: null;
  setHold: null;
  setDenoise: null;
  closeLeg: LegStats;
  stats: LegStats;
  captureStart: null;
  captureStop: CapturedAudio;
  workerStats: WorkerStats;
  shutdown: null;
  startStream: { readonly streamId: string };
  stopStream: { readonly stopped: boolean };
}

export type ResultOf<T extends MediaCommandType> = MediaResults[T];

// ---------------------------------------------------------------------------
// Events (worker → main thread)

export interface LegCreatedEvent extends LegCreatedInfo {
  readonly type: 'legCreated';
}

export interface PlayStartedEvent {
  readonly type: 'playStarted';
  readonly legId: string;
  readonly playId: string;
  /** The source, e.g. "tone(1000Hz,-10dBm0)". */
  readonly description: string;
}

export interface PlayEndedEvent {
  readonly type: 'playEnded';
  readonly legId: string;
  readonly playId: string;
  readonly reason: PlayEndReason;
}

export interface DigitEvent {
  readonly type: 'digit';
  readonly legId: string;
  readonly digit: DtmfDigit;
  readonly source: DigitSource;
  readonly durationMs: number;
}

/** Every digit queued by `sendDigits` has been sent. */
export interface DigitsSentEvent {
  readonly type: 'digitsSent';
  readonly legId: string;
}

/**
 * RTP flows from `remote`: the first valid packets, RTP resuming after a
 * timeout, or (symmetric RTP) a new source latched after the old one fell silent.
 */
export interface RtpStartedEvent {
  readonly type: 'rtpStarted';
  readonly legId: string;
  readonly remote: TransportAddress;
  /** True when RTP is now sent to `remote` because of symmetric RTP. */
  readonly latched: boolean;
}

export interface RtpTimeoutEvent {
  readonly type: 'rtpTimeout';
  readonly legId: string;
  /** Time since the last RTP (or since the leg started listening), ms. */
  readonly silentMs: number;
}

/** Why a recording ended without `stopRecord`. */
export type RecordStopReason = 'max-duration' | 'silence' | 'closed' | 'failed';

/** Voice started in a recording made with `silenceFrom: 'voice'` (reported once). */
export interface RecordVoiceEvent {
  readonly type: 'recordVoice';
  readonly legId: string;
  readonly recordId: string;
}

/** A recording ended by itself (its maximum duration, silence, the leg closing, a write error). */
export interface RecordStoppedEvent {
  readonly type: 'recordStopped';
  readonly legId: string;
  readonly recordId: string;
  readonly reason: RecordStopReason;
  /** Null when the file could not be finished (`failed`). */
  readonly recording: RecordingInfo | null;
  readonly message?: string;
}

export interface LegClosedEvent {
  readonly type: 'legClosed';
  readonly legId: string;
  readonly reason: LegCloseReason;
  readonly stats: LegStats;
}

/** Something failed outside a request (a socket error). */
export interface MediaErrorEvent {
  readonly type: 'error';
  readonly legId?: string;
  readonly code: MediaErrorCode;
  readonly message: string;
}

/** A stream's WebSocket is open; `connected` and `start` went out. */
export interface StreamStartedEvent {
  readonly type: 'streamStarted';
  readonly legId: string;
  readonly streamId: string;
}

/**
 * Why a stream ended: `stopStream`; the application closed the WebSocket;
 * the leg closed (the call ended; `stop` was sent); or it failed (could not
 * connect, or the connection broke), with a message.
 */
export type StreamEndReason = 'stopped' | 'remote-closed' | 'leg-closed' | 'failed';

export interface StreamEndedEvent {
  readonly type: 'streamEnded';
  readonly legId: string;
  readonly streamId: string;
  readonly reason: StreamEndReason;
  readonly message?: string;
  /** Media messages sent and received, marks echoed, frames dropped because the WebSocket fell behind. */
  readonly counts: StreamCounts;
}

export interface StreamCounts {
  readonly mediaSent: number;
  readonly mediaReceived: number;
  readonly marksEchoed: number;
  readonly framesDropped: number;
}

export type MediaEvent =
  | StreamStartedEvent
  | StreamEndedEvent
  | LegCreatedEvent
  | PlayStartedEvent
  | PlayEndedEvent
  | DigitEvent
  | DigitsSentEvent
  | RtpStartedEvent
  | RtpTimeoutEvent
  | RecordStoppedEvent
  | RecordVoiceEvent
  | LegClosedEvent
  | MediaErrorEvent;

export type MediaEventType = MediaEvent['type'];

// ---------------------------------------------------------------------------
// Errors on the wire

/**
 * Stable error codes. Never reuse a retired code for another meaning.
 * - `worker-died`: the worker owning the leg exited (host side only).
 * - `host-closed`: the media host was closed (host side only).
 * - `timeout`: the worker did not answer in time (host side only).
 * - `ports-exhausted`: no free port pair in the range.
 * - `bind-failed`: a socket could not be bound for another reason.
 * - `leg-not-found`: no leg with that id in this worker.
 * - `leg-exists`: a leg with that id already exists.
 * - `leg-closed`: the leg was closed (host side: a command after `close()`).
 * - `invalid-command`: a malformed command or argument.
 * - `record-failed`: the recording file could not be created or finished.
 * - `record-not-found`: no recording with that id on the leg.
 * - `cross-worker-bridge`: the two legs live in different workers.
 * - `not-capturing`: `captureStop` without `captureStart`.
 * - `socket-error`: a leg's socket reported an error (events only).
 * - `stream-not-found`: no stream with that id on the leg.
 * - `internal`: a bug; the message says more.
 */
export type MediaErrorCode =
  | 'worker-died'
  | 'host-closed'
  | 'timeout'
  | 'ports-exhausted'
  | 'bind-failed'
  | 'leg-not-found'
  | 'leg-exists'
  | 'leg-closed'
  | 'invalid-command'
  | 'record-failed'
  | 'record-not-found'
  | 'cross-worker-bridge'
  | 'not-capturing'
  | 'socket-error'
  | 'stream-not-found'
  | 'internal';

export interface WireError {
  readonly code: MediaErrorCode;
  readonly message: string;
}

// ---------------------------------------------------------------------------
// Messages

export interface MediaRequest<T extends MediaCommandType = MediaCommandType> {
  readonly kind: 'request';
  readonly id: number;
  readonly command: CommandOf<T>;
}

export type MediaReply =
  | { readonly kind: 'reply'; readonly id: number; readonly ok: true; readonly result: MediaResults[MediaCommandType] }
  | { readonly kind: 'reply'; readonly id: number; readonly ok: false; readonly error: WireError };

export interface MediaEventMessage {
  readonly kind: 'event';
  readonly event: MediaEvent;
}

/** The worker's first message: it has loaded and listens for requests. */
export interface WorkerReadyMessage {
  readonly kind: 'ready';
  readonly workerIndex: number;
}

/** What the main thread posts to a worker. */
export type WorkerInbound = MediaRequest;
/** What a worker posts to the main thread. */
export type WorkerOutbound = MediaReply | MediaEventMessage | WorkerReadyMessage;

/** `workerData` of a media worker. */
export interface MediaWorkerData {
  readonly workerIndex: number;
  /** Tick period, ms (default 20; only 20 ms frames are supported). */
  readonly tickMs?: number;
  /** Ticks a late worker runs back to back before it drops the rest (default 5). */
  readonly maxCatchUpTicks?: number;
}

/** ArrayBuffers a command moves to the worker (a SharedArrayBuffer is shared, not listed). */
export function commandTransferList(command: MediaCommand): ArrayBuffer[] {
  if (command.type === 'play' && command.source.kind === 'pcm' && command.source.buffer instanceof ArrayBuffer) {
    return [command.source.buffer];
  }
  return [];
}

/** ArrayBuffers a result moves to the main thread. */
export function resultTransferList(result: unknown): ArrayBuffer[] {
  if (typeof result === 'object' && result !== null && 'pcm' in result && result.pcm instanceof ArrayBuffer) {
    return [result.pcm];
  }
  return [];
}
