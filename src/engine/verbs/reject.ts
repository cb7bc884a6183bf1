import type { TwimlNode } from '../../xml/index.js';
import { END, type VerbContext, type VerbOutcome } from '../verb-context.js';

/**
 * `<Reject>`: refuses an unanswered call without ever answering it (486 for busy, 603
 * for rejected; SEM-A2). Once the call is answered it acts as `<Hangup>`.
 */
export async function reject(verb: TwimlNode<'Reject'>, ctx: VerbContext): Promise<VerbOutcome> {
  return refuse(ctx, verb.attrs.reason === 'busy' ? 'busy' : 'rejected');
}

/** `<Reject>`'s behaviour; Apifonica's endCall with a signal too. */
export async function refuse(ctx: VerbContext, reason: 'busy' | 'rejected'): Promise<VerbOutcome> {
  if (ctx.leg.answered) await ctx.leg.hangup();
  else await ctx.leg.reject(reason);
  return END;
}
