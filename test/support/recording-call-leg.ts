/**
 * A test kit for the engine's CallLeg port: it records what the engine asks of the call
 * and plays back key presses scripted by the test. It stands in for SIP and media only in
 * engine unit tests; end-to-end tests run the engine on real SIP calls.
 */
import {
  CallEndedError,
  PromptError,
  type CallEnd,
  type CallLeg,
  type CollectOptions,
  type CollectResult,
  type DialOptions,
  type DialResult,
  type DialTarget,
  type EchoOptions,
  type Listening,
  type ListenOptions,
  type PlayEnd,
  type Prompt,
  type RecordOptions,
  type RecordResult,
  type ReferResult,
  type StreamEnd,
  type StreamHandle,
  type StreamRequest,
} from '../../src/engine/call-leg.js';

export type LegAction =
  | { readonly type: 'answer' }
  | { readonly type: 'reject'; readonly reason: string }
  | { readonly type: 'hangup' }
  | { readonly type: 'play'; readonly prompt: Prompt; readonly loop: number }
  | { readonly type: 'digits'; readonly digits: string }
  | { readonly type: 'collect'; readonly result: CollectResult }
  | { readonly type: 'dial'; readonly targets: readonly DialTarget[]; readonly options: DialOptions }
  | { readonly type: 'record'; readonly options: RecordOptions }
  | { readonly type: 'listen'; readonly options: ListenOptions }
  | { readonly type: 'listen-stop' }
  | { readonly type: 'stream-start'; readonly request: StreamRequest; readonly streamSid: string }
  | { readonly type: 'stream-stop'; readonly name: string | undefined; readonly stopped: number }
  | { readonly type: 'stream-connect'; readonly request: StreamRequest; readonly streamSid: string }
  | { readonly type: 'echo'; readonly durationMs: number }
  | { readonly type: 'denoise'; readonly enabled: boolean }
  | { readonly type: 'refer'; readonly target: string };

/** What the caller says when the engine listens: audio, said after the prompts or during prompt `duringPrompt` (barge-in). */
export interface ScriptedSpeech {
  readonly pcm: Int16Array;
  readonly duringPrompt?: number;
  /** How long the utterance goes on once the voice started, ms (default 0). */
  readonly lastsMs?: number;
}

/** What a scripted recording yields; the file is the one the engine asked for. */
export type ScriptedRecording = Omit<RecordResult, 'file'>;

export class RecordingCallLeg implements CallLeg {
  readonly actions: LegAction[] = [];
  answered = false;
  readonly ended: Promise<CallEnd>;
  #end!: (end: CallEnd) => void;
  #over: CallEnd | undefined;
  /** Key presses that arrive during the Nth prompt played (0-based), in order. */
  readonly #pressDuringPrompt = new Map<number, string>();
  #prompts = 0;
  #buffer = '';
  readonly #recordings: ScriptedRecording[] = [];

  constructor() {
    this.ended = new Promise((resolve) => (this.#end = resolve));
  }

  /** The caller presses `keys` while prompt number `index` plays (it is interrupted if allowed). */
  pressDuringPrompt(index: number, keys: string): this {
    this.#pressDuringPrompt.set(index, keys);
    return this;
  }

  /** The caller hangs up after `prompts` prompts have played. */
  hangUpAfterPrompts(prompts: number): this {
    this.#hangupAfter = prompts;
    return this;
  }

  #hangupAfter = Infinity;

  /** What the next recordings yield, in order; one that ends by `hangup` ends the call (the caller hung up). */
  recordWith(...recordings: ScriptedRecording[]): this {
    this.#recordings.push(...recordings);
    return this;
  }

  /** How `<Connect><Stream>` ends (default: the application closes the WebSocket). */
  connectEndsWith(end: Omit<StreamEnd, 'streamSid'>): this {
    this.#connectEnd = end;
    return this;
  }

  /** Forks started and not stopped. */
  readonly #forks = new Map<string, { handle: StreamHandle; end: (end: StreamEnd) => void }>();
  #connectEnd: Omit<StreamEnd, 'streamSid'> = { reason: 'closed-by-application' };
  #streams = 0;

  #check(): void {
    if (this.#over) throw new CallEndedError(this.#over);
  }

  #finish(end: CallEnd): void {
    if (this.#over) return;
    this.#over = end;
    this.#end(end);
    for (const [sid, fork] of this.#forks) fork.end({ streamSid: sid, reason: 'call-ended' });
    this.#forks.clear();
  }

  async answer(): Promise<void> {
    this.#check();
    if (!this.answered) {
      this.answered = true;
      this.actions.push({ type: 'answer' });
    }
  }

  async reject(reason: 'busy' | 'rejected'): Promise<void> {
    this.actions.push({ type: 'reject', reason });
    this.#finish({ by: 'application', sipStatus: reason === 'busy' ? 486 : 603 });
  }

  async hangup(): Promise<void> {
    if (this.#over) return;
    this.actions.push({ type: 'hangup' });
    this.#finish({ by: 'application' });
  }

  /** Playing audio from `url` fails as a real leg's does when the audio cannot be fetched or decoded (the Twilio `code`). */
  failAudio(url: string, code: number): this {
    this.#failingAudio.set(url, code);
    return this;
  }

  readonly #failingAudio = new Map<string, number>();

  /** What the caller says to the next listens, in order; a listen with none scripted hears silence. */
  speakWith(...speech: ScriptedSpeech[]): this {
    this.#speech.push(...speech);
    return this;
  }

  readonly #speech: ScriptedSpeech[] = [];
  /** The listening under way: the prompt its voice starts during, and how to start it. */
  #listening: { readonly duringPrompt: number | undefined; readonly speak: () => void } | undefined;

  async listen(options: ListenOptions): Promise<Listening> {
    this.#check();
    this.actions.push({ type: 'listen', options });
    const speech = this.#speech.shift();
    let speak!: () => void;
    const spoken = new Promise<void>((resolve) => (speak = resolve));
    let stopped = false;
    this.#listening = { duringPrompt: speech?.duringPrompt, speak };
    const ended = spoken.then(() => new Promise((resolve) => setTimeout(resolve, speech?.lastsMs ?? 0))).then(() => ({ pcm: speech?.pcm ?? new Int16Array(0), voicedMs: speech ? speech.pcm.length / 8 : 0, reason: 'silence' as const }));
    return {
      voice: async () => {
        // After the prompts, a scripted utterance is said at once; without one the caller stays silent.
        if (speech !== undefined && !stopped) speak();
        return speech !== undefined && !stopped;
      },
      ended,
      soFar: async () => speech?.pcm ?? new Int16Array(0),
      stop: async () => {
        stopped = true;
        this.actions.push({ type: 'listen-stop' });
        // The engine stops listening when nothing was said in time, or a key came first.
        return { pcm: new Int16Array(0), voicedMs: 0, reason: 'stopped' };
      },
    };
  }

  async play(prompt: Prompt, options: { loop: number; interruptOn?: 'any-digit' | 'none'; stopWhen?: Promise<unknown> }): Promise<PlayEnd> {
    this.#check();
    const failing = prompt.kind === 'audio' ? this.#failingAudio.get(prompt.url) : undefined;
    if (failing !== undefined) throw new PromptError(failing, `the audio at ${prompt.kind === 'audio' ? prompt.url : ''} failed (${failing})`);
    const index = this.#prompts++;
    this.actions.push({ type: 'play', prompt, loop: options.loop });
    if (this.#listening !== undefined && this.#listening.duringPrompt === index) {
      this.#listening.speak();
      if (options.stopWhen !== undefined) {
        await options.stopWhen;
        return { reason: 'stopped' };
      }
    }
    const keys = this.#pressDuringPrompt.get(index);
    if (keys) this.#buffer += keys;
    if (this.#prompts >= this.#hangupAfter) {
      this.#finish({ by: 'caller' });
      throw new CallEndedError(this.#over!);
    }
    if (keys && options.interruptOn === 'any-digit') return { reason: 'interrupted', digit: keys[0] as never };
    return { reason: 'finished' };
  }

  async sendDigits(digits: string): Promise<void> {
    this.#check();
    this.actions.push({ type: 'digits', digits });
  }

  hasBufferedDigits(): boolean {
    return this.#buffer.length > 0;
  }

  async collectDigits(options: CollectOptions): Promise<CollectResult> {
    this.#check();
    let digits = '';
    let result: CollectResult = { digits: '', reason: 'timeout' };
    let used = this.#buffer.length;
    for (const [i, key] of [...this.#buffer].entries()) {
      if (options.finishOnKey !== '' && options.finishOnKey.includes(key)) {
        result = { digits, reason: 'finish-key', finishedOnKey: key };
        used = i + 1;
        break;
      }
      digits += key;
      if (options.numDigits !== undefined && digits.length >= options.numDigits) {
        result = { digits, reason: 'num-digits' };
        used = i + 1;
        break;
      }
      result = { digits, reason: 'timeout' };
    }
    // Keys after the end of input stay buffered for the next collect, as on a real leg.
    this.#buffer = this.#buffer.slice(used);
    this.actions.push({ type: 'collect', result });
    return result;
  }

  async startStream(request: StreamRequest): Promise<StreamHandle> {
    this.#check();
    const streamSid = `MZ${String(++this.#streams).padStart(32, '0')}`;
    let end!: (end: StreamEnd) => void;
    const ended = new Promise<StreamEnd>((resolve) => (end = resolve));
    const handle: StreamHandle = { streamSid, ...(request.name === undefined ? {} : { name: request.name }), started: Promise.resolve(true), ended };
    this.#forks.set(streamSid, { handle, end });
    this.actions.push({ type: 'stream-start', request, streamSid });
    return handle;
  }

  async stopStream(name?: string): Promise<number> {
    let stopped = 0;
    for (const [sid, fork] of [...this.#forks]) {
      if (name !== undefined && fork.handle.name !== name && sid !== name) continue;
      this.#forks.delete(sid);
      fork.end({ streamSid: sid, reason: 'stopped' });
      stopped++;
    }
    this.actions.push({ type: 'stream-stop', name, stopped });
    return stopped;
  }

  async connectStream(request: StreamRequest, events: { started?(streamSid: string): void } = {}): Promise<StreamEnd> {
    this.#check();
    const streamSid = `MZ${String(++this.#streams).padStart(32, '0')}`;
    this.actions.push({ type: 'stream-connect', request, streamSid });
    if (this.#connectEnd.reason !== 'failed') events.started?.(streamSid);
    return { streamSid, ...this.#connectEnd };
  }

  async denoise(enabled: boolean): Promise<void> {
    this.#check();
    this.actions.push({ type: 'denoise', enabled });
  }

  /** Records the echo and returns at once (its length is the media's business). */
  async echo(options: EchoOptions): Promise<void> {
    this.#check();
    this.actions.push({ type: 'echo', durationMs: options.durationMs });
  }

  async record(options: RecordOptions): Promise<RecordResult> {
    this.#check();
    this.actions.push({ type: 'record', options });
    const next = this.#recordings.shift();
    if (next === undefined) throw new Error('no recording scripted for this record()');
    if (next.endedBy === 'hangup') this.#finish({ by: 'caller' });
    return { ...next, file: options.path };
  }

  #dialResult: DialResult | undefined;

  /** What `dial()` comes to; with `callerHungUp`, the caller is gone afterwards. */
  dialResult(result: DialResult): this {
    this.#dialResult = result;
    return this;
  }

  async dial(targets: readonly DialTarget[], options: DialOptions): Promise<DialResult> {
    this.#check();
    if (this.#dialResult === undefined) throw new Error('dial is not scripted in this kit');
    this.actions.push({ type: 'dial', targets, options });
    const result = this.#dialResult;
    // A scripted recording is written where the engine's recording request says (`<Dial record>`).
    const recording = options.recording && result.recording ? { ...result.recording, file: await options.recording.open() } : undefined;
    if (result.callerHungUp === true) this.#finish({ by: 'caller' });
    return recording ? { ...result, recording } : result;
  }

  #referResult: ReferResult | undefined;

  /** What `refer()` comes to; with `callerHungUp`, the caller is gone afterwards. */
  referResult(result: ReferResult): this {
    this.#referResult = result;
    return this;
  }

  async refer(target: string): Promise<ReferResult> {
    this.#check();
    if (this.#referResult === undefined) throw new Error('refer is not scripted in this kit');
    this.actions.push({ type: 'refer', target });
    if (this.#referResult.callerHungUp) this.#finish({ by: 'caller' });
    return this.#referResult;
  }

  /** What was spoken, in order. */
  spoken(): string[] {
    return this.actions.flatMap((a) => (a.type === 'play' && a.prompt.kind === 'say' ? [a.prompt.text] : []));
  }
}
