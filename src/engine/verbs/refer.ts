import type { TwimlNode } from '../../xml/index.js';
import { CallEndedError, type ReferResult } from '../call-leg.js';
import { CONTINUE, END, type VerbContext, type VerbOutcome } from '../verb-context.js';

/** Twilio's ReferCallStatus values. */
export type ReferCallStatus = 'in-progress' | 'busy' | 'no-answer' | 'canceled' | 'failed';

/**
 * `<Refer>` (dialects.md §3.13, SEM-O5): transfers the call with SIP REFER to the nested
 * `<Sip>` URI and waits for the far end's reports (NOTIFY sipfrags) of its call to the
 * target. A transfer made ends our part of the call: we hang up unless the caller already
 * did. With `action`, the outcome is requested there (ReferCallStatus,
 * ReferSipResponseCode, NotifySipResponseCode, ReferTransferTarget); after a transfer
 * made, what it answers is not run, since the call is over; after a failed one it runs on
 * the call that is still up. Without `action`, a failed transfer goes on with the next verb.
 */
export async function refer(verb: TwimlNode<'Refer'>, ctx: VerbContext): Promise<VerbOutcome> {
  const { attrs } = verb;
  const target = verb.children.find((c) => c.name === 'Sip')?.text.trim() ?? '';
  if (!/^sips?:/i.test(target)) {
    ctx.timeline.append('warning', { code: 13801, message: '<Refer> has no <Sip> URI to transfer to; skipped', line: verb.line });
    return CONTINUE;
  }
  await ctx.leg.answer();
  const result = await ctx.leg.refer(target);
  const status = referCallStatus(result);
  ctx.timeline.append('refer-result', {
    target,
    status,
    referSipResponseCode: result.referStatus ?? null,
    notifySipResponseCode: result.notifyStatus ?? null,
    callerHungUp: result.callerHungUp,
  });
  const transferred = status === 'in-progress';
  if (transferred) await hangUp(ctx);
  if (attrs.action === undefined) return transferred || result.callerHungUp ? END : CONTINUE;
  return { type: 'fetch', url: ctx.resolve(attrs.action), method: attrs.method, params: referParams(target, result, status) };
}

/**
 * What the transfer came to: the final status reported maps as a dialled call's would
 * (2xx in-progress, 486/600 busy, 408/480 no-answer, 487 canceled, else failed). A REFER
 * refused or unanswered, or accepted without a final report in time, failed; accepted and
 * then hung up on before a final report, the far end took the call elsewhere: in-progress.
 */
export function referCallStatus(result: ReferResult): ReferCallStatus {
  const accepted = result.referStatus !== undefined && result.referStatus >= 200 && result.referStatus < 300;
  if (!accepted) return 'failed';
  if (result.notifyFinal && result.notifyStatus !== undefined) {
    const s = result.notifyStatus;
    if (s >= 200 && s < 300) return 'in-progress';
    if (s === 486 || s === 600) return 'busy';
    if (s === 408 || s === 480) return 'no-answer';
    if (s === 487) return 'canceled';
    return 'failed';
  }
  return result.callerHungUp ? 'in-progress' : 'failed';
}

/** The parameters of the Refer action request. */
export function referParams(target: string, result: ReferResult, status: ReferCallStatus): Record<string, string> {
  const params: Record<string, string> = { ReferCallStatus: status, ReferTransferTarget: target };
  if (result.referStatus !== undefined) params.ReferSipResponseCode = String(result.referStatus);
  if (result.notifyStatus !== undefined) params.NotifySipResponseCode = String(result.notifyStatus);
  return params;
}

/** Our part of a transferred call is over: BYE, unless the caller left first; then the call has ended. */
async function hangUp(ctx: VerbContext): Promise<void> {
  try {
    await ctx.leg.hangup();
  } catch (err) {
    if (!(err instanceof CallEndedError)) throw err;
  }
  await ctx.leg.ended;
}
