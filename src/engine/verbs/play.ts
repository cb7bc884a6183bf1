import type { TwimlNode } from '../../xml/index.js';
import { PromptError } from '../call-leg.js';
import { CONTINUE, type VerbContext, type VerbOutcome } from '../verb-context.js';
import { loopCount } from './loop.js';

/** `<Play>`: an audio URL `loop` times, or with `digits`, DTMF sent to the far end. */
export async function play(verb: TwimlNode<'Play'>, ctx: VerbContext, interruptible = false): Promise<VerbOutcome> {
  if (verb.attrs.digits !== undefined && verb.attrs.digits !== '') {
    await ctx.leg.answer();
    await ctx.leg.sendDigits(verb.attrs.digits);
    return CONTINUE;
  }
  return playUrl(ctx, verb.text, verb.attrs.loop, interruptible);
}

/**
 * Answers, then plays the audio at `url` (relative to the document) `loop` times, 0 as
 * "forever" (SEM-P1); a key press stops it when `interruptible`. Apifonica's playAudio too.
 */
export async function playUrl(ctx: VerbContext, url: string, loop: number, interruptible: boolean): Promise<VerbOutcome> {
  await ctx.leg.answer();
  if (url === '') return CONTINUE;
  try {
    await ctx.leg.play({ kind: 'audio', url: ctx.resolve(url) }, { loop: loopCount(loop), interruptOn: interruptible ? 'any-digit' : 'none' });
  } catch (error) {
    // SEM-P3: audio that cannot be fetched or played is logged, and the document goes on.
    if (!(error instanceof PromptError)) throw error;
    ctx.timeline.append('warning', { code: error.code, message: error.message, url: ctx.resolve(url) });
  }
  return CONTINUE;
}
