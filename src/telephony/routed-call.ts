/**
 * Placing a call the dial plan routed, as `<Dial>` and the REST API both do: the From URI
 * (the route's fixed caller ID wins over the one asked for), the INVITE with the route's
 * destination, credentials and headers, and the child's timeline and ringing state.
 */
import type { Timeline } from '../engine/timeline.js';
import type { MediaLeg } from '../media/host.js';
import type { SipRoute } from './dial-plan.js';
import { OutboundCall, type OutboundCallDeps } from './outbound-call.js';

export interface RoutedCallOptions {
  /** The caller ID asked for (a number or a SIP URI); a trunk's fixed one replaces it. */
  readonly callerId: string;
  /** The host of our From URIs (`sip:+15550100@HOST`). */
  readonly fromHost: string;
  readonly ringTimeoutMs: number;
  readonly colocateWith?: MediaLeg;
}

export interface RoutedCall {
  readonly call: OutboundCall;
  /** The caller ID that went out (the route's when it insists on one). */
  readonly callerId: string;
}

/** Starts the INVITE along `route`. Throws as `OutboundCall.start` does. */
export async function placeRoutedCall(deps: OutboundCallDeps, route: SipRoute, options: RoutedCallOptions): Promise<RoutedCall> {
  const callerId = route.callerId ?? options.callerId;
  const from = /^sips?:/i.test(callerId) ? callerId : `sip:${callerId}@${options.fromHost}`;
  const call = await OutboundCall.start(deps, {
    target: route.uri,
    from,
    ringTimeoutMs: options.ringTimeoutMs,
    ...(options.colocateWith ? { colocateWith: options.colocateWith } : {}),
    ...(route.destination ? { destination: route.destination } : {}),
    ...(route.credentials ? { credentials: route.credentials } : {}),
    ...(route.headers ? { headers: route.headers } : {}),
  });
  return { call, callerId };
}

/**
 * Writes the call's life to its timeline: the INVITE (with the trunk it went through), each
 * provisional response, its own notes, and why it went unanswered. `onRinging` runs once,
 * on the first 18x.
 */
export function followCall(call: OutboundCall, route: SipRoute, timeline: Timeline, onRinging: () => void): void {
  const trunk = route.trunk ? { trunk: route.trunk.name, trunkSid: route.trunk.sid } : {};
  timeline.append('sip', { event: 'invite', to: route.uri, via: route.via, from: call.request.from, callId: call.callId, ...trunk });
  let ringing = false;
  call.on('progress', (status, reason) => {
    timeline.append('sip', { event: 'progress', status, reason });
    if (ringing || status < 180 || status > 189) return;
    ringing = true;
    onRinging();
  });
  call.on('note', (type, data) => timeline.append(type, data));
  void call.outcome.then((outcome) => {
    if (!outcome.answered) timeline.append('sip', { event: 'unanswered', status: outcome.status, sipStatus: outcome.sipStatus ?? null, reason: outcome.reason });
  });
}
