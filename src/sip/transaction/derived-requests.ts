/**
 * Requests built from an INVITE the client sent: the ACK for a non-2xx final response
 * (RFC 3261 §17.1.1.3) and the CANCEL (§9.1). Both carry the INVITE's top Via only (same
 * branch), its Request-URI, Call-ID, From, CSeq number and Route set; they are pure
 * functions of the messages.
 */
import {
  type SipRequest,
  type SipResponse,
  buildRequest,
  getCSeq,
  splitHeaderList,
} from '../message/index.js';

function topViaValue(request: SipRequest): string | undefined {
  const first = request.headers.get('Via');
  return first === undefined ? undefined : splitHeaderList(first)[0];
}

function common(request: SipRequest, method: 'ACK' | 'CANCEL', to: string | undefined): [string, string][] {
  const h = request.headers;
  const headers: [string, string][] = [];
  const via = topViaValue(request);
  if (via !== undefined) headers.push(['Via', via]);
  for (const route of h.getAll('Route')) headers.push(['Route', route]);
  headers.push(['Max-Forwards', '70']);
  const from = h.get('From');
  if (from !== undefined) headers.push(['From', from]);
  if (to !== undefined) headers.push(['To', to]);
  const callId = h.get('Call-ID');
  if (callId !== undefined) headers.push(['Call-ID', callId]);
  const seq = getCSeq(request)?.seq ?? 1;
  headers.push(['CSeq', `${seq} ${method}`]);
  return headers;
}

/**
 * The ACK for a non-2xx final response to `invite` (§17.1.1.3): To from the response (so
 * it carries the response's tag), everything else from the INVITE.
 */
export function buildNon2xxAck(invite: SipRequest, response: SipResponse): SipRequest {
  return buildRequest('ACK', invite.uri, common(invite, 'ACK', response.headers.get('To') ?? invite.headers.get('To')));
}

/** The CANCEL of `invite` (§9.1): To as in the INVITE (no tag added), same branch. */
export function buildCancel(invite: SipRequest): SipRequest {
  return buildRequest('CANCEL', invite.uri, common(invite, 'CANCEL', invite.headers.get('To')));
}
