/**
 * A UserAgent over a real transaction layer, on a virtual clock and a recording transport:
 * what the UA sends is recorded, what the peer sends is handed in with `deliver`.
 */
import {
  type SipMessage,
  type SipRequest,
  type SipResponse,
  buildRequest,
  buildResponse,
  getCSeq,
} from '../../../../src/sip/message/index.js';
import { TransactionLayer } from '../../../../src/sip/transaction/layer.js';
import { TransportLayer } from '../../../../src/sip/transport/layer.js';
import { UserAgent, type UserAgentOptions } from '../../../../src/sip/ua/index.js';
import { RecordingTransport, type SentRecord } from '../../../support/recording-transport.js';
import { VirtualClock } from '../../../support/virtual-clock.js';

export const PEER = { host: '127.0.0.2', port: 5062 } as const;

export const OFFER = [
  'v=0',
  'o=peer 1000 1 IN IP4 127.0.0.2',
  's=-',
  'c=IN IP4 127.0.0.2',
  't=0 0',
  'm=audio 40000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  'a=sendrecv',
  '',
].join('\r\n');

export const ANSWER = [
  'v=0',
  'o=dialtone 2000 1 IN IP4 127.0.0.1',
  's=-',
  'c=IN IP4 127.0.0.1',
  't=0 0',
  'm=audio 30000 RTP/AVP 0',
  'a=rtpmap:0 PCMU/8000',
  'a=sendrecv',
  '',
].join('\r\n');

export interface Harness {
  readonly clock: VirtualClock;
  readonly wire: RecordingTransport;
  readonly transactions: TransactionLayer;
  readonly ua: UserAgent;
  /** Hand a message to the UA as if the peer sent it. */
  deliver(message: SipMessage): void;
  /** Sent records whose method or status is `what`. */
  sent(what: string): SentRecord[];
  /** The last request sent with this method. */
  lastRequest(method: string): SipRequest;
  /** The last response sent with this status (optionally for a CSeq method). */
  lastResponse(status: number, method?: string): SipResponse;
}

export function harness(options: Partial<UserAgentOptions> = {}): Harness {
  const clock = new VirtualClock();
  const wire = new RecordingTransport({ clock, local: { host: '127.0.0.1', port: 5060 } });
  const transport = new TransportLayer([wire]);
  const transactions = new TransactionLayer(transport, { clock, autoTrying: false });
  const ua = new UserAgent({ transactions, transport, clock, random: () => 0.5, ...options });
  const what = (m: SipMessage): string => (m.kind === 'request' ? m.method : String(m.status));
  return {
    clock,
    wire,
    transactions,
    ua,
    deliver: (message) => wire.deliver(message, PEER),
    sent: (w) => wire.sent.filter((r) => what(r.message) === w),
    lastRequest(method) {
      const r = [...wire.sent].reverse().find((s) => s.message.kind === 'request' && s.message.method === method);
      if (r === undefined || r.message.kind !== 'request') throw new Error(`no ${method} sent`);
      return r.message;
    },
    lastResponse(status, method) {
      const r = [...wire.sent]
        .reverse()
        .find((s) => s.message.kind === 'response' && s.message.status === status && (method === undefined || getCSeq(s.message)?.method === method));
      if (r === undefined || r.message.kind !== 'response') throw new Error(`no ${status} sent`);
      return r.message;
    },
  };
}

let n = 0;

export interface PeerRequestSpec {
  readonly method: string;
  readonly callId?: string;
  readonly fromTag?: string;
  readonly toTag?: string;
  readonly cseq?: number;
  readonly branch?: string;
  readonly body?: string;
  readonly contentType?: string;
  readonly uri?: string;
  readonly headers?: readonly [string, string][];
}

/** A request from the peer (127.0.0.2:5062, tag `peer-tag`). */
export function peerRequest(spec: PeerRequestSpec): SipRequest {
  n++;
  const headers: [string, string][] = [
    ['Via', `SIP/2.0/UDP ${PEER.host}:${PEER.port};branch=${spec.branch ?? `z9hG4bK-peer-${n}`}`],
    ['Max-Forwards', '70'],
    ['From', `<sip:peer@127.0.0.2>;tag=${spec.fromTag ?? 'peer-tag'}`],
    ['To', `<sip:svc@127.0.0.1>${spec.toTag === undefined ? '' : `;tag=${spec.toTag}`}`],
    ['Call-ID', spec.callId ?? 'call-a@127.0.0.2'],
    ['CSeq', `${spec.cseq ?? 1} ${spec.method}`],
  ];
  const hasContact = (spec.headers ?? []).some(([name]) => name.toLowerCase() === 'contact');
  if (spec.method === 'INVITE' && !hasContact) headers.push(['Contact', `<sip:peer@${PEER.host}:${PEER.port}>`]);
  for (const h of spec.headers ?? []) headers.push(h);
  if (spec.body !== undefined) headers.push(['Content-Type', spec.contentType ?? 'application/sdp']);
  return buildRequest(spec.method, spec.uri ?? 'sip:svc@127.0.0.1:5060', headers, spec.body === undefined ? undefined : Buffer.from(spec.body));
}

/** The peer's response to a request the UA sent. */
export function peerResponse(
  request: SipRequest,
  status: number,
  extras: { toTag?: string; body?: string; headers?: readonly [string, string][] } = {},
): SipResponse {
  const headers: [string, string][] = [...(extras.headers ?? [])];
  if (request.method === 'INVITE' && status < 300 && status > 100) headers.push(['Contact', `<sip:peer@${PEER.host}:${PEER.port}>`]);
  return buildResponse(request, status, undefined, {
    toTag: extras.toTag ?? 'peer-tag',
    headers,
    ...(extras.body === undefined ? {} : { body: Buffer.from(extras.body), contentType: 'application/sdp' }),
  });
}

/** Let promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i++) await new Promise<void>((r) => setImmediate(r));
}
