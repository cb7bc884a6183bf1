/**
 * RTCP (RFC 3550 §6): sender reports, receiver reports, source description
 * (CNAME) and BYE, built into caller buffers and parsed from compound packets.
 *
 * RTCP goes out every few seconds per leg, so these functions favour plain
 * objects over zero-allocation tricks; writers still take the destination
 * buffer from the caller. Parsing never throws: malformed input gives null.
 */
import { readU16, readU32, writeU16, writeU32 } from './bytes.js';

export const RTCP_SR = 200;
export const RTCP_RR = 201;
export const RTCP_SDES = 202;
export const RTCP_BYE = 203;
export const RTCP_APP = 204;

/** SDES item types (RFC 3550 §6.5). */
export const SDES_END = 0;
export const SDES_CNAME = 1;
export const SDES_NAME = 2;
export const SDES_TOOL = 6;

/** Report blocks per SR/RR: the count field has 5 bits. */
export const RTCP_MAX_REPORTS = 31;

/** Seconds from the NTP epoch (1900) to the Unix epoch (1970). */
const NTP_UNIX_OFFSET_S = 2_208_988_800;

/** One reception report block (RFC 3550 §6.4.1). */
export interface ReportBlock {
  /** The source this block reports on. */
  ssrc: number;
  /** Fraction of packets lost since the previous report, in 1/256. */
  fractionLost: number;
  /** Cumulative packets lost, signed 24-bit. */
  cumulativeLost: number;
  extendedHighestSeq: number;
  /** Interarrival jitter, timestamp units. */
  jitter: number;
  /** Middle 32 bits of the NTP timestamp of the last SR from that source (0: none). */
  lastSr: number;
  /** Delay since that SR was received, 1/65536 s. */
  delaySinceLastSr: number;
}

/** The sender-information part of an SR. */
export interface SenderInfo {
  ntpSec: number;
  ntpFrac: number;
  /** The RTP timestamp matching the NTP time, in the stream's clock. */
  rtpTimestamp: number;
  packetCount: number;
  octetCount: number;
}

export interface SdesItem {
  readonly type: number;
  readonly value: string;
}

export interface SdesChunk {
  readonly ssrc: number;
  readonly items: readonly SdesItem[];
}

export interface RtcpSenderReport {
  readonly type: 'sr';
  readonly ssrc: number;
  readonly sender: SenderInfo;
  readonly reports: readonly ReportBlock[];
}

export interface RtcpReceiverReport {
  readonly type: 'rr';
  readonly ssrc: number;
  readonly reports: readonly ReportBlock[];
}

export interface RtcpSourceDescription {
  readonly type: 'sdes';
  readonly chunks: readonly SdesChunk[];
}

export interface RtcpBye {
  readonly type: 'bye';
  readonly sources: readonly number[];
  readonly reason?: string | undefined;
}

/** Any other packet type (APP, feedback, XR …), kept as its raw body. */
export interface RtcpOther {
  readonly type: 'other';
  readonly packetType: number;
  /** The 5-bit count/format field. */
  readonly count: number;
  /** Body after the 4-byte header, padding removed (a view, not a copy). */
  readonly body: Uint8Array;
}

export type RtcpPacket = RtcpSenderReport | RtcpReceiverReport | RtcpSourceDescription | RtcpBye | RtcpOther;

const TEXT_ENCODER = new TextEncoder();
const TEXT_DECODER = new TextDecoder('utf-8', { fatal: false });

/**
 * NTP time (seconds, fraction) of a Unix time in milliseconds, written into
 * `out` (a sender report's info, so that a report allocates no object) and returned.
 */
export function ntpFromUnixMs<T extends { ntpSec: number; ntpFrac: number }>(
  unixMs: number,
  out: T = { ntpSec: 0, ntpFrac: 0 } as T,
): T {
  const seconds = Math.floor(unixMs / 1000);
  const frac = Math.floor(((unixMs - seconds * 1000) / 1000) * 0x1_0000_0000);
  out.ntpSec = (seconds + NTP_UNIX_OFFSET_S) >>> 0;
  out.ntpFrac = Math.min(frac, 0xffffffff) >>> 0;
  return out;
}

/** The middle 32 bits of an NTP timestamp (the LSR and RTT unit: 1/65536 s). */
export function compactNtp(ntpSec: number, ntpFrac: number): number {
  return (((ntpSec & 0xffff) << 16) | (ntpFrac >>> 16)) >>> 0;
}

/**
 * Round-trip time in ms from a report block about our stream that arrived at
 * `arrivalUnixMs` (RFC 3550 §6.4.1: A - LSR - DLSR), or null when the peer has
 * not received a report from us yet.
 */
export function roundTripMs(block: ReportBlock, arrivalUnixMs: number): number | null {
  if (block.lastSr === 0) return null;
  const { ntpSec, ntpFrac } = ntpFromUnixMs(arrivalUnixMs);
  const a = compactNtp(ntpSec, ntpFrac);
  const rtt = (a - block.lastSr - block.delaySinceLastSr) | 0;
  return rtt < 0 ? 0 : (rtt * 1000) / 65536;
}

/** True when a datagram on a muxed RTP/RTCP port is RTCP (RFC 5761 §4: second byte 192..223). */
export function isRtcp(buf: Uint8Array): boolean {
  if (buf.length < 4 || buf[0]! >> 6 !== 2) return false;
  const pt = buf[1]!;
  return pt >= 192 && pt <= 223;
}

function checkRoom(what: string, needed: number, available: number): void {
  if (needed > available) throw new RangeError(`RTCP ${what}: needs ${needed} bytes, buffer holds ${available}`);
}

function writeHeader(dst: Uint8Array, offset: number, count: number, packetType: number, byteLength: number): void {
  dst[offset] = 0x80 | (count & 0x1f);
  dst[offset + 1] = packetType;
  writeU16(dst, offset + 2, byteLength / 4 - 1);
}

function writeReportBlock(dst: Uint8Array, o: number, r: ReportBlock): void {
  writeU32(dst, o, r.ssrc);
  const lost = Math.max(-0x800000, Math.min(0x7fffff, Math.trunc(r.cumulativeLost)));
  dst[o + 4] = r.fractionLost & 0xff;
  dst[o + 5] = (lost >> 16) & 0xff;
  dst[o + 6] = (lost >> 8) & 0xff;
  dst[o + 7] = lost & 0xff;
  writeU32(dst, o + 8, r.extendedHighestSeq);
  writeU32(dst, o + 12, r.jitter);
  writeU32(dst, o + 16, r.lastSr);
  writeU32(dst, o + 20, r.delaySinceLastSr);
}

function readReportBlock(b: Uint8Array, o: number): ReportBlock {
  return {
    ssrc: readU32(b, o),
    fractionLost: b[o + 4]!,
    cumulativeLost: ((b[o + 5]! << 24) | (b[o + 6]! << 16) | (b[o + 7]! << 8)) >> 8,
    extendedHighestSeq: readU32(b, o + 8),
    jitter: readU32(b, o + 12),
    lastSr: readU32(b, o + 16),
    delaySinceLastSr: readU32(b, o + 20),
  };
}

function checkReports(reports: readonly ReportBlock[]): void {
  if (reports.length > RTCP_MAX_REPORTS) {
    throw new RangeError(`RTCP: ${reports.length} report blocks, at most ${RTCP_MAX_REPORTS}`);
  }
}

/** Writes an SR at `offset`; returns its length in bytes. */
export function writeSenderReport(
  dst: Uint8Array,
  offset: number,
  ssrc: number,
  sender: SenderInfo,
  reports: readonly ReportBlock[] = [],
): number {
  checkReports(reports);
  const length = 28 + 24 * reports.length;
  checkRoom('SR', offset + length, dst.length);
  writeHeader(dst, offset, reports.length, RTCP_SR, length);
  writeU32(dst, offset + 4, ssrc);
  writeU32(dst, offset + 8, sender.ntpSec);
  writeU32(dst, offset + 12, sender.ntpFrac);
  writeU32(dst, offset + 16, sender.rtpTimestamp);
  writeU32(dst, offset + 20, sender.packetCount);
  writeU32(dst, offset + 24, sender.octetCount);
  for (let i = 0; i < reports.length; i++) writeReportBlock(dst, offset + 28 + 24 * i, reports[i]!);
  return length;
}

/** Writes an RR at `offset`; returns its length in bytes. */
export function writeReceiverReport(
  dst: Uint8Array,
  offset: number,
  ssrc: number,
  reports: readonly ReportBlock[] = [],
): number {
  checkReports(reports);
  const length = 8 + 24 * reports.length;
  checkRoom('RR', offset + length, dst.length);
  writeHeader(dst, offset, reports.length, RTCP_RR, length);
  writeU32(dst, offset + 4, ssrc);
  for (let i = 0; i < reports.length; i++) writeReportBlock(dst, offset + 8 + 24 * i, reports[i]!);
  return length;
}

/** Writes an SDES packet at `offset`; returns its length in bytes. Item text is UTF-8, at most 255 bytes. */
export function writeSdes(dst: Uint8Array, offset: number, chunks: readonly SdesChunk[]): number {
  if (chunks.length > 31) throw new RangeError(`RTCP SDES: ${chunks.length} chunks, at most 31`);
  const encoded: Uint8Array[][] = [];
  let length = 4;
  for (const chunk of chunks) {
    const texts: Uint8Array[] = [];
    let chunkLength = 4;
    for (const item of chunk.items) {
      if (item.type <= SDES_END || item.type > 255) throw new RangeError(`RTCP SDES: item type ${item.type}`);
      const text = TEXT_ENCODER.encode(item.value);
      if (text.length > 255) throw new RangeError(`RTCP SDES: item of ${text.length} bytes, at most 255`);
      texts.push(text);
      chunkLength += 2 + text.length;
    }
    // At least one null octet ends the item list, then pad to 32 bits.
    chunkLength += 4 - (chunkLength % 4);
    length += chunkLength;
    encoded.push(texts);
  }
  checkRoom('SDES', offset + length, dst.length);
  writeHeader(dst, offset, chunks.length, RTCP_SDES, length);
  let o = offset + 4;
  for (let c = 0; c < chunks.length; c++) {
    const chunk = chunks[c]!;
    const texts = encoded[c]!;
    const start = o;
    writeU32(dst, o, chunk.ssrc);
    o += 4;
    for (let i = 0; i < chunk.items.length; i++) {
      const text = texts[i]!;
      dst[o] = chunk.items[i]!.type;
      dst[o + 1] = text.length;
      dst.set(text, o + 2);
      o += 2 + text.length;
    }
    const padded = o + 4 - ((o - start) % 4); // 1..4 null octets
    dst.fill(0, o, padded);
    o = padded;
  }
  return length;
}

/** Writes an SDES packet with one chunk holding a CNAME; returns its length. */
export function writeSdesCname(dst: Uint8Array, offset: number, ssrc: number, cname: string): number {
  return writeSdes(dst, offset, [{ ssrc, items: [{ type: SDES_CNAME, value: cname }] }]);
}

/** Writes a BYE at `offset` (with an optional reason, at most 255 UTF-8 bytes); returns its length. */
export function writeBye(dst: Uint8Array, offset: number, sources: readonly number[], reason?: string): number {
  if (sources.length > 31) throw new RangeError(`RTCP BYE: ${sources.length} sources, at most 31`);
  const text = reason === undefined ? null : TEXT_ENCODER.encode(reason);
  if (text && text.length > 255) throw new RangeError(`RTCP BYE: reason of ${text.length} bytes, at most 255`);
  let length = 4 + 4 * sources.length;
  if (text) length += Math.ceil((1 + text.length) / 4) * 4;
  checkRoom('BYE', offset + length, dst.length);
  writeHeader(dst, offset, sources.length, RTCP_BYE, length);
  let o = offset + 4;
  for (const source of sources) {
    writeU32(dst, o, source);
    o += 4;
  }
  if (text) {
    dst[o] = text.length;
    dst.set(text, o + 1);
    dst.fill(0, o + 1 + text.length, offset + length);
  }
  return length;
}

/** Writes one packet of any kind the parser returns; returns its length. */
export function writeRtcp(dst: Uint8Array, offset: number, packet: RtcpPacket): number {
  switch (packet.type) {
    case 'sr':
      return writeSenderReport(dst, offset, packet.ssrc, packet.sender, packet.reports);
    case 'rr':
      return writeReceiverReport(dst, offset, packet.ssrc, packet.reports);
    case 'sdes':
      return writeSdes(dst, offset, packet.chunks);
    case 'bye':
      return writeBye(dst, offset, packet.sources, packet.reason);
    case 'other': {
      if (packet.body.length % 4 !== 0) throw new RangeError('RTCP: body length is not a multiple of 4');
      const length = 4 + packet.body.length;
      checkRoom('packet', offset + length, dst.length);
      writeHeader(dst, offset, packet.count, packet.packetType, length);
      dst.set(packet.body, offset + 4);
      return length;
    }
  }
}

/**
 * Writes a compound packet (RFC 3550 §6.1: it should start with an SR or RR
 * and carry an SDES CNAME); returns its total length.
 */
export function writeRtcpCompound(dst: Uint8Array, packets: readonly RtcpPacket[], offset = 0): number {
  let o = offset;
  for (const packet of packets) o += writeRtcp(dst, o, packet);
  return o - offset;
}

export interface ParseRtcpOptions {
  /**
   * Reject a compound packet whose first packet is not an SR or RR (RFC 3550
   * A.2). Default false: RFC 5506 reduced-size RTCP is accepted.
   */
  requireReportFirst?: boolean;
}

/**
 * Parses a compound RTCP packet. Returns null when any packet in it is
 * malformed: wrong version, a length running past the end or not matching the
 * total, padding on other than the last packet, or a body shorter than its
 * count says. Never throws.
 */
export function parseRtcp(buf: Uint8Array, options: ParseRtcpOptions = {}): RtcpPacket[] | null {
  const packets: RtcpPacket[] = [];
  let offset = 0;
  while (offset < buf.length) {
    if (offset + 4 > buf.length) return null;
    const b0 = buf[offset]!;
    if (b0 >> 6 !== 2) return null;
    const count = b0 & 0x1f;
    const packetType = buf[offset + 1]!;
    const end = offset + (readU16(buf, offset + 2) + 1) * 4;
    if (end > buf.length) return null;
    let bodyEnd = end;
    if ((b0 & 0x20) !== 0) {
      if (end !== buf.length) return null; // only the last packet may be padded
      const pad = buf[end - 1]!;
      if (pad === 0 || pad > end - offset - 4) return null;
      bodyEnd = end - pad;
    }
    if (packets.length === 0 && options.requireReportFirst && packetType !== RTCP_SR && packetType !== RTCP_RR) {
      return null;
    }
    const packet = parseOne(buf, offset + 4, bodyEnd, count, packetType);
    if (packet === null) return null;
    packets.push(packet);
    offset = end;
  }
  return packets.length === 0 ? null : packets;
}

function parseOne(b: Uint8Array, start: number, end: number, count: number, packetType: number): RtcpPacket | null {
  switch (packetType) {
    case RTCP_SR: {
      if (end - start < 24 + 24 * count) return null;
      const reports: ReportBlock[] = [];
      for (let i = 0; i < count; i++) reports.push(readReportBlock(b, start + 24 + 24 * i));
      return {
        type: 'sr',
        ssrc: readU32(b, start),
        sender: {
          ntpSec: readU32(b, start + 4),
          ntpFrac: readU32(b, start + 8),
          rtpTimestamp: readU32(b, start + 12),
          packetCount: readU32(b, start + 16),
          octetCount: readU32(b, start + 20),
        },
        reports,
      };
    }
    case RTCP_RR: {
      if (end - start < 4 + 24 * count) return null;
      const reports: ReportBlock[] = [];
      for (let i = 0; i < count; i++) reports.push(readReportBlock(b, start + 4 + 24 * i));
      return { type: 'rr', ssrc: readU32(b, start), reports };
    }
    case RTCP_SDES: {
      const chunks: SdesChunk[] = [];
      let o = start;
      for (let c = 0; c < count; c++) {
        if (o + 4 > end) return null;
        const chunkStart = o;
        const ssrc = readU32(b, o);
        o += 4;
        const items: SdesItem[] = [];
        for (;;) {
          if (o >= end) return null;
          const type = b[o]!;
          if (type === SDES_END) break;
          if (o + 2 > end) return null;
          const len = b[o + 1]!;
          if (o + 2 + len > end) return null;
          items.push({ type, value: TEXT_DECODER.decode(b.subarray(o + 2, o + 2 + len)) });
          o += 2 + len;
        }
        // Skip the null octet(s) up to the next 32-bit boundary of the chunk.
        o += 1;
        const misalign = (o - chunkStart) % 4;
        if (misalign !== 0) o += 4 - misalign;
        if (o > end) return null;
        chunks.push({ ssrc, items });
      }
      return { type: 'sdes', chunks };
    }
    case RTCP_BYE: {
      if (end - start < 4 * count) return null;
      const sources: number[] = [];
      for (let i = 0; i < count; i++) sources.push(readU32(b, start + 4 * i));
      let o = start + 4 * count;
      let reason: string | undefined;
      if (o < end) {
        const len = b[o]!;
        if (o + 1 + len > end) return null;
        reason = TEXT_DECODER.decode(b.subarray(o + 1, o + 1 + len));
      }
      return reason === undefined ? { type: 'bye', sources } : { type: 'bye', sources, reason };
    }
    default:
      return { type: 'other', packetType, count, body: b.subarray(start, end) };
  }
}

/** The first CNAME for `ssrc` in parsed packets, or undefined. */
export function findCname(packets: readonly RtcpPacket[], ssrc: number): string | undefined {
  for (const packet of packets) {
    if (packet.type !== 'sdes') continue;
    for (const chunk of packet.chunks) {
      if (chunk.ssrc !== ssrc) continue;
      for (const item of chunk.items) if (item.type === SDES_CNAME) return item.value;
    }
  }
  return undefined;
}
