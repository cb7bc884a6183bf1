/**
 * The CallLeg port: everything a verb may do to a live call, and nothing about how.
 * The engine knows this interface, not SIP or RTP; telephony/ implements it over a SIP
 * session and a media leg. Every method resolves when its effect is over (a prompt
 * played out, digits collected) or rejects with `CallEndedError` once the far end hung up.
 */

/** A digit as DTMF carries it. */
export type Digit = '0' | '1' | '2' | '3' | '4' | '5' | '6' | '7' | '8' | '9' | '*' | '#' | 'A' | 'B' | 'C' | 'D';

/** What to play: synthesized speech, an audio URL, a tone, or silence. */
export type Prompt =
  | { readonly kind: 'say'; readonly text: string; readonly voice: string; readonly language: string; readonly breaksMs?: readonly number[] }
  | { readonly kind: 'audio'; readonly url: string }
  | { readonly kind: 'tone'; readonly frequencies: readonly number[]; readonly durationMs: number }
  | { readonly kind: 'silence'; readonly durationMs: number };

export interface PlayOptions {
  /** 0 plays until the call ends (Twilio caps at 1000 loops). */
  readonly loop: number;
  /** Digits that stop the prompt (barge-in); the digit stays in the leg's digit buffer. */
  readonly interruptOn?: 'any-digit' | 'none';
  /** Stops the prompt when aborted (a new document took over); the call then rejects. */
  readonly signal?: AbortSignal;
  /** Stops the prompt when it resolves (the caller began to speak: barge-in); play then ends `stopped`. */
  readonly stopWhen?: Promise<unknown>;
}

export type PlayEnd =
  | { readonly reason: 'finished' }
  | { readonly reason: 'interrupted'; readonly digit: Digit }
  | { readonly reason: 'stopped' };

export interface CollectOptions {
  /** Stop after this many digits (finish key excluded). */
  readonly numDigits?: number;
  /** A key that ends input and is not part of it; '' for none. */
  readonly finishOnKey: string;
  /** Wait for the first digit, and between digits, ms. */
  readonly timeoutMs: number;
  /** Stops waiting when aborted (a new document took over); the call then rejects. */
  readonly signal?: AbortSignal;
}

export interface CollectResult {
  readonly digits: string;
  /** Why input ended. */
  readonly reason: 'num-digits' | 'finish-key' | 'timeout';
  /** The finish key when it ended input. */
  readonly finishedOnKey?: string;
}

export interface RecordOptions {
  readonly maxLengthMs: number;
  /** Silence that ends the recording; 0 = none. */
  readonly silenceTimeoutMs: number;
  /** Keys that end the recording; '' for none. */
  readonly finishOnKeys: string;
  readonly playBeep: boolean;
  readonly trimSilence: boolean;
  readonly channels: 'mono' | 'dual';
  /** The WAV file to write (its directory exists). */
  readonly path: string;
}

export interface RecordResult {
  /** Path of the WAV under the data directory. */
  readonly file: string;
  /** After trimming, when asked. */
  readonly durationMs: number;
  /** The key that ended it, or 'hangup', or '' for silence or the length limit. */
  readonly endedBy: string;
  /** Why it ended. */
  readonly reason?: 'finish-key' | 'silence' | 'max-length' | 'hangup';
  /** Voice heard in it, ms: 0 when the caller said nothing. */
  readonly voicedMs?: number;
  readonly channels?: 1 | 2;
}

export interface ListenOptions {
  /** Silence after the voice that ends the utterance, ms. */
  readonly endSilenceMs: number;
  /** The longest listening, ms: the utterance is cut there. */
  readonly maxMs: number;
}

/** What the caller said, as audio: everything from when listening began. */
export interface Utterance {
  /** 8 kHz mono PCM. */
  readonly pcm: Int16Array;
  /** Voice heard in it, ms: 0 when the caller said nothing. */
  readonly voicedMs: number;
  /** Silence after the voice, the length limit, or `stop()`. */
  readonly reason: 'silence' | 'max-length' | 'stopped';
}

/** The caller's audio being listened to (see `CallLeg.listen`). */
export interface Listening {
  /**
   * Resolves true once the caller's voice is heard (at once if it was already), false
   * when `timeoutMs` passed first or listening stopped. Rejects with `CallEndedError`.
   */
  voice(timeoutMs: number): Promise<boolean>;
  /** Resolves when the utterance ends by itself (silence after the voice, the length limit); rejects with `CallEndedError`. */
  readonly ended: Promise<Utterance>;
  /** The audio heard so far (for interim results); it may lag the call by up to a second. */
  soFar(): Promise<Int16Array>;
  /** Stops listening now (nothing said in time, a key was pressed); resolves with what was heard. */
  stop(): Promise<Utterance>;
}

export interface DialTarget {
  readonly kind: 'number' | 'sip' | 'client';
  readonly address: string;
  readonly sendDigits?: string;
  readonly username?: string;
  readonly password?: string;
  /** The noun's `url` ("whisper"): a document run on the callee's leg once it answers, before the bridge (SEM-X6). */
  readonly whisper?: WhisperDocument;
}

/** Where a whisper document is fetched from (an absolute URL). */
export interface WhisperDocument {
  readonly url: string;
  readonly method: 'GET' | 'POST';
}

export interface DialOptions {
  readonly callerId: string;
  readonly timeoutMs: number;
  readonly timeLimitMs: number;
  readonly hangupOnStar: boolean;
  readonly answerOnBridge: boolean;
  readonly record: 'none' | 'mono' | 'dual';
  /** `<Dial record>`: record the dialled call; the result's `recording` says what was kept. */
  readonly recording?: DialRecording;
  /** Country of the ringback the caller hears while it rings (`ringTone`); default the US one. */
  readonly ringTone?: string;
}

/** What `<Dial record>` records, and where. */
export interface DialRecording {
  /** From the answer (the bridged call), or from when the callee starts ringing. */
  readonly from: 'answer' | 'ringing';
  /** Two channels (caller, callee) or one; a single track is always one channel. */
  readonly channels: 'mono' | 'dual';
  /** `recordingTrack`: the caller (`inbound`), the callee (`outbound`), or both. */
  readonly track: 'both' | 'inbound' | 'outbound';
  readonly trimSilence: boolean;
  /** Called when recording starts: the WAV file to write (its directory exists). */
  open(): Promise<string>;
}

/** How a dialled call came out (Twilio's DialCallStatus). */
export type DialCallStatus = 'completed' | 'answered' | 'busy' | 'no-answer' | 'failed' | 'canceled';

export interface DialResult {
  readonly status: DialCallStatus;
  readonly childCallSid?: string;
  readonly durationSeconds: number;
  readonly recording?: RecordResult;
  readonly sipResponseCode?: number;
  /** The child leg's SIP Call-ID (DialSipCallId), for a SIP target. */
  readonly sipCallId?: string;
  /** Whether the two parties were bridged (DialBridged). */
  readonly bridged?: boolean;
  /** The caller hung up during the Dial: the action is still requested, its answer ignored (SEM-X4). */
  readonly callerHungUp?: boolean;
}

/** A media stream: the call's audio over a WebSocket in Twilio's Media Streams protocol. */
export interface StreamRequest {
  /** `ws://` or `wss://`. */
  readonly url: string;
  /** `<Stream name>`: what `<Stop><Stream name>` finds it by. */
  readonly name?: string;
  /** Which audio to send (a bidirectional stream sends the inbound track only). */
  readonly track: 'inbound_track' | 'outbound_track' | 'both_tracks';
  /** `<Parameter>`s, sent in the `start` message. */
  readonly customParameters: Readonly<Record<string, string>>;
  /** The call, as the `start` and `stop` messages name it. */
  readonly callSid: string;
  readonly accountSid: string;
}

export interface StreamEnd {
  /** The stream's SID (`MZ…`), the `streamSid` of its messages. */
  readonly streamSid: string;
  /** `stopped` by `<Stop>`; the application closed the WebSocket; the call ended; it failed (never connected or broke). */
  readonly reason: 'stopped' | 'closed-by-application' | 'call-ended' | 'failed';
  /** Why it failed or closed, in words. */
  readonly error?: string;
  /** Twilio's error code of a failure (31901 timeout, 31902 refused, 31910 TLS, 31920 handshake, 31924 protocol). */
  readonly errorCode?: number;
}

/** A stream started with `startStream`: it runs beside the document. */
export interface StreamHandle {
  readonly streamSid: string;
  readonly name?: string;
  /** True once the WebSocket is open (`connected` and `start` sent); false when it never opened. */
  readonly started: Promise<boolean>;
  readonly ended: Promise<StreamEnd>;
}

export interface EchoOptions {
  /** How long the caller hears themselves, ms; the call's end stops it sooner. */
  readonly durationMs: number;
  /** Stops the echo when aborted (a new document took over); the call then rejects. */
  readonly signal?: AbortSignal;
}

export interface ReferOptions {
  /** How long the transfer may take once the far end accepted it, ms; the leg's default otherwise. */
  readonly notifyTimeoutMs?: number;
}

/** How a transfer with SIP REFER came out, as the far end reported it. */
export interface ReferResult {
  /** The status of the response to the REFER (202 accepted), when one came. */
  readonly referStatus?: number;
  /** The last status the far end reported of its call to the target (NOTIFY sipfrag), when it reported one. */
  readonly notifyStatus?: number;
  /** True when that status was final (≥ 200). */
  readonly notifyFinal: boolean;
  /** The far end hung up before reporting a final status (after a transfer, it often does). */
  readonly callerHungUp: boolean;
}

export interface CallLeg {
  /** Answers if not answered yet (SEM-A1: the first verb needing media answers). */
  answer(): Promise<void>;
  readonly answered: boolean;
  /** Refuses an unanswered call (486 busy / 603 rejected); never answers it. */
  reject(reason: 'busy' | 'rejected'): Promise<void>;
  /** Ends the call (BYE, or a final response before answer). */
  hangup(): Promise<void>;
  play(prompt: Prompt, options: PlayOptions): Promise<PlayEnd>;
  /** Sends DTMF (RFC 4733); `w` waits 0.5 s, `W` 1 s. */
  sendDigits(digits: string): Promise<void>;
  collectDigits(options: CollectOptions): Promise<CollectResult>;
  /** Digits pressed and not yet collected (type-ahead, barge-in). */
  hasBufferedDigits(): boolean;
  record(options: RecordOptions): Promise<RecordResult>;
  /**
   * `<Gather input="speech">`: listens to the caller for an utterance, from now until
   * `endSilenceMs` of silence after their voice, or `maxMs`; resolves once listening
   * has begun. Prompts may play meanwhile.
   */
  listen(options: ListenOptions): Promise<Listening>;
  dial(targets: readonly DialTarget[], options: DialOptions): Promise<DialResult>;
  /** Resolves when the far end hangs up (or the call ends any way). */
  readonly ended: Promise<CallEnd>;
  /** `<Start><Stream>`: forks the call's audio to a WebSocket; resolves once it is under way (the document goes on). */
  startStream(request: StreamRequest): Promise<StreamHandle>;
  /** `<Stop><Stream>`: stops the forks of that name or SID (all forks without one); resolves with how many were running. */
  stopStream(name?: string): Promise<number>;
  /**
   * `<Connect><Stream>`: a bidirectional stream; what the application sends is played
   * to the caller. Resolves when the WebSocket closes or fails; rejects with
   * `CallEndedError` when the call ends first.
   */
  connectStream(request: StreamRequest, events?: { started?(streamSid: string): void }): Promise<StreamEnd>;
  /** `<Echo>`: the caller hears their own audio for `durationMs`; resolves when it stops. */
  echo(options: EchoOptions): Promise<void>;
  /**
   * `<Refer>`: asks the far end to call `target` (a SIP URI) in our place, with SIP REFER,
   * and follows its reports until the transfer succeeds or fails; the call is left up
   * either way (ending it is the verb's business). Rejects with `CallEndedError` when the
   * call had ended before.
   */
  refer(target: string, options?: ReferOptions): Promise<ReferResult>;
  /**
   * `<Denoise>` / `<Start><Suppression>`: noise reduction of the caller's audio, on or off,
   * for the rest of the call; what hears the caller (recordings, streams, a dialled
   * party) hears the denoised audio.
   */
  denoise(enabled: boolean): Promise<void>;
}

export interface CallEnd {
  readonly by: 'caller' | 'callee' | 'application' | 'system';
  /** SIP status of a failed or refused call, if any. */
  readonly sipStatus?: number;
}

/**
 * Raised by `play` when the prompt cannot be made: its audio URL is unreachable or not
 * audio (`code` is Twilio's: the 11200 family, 13420). The call is unharmed; the verb
 * logs it and the document goes on (SEM-P3).
 */
export class PromptError extends Error {
  readonly code: number;
  constructor(code: number, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'PromptError';
    this.code = code;
  }
}

/** Raised by a leg method when the call is over before the method's effect. */
export class CallEndedError extends Error {
  readonly code = 'call_ended';
  constructor(readonly end: CallEnd) {
    super(`the call ended (${end.by})`);
  }
}
