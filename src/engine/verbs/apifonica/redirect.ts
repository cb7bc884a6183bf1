import type { ApifonicaNode } from '../../../xml/index.js';
import type { VerbContext, VerbOutcome } from '../../verb-context.js';
import { redirectTo } from '../redirect.js';

/** `<redirect>`: TwiML's `<Redirect>` to its text, or to its `controller` (or `url`) attribute. */
export function redirect(verb: ApifonicaNode<'redirect'>, ctx: VerbContext): Promise<VerbOutcome> {
  return redirectTo(ctx, verb.text !== '' ? verb.text : (verb.attrs.controller ?? ''), verb.attrs.method);
}
