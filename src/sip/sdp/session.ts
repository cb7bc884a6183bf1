/**
 * Our typed view of a session description (RFC 4566) and its reader and writer.
 *
 * `sdp-transform` does the line grammar; this module decides what we believe. Its parser
 * keeps what its regular expressions match and drops the rest, and turns any digit string
 * into a number (so `s=123` arrives as a number and a 20-digit `sess-version` as a string),
 * so every field it returns is checked again here before it enters a `SessionDescription`.
 *
 * The view holds what a telephony leg needs: the origin, the connection address, one audio
 * section over RTP, and the other sections only as far as an answer must mirror them
 * (RFC 3264 §6: same number and order of `m=` lines, refused ones with port 0).
 */
import sdpTransform from 'sdp-transform';
import { MAX_SDP_LENGTH, SdpError } from './errors.js';

/** `a=sendrecv` / `sendonly` / `recvonly` / `inactive`, from the point of view of the description's author. */
export type MediaDirection = 'sendrecv' | 'sendonly' | 'recvonly' | 'inactive';

export type AddressType = 'IP4' | 'IP6';

/** A `c=` line (`IN IP4 192.0.2.1`). The address may be a name; `0.0.0.0` means hold (RFC 2543). */
export interface ConnectionAddress {
  readonly addressType: AddressType;
  readonly address: string;
}

/** The `o=` line. */
export interface Origin {
  readonly username: string;
  /** Decimal digits, as written. */
  readonly sessionId: string;
  /** Incremented each time the author changes its description (RFC 3264 §8). 64 bits in practice. */
  readonly sessionVersion: bigint;
  readonly addressType: AddressType;
  readonly address: string;
}

/** One payload format of an RTP section: its number in the `m=` line with its `a=rtpmap` and `a=fmtp`. */
export interface RtpFormat {
  readonly payloadType: number;
  /**
   * The rtpmap encoding name as written (`PCMU`, `telephone-event`, `opus`). Static payload
   * types without an rtpmap line get their RFC 3551 name; a dynamic one without rtpmap has none.
   */
  readonly encoding?: string;
  /** The rtpmap clock rate, Hz. */
  readonly clockRate?: number;
  /** The rtpmap encoding parameters (channels for audio). */
  readonly channels?: number;
  /** The `a=fmtp` parameters, as written (`0-16`, `minptime=10;useinbandfec=1`). */
  readonly fmtp?: string;
}

/** RFC 4733 `telephone-event` as offered in a section. */
export interface TelephoneEvent {
  readonly payloadType: number;
  readonly clockRate: number;
  /** The events the author can receive (`0-15`, `0-16`); RFC 4733 §7.1.1 default `0-15`. */
  readonly events: string;
}

/** An `a=rtcp` line (RFC 3605). */
export interface RtcpAttribute {
  readonly port: number;
  readonly connection?: ConnectionAddress;
}

/** The audio section we negotiate: an `m=audio` line over RTP. */
export interface AudioSection {
  /** Index of this section among the description's `m=` lines, from 0. */
  readonly position: number;
  /** 0 means the stream is refused or removed (RFC 3264 §6, §8.2). */
  readonly port: number;
  /** `RTP/AVP`, `RTP/AVPF`, `RTP/SAVP`, `UDP/TLS/RTP/SAVPF`… as written. */
  readonly protocol: string;
  /** In `m=` line order, which is the author's order of preference. */
  readonly formats: readonly RtpFormat[];
  /** The section's direction, or the session's when the section has none; default `sendrecv`. */
  readonly direction: MediaDirection;
  /** The section's own `c=` line, which overrides the session's. */
  readonly connection?: ConnectionAddress;
  /** `a=ptime`, ms: the packetization the author wants to receive. */
  readonly ptime?: number;
  /** `a=maxptime`, ms. */
  readonly maxptime?: number;
  /** `a=rtcp-mux` (RFC 5761). */
  readonly rtcpMux: boolean;
  readonly rtcp?: RtcpAttribute;
  /**
   * Derived from `formats` (the first `telephone-event/8000`, else the first at any rate);
   * `writeSdp` writes `formats` and ignores this.
   */
  readonly telephoneEvent?: TelephoneEvent;
}

/** Any other `m=` line (video, image/T.38, application, a second audio line), kept to be refused in an answer. */
export interface OtherSection {
  readonly position: number;
  readonly type: string;
  readonly port: number;
  readonly protocol: string;
  /** The format tokens of the `m=` line as written. */
  readonly formats: readonly string[];
  readonly connection?: ConnectionAddress;
}

export interface SessionDescription {
  readonly origin: Origin;
  /** The `s=` line. */
  readonly sessionName: string;
  /** The session-level `c=` line. */
  readonly connection?: ConnectionAddress;
  readonly audio: AudioSection;
  /** The other `m=` lines, in order; `position`s and `audio.position` together are 0…n−1. */
  readonly otherMedia: readonly OtherSection[];
}

// ───────────────────────────── helpers ─────────────────────────────

/** RFC 3551 static audio payload types an offer may use without an rtpmap line. */
const STATIC_AUDIO: ReadonlyMap<number, { readonly encoding: string; readonly clockRate: number }> = new Map([
  [0, { encoding: 'PCMU', clockRate: 8000 }],
  [3, { encoding: 'GSM', clockRate: 8000 }],
  [4, { encoding: 'G723', clockRate: 8000 }],
  [8, { encoding: 'PCMA', clockRate: 8000 }],
  [9, { encoding: 'G722', clockRate: 8000 }],
  [13, { encoding: 'CN', clockRate: 8000 }],
  [18, { encoding: 'G729', clockRate: 8000 }],
]);

/** The address of a section: its own `c=` line, else the session's. */
export function connectionOf(desc: SessionDescription): ConnectionAddress | undefined {
  return desc.audio.connection ?? desc.connection;
}

/** True for the RFC 2543 hold address `0.0.0.0` (and its IPv6 twin `::`). */
export function isHoldAddress(address: string): boolean {
  return address === '0.0.0.0' || address === '::';
}

/** The telephone-event format of a list of formats (see {@link AudioSection.telephoneEvent}). */
export function findTelephoneEvent(formats: readonly RtpFormat[]): TelephoneEvent | undefined {
  let any: RtpFormat | undefined;
  for (const f of formats) {
    if (f.encoding?.toLowerCase() !== 'telephone-event') continue;
    if (f.clockRate === 8000) return toTelephoneEvent(f, 8000);
    any ??= f;
  }
  return any === undefined ? undefined : toTelephoneEvent(any, any.clockRate ?? 8000);
}

function toTelephoneEvent(f: RtpFormat, clockRate: number): TelephoneEvent {
  return { payloadType: f.payloadType, clockRate, events: f.fmtp ?? '0-15' };
}

/** An audio section with its derived `telephoneEvent` filled in from `formats`. */
export function audioSection(fields: Omit<AudioSection, 'telephoneEvent'>): AudioSection {
  const te = findTelephoneEvent(fields.formats);
  const { telephoneEvent: _drop, ...rest } = fields as AudioSection;
  return te === undefined ? rest : { ...rest, telephoneEvent: te };
}

/** A non-negative integer from a number or a digit string; undefined otherwise. */
function toUint(v: unknown, max: number): number | undefined {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && /^\d{1,15}$/.test(v)) n = Number(v);
  else return undefined;
  return Number.isSafeInteger(n) && n >= 0 && n <= max ? n : undefined;
}

// sdp-transform turns a digit string into a number when String(number) gives the string
// back. That does not make the number exact: "58453150127016820" becomes the double
// 58453150127016816, which prints as the former. So a number is read back through String().
function toBigUint(v: unknown): bigint | undefined {
  const digits = typeof v === 'number' ? String(v) : v;
  return typeof digits === 'string' && /^\d{1,20}$/.test(digits) ? BigInt(digits) : undefined;
}

function toText(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return String(v);
  return undefined;
}

function addressType(ipVer: unknown): AddressType | undefined {
  const v = toUint(ipVer, 9);
  return v === 4 ? 'IP4' : v === 6 ? 'IP6' : undefined;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null;
}

function asArray(v: unknown): readonly unknown[] {
  return Array.isArray(v) ? v : [];
}

const DIRECTIONS: ReadonlySet<string> = new Set(['sendrecv', 'sendonly', 'recvonly', 'inactive']);

function toDirection(v: unknown): MediaDirection | undefined {
  return typeof v === 'string' && DIRECTIONS.has(v) ? (v as MediaDirection) : undefined;
}

function readConnection(v: unknown): ConnectionAddress | undefined {
  if (!isRecord(v)) return undefined;
  const type = addressType(v['version']);
  const address = toText(v['ip']);
  if (type === undefined || address === undefined || address === '') return undefined;
  return { addressType: type, address };
}

function readPositiveNumber(v: unknown): number | undefined {
  const n = typeof v === 'number' ? v : typeof v === 'string' && /^\d+(\.\d+)?$/.test(v) ? Number(v) : NaN;
  return Number.isFinite(n) && n > 0 && n <= 100_000 ? n : undefined;
}

const isRtpProtocol = (protocol: string): boolean => /(^|\/)RTP\//i.test(protocol);

// ───────────────────────────── parse ─────────────────────────────

/**
 * Read a session description. Never throws: anything that is not a usable description
 * comes back as an {@link SdpError}. Lines it does not model (b=, k=, ICE, crypto…) are
 * accepted and left out of the view.
 */
export function parseSdp(text: string): SessionDescription | SdpError {
  if (typeof text !== 'string') return new SdpError('syntax', 'session description is not text');
  if (text.length > MAX_SDP_LENGTH) {
    return new SdpError('too-large', `session description longer than ${MAX_SDP_LENGTH} characters`);
  }
  let raw: unknown;
  try {
    raw = sdpTransform.parse(text);
  } catch (cause) {
    return new SdpError('syntax', 'unreadable session description', { cause });
  }
  try {
    return fromRaw(raw);
  } catch (cause) {
    return new SdpError('syntax', 'unreadable session description', { cause });
  }
}

function fromRaw(raw: unknown): SessionDescription | SdpError {
  if (!isRecord(raw)) return new SdpError('syntax', 'unreadable session description');
  if (toUint(raw['version'], 9) !== 0) return new SdpError('version', 'missing v=0');

  const o = raw['origin'];
  if (!isRecord(o)) return new SdpError('origin', 'missing or malformed o= line');
  const username = toText(o['username']);
  const sessionId = toText(o['sessionId']);
  const sessionVersion = toBigUint(o['sessionVersion']);
  const originType = addressType(o['ipVer']);
  const originAddress = toText(o['address']);
  if (
    username === undefined ||
    username === '' ||
    sessionId === undefined ||
    !/^\d{1,20}$/.test(sessionId) ||
    sessionVersion === undefined ||
    o['netType'] !== 'IN' ||
    originType === undefined ||
    originAddress === undefined ||
    originAddress === ''
  ) {
    return new SdpError('origin', 'malformed o= line');
  }
  const origin: Origin = { username, sessionId, sessionVersion, addressType: originType, address: originAddress };

  // RFC 4566 §5.3: "s= " (or "s=-") when there is no name; we read an empty one as "-".
  const sessionName = toText(raw['name'])?.trim() || '-';
  const sessionConnection = readConnection(raw['connection']);

  // sdp-transform starts a media entry at every m= line and fills it only when the line
  // matches its grammar, so an entry without a type is an m= line it could not read.
  const media = asArray(raw['media']);

  let audio: AudioSection | undefined;
  let audioIsFallback = false;
  const sections: (AudioSection | OtherSection)[] = [];
  for (let position = 0; position < media.length; position++) {
    const m = media[position];
    if (!isRecord(m)) return new SdpError('media', 'malformed m= line');
    const type = toText(m['type']);
    const protocol = toText(m['protocol']);
    if (type === undefined || type === '' || protocol === undefined || protocol === '' || m['port'] === undefined) {
      return new SdpError('media', 'malformed m= line');
    }
    const port = toUint(m['port'], 65_535);
    if (port === undefined) return new SdpError('port', `m=${type} port out of range`);
    const tokens = (toText(m['payloads']) ?? '').split(' ').filter((t) => t !== '');
    const connection = readConnection(m['connection']);

    const isAudio = type.toLowerCase() === 'audio' && isRtpProtocol(protocol);
    // The audio section is the first RTP audio line with a port, else the first RTP audio line.
    const takeAsAudio = isAudio && (audio === undefined || (audioIsFallback && port !== 0));
    if (!takeAsAudio) {
      const other: OtherSection = { position, type, port, protocol, formats: tokens };
      sections.push(connection === undefined ? other : { ...other, connection });
      continue;
    }
    const section = readAudio(m, raw, position, port, protocol, tokens, connection);
    if (section instanceof SdpError) return section;
    if (audio !== undefined) {
      // A refused audio line taken earlier as the fallback becomes an ordinary other section.
      const prev = audio;
      const idx = sections.indexOf(prev);
      const demoted: OtherSection = {
        position: prev.position,
        type: 'audio',
        port: prev.port,
        protocol: prev.protocol,
        formats: prev.formats.map((f) => String(f.payloadType)),
      };
      sections[idx] = prev.connection === undefined ? demoted : { ...demoted, connection: prev.connection };
    }
    audio = section;
    audioIsFallback = port === 0;
    sections.push(section);
  }
  if (audio === undefined) return new SdpError('no-audio', 'no m=audio section over RTP');
  if (audio.connection === undefined && sessionConnection === undefined) {
    return new SdpError('connection', 'no c= line for the audio section');
  }
  const theAudio = audio;
  const otherMedia = sections.filter((s): s is OtherSection => s !== theAudio);
  const desc: SessionDescription = { origin, sessionName, audio: theAudio, otherMedia };
  return sessionConnection === undefined ? desc : { ...desc, connection: sessionConnection };
}

function readAudio(
  m: Record<string, unknown>,
  session: Record<string, unknown>,
  position: number,
  port: number,
  protocol: string,
  tokens: readonly string[],
  connection: ConnectionAddress | undefined,
): AudioSection | SdpError {
  if (tokens.length === 0) return new SdpError('format', 'm=audio without formats');
  const rtpmaps = new Map<number, { encoding: string; clockRate?: number; channels?: number }>();
  for (const r of asArray(m['rtp'])) {
    if (!isRecord(r)) continue;
    const pt = toUint(r['payload'], 127);
    const encoding = toText(r['codec']);
    if (pt === undefined || encoding === undefined || encoding === '' || rtpmaps.has(pt)) continue;
    const clockRate = toUint(r['rate'], 10_000_000);
    const channels = toUint(r['encoding'], 255);
    rtpmaps.set(pt, {
      encoding,
      ...(clockRate !== undefined && clockRate > 0 ? { clockRate } : {}),
      ...(channels !== undefined && channels > 0 ? { channels } : {}),
    });
  }
  const fmtps = new Map<number, string>();
  for (const f of asArray(m['fmtp'])) {
    if (!isRecord(f)) continue;
    const pt = toUint(f['payload'], 127);
    const config = toText(f['config'])?.trim();
    if (pt === undefined || config === undefined || config === '' || fmtps.has(pt)) continue;
    fmtps.set(pt, config);
  }
  const formats: RtpFormat[] = [];
  const seen = new Set<number>();
  for (const token of tokens) {
    if (!/^\d{1,3}$/.test(token)) return new SdpError('format', `payload type ${JSON.stringify(token)} is not a number`);
    const pt = Number(token);
    if (pt > 127) return new SdpError('format', `payload type ${pt} out of range`);
    if (seen.has(pt)) continue;
    seen.add(pt);
    const map = rtpmaps.get(pt) ?? STATIC_AUDIO.get(pt);
    const fmtp = fmtps.get(pt);
    formats.push({ payloadType: pt, ...map, ...(fmtp === undefined ? {} : { fmtp }) });
  }

  let rtcp: RtcpAttribute | undefined;
  const r = m['rtcp'];
  if (isRecord(r)) {
    const rport = toUint(r['port'], 65_535);
    if (rport !== undefined) {
      const rconn = r['netType'] === 'IN' ? readConnection({ version: r['ipVer'], ip: r['address'] }) : undefined;
      rtcp = rconn === undefined ? { port: rport } : { port: rport, connection: rconn };
    }
  }
  // Direction and ptime written at session level apply to every section that has none.
  const ptime = readPositiveNumber(m['ptime'] ?? session['ptime']);
  const maxptime = readPositiveNumber(m['maxptime'] ?? session['maxptime']);
  return audioSection({
    position,
    port,
    protocol,
    formats,
    direction: toDirection(m['direction']) ?? toDirection(session['direction']) ?? 'sendrecv',
    ...(connection === undefined ? {} : { connection }),
    ...(ptime === undefined ? {} : { ptime }),
    ...(maxptime === undefined ? {} : { maxptime }),
    rtcpMux: m['rtcpMux'] === 'rtcp-mux',
    ...(rtcp === undefined ? {} : { rtcp }),
  });
}

// ───────────────────────────── write ─────────────────────────────

type RawSession = sdpTransform.SessionDescription;
type RawMedia = sdpTransform.MediaDescription;

const rawConnection = (c: ConnectionAddress): { version: number; ip: string } => ({
  version: c.addressType === 'IP6' ? 6 : 4,
  ip: c.address,
});

/**
 * Write a session description with CRLF line ends. `t=0 0`; the audio section writes its
 * formats' rtpmap lines (static ones too, as RFC 3264 §5.1 recommends), fmtp, ptime,
 * direction and rtcp attributes; other sections only their `m=` and `c=` lines.
 */
export function writeSdp(desc: SessionDescription): string {
  const sections: (AudioSection | OtherSection)[] = [desc.audio, ...desc.otherMedia];
  sections.sort((a, b) => a.position - b.position);
  const media: RawMedia[] = sections.map((s) => (s === desc.audio ? rawAudio(desc.audio) : rawOther(s as OtherSection)));
  // The o= line is written here, not by sdp-transform: its writer formats sess-version
  // with Number(), which rounds versions above 2^53.
  const session = {
    version: 0,
    name: desc.sessionName.trim() || '-',
    timing: { start: 0, stop: 0 },
    ...(desc.connection === undefined ? {} : { connection: rawConnection(desc.connection) }),
    media,
  } as Omit<RawSession, 'origin'> as RawSession;
  const body = sdpTransform.write(session);
  const o = desc.origin;
  const originLine = `o=${o.username} ${o.sessionId} ${o.sessionVersion.toString()} IN ${o.addressType} ${o.address}\r\n`;
  const firstEnd = body.indexOf('\r\n') + 2;
  return body.slice(0, firstEnd) + originLine + body.slice(firstEnd);
}

function rawAudio(a: AudioSection): RawMedia {
  const rtp: RawMedia['rtp'] = [];
  const fmtp: RawMedia['fmtp'] = [];
  for (const f of a.formats) {
    if (f.encoding !== undefined) {
      rtp.push({
        payload: f.payloadType,
        codec: f.encoding,
        ...(f.clockRate === undefined ? {} : { rate: f.clockRate }),
        ...(f.channels === undefined || f.clockRate === undefined ? {} : { encoding: f.channels }),
      });
    }
    if (f.fmtp !== undefined) fmtp.push({ payload: f.payloadType, config: f.fmtp });
  }
  const media: RawMedia = {
    type: 'audio',
    port: a.port,
    protocol: a.protocol,
    payloads: a.formats.map((f) => f.payloadType).join(' '),
    rtp,
    fmtp,
    direction: a.direction,
  };
  if (a.connection !== undefined) media.connection = rawConnection(a.connection);
  if (a.ptime !== undefined) media.ptime = a.ptime;
  if (a.maxptime !== undefined) media.maxptime = a.maxptime;
  if (a.rtcpMux) media.rtcpMux = 'rtcp-mux';
  if (a.rtcp !== undefined) {
    media.rtcp =
      a.rtcp.connection === undefined
        ? { port: a.rtcp.port }
        : {
            port: a.rtcp.port,
            netType: 'IN',
            ipVer: a.rtcp.connection.addressType === 'IP6' ? 6 : 4,
            address: a.rtcp.connection.address,
          };
  }
  return media;
}

function rawOther(s: OtherSection): RawMedia {
  const media: RawMedia = {
    type: s.type,
    port: s.port,
    protocol: s.protocol,
    payloads: s.formats.join(' '),
    rtp: [],
    fmtp: [],
  };
  if (s.connection !== undefined) media.connection = rawConnection(s.connection);
  return media;
}
