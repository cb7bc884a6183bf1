import type { TwimlNode } from '../../xml/index.js';
import type { Prompt } from '../call-leg.js';
import { CONTINUE, type VerbContext, type VerbOutcome } from '../verb-context.js';
import { loopCount } from './loop.js';

type Say = TwimlNode<'Say'>;

/** SSML `<break strength>` as silence, ms (the values Amazon Polly documents). */
const BREAK_STRENGTH_MS: Readonly<Record<string, number>> = {
  none: 0,
  'x-weak': 0,
  weak: 250,
  medium: 500,
  strong: 750,
  'x-strong': 1000,
};

/**
 * `<Say>`: speaks its text, `loop` times (0 = until hangup). SSML is reduced to what the
 * text-to-speech can honour (SEM-P5): the words of every tag are spoken, and a `<break>`
 * is silence of its `time` (or `strength`).
 */
export async function say(verb: Say, ctx: VerbContext, interruptible = false): Promise<VerbOutcome> {
  await ctx.leg.answer();
  if (verb.text === '') return CONTINUE;
  const { voice, language } = verb.attrs;
  const parts = spokenParts(verb);
  const interruptOn = interruptible ? 'any-digit' : 'none';
  if (parts.length === 1) {
    await ctx.leg.play({ kind: 'say', text: verb.text, voice, language }, { loop: loopCount(verb.attrs.loop), interruptOn });
    return CONTINUE;
  }
  for (let i = 0; i < loopCount(verb.attrs.loop); i++) {
    for (const part of parts) {
      const prompt: Prompt = typeof part === 'string' ? { kind: 'say', text: part, voice, language } : { kind: 'silence', durationMs: part };
      const end = await ctx.leg.play(prompt, { loop: 1, interruptOn });
      if (end.reason !== 'finished') return CONTINUE;
    }
  }
  return CONTINUE;
}

/** The text between breaks (trimmed, empty runs left out) and each break's length, ms, in order. */
function spokenParts(verb: Say): (string | number)[] {
  const parts: (string | number)[] = [];
  let text = '';
  const flush = (): void => {
    const trimmed = text.replace(/\s+/g, ' ').trim();
    if (trimmed !== '') parts.push(trimmed);
    text = '';
  };
  const walk = (content: readonly unknown[]): void => {
    for (const item of content) {
      if (typeof item === 'string') text += item;
      else if (isElement(item) && item.name === 'break') {
        const ms = breakMs(item.attrs);
        if (ms > 0) {
          flush();
          parts.push(ms);
        }
      } else if (isElement(item)) {
        text += ' ';
        walk(item.content ?? []);
        text += ' ';
      }
    }
  };
  walk(verb.content);
  flush();
  return parts.length === 0 ? [verb.text] : parts;
}

interface Element {
  readonly name: string;
  readonly attrs: Readonly<Record<string, unknown>>;
  readonly content?: readonly unknown[] | null;
}

function isElement(item: unknown): item is Element {
  return typeof item === 'object' && item !== null && 'name' in item;
}

/** `time="1s"`, `"500ms"`, or a `strength`; default a medium pause. Capped at 10 s, as SSML's own limit. */
function breakMs(attrs: Readonly<Record<string, unknown>>): number {
  const time = typeof attrs.time === 'string' ? /^\s*(\d+(?:\.\d+)?)\s*(ms|s)\s*$/i.exec(attrs.time) : null;
  if (time) return Math.min(10_000, Math.round(Number(time[1]) * (time[2]!.toLowerCase() === 's' ? 1000 : 1)));
  if (typeof attrs.strength === 'string' && attrs.strength in BREAK_STRENGTH_MS) return BREAK_STRENGTH_MS[attrs.strength]!;
  return BREAK_STRENGTH_MS.medium!;
}
