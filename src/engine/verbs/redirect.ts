import type { TwimlNode } from '../../xml/index.js';
import type { VerbContext, VerbOutcome } from '../verb-context.js';

/** `<Redirect>`: runs the document at its URL instead of the rest of this one (SEM-D9). */
export async function redirect(verb: TwimlNode<'Redirect'>, ctx: VerbContext): Promise<VerbOutcome> {
  return { type: 'fetch', url: ctx.resolve(verb.text), method: verb.attrs.method };
}
