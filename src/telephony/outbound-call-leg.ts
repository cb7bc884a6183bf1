/**
 * The engine's CallLeg on a call we placed: the same `SipCallLeg` as an incoming call's,
 * over the answered `OutboundCall` (its session and media leg) instead of an INVITE we
 * answer. The far end is the callee; the leg is answered from the start.
 */
import type { InviteSession } from '../sip/ua/index.js';
import type { OutboundCall } from './outbound-call.js';
import { SipCallLeg, type LegInvite, type SipCallLegDeps } from './sip-call-leg.js';

/** The INVITE side of a call that is answered already: accepting is a no-op, refusing hangs up. */
export function answeredInvite(session: InviteSession): LegInvite {
  return {
    state: 'accepted',
    on: () => undefined,
    accept: () => session,
    reject: () => void session.bye().catch(() => undefined),
    progress: () => undefined,
  };
}

export type OutboundCallLegDeps = Omit<SipCallLegDeps, 'invite' | 'media' | 'answerSdp' | 'remoteParty'>;

/** A leg over `call`, which must be answered; `answer()` on it only marks it so. */
export function outboundCallLeg(call: OutboundCall, deps: OutboundCallLegDeps): SipCallLeg {
  const session = call.session;
  if (session === undefined) throw new Error('an outbound call leg needs an answered call');
  return new SipCallLeg({ ...deps, invite: answeredInvite(session), media: call.media, answerSdp: '', remoteParty: 'callee' });
}
