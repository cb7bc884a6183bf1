/**
 * The engine's CallLeg over a real call: an incoming SIP INVITE (answered with our SDP)
 * and a media leg in a worker. Prompts become PCM (text-to-speech through the prompt
 * cache, audio URLs through the HTTP cache) played on the media leg; digits from RFC
 * 4733, SIP INFO and in-band detection arrive merged on the media leg's `digit` event.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { AudioUrlCache } from './audio-url-cache.js';
import { listenOnMedia } from './media-listening.js';
import { sendDigitRuns } from './send-digits.js';
import { streamErrorCode } from './stream-errors.js';
import type { LegDigit, MediaLeg, PlayInput } from '../media/host.js';
import type { RecordingInfo, RecordStopReason, StreamCounts, StreamEndReason } from '../media/protocol.js';
import type { IncomingInviteState, InviteSession, SessionDtmf } from '../sip/ua/index.js';
import type { TextToSpeech } from '../tts/index.js';
import type { Dialer } from './dialer.js';
import {
  CallEndedError,
  type CallEnd,
  type CallLeg,
  PromptError,
  type CollectOptions,
  type CollectResult,
  type DialOptions,
  type DialResult,
  type DialTarget,
  type Digit,
  type EchoOptions,
  type Listening,
  type ListenOptions,
  type PlayEnd,
  type PlayOptions,
  type Prompt,
  type RecordOptions,
  type RecordResult,
  type ReferOptions,
  type ReferResult,
  type StreamEnd,
  type StreamHandle,
  type StreamRequest,
} from '../engine/call-leg.js';

/** The beep before a recording: 1 kHz for half a second at −10 dBm0. */
const BEEP = { kind: 'tone', frequencies: [1000], durationMs: 500 } as const;

const STREAM_END_REASONS: Readonly<Record<StreamEndReason, StreamEnd['reason']>> = {
  stopped: 'stopped',
  'remote-closed': 'closed-by-application',
  'leg-closed': 'call-ended',
  failed: 'failed',
};

/**
 * The INVITE the leg answers or refuses: an `IncomingInvite`, or a call we placed that is
 * answered already (`answeredInvite` in outbound-call-leg.ts), so one leg serves both.
 */
export interface LegInvite {
  readonly state: IncomingInviteState;
  on(event: 'cancelled', listener: () => void): unknown;
  accept(options: { readonly body?: string }): InviteSession;
  reject(status: number): unknown;
  progress(status: number, options: { readonly body?: string }): unknown;
}

export interface SipCallLegDeps {
  readonly invite: LegInvite;
  readonly media: MediaLeg;
  /** Our SDP answer, sent with the 200 OK. */
  readonly answerSdp: string;
  readonly tts: TextToSpeech;
  readonly audio: AudioUrlCache;
  /** Timeline notes from below the engine (voice substitutions, media events). */
  readonly note: (type: string, data: Readonly<Record<string, unknown>>) => void;
  /** Told once, with the time the 200 OK went out. */
  readonly onAnswered?: (atMs: number) => void;
  /** Places `<Dial>`'s calls; without it `dial()` is not supported. */
  readonly dialer?: Dialer;
  /** This call as `<Dial>` names it: parent of the calls it dials. */
  readonly call?: { readonly sid: string; readonly accountSid: string; readonly from: string };
  /** Who the far end is: the caller (inbound, the default) or the callee (a call we placed). */
  readonly remoteParty?: 'caller' | 'callee';
}

export class NotSupportedYetError extends Error {
  readonly code = 'not_supported_yet';
}

export class SipCallLeg implements CallLeg {
  readonly #deps: SipCallLegDeps;
  readonly ended: Promise<CallEnd>;
  #resolveEnded!: (end: CallEnd) => void;
  #end: CallEnd | undefined;
  #session: InviteSession | undefined;
  #answeredAt: number | undefined;
  #answering: Promise<void> | undefined;
  readonly #digits: Digit[] = [];
  /** Forks started by `<Start><Stream>` and not ended, by SID. */
  readonly #forks = new Map<string, StreamHandle>();
  #digitWaiter: (() => void) | undefined;
  readonly #onDigit = (d: LegDigit): void => {
    this.#digits.push(d.digit as Digit);
    this.#deps.note('digit', { digit: d.digit, source: d.source, durationMs: d.durationMs });
    this.#digitWaiter?.();
  };
  readonly #onSipDigit = (d: SessionDtmf): void => void this.#deps.media.injectDigit(d.digit, d.durationMs).catch(() => undefined);

  constructor(deps: SipCallLegDeps) {
    this.#deps = deps;
    this.ended = new Promise((resolve) => (this.#resolveEnded = resolve));
    deps.invite.on('cancelled', () => this.#finish({ by: 'caller', sipStatus: 487 }));
    deps.media.on('digit', this.#onDigit);
    deps.media.on('rtptimeout', (silentMs: number) => {
      deps.note('media', { event: 'rtp-timeout', silentMs });
    });
  }

  get answered(): boolean {
    return this.#session !== undefined;
  }

  /** How the call ended, once it has. */
  get endedWith(): CallEnd | undefined {
    return this.#end;
  }

  /** The call once this leg answered it: where a redirect's next leg goes on. */
  get session(): InviteSession | undefined {
    return this.#session;
  }

  /** When the call was answered (ms since the epoch), if it was. */
  get answeredAt(): number | undefined {
    return this.#answeredAt;
  }

  #finish(end: CallEnd): void {
    if (this.#end) return;
    this.#end = end;
    this.#resolveEnded(end);
    this.#digitWaiter?.();
    // A leg released for a redirect leaves the call to the next leg: no listener stays behind.
    this.#deps.media.off('digit', this.#onDigit);
    this.#session?.off('dtmf', this.#onSipDigit);
    void this.#deps.media.stopPlay().catch(() => undefined);
  }

  /**
   * Stops what the application is doing on this leg without ending the call (a REST
   * redirect): the running verb ends with `CallEndedError`, the session with it, and the
   * call is free for a new leg and a new document.
   */
  release(): void {
    this.#finish({ by: 'application' });
  }

  #check(): void {
    if (this.#end) throw new CallEndedError(this.#end);
  }

  async answer(): Promise<void> {
    this.#check();
    if (this.#session) return;
    this.#answering ??= (async () => {
      const session = this.#deps.invite.accept({ body: this.#deps.answerSdp });
      this.#session = session;
      this.#answeredAt = Date.now();
      this.#deps.onAnswered?.(this.#answeredAt);
      const remote = this.#deps.remoteParty ?? 'caller';
      session.on('ended', (end) => this.#finish({ by: end.reason === 'remote-bye' ? remote : end.reason === 'local-bye' ? 'application' : 'system' }));
      session.on('dtmf', this.#onSipDigit);
      this.#deps.note('sip', { event: 'answered' });
    })();
    await this.#answering;
  }

  async reject(reason: 'busy' | 'rejected'): Promise<void> {
    if (this.#end) return;
    const status = reason === 'busy' ? 486 : 603;
    this.#deps.invite.reject(status);
    this.#finish({ by: 'application', sipStatus: status });
  }

  async hangup(): Promise<void> {
    if (this.#end) return;
    if (this.#session) {
      await this.#session.bye().catch(() => undefined);
      this.#finish({ by: 'application' });
    } else {
      this.#deps.invite.reject(603);
      this.#finish({ by: 'application', sipStatus: 603 });
    }
  }

  async #pcmFor(prompt: Prompt): Promise<PlayInput> {
    switch (prompt.kind) {
      case 'say': {
        const spoken = await this.#deps.tts.say(prompt.text, { voice: prompt.voice, language: prompt.language });
        if (spoken.note) this.#deps.note('warning', { code: 13511, message: spoken.note });
        return { kind: 'pcm', pcm: spoken.pcm };
      }
      case 'audio':
        return { kind: 'pcm', pcm: await this.#deps.audio.get(prompt.url) };
      case 'tone': {
        const [low = 1000, high] = prompt.frequencies;
        return { kind: 'tone', frequencies: high === undefined ? [low] : [low, high], durationMs: prompt.durationMs };
      }
      case 'silence':
        return { kind: 'silence', durationMs: prompt.durationMs };
    }
  }

  async play(prompt: Prompt, options: PlayOptions): Promise<PlayEnd> {
    this.#check();
    // A hangup during text-to-speech (seconds when not cached) ends the call now, not when the audio is ready.
    const making = this.#pcmFor(prompt).catch((error: unknown) => {
      // An audio URL that cannot be fetched or decoded fails the prompt, not the call.
      const code = (error as { twilioCode?: unknown }).twilioCode;
      throw typeof code === 'number' ? new PromptError(code, (error as Error).message, { cause: error }) : error;
    });
    making.catch(() => undefined);
    const input = await Promise.race([making, this.ended.then(() => null)]);
    this.#check();
    if (input === null) throw new CallEndedError(this.#end!);
    const interruptible = options.interruptOn === 'any-digit';
    if (interruptible && this.#digits.length > 0) return { reason: 'interrupted', digit: this.#digits[0]! };
    const played = this.#deps.media.playAndWait(input, { loop: options.loop });
    const { signal } = options;
    if (signal !== undefined) {
      // A new document took over: the prompt stops now (the caller of play was told by the signal).
      const stop = (): void => void this.#deps.media.stopPlay().catch(() => undefined);
      signal.addEventListener('abort', stop, { once: true });
      void played.finally(() => signal.removeEventListener('abort', stop)).catch(() => undefined);
    }
    const stopped = options.stopWhen?.then(() => 'stopped' as const);
    if (stopped !== undefined) {
      // Barge-in by voice: the prompt stops when the caller starts to speak.
      void stopped.then(() => this.#deps.media.stopPlay().catch(() => undefined));
    }
    if (!interruptible) {
      const first = await Promise.race([played.then(() => 'finished' as const), stopped ?? played.then(() => 'finished' as const), this.ended]);
      this.#check();
      return { reason: first === 'stopped' ? 'stopped' : 'finished' };
    }
    const interrupted = new Promise<Digit>((resolve) => {
      const onDigit = (d: LegDigit): void => resolve(d.digit as Digit);
      this.#deps.media.once('digit', onDigit);
      void played.finally(() => this.#deps.media.off('digit', onDigit));
    });
    const first = await Promise.race([played.then(() => undefined), interrupted, this.ended.then(() => undefined), stopped ?? played.then(() => undefined)]);
    this.#check();
    if (first === 'stopped') return { reason: 'stopped' };
    if (first !== undefined) {
      await this.#deps.media.stopPlay().catch(() => undefined);
      return { reason: 'interrupted', digit: first };
    }
    return { reason: 'finished' };
  }

  async sendDigits(digits: string): Promise<void> {
    this.#check();
    await sendDigitRuns(this.#deps.media, digits, this.ended);
    this.#check();
  }

  hasBufferedDigits(): boolean {
    return this.#digits.length > 0;
  }

  async collectDigits(options: CollectOptions): Promise<CollectResult> {
    let digits = '';
    for (;;) {
      this.#check();
      const next = this.#digits.shift() ?? (await this.#nextDigit(options.timeoutMs, options.signal));
      if (next === undefined) return { digits, reason: 'timeout' };
      if (options.finishOnKey !== '' && options.finishOnKey.includes(next)) return { digits, reason: 'finish-key', finishedOnKey: next };
      digits += next;
      if (options.numDigits !== undefined && digits.length >= options.numDigits) return { digits, reason: 'num-digits' };
    }
  }

  /** The next digit, or undefined after `timeoutMs` without one. */
  #nextDigit(timeoutMs: number, signal?: AbortSignal): Promise<Digit | undefined> {
    return new Promise((resolve, reject) => {
      const settle = (): void => {
        clearTimeout(timer);
        if (this.#digitWaiter === waiter) this.#digitWaiter = undefined;
        signal?.removeEventListener('abort', abort);
      };
      const timer = setTimeout(() => {
        settle();
        resolve(undefined);
      }, timeoutMs);
      const waiter = (): void => {
        settle();
        resolve(this.#digits.shift());
      };
      // A new document took over: stop waiting, and leave the digits for the next collect.
      const abort = (): void => {
        settle();
        reject(signal?.reason);
      };
      this.#digitWaiter = waiter;
      signal?.addEventListener('abort', abort, { once: true });
    });
  }

  async startStream(request: StreamRequest): Promise<StreamHandle> {
    this.#check();
    const handle = await this.#openStream(request, false);
    this.#forks.set(handle.streamSid, handle);
    void handle.ended.then(() => this.#forks.delete(handle.streamSid));
    return handle;
  }

  async stopStream(name?: string): Promise<number> {
    let stopped = 0;
    for (const handle of [...this.#forks.values()]) {
      if (name !== undefined && handle.name !== name && handle.streamSid !== name) continue;
      this.#forks.delete(handle.streamSid);
      if (await this.#deps.media.stopStream(handle.streamSid).catch(() => false)) stopped++;
    }
    return stopped;
  }

  async connectStream(request: StreamRequest, events: { started?(streamSid: string): void } = {}): Promise<StreamEnd> {
    this.#check();
    // Digits pressed while connected go to the application over the stream, not to a later <Gather>.
    const digitsBefore = this.#digits.length;
    const handle = await this.#openStream({ ...request, track: 'inbound_track' }, true);
    void handle.started.then((opened) => opened && events.started?.(handle.streamSid));
    const end = await Promise.race([handle.ended, this.ended.then(() => undefined)]);
    this.#digits.length = Math.min(this.#digits.length, digitsBefore);
    if (end === undefined) {
      await this.#deps.media.stopStream(handle.streamSid).catch(() => undefined);
      this.#check();
    }
    return end!;
  }

  async denoise(enabled: boolean): Promise<void> {
    this.#check();
    await this.#deps.media.setDenoise(enabled);
    this.#deps.note('media', { event: enabled ? 'denoise-on' : 'denoise-off' });
  }

  async echo(options: EchoOptions): Promise<void> {
    this.#check();
    await this.#deps.media.echo();
    this.#deps.note('media', { event: 'echo-started' });
    const { signal } = options;
    try {
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', stop);
          resolve();
        };
        const timer = setTimeout(stop, options.durationMs);
        signal?.addEventListener('abort', stop, { once: true });
        void this.ended.then(stop);
      });
    } finally {
      // A closing media leg drops its bridge by itself.
      if (!this.#end) await this.#deps.media.unbridge().catch(() => undefined);
    }
    this.#check();
  }

  async refer(target: string, options: ReferOptions = {}): Promise<ReferResult> {
    this.#check();
    const session = this.#session;
    if (session === undefined) throw new NotSupportedYetError('<Refer> needs an answered call');
    this.#deps.note('sip', { event: 'refer', target });
    let outcome;
    try {
      outcome = await session.refer(target, {
        ...(options.notifyTimeoutMs === undefined ? {} : { notifyTimeoutMs: options.notifyTimeoutMs }),
        onProgress: (s) => this.#deps.note('sip', { event: 'refer-notify', status: s.status, reason: s.reason }),
      });
    } catch (err) {
      // Not a URI a REFER can carry: nothing was sent, the transfer failed and the call goes on.
      this.#check(); // the call ended just now
      if (!(err instanceof TypeError)) throw err;
      this.#deps.note('warning', { message: `<Refer>: ${err.message}; no REFER sent` });
      return { notifyFinal: false, callerHungUp: false };
    }
    const last = outcome.progress.at(-1);
    this.#deps.note('sip', { event: 'refer-end', end: outcome.end, referStatus: outcome.response?.status ?? null, notifyStatus: last?.status ?? null });
    return {
      ...(outcome.response === undefined ? {} : { referStatus: outcome.response.status }),
      ...(last === undefined ? {} : { notifyStatus: last.status }),
      notifyFinal: outcome.final !== undefined,
      callerHungUp: outcome.end === 'session-ended',
    };
  }

  /** Asks the media leg for a stream and follows its events until it ends. */
  async #openStream(request: StreamRequest, bidirectional: boolean): Promise<StreamHandle> {
    const media = this.#deps.media;
    const streamSid = `MZ${randomBytes(16).toString('hex')}`;
    let resolveStarted!: (opened: boolean) => void;
    let resolveEnded!: (end: StreamEnd) => void;
    const started = new Promise<boolean>((resolve) => (resolveStarted = resolve));
    const ended = new Promise<StreamEnd>((resolve) => (resolveEnded = resolve));
    const onStarted = (id: string): void => {
      if (id !== streamSid) return;
      this.#deps.note('stream', { event: 'started', streamSid, name: request.name ?? null, url: request.url });
      resolveStarted(true);
    };
    const onEnded = (id: string, reason: StreamEndReason, counts: StreamCounts, message: string | undefined): void => {
      if (id !== streamSid) return;
      cleanup();
      const end: StreamEnd = {
        streamSid,
        reason: STREAM_END_REASONS[reason],
        ...(message === undefined ? {} : { error: message }),
        ...(reason === 'failed' ? { errorCode: streamErrorCode(message) } : {}),
      };
      this.#deps.note('stream', { event: 'ended', streamSid, reason: end.reason, error: end.error ?? null, code: end.errorCode ?? null, ...counts });
      resolveStarted(false);
      resolveEnded(end);
    };
    const onClose = (): void => {
      cleanup();
      resolveStarted(false);
      resolveEnded({ streamSid, reason: 'call-ended' });
    };
    const cleanup = (): void => {
      media.off('streamstarted', onStarted);
      media.off('streamended', onEnded);
      media.off('close', onClose);
    };
    media.on('streamstarted', onStarted);
    media.on('streamended', onEnded);
    media.on('close', onClose);
    try {
      await media.startStream({
        streamId: streamSid,
        url: request.url,
        tracks: request.track === 'both_tracks' ? 'both' : request.track === 'outbound_track' ? 'outbound' : 'inbound',
        bidirectional,
        start: { accountSid: request.accountSid, callSid: request.callSid, customParameters: request.customParameters },
      });
    } catch (err) {
      cleanup();
      throw err;
    }
    return { streamSid, ...(request.name === undefined ? {} : { name: request.name }), started, ended };
  }

  /**
   * The beep, then the media leg records until it stops by itself (length limit, silence),
   * a finish key is pressed, or the call ends. Keys pressed before the recording starts
   * do not end it; keys pressed during it are consumed.
   */
  async record(options: RecordOptions): Promise<RecordResult> {
    this.#check();
    const media = this.#deps.media;
    if (options.playBeep) {
      await Promise.race([media.playAndWait(BEEP), this.ended]);
      this.#check();
    }
    this.#digits.length = 0;
    const recordId = randomUUID();
    const stopped = new Promise<{ reason: RecordStopReason; info: RecordingInfo | null }>((resolve) => {
      const onStopped = (id: string, reason: RecordStopReason, info: RecordingInfo | null): void => {
        if (id !== recordId) return;
        media.off('recordstopped', onStopped);
        resolve({ reason, info });
      };
      media.on('recordstopped', onStopped);
    });
    await media.startRecord(recordId, options.path, {
      mode: options.channels === 'dual' ? 'dual' : 'inbound',
      maxDurationMs: options.maxLengthMs,
      silenceTimeoutMs: options.silenceTimeoutMs,
      trimSilence: options.trimSilence,
    });
    this.#deps.note('media', { event: 'record-started', recordId, path: options.path });
    const finishKey = new Promise<Digit>((resolve) => {
      this.#digitWaiter = () => {
        for (let d = this.#digits.shift(); d !== undefined; d = this.#digits.shift()) {
          if (options.finishOnKeys.includes(d)) return resolve(d);
        }
      };
    });
    const first = await Promise.race([
      stopped.then((s) => ({ kind: 'stopped' as const, ...s })),
      finishKey.then((key) => ({ kind: 'key' as const, key })),
      this.ended.then(() => ({ kind: 'ended' as const })),
    ]);
    this.#digitWaiter = undefined;
    if (first.kind === 'stopped') {
      if (first.info === null || first.reason === 'failed') throw new Error(`the recording to ${options.path} failed`);
      const ended = first.reason === 'closed';
      return recordResult(first.info, ended ? 'hangup' : '', ended ? 'hangup' : first.reason === 'silence' ? 'silence' : 'max-length');
    }
    // Stopped by us; if it had just stopped by itself, its event carries the file.
    const info = await media.stopRecord(recordId).catch(async () => (await stopped).info);
    if (info === null) throw new Error(`the recording to ${options.path} failed`);
    return first.kind === 'key' ? recordResult(info, first.key, 'finish-key') : recordResult(info, 'hangup', 'hangup');
  }

  async listen(options: ListenOptions): Promise<Listening> {
    this.#check();
    return listenOnMedia(this.#deps.media, this.ended, options, this.#deps.note);
  }

  async dial(targets: readonly DialTarget[], options: DialOptions): Promise<DialResult> {
    const { dialer, call, media, note, invite, answerSdp } = this.#deps;
    if (dialer === undefined || call === undefined) throw new NotSupportedYetError('<Dial> is not wired on this call');
    this.#check();
    const leg = this;
    let early = false;
    const result = await dialer.dial(
      {
        callSid: call.sid,
        accountSid: call.accountSid,
        from: call.from,
        media,
        get answered() {
          return leg.answered;
        },
        answer: () => this.answer(),
        earlyMedia: () => {
          if (early) return true;
          if (this.#end || this.#session || (invite.state !== 'pending' && invite.state !== 'early')) return false;
          invite.progress(183, { body: answerSdp });
          early = true;
          return true;
        },
        ended: this.ended,
        note,
      },
      targets,
      options,
    );
    // Keys pressed while bridged were for the callee, not type-ahead for the next verb.
    this.#digits.length = 0;
    return result;
  }
}

function recordResult(info: RecordingInfo, endedBy: string, reason: NonNullable<RecordResult['reason']>): RecordResult {
  return {
    file: info.path,
    durationMs: info.durationMs,
    endedBy,
    reason,
    channels: info.channels,
    ...(info.voicedMs === undefined ? {} : { voicedMs: info.voicedMs }),
  };
}
