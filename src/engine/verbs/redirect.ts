import type { TwimlNode } from '../../xml/index.js';
import type { VerbContext, VerbOutcome } from '../verb-context.js';

/** `<Redirect>`: runs the document at its URL instead of the rest of this one (SEM-D9). */
export async function redirect(verb: TwimlNode<'Redirect'>, ctx: VerbContext): Promise<VerbOutcome> {
  return redirectTo(ctx, verb.text, verb.attrs.method);
}

/** `<Redirect>`'s behaviour; Apifonica's redirect too. */
export function redirectTo(ctx: VerbContext, url: string, method: 'GET' | 'POST'): Promise<VerbOutcome> {
  return Promise.resolve({ type: 'fetch', url: ctx.resolve(url), method });
}
