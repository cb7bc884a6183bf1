import type { ApifonicaNode } from '../../../xml/index.js';
import type { VerbContext, VerbOutcome } from '../../verb-context.js';
import { hangUp } from '../hangup.js';
import { refuse } from '../reject.js';

/**
 * `<endCall>` (legacy name `<hangup>`): with `signal="busy"` or `"reject"`, TwiML's
 * `<Reject>`: an unanswered call is refused with 486 or 603 and never answered; without a
 * signal, TwiML's `<Hangup>`.
 */
export function endCall(verb: ApifonicaNode<'endCall'>, ctx: VerbContext): Promise<VerbOutcome> {
  const { signal } = verb.attrs;
  if (signal === undefined) return hangUp(ctx);
  return refuse(ctx, signal === 'busy' ? 'busy' : 'rejected');
}
