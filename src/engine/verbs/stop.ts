import type { TwimlNode } from '../../xml/index.js';
import { CONTINUE, type VerbContext, type VerbOutcome } from '../verb-context.js';
import { suppression } from './denoise.js';

/** `<Stop>`: ends the forks `<Start>` began, found by name (or SID); a `<Stream>` without a name stops them all. */
export async function stop(verb: TwimlNode<'Stop'>, ctx: VerbContext): Promise<VerbOutcome> {
  for (const noun of verb.children) {
    if (noun.name === 'Suppression') {
      await suppression(noun, ctx, false);
      continue;
    }
    if (noun.name !== 'Stream') {
      ctx.timeline.append('warning', { code: 12200, message: `<Stop><${noun.name}> is not supported yet; skipped`, line: noun.line });
      continue;
    }
    const name = noun.attrs.name === undefined || noun.attrs.name === '' ? undefined : noun.attrs.name;
    const stopped = await ctx.leg.stopStream(name);
    ctx.timeline.append('stream', { event: 'stop', name: name ?? null, stopped });
  }
  return CONTINUE;
}
