/**
 * RTP fixed header (RFC 3550 §5.1) parse and serialize.
 *
 * Parsing fills a reusable {@link RtpPacketView} with the header fields and the
 * offsets of the payload inside the caller's datagram; nothing is copied.
 * `parseRtpInto` allocates nothing; `parseRtp` allocates one view for callers
 * off the hot path. Neither throws on malformed input: they report it as
 * `false` / `null`.
 *
 * Serializing writes into a caller-provided buffer, so a sender can write the
 * header, then encode audio straight after it (see `encodeUlaw`'s `dstOffset`).
 */

import { readU16, readU32, writeU16, writeU32 } from './bytes.js';

export const RTP_VERSION = 2;
/** Bytes in the fixed header, without CSRCs or extension. */
export const RTP_FIXED_HEADER_SIZE = 12;
/** The CSRC count is a 4-bit field. */
export const RTP_MAX_CSRC = 15;

const EMPTY = new Uint8Array(0);

/** A header extension as carried on the wire (RFC 3550 §5.3.1). */
export interface RtpHeaderExtension {
  /** The 16-bit "defined by profile" field (0xBEDE for RFC 8285 one-byte headers). */
  readonly profile: number;
  /** Extension body; its length must be a multiple of 4. */
  readonly data: Uint8Array;
}

/** What a sender supplies to write a header. */
export interface RtpHeaderInit {
  marker: boolean;
  payloadType: number;
  seq: number;
  timestamp: number;
  ssrc: number;
  /** Contributing sources (at most 15). */
  csrcs?: ArrayLike<number> | undefined;
  extension?: RtpHeaderExtension | null | undefined;
  /** Padding bytes to append after the payload, count byte included (0 = none, else 1..255). */
  paddingLength?: number | undefined;
}

/**
 * A parsed RTP packet: header fields plus where the payload lies in {@link buf}.
 * One instance is meant to be reused for every datagram of a leg; its fields are
 * overwritten by each successful parse.
 */
export class RtpPacketView {
  /** The datagram this view was parsed from. */
  buf: Uint8Array = EMPTY;
  version = RTP_VERSION;
  padding = false;
  extension = false;
  csrcCount = 0;
  marker = false;
  payloadType = 0;
  seq = 0;
  timestamp = 0;
  ssrc = 0;
  /** The first {@link csrcCount} entries are this packet's CSRCs. */
  readonly csrcs = new Uint32Array(RTP_MAX_CSRC);
  /** Extension profile field, when {@link extension} is set. */
  extensionProfile = 0;
  /** Offset of the extension body (after its 4-byte header) in {@link buf}. */
  extensionOffset = 0;
  /** Length of the extension body in bytes. */
  extensionLength = 0;
  /** Header bytes: fixed header, CSRCs and extension. */
  headerLength = 0;
  /** Padding bytes removed from the end (count byte included). */
  paddingLength = 0;
  payloadOffset = 0;
  payloadLength = 0;
  #payload: Uint8Array | null = null;

  /**
   * The payload as a view into {@link buf} (no copy). Created on first access
   * after each parse; hot-path code that must not allocate reads
   * `buf`/`payloadOffset`/`payloadLength` instead.
   */
  get payload(): Uint8Array {
    if (this.#payload === null) {
      this.#payload = this.buf.subarray(this.payloadOffset, this.payloadOffset + this.payloadLength);
    }
    return this.#payload;
  }

  /** The extension body as a view into {@link buf} (empty when there is none). */
  get extensionData(): Uint8Array {
    return this.buf.subarray(this.extensionOffset, this.extensionOffset + this.extensionLength);
  }

  /**
   * Parses `buf` into this view. Returns false (leaving the fields unspecified)
   * when the bytes are not a valid RTP packet: shorter than its header, version
   * other than 2, CSRC list or extension running past the end, or a padding
   * count of zero or larger than what follows the header. Never throws, never
   * allocates.
   */
  parse(buf: Uint8Array): boolean {
    const length = buf.length;
    if (length < RTP_FIXED_HEADER_SIZE) return false;
    const b0 = buf[0]!;
    if (b0 >> 6 !== RTP_VERSION) return false;
    const padding = (b0 & 0x20) !== 0;
    const extension = (b0 & 0x10) !== 0;
    const csrcCount = b0 & 0x0f;
    let offset = RTP_FIXED_HEADER_SIZE + 4 * csrcCount;
    if (offset > length) return false;

    let extensionProfile = 0;
    let extensionOffset = 0;
    let extensionLength = 0;
    if (extension) {
      if (offset + 4 > length) return false;
      extensionProfile = readU16(buf, offset);
      extensionLength = readU16(buf, offset + 2) * 4;
      extensionOffset = offset + 4;
      offset = extensionOffset + extensionLength;
      if (offset > length) return false;
    }

    let paddingLength = 0;
    if (padding) {
      paddingLength = buf[length - 1]!;
      if (paddingLength === 0 || paddingLength > length - offset) return false;
    }

    const b1 = buf[1]!;
    // Timestamp and SSRC are read inline rather than through readU32: a
    // 32-bit value above 2^31 returned from a call that is not inlined is
    // boxed, an allocation per packet.
    this.buf = buf;
    this.version = RTP_VERSION;
    this.padding = padding;
    this.extension = extension;
    this.csrcCount = csrcCount;
    this.marker = (b1 & 0x80) !== 0;
    this.payloadType = b1 & 0x7f;
    this.seq = (buf[2]! << 8) | buf[3]!;
    this.timestamp = ((buf[4]! << 24) | (buf[5]! << 16) | (buf[6]! << 8) | buf[7]!) >>> 0;
    this.ssrc = ((buf[8]! << 24) | (buf[9]! << 16) | (buf[10]! << 8) | buf[11]!) >>> 0;
    for (let i = 0; i < csrcCount; i++) this.csrcs[i] = readU32(buf, RTP_FIXED_HEADER_SIZE + 4 * i);
    this.extensionProfile = extensionProfile;
    this.extensionOffset = extensionOffset;
    this.extensionLength = extensionLength;
    this.headerLength = offset;
    this.paddingLength = paddingLength;
    this.payloadOffset = offset;
    this.payloadLength = length - offset - paddingLength;
    this.#payload = null;
    return true;
  }
}

/** Parses `buf` into a reused `view` (see {@link RtpPacketView.parse}). Never throws, never allocates. */
export function parseRtpInto(buf: Uint8Array, view: RtpPacketView): boolean {
  return view.parse(buf);
}

/** Parses `buf` into a new view, or returns null when it is not valid RTP. Never throws. */
export function parseRtp(buf: Uint8Array): RtpPacketView | null {
  const view = new RtpPacketView();
  return parseRtpInto(buf, view) ? view : null;
}

/** Bytes {@link writeRtpHeader} will write for `header`. */
export function rtpHeaderLength(header: RtpHeaderInit): number {
  const csrcCount = header.csrcs?.length ?? 0;
  const ext = header.extension;
  return RTP_FIXED_HEADER_SIZE + 4 * csrcCount + (ext ? 4 + ext.data.length : 0);
}

/**
 * Writes the header (fixed part, CSRCs, extension) at `offset`; returns its
 * length. The P bit is set when `paddingLength` > 0; the padding itself is
 * written by {@link serializeRtp}. Throws RangeError on a header that cannot be
 * represented or a buffer that is too small (programming errors).
 */
export function writeRtpHeader(header: RtpHeaderInit, dst: Uint8Array, offset = 0): number {
  const csrcs = header.csrcs;
  const csrcCount = csrcs?.length ?? 0;
  if (csrcCount > RTP_MAX_CSRC) throw new RangeError(`RTP: ${csrcCount} CSRCs, at most ${RTP_MAX_CSRC}`);
  const ext = header.extension;
  if (ext && ext.data.length % 4 !== 0) {
    throw new RangeError(`RTP: extension length ${ext.data.length} is not a multiple of 4`);
  }
  if (ext && ext.data.length > 0xffff * 4) throw new RangeError('RTP: extension too long');
  const paddingLength = header.paddingLength ?? 0;
  if (paddingLength < 0 || paddingLength > 255) throw new RangeError(`RTP: padding ${paddingLength} outside 0..255`);
  const length = RTP_FIXED_HEADER_SIZE + 4 * csrcCount + (ext ? 4 + ext.data.length : 0);
  if (offset + length > dst.length) {
    throw new RangeError(`RTP: header needs ${length} bytes at ${offset}, buffer holds ${dst.length}`);
  }

  dst[offset] = (RTP_VERSION << 6) | (paddingLength > 0 ? 0x20 : 0) | (ext ? 0x10 : 0) | csrcCount;
  dst[offset + 1] = (header.marker ? 0x80 : 0) | (header.payloadType & 0x7f);
  // Written inline, not through writeU32, so that large values are never
  // passed as (boxed) call arguments.
  const seq = header.seq;
  const timestamp = header.timestamp;
  const ssrc = header.ssrc;
  dst[offset + 2] = (seq >>> 8) & 0xff;
  dst[offset + 3] = seq & 0xff;
  dst[offset + 4] = (timestamp >>> 24) & 0xff;
  dst[offset + 5] = (timestamp >>> 16) & 0xff;
  dst[offset + 6] = (timestamp >>> 8) & 0xff;
  dst[offset + 7] = timestamp & 0xff;
  dst[offset + 8] = (ssrc >>> 24) & 0xff;
  dst[offset + 9] = (ssrc >>> 16) & 0xff;
  dst[offset + 10] = (ssrc >>> 8) & 0xff;
  dst[offset + 11] = ssrc & 0xff;
  let o = offset + RTP_FIXED_HEADER_SIZE;
  for (let i = 0; i < csrcCount; i++, o += 4) writeU32(dst, o, csrcs![i]! >>> 0);
  if (ext) {
    writeU16(dst, o, ext.profile & 0xffff);
    writeU16(dst, o + 2, ext.data.length / 4);
    dst.set(ext.data, o + 4);
    o += 4 + ext.data.length;
  }
  return o - offset;
}

/**
 * Writes a whole packet (header, a copy of `payload`, padding) at `offset` and
 * returns its total length. Padding bytes are zero except the last, which holds
 * the count (RFC 3550 §5.1).
 */
export function serializeRtp(header: RtpHeaderInit, payload: Uint8Array, dst: Uint8Array, offset = 0): number {
  const paddingLength = header.paddingLength ?? 0;
  const total = rtpHeaderLength(header) + payload.length + paddingLength;
  if (offset + total > dst.length) {
    throw new RangeError(`RTP: packet needs ${total} bytes at ${offset}, buffer holds ${dst.length}`);
  }
  let o = offset + writeRtpHeader(header, dst, offset);
  dst.set(payload, o);
  o += payload.length;
  if (paddingLength > 0) {
    dst.fill(0, o, o + paddingLength - 1);
    dst[o + paddingLength - 1] = paddingLength;
    o += paddingLength;
  }
  return o - offset;
}
