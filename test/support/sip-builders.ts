/** Requests and responses for transaction tests, built with the codec's own builders. */
import {
  type ResponseExtras,
  type SipRequest,
  type SipResponse,
  buildRequest,
  buildResponse,
} from '../../src/sip/message/index.js';

export interface RequestSpec {
  readonly method?: string;
  readonly uri?: string;
  readonly branch?: string;
  readonly transport?: string;
  readonly sentBy?: string;
  readonly callId?: string;
  readonly cseq?: number;
  readonly fromTag?: string;
  readonly toTag?: string;
  readonly extraHeaders?: readonly (readonly [string, string])[];
}

let counter = 0;

/** A well-formed request; every field has a default. */
export function makeRequest(spec: RequestSpec = {}): SipRequest {
  const n = ++counter;
  const method = spec.method ?? 'OPTIONS';
  const branch = spec.branch ?? `z9hG4bK-test-${n}`;
  const headers: [string, string][] = [
    ['Via', `SIP/2.0/${spec.transport ?? 'UDP'} ${spec.sentBy ?? '127.0.0.2:5062'};branch=${branch}`],
    ['Max-Forwards', '70'],
    ['From', `<sip:alice@example.com>;tag=${spec.fromTag ?? `from-${n}`}`],
    ['To', `<sip:bob@example.com>${spec.toTag === undefined ? '' : `;tag=${spec.toTag}`}`],
    ['Call-ID', spec.callId ?? `call-${n}@example.com`],
    ['CSeq', `${spec.cseq ?? 1} ${method}`],
  ];
  if (method === 'INVITE') headers.push(['Contact', '<sip:alice@127.0.0.2:5062>']);
  for (const h of spec.extraHeaders ?? []) headers.push([h[0], h[1]]);
  return buildRequest(method, spec.uri ?? 'sip:bob@example.com', headers);
}

/** A response to `req` (To tag `to-tag` on non-100 responses unless told otherwise). */
export function makeResponse(req: SipRequest, status: number, extras: ResponseExtras = {}): SipResponse {
  return buildResponse(req, status, undefined, { toTag: 'to-tag', ...extras });
}
