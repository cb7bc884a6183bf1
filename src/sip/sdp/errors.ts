/**
 * Errors of the SDP reader. `parseSdp` never throws: it returns an `SdpError` as a value,
 * so a malformed body can never unwind the SIP stack. Each error has a stable `code` to
 * branch on and says by itself which SIP status the offer's sender gets.
 */

/**
 * Stable error codes. Never reuse a retired code for another meaning.
 * - `too-large`: the body is longer than {@link MAX_SDP_LENGTH}.
 * - `version`: no `v=0` line.
 * - `origin`: no `o=` line, or one that is not `username sess-id sess-version IN IP4|IP6 address`.
 * - `media`: an `m=` line that does not read as `type port proto fmt…` (port range `p/n` included).
 * - `port`: a port outside 0–65535.
 * - `format`: an RTP audio section whose format list is empty or holds something that is not
 *   a payload type 0–127.
 * - `no-audio`: no `m=audio` section carried over RTP.
 * - `connection`: the audio section has no `c=` line, neither its own nor a session-level one.
 * - `syntax`: anything else the reader could not make sense of.
 */
export type SdpErrorCode =
  | 'too-large'
  | 'version'
  | 'origin'
  | 'media'
  | 'port'
  | 'format'
  | 'no-audio'
  | 'connection'
  | 'syntax';

/** The longest session description `parseSdp` reads (a large WebRTC offer is ~10 kB). */
export const MAX_SDP_LENGTH = 65_536;

export class SdpError extends Error {
  override readonly name = 'SdpError';
  readonly code: SdpErrorCode;

  constructor(code: SdpErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /**
   * The status to answer an INVITE (or re-INVITE) whose body this was: 488 Not Acceptable
   * Here when the description is readable but offers no audio we could use, 400 Bad Request
   * when it is not a session description at all.
   */
  responseStatus(): 400 | 488 {
    return this.code === 'no-audio' ? 488 : 400;
  }
}
