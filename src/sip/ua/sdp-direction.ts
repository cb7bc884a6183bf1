/**
 * The little SDP work the UA core does itself, on the text of a body: reading and setting
 * the media direction (hold is `a=sendonly` or `a=inactive`, RFC 3264 §8.4), the direction
 * an answer takes (§6.1), and incrementing the `o=` version each time a description
 * changes (§8). Offer/answer proper (codecs, ports, addresses) belongs to `src/sip/sdp`.
 * These helpers keep the line ending of the input and never throw: text that is not a
 * session description comes back unchanged.
 */

/** `a=sendrecv` / `sendonly` / `recvonly` / `inactive`, from the author's point of view. */
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

const DIRECTIONS: ReadonlySet<string> = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

function split(sdp: string): { lines: string[]; eol: string } {
  const eol = sdp.includes('\r\n') ? '\r\n' : '\n';
  const lines = sdp.split(/\r?\n/);
  while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return { lines, eol };
}

function join(lines: readonly string[], eol: string): string {
  return lines.join(eol) + eol;
}

function directionOf(line: string): MediaDirection | undefined {
  if (!line.startsWith('a=')) return undefined;
  const name = line.slice(2).trim();
  return DIRECTIONS.has(name) ? (name as MediaDirection) : undefined;
}

/**
 * The direction of the first audio section (of the first section when there is no audio),
 * else of the session; `sendrecv` when none is written. `undefined` for a body that has no
 * `v=` line.
 */
export function sdpDirection(sdp: string): MediaDirection | undefined {
  const { lines } = split(sdp);
  if (!lines.some((l) => l.startsWith('v='))) return undefined;
  let session: MediaDirection | undefined;
  const sections: { audio: boolean; direction: MediaDirection | undefined }[] = [];
  for (const line of lines) {
    if (line.startsWith('m=')) {
      sections.push({ audio: line.startsWith('m=audio'), direction: undefined });
      continue;
    }
    const d = directionOf(line);
    if (d === undefined) continue;
    const current = sections[sections.length - 1];
    if (current === undefined) session = d;
    else current.direction = d;
  }
  const section = sections.find((s) => s.audio) ?? sections[0];
  return section?.direction ?? session ?? 'sendrecv';
}

/**
 * The description with every direction attribute removed and `a=<direction>` written at
 * the end of each media section (at the end of the session part when there is none).
 */
export function withSdpDirection(sdp: string, direction: MediaDirection): string {
  const { lines, eol } = split(sdp);
  if (!lines.some((l) => l.startsWith('v='))) return sdp;
  const out: string[] = [];
  let inMedia = false;
  for (const line of lines) {
    if (directionOf(line) !== undefined) continue;
    if (line.startsWith('m=')) {
      if (inMedia) out.push(`a=${direction}`);
      inMedia = true;
    }
    out.push(line);
  }
  out.push(`a=${direction}`);
  return join(out, eol);
}

/**
 * RFC 3264 §6.1: the direction of an answer to an offer. `wanted` is what we would like
 * (`sendrecv` normally); the answer never sends where the offer does not receive, nor
 * receives where it does not send.
 */
export function answerDirection(offer: MediaDirection, wanted: MediaDirection = 'sendrecv'): MediaDirection {
  const weSend = (wanted === 'sendrecv' || wanted === 'sendonly') && (offer === 'sendrecv' || offer === 'recvonly');
  const weReceive = (wanted === 'sendrecv' || wanted === 'recvonly') && (offer === 'sendrecv' || offer === 'sendonly');
  if (weSend && weReceive) return 'sendrecv';
  if (weSend) return 'sendonly';
  if (weReceive) return 'recvonly';
  return 'inactive';
}

/** The description with its `o=` session version incremented by one (RFC 3264 §8). */
export function bumpSdpVersion(sdp: string): string {
  const { lines, eol } = split(sdp);
  const i = lines.findIndex((l) => l.startsWith('o='));
  const line = lines[i];
  if (line === undefined) return sdp;
  const parts = line.slice(2).split(' ');
  const version = parts[2];
  if (version === undefined || !/^\d+$/.test(version)) return sdp;
  parts[2] = (BigInt(version) + 1n).toString();
  lines[i] = `o=${parts.join(' ')}`;
  return join(lines, eol);
}
