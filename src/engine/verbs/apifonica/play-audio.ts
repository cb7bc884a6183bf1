import type { ApifonicaNode } from '../../../xml/index.js';
import type { VerbContext, VerbOutcome } from '../../verb-context.js';
import { playUrl } from '../play.js';

/** `<playAudio>`: TwiML's `<Play>` of its URL, `loops` times (0 = endlessly, SEM-P1). */
export function playAudio(verb: ApifonicaNode<'playAudio'>, ctx: VerbContext, interruptible = false): Promise<VerbOutcome> {
  return playUrl(ctx, verb.text, verb.attrs.loops, interruptible);
}
