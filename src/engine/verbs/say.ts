import type { TwimlNode } from '../../xml/index.js';
import { CONTINUE, type VerbContext, type VerbOutcome } from '../verb-context.js';
import { loopCount } from './loop.js';

/** `<Say>`: speaks its text (SSML reduced to plain text), `loop` times (0 = until hangup). */
export async function say(verb: TwimlNode<'Say'>, ctx: VerbContext, interruptible = false): Promise<VerbOutcome> {
  await ctx.leg.answer();
  if (verb.text === '') return CONTINUE;
  await ctx.leg.play(
    { kind: 'say', text: verb.text, voice: verb.attrs.voice, language: verb.attrs.language },
    { loop: loopCount(verb.attrs.loop), interruptOn: interruptible ? 'any-digit' : 'none' },
  );
  return CONTINUE;
}
