import type { TwimlNode } from '../../xml/index.js';
import { CONTINUE, type VerbContext, type VerbOutcome } from '../verb-context.js';

/**
 * `<Pause>`: silence for `length` seconds. As the first verb it delays the answer
 * instead: the caller hears ringing for that long (SEM-A3).
 */
export async function pause(verb: TwimlNode<'Pause'>, ctx: VerbContext, interruptible = false): Promise<VerbOutcome> {
  return pauseFor(ctx, verb.attrs.length, interruptible);
}

/** `<Pause>`'s behaviour for `seconds`; Apifonica's wait too. */
export async function pauseFor(ctx: VerbContext, seconds: number, interruptible: boolean): Promise<VerbOutcome> {
  const durationMs = seconds * 1000;
  if (ctx.firstVerb && !ctx.leg.answered) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([new Promise((resolve) => (timer = setTimeout(resolve, durationMs))), ctx.leg.ended]);
    // A call that ended (or was redirected) during the wait must not keep a timer, and the process, alive.
    clearTimeout(timer);
    return CONTINUE;
  }
  await ctx.leg.answer();
  await ctx.leg.play({ kind: 'silence', durationMs }, { loop: 1, interruptOn: interruptible ? 'any-digit' : 'none' });
  return CONTINUE;
}
