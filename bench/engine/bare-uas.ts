/**
 * The engine bench's ceiling: Dialtone's own SIP stack answering every INVITE without the
 * engine — 180, 200 with an SDP answer, then after `HOLD_MS` a BYE — and nothing else: no
 * store, no webhook, no media. What the engine adds to a call is the gap between this and
 * `dialtone start`. Prints `ready PORT` once it listens. Usage: bare-uas.ts HOLD_MS
 */
import { createSipStack } from '../../src/sip/index.js';
import { answerOffer, parseSdp, SdpError, writeSdp } from '../../src/sip/sdp/index.js';

const holdMs = Number(process.argv[2] ?? 500);
const stack = await createSipStack({ bindAddress: '127.0.0.1', udpPort: 0, tcpPort: false });
let port = 30000;
stack.ua.on('incoming', (invite) => {
  const offer = invite.offer === undefined ? undefined : parseSdp(invite.offer);
  if (offer === undefined || offer instanceof SdpError) {
    invite.reject(488);
    return;
  }
  const negotiated = answerOffer(offer, { address: '127.0.0.1', port: (port += 2), sessionId: '1', username: 'bare' });
  if (!negotiated.ok) {
    invite.reject(488);
    return;
  }
  invite.ringing();
  const session = invite.accept({ body: writeSdp(negotiated.answer) });
  const timer = setTimeout(() => void session.bye().catch(() => undefined), holdMs);
  session.once('ended', () => clearTimeout(timer));
});
process.on('SIGTERM', () => void stack.close().then(() => process.exit(0)));
process.stdout.write(`ready ${stack.address('UDP').port}\n`);
