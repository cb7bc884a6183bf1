import { setTimeout as delay } from 'node:timers/promises';
import type { TwimlNode } from '../../xml/index.js';
import { SpeechError, splitHints, type SpeechRecognizer, type Transcript } from '../../speech/index.js';
import type { CallLeg, CollectResult, Listening, Utterance } from '../call-leg.js';
import { CONTINUE, type VerbContext, type VerbOutcome } from '../verb-context.js';
import { pause } from './pause.js';
import { play } from './play.js';
import { say } from './say.js';

type Gather = TwimlNode<'Gather'>;

/** `speechTimeout="auto"`: the end of the first pause, as a short silence. */
const AUTO_SPEECH_TIMEOUT_MS = 1000;
/** How often the words so far are recognized anew for `partialResultCallback`. */
const PARTIAL_RESULT_EVERY_MS = 1000;

/**
 * `<Gather>`: plays its nested prompts, which caller input interrupts (bargeIn: a key,
 * or the voice when listening for speech), then collects what `input` asks for.
 * - Keys: until `numDigits`, the finish key, or `timeout` seconds without one.
 * - Speech: waits `timeout` seconds for the voice, then takes the utterance up to
 *   `speechTimeout` seconds of silence after it (SEM-G8) or `maxSpeechTime`, and has the
 *   node's recognizer transcribe it, biased to `hints`. `partialResultCallback` gets the
 *   words so far while the caller speaks; its answers are ignored (SEM-G10).
 * - Both: the first to arrive wins (SEM-G7).
 * With input, it requests `action` (default: this document's URL, SEM-G6) with `Digits`
 * or `SpeechResult` and `Confidence`; with none it falls through to the next verb
 * (SEM-G5) unless `actionOnEmptyResult` is set. Where no recognizer can take the call's
 * language, speech input is reported on the timeline and keys are listened for instead.
 */
export async function gather(verb: Gather, ctx: VerbContext): Promise<VerbOutcome> {
  await ctx.leg.answer();
  const { attrs } = verb;
  const recognizer = attrs.input.includes('speech') ? recognizerFor(verb, ctx) : undefined;
  const keys = attrs.input.includes('dtmf') || recognizer === undefined;
  const listenOptions = {
    endSilenceMs: attrs.speechTimeout === 'auto' ? AUTO_SPEECH_TIMEOUT_MS : (attrs.speechTimeout ?? attrs.timeout) * 1000,
    maxMs: attrs.maxSpeechTime * 1000,
  };
  // With barge-in, listening starts with the prompts, so that the voice can stop them.
  let listening = recognizer !== undefined && attrs.bargeIn ? await ctx.leg.listen(listenOptions) : undefined;
  const spokeDuringPrompts = await playPrompts(verb, ctx, listening);
  if (recognizer !== undefined) listening ??= await ctx.leg.listen(listenOptions);

  let input: Input;
  if (listening === undefined) input = { kind: 'keys', result: await collectKeys(verb, ctx.leg) };
  else if (spokeDuringPrompts) input = { kind: 'speech', utterance: await utterance(verb, ctx, recognizer!, listening) };
  else input = await firstInput(verb, ctx, recognizer!, listening, keys);
  if (input.kind === 'keys') return keysOutcome(verb, ctx, input.result);
  return speechOutcome(verb, ctx, recognizer!, input.utterance);
}

type Input = { readonly kind: 'keys'; readonly result: CollectResult } | { readonly kind: 'speech'; readonly utterance: Utterance };

function recognizerFor(verb: Gather, ctx: VerbContext): SpeechRecognizer | undefined {
  const { speech } = ctx;
  if (speech === undefined) {
    ctx.timeline.append('warning', {
      code: 13326,
      message:
        'no speech recognizer is installed on this node (Debian: apt-get install pocketsphinx pocketsphinx-en-us); <Gather input="speech"> listens for keys instead',
      line: verb.line,
    });
    return undefined;
  }
  if (!speech.supports(verb.attrs.language)) {
    ctx.timeline.append('warning', {
      code: 13331,
      message: `the speech recognizer (${speech.name}) has no model for ${verb.attrs.language}; <Gather input="speech"> listens for keys instead`,
      line: verb.line,
    });
    return undefined;
  }
  return speech;
}

/** Plays the nested prompts until they end or caller input stops them; true when the caller's voice did. */
async function playPrompts(verb: Gather, ctx: VerbContext, listening: Listening | undefined): Promise<boolean> {
  const { bargeIn } = verb.attrs;
  let spoke = false;
  let leg = ctx.leg;
  if (listening !== undefined) {
    // Resolves when the caller speaks; never when they do not (the prompt ends as it would).
    const voice = listening.voice(verb.attrs.maxSpeechTime * 1000).then(
      (heard) => (heard ? void (spoke = true) : new Promise<never>(() => undefined)),
      () => new Promise<never>(() => undefined),
    );
    leg = stoppedByVoice(ctx.leg, voice);
  }
  const nested = { ...ctx, leg, firstVerb: false };
  for (const prompt of verb.children) {
    if (prompt.name === 'Say') await say(prompt, nested, bargeIn);
    else if (prompt.name === 'Play') await play(prompt, nested, bargeIn);
    else if (prompt.name === 'Pause') await pause(prompt, nested, bargeIn);
    if (bargeIn && (spoke || ctx.leg.hasBufferedDigits())) break;
  }
  return spoke;
}

/** The leg, with every prompt stopping when `voice` resolves. */
function stoppedByVoice(leg: CallLeg, voice: Promise<void>): CallLeg {
  return new Proxy(leg, {
    get(target, property) {
      const value: unknown = Reflect.get(target, property, target);
      if (property === 'play') return (...[prompt, options]: Parameters<CallLeg['play']>) => target.play(prompt, { ...options, stopWhen: voice });
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

function collectKeys(verb: Gather, leg: CallLeg): Promise<CollectResult> {
  const { attrs } = verb;
  return leg.collectDigits({
    ...(attrs.numDigits !== undefined ? { numDigits: attrs.numDigits } : {}),
    finishOnKey: attrs.finishOnKey,
    timeoutMs: attrs.timeout * 1000,
  });
}

/**
 * Waits `timeout` for the caller's voice, or (with keys too) for whichever comes first:
 * a key ends listening and the keys are collected as usual; the voice ends the wait for
 * keys and its utterance is taken (SEM-G7).
 */
async function firstInput(verb: Gather, ctx: VerbContext, recognizer: SpeechRecognizer, listening: Listening, keys: boolean): Promise<Input> {
  const { leg } = ctx;
  const timeoutMs = verb.attrs.timeout * 1000;
  if (!keys) {
    if (await listening.voice(timeoutMs)) return { kind: 'speech', utterance: await utterance(verb, ctx, recognizer, listening) };
    await listening.stop();
    return { kind: 'keys', result: { digits: '', reason: 'timeout' } };
  }
  const stopWaiting = new AbortController();
  const firstKey = leg
    .collectDigits({ numDigits: 1, finishOnKey: '', timeoutMs, signal: stopWaiting.signal })
    .then((r) => (r.digits === '' ? undefined : r.digits))
    .catch((error: unknown) => {
      if (stopWaiting.signal.aborted) return undefined;
      throw error;
    });
  const voice = listening.voice(timeoutMs);
  const first = await Promise.race([voice.then((heard) => ({ heard })), firstKey.then((key) => ({ key }))]);
  // A key wait that ended without a key leaves it to the voice (its wait ends as soon).
  const heard = 'heard' in first ? first.heard : first.key === undefined && (await voice);
  if (heard) {
    stopWaiting.abort();
    await firstKey;
    return { kind: 'speech', utterance: await utterance(verb, ctx, recognizer, listening) };
  }
  const key = await firstKey;
  await listening.stop();
  if (key === undefined) return { kind: 'keys', result: { digits: '', reason: 'timeout' } };
  if (verb.attrs.finishOnKey !== '' && verb.attrs.finishOnKey.includes(key)) {
    return { kind: 'keys', result: { digits: '', reason: 'finish-key', finishedOnKey: key } };
  }
  const { numDigits } = verb.attrs;
  if (numDigits === 1) return { kind: 'keys', result: { digits: key, reason: 'num-digits' } };
  const rest = await leg.collectDigits({
    ...(numDigits !== undefined ? { numDigits: numDigits - 1 } : {}),
    finishOnKey: verb.attrs.finishOnKey,
    timeoutMs,
  });
  return { kind: 'keys', result: { ...rest, digits: key + rest.digits } };
}

/**
 * The utterance, once it ends. Meanwhile, with `partialResultCallback`, the words so far
 * are recognized every second and sent when they changed: `UnstableSpeechResult` all of
 * them, `StableSpeechResult` those the last two results agree on from the start.
 */
function utterance(verb: Gather, ctx: VerbContext, recognizer: SpeechRecognizer, listening: Listening): Promise<Utterance> {
  const { attrs } = verb;
  const url = attrs.partialResultCallback;
  if (url === undefined) return listening.ended;
  let over = false;
  const ended = listening.ended.finally(() => (over = true));
  const options = { language: attrs.language, hints: splitHints(attrs.hints) };
  void (async () => {
    let sequence = 0;
    let last: readonly string[] = [];
    while (!over) {
      await Promise.race([ended.catch(() => undefined), delay(PARTIAL_RESULT_EVERY_MS)]);
      if (over) return;
      const words = (await recognizer.recognize(await listening.soFar(), options).catch(() => null))?.text.split(' ') ?? [];
      if (over || words.length === 0 || words.join(' ') === last.join(' ')) continue;
      let stable = 0;
      while (stable < words.length && words[stable] === last[stable]) stable++;
      ctx.notify({
        kind: 'gather-partial',
        label: 'partial-result',
        url: ctx.resolve(url),
        method: attrs.partialResultCallbackMethod,
        params: {
          UnstableSpeechResult: words.join(' '),
          StableSpeechResult: words.slice(0, stable).join(' '),
          SequenceNumber: String(++sequence),
          LanguageCode: attrs.language,
        },
      });
      last = words;
    }
  })();
  return ended;
}

function keysOutcome(verb: Gather, ctx: VerbContext, result: CollectResult): VerbOutcome {
  const { attrs } = verb;
  ctx.timeline.append('gather', { digits: result.digits, reason: result.reason });
  if (result.digits === '' && !attrs.actionOnEmptyResult) return CONTINUE;
  const params: Record<string, string> = { Digits: result.digits };
  if (result.finishedOnKey !== undefined) params.FinishedOnKey = result.finishedOnKey;
  return { type: 'fetch', url: ctx.resolve(attrs.action ?? ctx.documentUrl), method: attrs.method, params };
}

async function speechOutcome(verb: Gather, ctx: VerbContext, recognizer: SpeechRecognizer, utterance: Utterance): Promise<VerbOutcome> {
  const { attrs } = verb;
  const started = performance.now();
  const transcript = await transcribe(verb, ctx, recognizer, utterance.pcm);
  ctx.timeline.append('gather', {
    speech: transcript?.text ?? '',
    confidence: transcript?.confidence ?? 0,
    reason: utterance.reason,
    voicedMs: utterance.voicedMs,
    recognizer: recognizer.name,
    recognizeMs: Math.round(performance.now() - started),
  });
  if (transcript === null && !attrs.actionOnEmptyResult) return CONTINUE;
  const params: Record<string, string> =
    transcript === null ? {} : { SpeechResult: transcript.text, Confidence: String(transcript.confidence), Language: attrs.language };
  return { type: 'fetch', url: ctx.resolve(attrs.action ?? ctx.documentUrl), method: attrs.method, params };
}

/** The recognizer's transcript, or null when it heard nothing or failed (a failure goes on the timeline). */
async function transcribe(verb: Gather, ctx: VerbContext, recognizer: SpeechRecognizer, pcm: Int16Array): Promise<Transcript | null> {
  if (pcm.length === 0) return null;
  try {
    const transcript = await recognizer.recognize(pcm, { language: verb.attrs.language, hints: splitHints(verb.attrs.hints) });
    return transcript === null || transcript.text === '' ? null : transcript;
  } catch (error) {
    if (!(error instanceof SpeechError)) throw error;
    ctx.timeline.append('warning', { code: 13340, message: `speech recognition failed: ${error.message}`, line: verb.line });
    return null;
  }
}
