/** SDP fixtures from test/fixtures/sdp, loaded with CRLF line ends as they arrive in a SIP body. */
import { readFileSync } from 'node:fs';
import { parseSdp, type SessionDescription } from '../../../../src/sip/sdp/index.js';

export const SDP_FIXTURES = [
  'sipp-uac',
  'baresip-offer',
  'twilio-offer',
  'freeswitch-offer',
  'webrtc-opus-only',
  'linphone-audio-video',
  'hold-sendonly',
  'hold-rfc2543',
] as const;

export type SdpFixture = (typeof SDP_FIXTURES)[number];

/** The fixture's text with CRLF line ends. */
export function sdpText(name: SdpFixture): string {
  const raw = readFileSync(new URL(`../../../fixtures/sdp/${name}.sdp`, import.meta.url), 'utf8');
  return raw.replace(/\r?\n/g, '\r\n');
}

/** The fixture parsed; fails the test when it does not parse. */
export function sdp(name: SdpFixture): SessionDescription {
  const desc = parseSdp(sdpText(name));
  if (desc instanceof Error) throw new Error(`fixture ${name} does not parse: ${desc.code} ${desc.message}`);
  return desc;
}
