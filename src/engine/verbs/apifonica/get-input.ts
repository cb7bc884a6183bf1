import type { ApifonicaNode } from '../../../xml/index.js';
import type { CollectResult } from '../../call-leg.js';
import { CONTINUE, type VerbContext, type VerbOutcome } from '../../verb-context.js';
import { playAudio } from './play-audio.js';

type GetInput = ApifonicaNode<'getInput'>;

/**
 * `<getInput>` (dialects.md §9.4): plays its nested `<playAudio>`, which a key press
 * interrupts, then waits `timeoutGeneral` seconds for the first key and `timeout` seconds
 * for each next one, until `finishOnKey` or `maxSymbols` keys.
 *
 * - No key at all: the next command runs, nothing is requested.
 * - Fewer than `minSymbols` keys (a finish key alone counts as a try): the prompt and the
 *   wait start again, `loops` attempts in all; then the next command runs.
 * - Valid input: `digits` goes to `controller` (default: this document's URL), and
 *   Apifonica's own rule applies: "any commands after the getInput command will start
 *   executing immediately and stop after new XML is received. If there is no new XML, the
 *   current XML will continue to be executed." The session makes that request meanwhile.
 */
export async function getInput(verb: GetInput, ctx: VerbContext): Promise<VerbOutcome> {
  await ctx.leg.answer();
  const { attrs } = verb;
  for (let attempt = 1; attempt <= attrs.loops; attempt++) {
    for (const prompt of verb.children) {
      if (ctx.leg.hasBufferedDigits()) break;
      await playAudio(prompt, ctx, true);
    }
    const input = await collect(ctx, attrs);
    ctx.timeline.append('gather', { digits: input.digits, reason: input.reason, attempt });
    if (input.digits === '' && input.reason === 'timeout') return CONTINUE;
    if (input.digits.length >= attrs.minSymbols) {
      return {
        type: 'continue',
        meanwhile: { url: ctx.resolve(attrs.controller ?? ctx.documentUrl), method: attrs.method, params: { Digits: input.digits } },
      };
    }
    ctx.timeline.append('warning', {
      message: `<getInput> got ${input.digits.length} keys, fewer than minSymbols=${attrs.minSymbols} (attempt ${attempt} of ${attrs.loops})`,
      line: verb.line,
    });
  }
  return CONTINUE;
}

/** The first key within `timeoutGeneral`, then the rest with `timeout` between keys. */
async function collect(ctx: VerbContext, attrs: GetInput['attrs']): Promise<CollectResult> {
  const finishOnKey = attrs.finishOnKey;
  const first = await ctx.leg.collectDigits({ numDigits: 1, finishOnKey, timeoutMs: attrs.timeoutGeneral * 1000 });
  if (first.reason !== 'num-digits' || attrs.maxSymbols === 1) return first;
  const rest = await ctx.leg.collectDigits({ numDigits: attrs.maxSymbols - 1, finishOnKey, timeoutMs: attrs.timeout * 1000 });
  return { ...rest, digits: first.digits + rest.digits };
}
