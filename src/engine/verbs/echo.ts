import type { TwimlNode } from '../../xml/index.js';
import { CONTINUE, type VerbContext, type VerbOutcome } from '../verb-context.js';

/**
 * `<Echo>` (dialects.md §3.16, SEM-O7): answers and sends the caller's own audio back to
 * them for `timeout` seconds (SignalWire's 5–120, default 60; Twilio names no limit, and the
 * same default keeps a forgotten test call from echoing forever), then the next verb.
 */
export async function echo(verb: TwimlNode<'Echo'>, ctx: VerbContext): Promise<VerbOutcome> {
  await ctx.leg.answer();
  await ctx.leg.echo({ durationMs: verb.attrs.timeout * 1000 });
  return CONTINUE;
}
