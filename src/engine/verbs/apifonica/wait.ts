import type { ApifonicaNode } from '../../../xml/index.js';
import type { VerbContext, VerbOutcome } from '../../verb-context.js';
import { pauseFor } from '../pause.js';

/**
 * `<wait>` (legacy name `<pause>`): TwiML's `<Pause>` for `length` seconds; as the first
 * command it delays the answer (SEM-A3).
 */
export function wait(verb: ApifonicaNode<'wait'>, ctx: VerbContext): Promise<VerbOutcome> {
  return pauseFor(ctx, verb.attrs.length, false);
}
