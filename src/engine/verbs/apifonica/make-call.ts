import type { ApifonicaNode } from '../../../xml/index.js';
import type { DialOptions, DialTarget } from '../../call-leg.js';
import { CONTINUE, END, type VerbContext, type VerbOutcome } from '../../verb-context.js';
import { actionParams, noteDialResult } from '../dial.js';

/** Twilio's Dial timeLimit default; Apifonica documents none. */
const TIME_LIMIT_MS = 4 * 3600 * 1000;

/**
 * `<makeCall>` (dialects.md §9.5): rings every `<number>` and `<sip>` at once through the
 * leg's dial and connects the caller to the first to answer, after `timeout` seconds
 * giving up. The call is answered first (it forwards an inbound call). With `controller`,
 * the outcome is requested there and its document takes over (the commands after
 * makeCall are unreachable); without, the next command runs.
 *
 * The controller gets the call's parameters (`status` is the caller's leg) and the
 * outcome as `dial_call_status`, `dial_call_sid`, `dial_call_duration` and `dial_bridged`: Apifonica's
 * list was not retrievable past `call_sid`, `created`, `status`, `from`, `to`, so the
 * outcome takes the names of TwiML's Dial action in snake case. `whisper_a`/`whisper_b`
 * need a prompt on the bridge that the CallLeg port does not offer yet: noted, not played.
 * If the caller hung up meanwhile, the controller is still asked and its answer ignored.
 */
export async function makeCall(verb: ApifonicaNode<'makeCall'>, ctx: VerbContext): Promise<VerbOutcome> {
  const { attrs } = verb;
  const targets: DialTarget[] = verb.children
    .filter((noun) => noun.text !== '')
    .map((noun) => ({ kind: noun.name === 'sip' ? 'sip' : 'number', address: noun.text }));
  if (targets.length === 0) {
    ctx.timeline.append('warning', { code: 12200, message: '<makeCall> has no <number> or <sip> to call; skipped', line: verb.line });
    return CONTINUE;
  }
  for (const whisper of ['whisper_a', 'whisper_b'] as const) {
    if (attrs[whisper] !== undefined) {
      ctx.timeline.append('warning', { message: `<makeCall ${whisper}> is not played yet: the parties are connected without it`, line: verb.line });
    }
  }
  await ctx.leg.answer();
  const options: DialOptions = {
    // Empty: the caller's own number, as Apifonica shows leg A's from without `from`.
    callerId: attrs.from ?? '',
    timeoutMs: attrs.timeout * 1000,
    timeLimitMs: TIME_LIMIT_MS,
    hangupOnStar: false,
    answerOnBridge: false,
    record: 'none',
  };
  const result = await ctx.leg.dial(targets, options);
  noteDialResult(ctx, result);
  if (attrs.controller === undefined) return result.callerHungUp === true ? END : CONTINUE;
  // Apifonica's <sip> is a plain destination: the SIP details of TwiML's <Sip> are not its to see.
  return { type: 'fetch', url: ctx.resolve(attrs.controller), method: attrs.method, params: actionParams(result, false) };
}
