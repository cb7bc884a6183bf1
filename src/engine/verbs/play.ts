import type { TwimlNode } from '../../xml/index.js';
import { CONTINUE, type VerbContext, type VerbOutcome } from '../verb-context.js';
import { loopCount } from './loop.js';

/** `<Play>`: an audio URL `loop` times, or with `digits`, DTMF sent to the far end. */
export async function play(verb: TwimlNode<'Play'>, ctx: VerbContext, interruptible = false): Promise<VerbOutcome> {
  await ctx.leg.answer();
  if (verb.attrs.digits !== undefined && verb.attrs.digits !== '') {
    await ctx.leg.sendDigits(verb.attrs.digits);
    return CONTINUE;
  }
  if (verb.text === '') return CONTINUE;
  await ctx.leg.play({ kind: 'audio', url: ctx.resolve(verb.text) }, { loop: loopCount(verb.attrs.loop), interruptOn: interruptible ? 'any-digit' : 'none' });
  return CONTINUE;
}
