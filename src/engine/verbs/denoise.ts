import type { TwimlNode } from '../../xml/index.js';
import { CONTINUE, type VerbContext, type VerbOutcome } from '../verb-context.js';

/**
 * `<Denoise>on|off</Denoise>` (SignalWire; dialects.md §3.17): noise reduction of the
 * caller's audio for the rest of the call, or until turned off. Everything that hears
 * the caller (a recording, a stream, a dialled party) hears the denoised audio. Needs
 * the call's media, so it answers first (SEM-A1).
 */
export async function denoise(verb: TwimlNode<'Denoise'>, ctx: VerbContext): Promise<VerbOutcome> {
  await ctx.leg.answer();
  const enabled = verb.text === 'on';
  await ctx.leg.denoise(enabled);
  ctx.timeline.append('denoise', { enabled, line: verb.line });
  return CONTINUE;
}

/**
 * `<Start><Suppression direction>` / `<Stop><Suppression>` (TeXML): the same noise
 * reduction. Only the caller's audio (`inbound`, the default) is denoised; the
 * outbound direction (what the caller hears) is reported and left as it is.
 */
export async function suppression(noun: TwimlNode<'Suppression'>, ctx: VerbContext, enabled: boolean): Promise<void> {
  const direction = noun.attrs.direction ?? 'inbound';
  if (enabled && direction !== 'inbound') {
    ctx.timeline.append('warning', {
      code: 12200,
      message: `<Suppression direction="${direction}">: only the inbound audio is denoised`,
      line: noun.line,
    });
  }
  if (enabled && direction === 'outbound') return;
  await ctx.leg.denoise(enabled);
  ctx.timeline.append('denoise', { enabled, line: noun.line });
}
