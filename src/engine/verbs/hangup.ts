import type { TwimlNode } from '../../xml/index.js';
import { END, type VerbContext, type VerbOutcome } from '../verb-context.js';

/** `<Hangup>`: answers first if the call was not answered (SEM-A4), then ends it. */
export async function hangup(_verb: TwimlNode<'Hangup'>, ctx: VerbContext): Promise<VerbOutcome> {
  return hangUp(ctx);
}

/** `<Hangup>`'s behaviour; Apifonica's endCall without a signal too. */
export async function hangUp(ctx: VerbContext): Promise<VerbOutcome> {
  await ctx.leg.answer();
  await ctx.leg.hangup();
  return END;
}
