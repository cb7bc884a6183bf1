import type { TwimlNode } from '../../xml/index.js';
import { CONTINUE, type VerbContext, type VerbOutcome } from '../verb-context.js';
import { pause } from './pause.js';
import { play } from './play.js';
import { say } from './say.js';

/**
 * `<Gather>` (DTMF): plays its nested prompts, which a key press interrupts (bargeIn),
 * then collects digits until `numDigits`, the finish key, or `timeout` seconds of
 * silence. With digits, it requests `action` (default: this document's URL, SEM-G6)
 * with `Digits`; with none it falls through to the next verb (SEM-G5) unless
 * `actionOnEmptyResult` is set.
 */
export async function gather(verb: TwimlNode<'Gather'>, ctx: VerbContext): Promise<VerbOutcome> {
  await ctx.leg.answer();
  const { attrs } = verb;
  const bargeIn = attrs.bargeIn;
  const nested = { ...ctx, firstVerb: false };
  let interrupted = false;
  for (const prompt of verb.children) {
    if (interrupted) break;
    if (prompt.name === 'Say') await say(prompt, nested, bargeIn);
    else if (prompt.name === 'Play') await play(prompt, nested, bargeIn);
    else if (prompt.name === 'Pause') await pause(prompt, nested, bargeIn);
    interrupted = bargeIn && ctx.leg.hasBufferedDigits();
  }
  const result = await ctx.leg.collectDigits({
    ...(attrs.numDigits !== undefined ? { numDigits: attrs.numDigits } : {}),
    finishOnKey: attrs.finishOnKey,
    timeoutMs: attrs.timeout * 1000,
  });
  ctx.timeline.append('gather', { digits: result.digits, reason: result.reason });
  if (result.digits === '' && !attrs.actionOnEmptyResult) return CONTINUE;
  const params: Record<string, string> = { Digits: result.digits };
  if (result.finishedOnKey !== undefined) params.FinishedOnKey = result.finishedOnKey;
  return { type: 'fetch', url: ctx.resolve(attrs.action ?? ctx.documentUrl), method: attrs.method, params };
}
