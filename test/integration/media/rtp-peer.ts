/**
 * A small RTP endpoint for the media integration tests (not a test file): a
 * real UDP socket on loopback that sends paced G.711 audio and RFC 4733
 * events, and keeps what it receives. It plays the far end (a phone, a trunk)
 * of a leg.
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { decodeAlaw, decodeUlaw, encodeAlaw, encodeUlaw } from '../../../src/media/codec/g711.js';
import { type DtmfDigit, dtmfEventCode } from '../../../src/media/dtmf/digit.js';
import { writeTelephoneEvent } from '../../../src/media/dtmf/rfc4733.js';
import { RtpPacketView, writeRtpHeader } from '../../../src/media/rtp/packet.js';
import { isRtcp } from '../../../src/media/rtp/rtcp.js';
import { testTone } from '../../../src/media/source/tone.js';
import type { TransportAddress } from '../../../src/media/protocol.js';

export interface ReceivedPacket {
  readonly payloadType: number;
  readonly seq: number;
  readonly timestamp: number;
  readonly ssrc: number;
  readonly marker: boolean;
  readonly payload: Uint8Array;
  readonly from: TransportAddress;
}

export class RtpPeer {
  readonly socket: Socket;
  readonly received: ReceivedPacket[] = [];
  rtcpReceived = 0;
  readonly ssrc: number;
  #seq = 1000;
  #timestamp = 160_000;
  #first = true;
  #closed = false;

  private constructor(socket: Socket, ssrc: number) {
    this.socket = socket;
    this.ssrc = ssrc;
    const view = new RtpPacketView();
    socket.on('message', (msg, rinfo) => {
      if (isRtcp(msg)) {
        this.rtcpReceived++;
        return;
      }
      if (!view.parse(msg)) return;
      this.received.push({
        payloadType: view.payloadType,
        seq: view.seq,
        timestamp: view.timestamp,
        ssrc: view.ssrc,
        marker: view.marker,
        payload: Uint8Array.from(view.payload),
        from: { address: rinfo.address, port: rinfo.port },
      });
    });
  }

  static async open(ssrc = 0x11223344): Promise<RtpPeer> {
    const socket = createSocket('udp4');
    socket.bind(0, '127.0.0.1');
    await once(socket, 'listening');
    // A test that fails before closing its peer must not keep the process alive.
    socket.unref();
    socket.setRecvBufferSize(1 << 20);
    return new RtpPeer(socket, ssrc);
  }

  get address(): TransportAddress {
    const a = this.socket.address();
    return { address: a.address, port: a.port };
  }

  /** Sends one 20 ms audio frame. */
  sendFrame(to: TransportAddress, pcm: Int16Array, payloadType = 0): void {
    const packet = Buffer.alloc(172);
    writeRtpHeader({ marker: this.#first, payloadType, seq: this.#seq, timestamp: this.#timestamp, ssrc: this.ssrc }, packet);
    if (payloadType === 8) encodeAlaw(pcm, packet, 12, 160);
    else encodeUlaw(pcm, packet, 12, 160);
    this.#first = false;
    this.#seq = (this.#seq + 1) & 0xffff;
    this.#timestamp = (this.#timestamp + 160) >>> 0;
    this.socket.send(packet, to.port, to.address);
  }

  /** Sends a tone for `durationMs`, one frame every 20 ms (drift-free); resolves when done. */
  async sendTone(to: TransportAddress, hz: number, durationMs: number, payloadType = 0, levelDbm0 = -10): Promise<void> {
    const tone = testTone(hz, levelDbm0);
    const frame = new Int16Array(160);
    const frames = Math.round(durationMs / 20);
    const start = performance.now();
    for (let i = 0; i < frames; i++) {
      const wait = start + i * 20 - performance.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      tone.fill(frame);
      this.sendFrame(to, frame, payloadType);
    }
  }

  /** Sends one RFC 4733 digit: packets of growing duration every 20 ms, the final (E bit) one three times. */
  async sendDigit(to: TransportAddress, digit: DtmfDigit, payloadType = 101, durationMs = 100): Promise<void> {
    const start = this.#timestamp;
    const steps = Math.max(1, Math.round(durationMs / 20));
    const packets = steps + 2;
    for (let i = 0; i < packets; i++) {
      const end = i >= steps - 1;
      const duration = Math.min(steps, i + 1) * 160;
      const packet = Buffer.alloc(16);
      writeRtpHeader({ marker: i === 0, payloadType, seq: this.#seq, timestamp: start, ssrc: this.ssrc }, packet);
      writeTelephoneEvent(packet, 12, dtmfEventCode(digit), end, 10, duration);
      this.#seq = (this.#seq + 1) & 0xffff;
      this.socket.send(packet, to.port, to.address);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    this.#timestamp = (this.#timestamp + steps * 160) >>> 0;
  }

  /** Decoded audio of the received packets with `payloadType`, in arrival order. */
  audio(payloadType = 0): Int16Array {
    const frames = this.received.filter((p) => p.payloadType === payloadType);
    const out = new Int16Array(frames.length * 160);
    const frame = new Int16Array(160);
    frames.forEach((p, i) => {
      if (payloadType === 8) decodeAlaw(p.payload, frame, 0, 160);
      else decodeUlaw(p.payload, frame, 0, 160);
      out.set(frame, i * 160);
    });
    return out;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await new Promise<void>((resolve) => this.socket.close(() => resolve()));
  }
}
