/**
 * The `echo` command in the worker runtime, on sockets that record what they send and
 * hand the leg the datagrams the test delivers, with a hand-moved tick clock: every frame
 * the far end sends comes back to it, in order and unchanged, until `unbridge`; echo
 * replaces a bridge to another leg; a leg in echo does not send its digits back.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { MediaCommand } from '../../../../src/media/protocol.js';
import { writeRtpHeader, type RtpHeaderInit } from '../../../../src/media/rtp/packet.js';
import { createLegCommand, startWorkerRuntime, type LoopSocket } from '../../../support/worker-runtime.js';

const ULAW_SILENCE = 0xff;

const createLeg = (legId: string, remotePort: number): MediaCommand => createLegCommand(legId, remotePort);

/** The far end: one µ-law frame per tick whose 160 bytes all hold a value that names it. */
function farEnd(socket: LoopSocket, port: number) {
  const header: RtpHeaderInit = { marker: false, payloadType: 0, seq: 1000, timestamp: 0x80000000, ssrc: 0x1234abcd };
  return {
    sendFrame(value: number): void {
      const packet = Buffer.alloc(172, value);
      writeRtpHeader(header, packet);
      header.seq = (header.seq + 1) & 0xffff;
      header.timestamp = (header.timestamp + 160) >>> 0;
      socket.deliver(packet, port);
    },
    sendDigitEvent(): void {
      // An RFC 4733 event for "5", end bit set (PT 101).
      const packet = Buffer.alloc(16);
      writeRtpHeader({ ...header, payloadType: 101, marker: true }, packet);
      packet.set([5, 0x80 | 10, 0x03, 0x20], 12);
      header.seq = (header.seq + 1) & 0xffff;
      socket.deliver(packet, port);
    },
  };
}

/** The frame values a run of payloads carries (each payload one repeated byte), or -1 for a mixed one. */
function values(payloads: readonly Uint8Array[]): number[] {
  return payloads.map((p) => (p.every((b) => b === p[0]) ? p[0]! : -1));
}

describe('media worker: echo', () => {
  it('sends every received frame back to the far end, in order and unchanged, until unbridge', async () => {
    const { outcome, sockets, timers } = startWorkerRuntime(0);
    assert.equal(await outcome(createLeg('a', 9000)), 'ok');
    const socket = sockets[0]!;
    const far = farEnd(socket, 9000);
    assert.equal(await outcome({ type: 'echo', legId: 'a' }), 'ok');
    const frames = Array.from({ length: 100 }, (_, i) => 0x10 + i);
    for (const value of frames) {
      far.sendFrame(value);
      timers.tick();
    }
    for (let i = 0; i < 10; i++) timers.tick(); // the jitter buffer drains
    const echoed = values(socket.audio()).filter((v) => v !== ULAW_SILENCE);
    assert.deepEqual(echoed, frames, 'every frame came back once, in order');

    assert.equal(await outcome({ type: 'unbridge', legId: 'a' }), 'ok');
    const before = socket.audio().length;
    for (let i = 0; i < 20; i++) {
      far.sendFrame(0x42);
      timers.tick();
    }
    const after = values(socket.audio().slice(before));
    assert.equal(after.length, 20);
    assert.ok(after.every((v) => v === ULAW_SILENCE), `silence after unbridge: ${after.join(',')}`);
  });

  it('replaces a bridge to another leg, which goes back to its own silence; digits are not sent back', async () => {
    const { outcome, sockets, timers } = startWorkerRuntime(0);
    await outcome(createLeg('a', 9000));
    await outcome(createLeg('b', 9002));
    assert.equal(await outcome({ type: 'bridge', legA: 'a', legB: 'b' }), 'ok');
    assert.equal(await outcome({ type: 'echo', legId: 'a' }), 'ok');
    const [socketA, socketB] = sockets as [LoopSocket, LoopSocket];
    const far = farEnd(socketA, 9000);
    for (let i = 0; i < 30; i++) {
      far.sendFrame(0x30);
      if (i === 5) far.sendDigitEvent();
      timers.tick();
    }
    assert.ok(values(socketA.audio()).includes(0x30), 'a hears itself');
    assert.ok(values(socketB.audio()).every((v) => v === ULAW_SILENCE), 'b is no longer bridged to a');
    const events = socketA.sent.filter((p) => (p[1]! & 0x7f) === 101);
    assert.equal(events.length, 0, 'no telephone-event sent back');
  });

  it('answers an echo on an unknown leg with leg-not-found', async () => {
    const { outcome } = startWorkerRuntime(0);
    assert.equal(await outcome({ type: 'echo', legId: 'nope' }), 'leg-not-found');
  });
});
