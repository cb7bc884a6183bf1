/**
 * The media worker runtime on the main thread, for unit tests: sockets that record what the
 * legs send and hand them the datagrams a test delivers, a hand-moved tick clock, and a
 * `send` that waits for a command's reply.
 */
import assert from 'node:assert/strict';
import type { RemoteInfo } from 'node:dgram';
import type { MediaCommand, WorkerOutbound } from '../../src/media/protocol.js';
import type { LegSocket } from '../../src/media/worker/leg.js';
import { MediaWorkerRuntime } from '../../src/media/worker/runtime.js';
import type { TickTimers } from '../../src/media/worker/scheduler.js';

export class LoopSocket implements LegSocket {
  sent: Uint8Array[] = [];
  /** When set, every send throws, as a socket that failed. */
  failing = false;
  #onMessage: (msg: Buffer, rinfo: RemoteInfo) => void = () => undefined;
  send(msg: Uint8Array, ...rest: unknown[]): void {
    if (this.failing) throw new Error('send failed');
    const length = typeof rest[1] === 'number' && typeof rest[2] === 'number' ? (rest[1] as number) : msg.length;
    const offset = typeof rest[1] === 'number' && typeof rest[2] === 'number' ? (rest[0] as number) : 0;
    this.sent.push(Uint8Array.from(msg.subarray(offset, offset + length))); // a copy (Buffer#slice is a view)
    (rest.find((r) => typeof r === 'function') as (() => void) | undefined)?.();
  }
  on(event: 'message' | 'error', listener: ((msg: Buffer, rinfo: RemoteInfo) => void) | ((error: Error) => void)): this {
    if (event === 'message') this.#onMessage = listener as (msg: Buffer, rinfo: RemoteInfo) => void;
    return this;
  }
  close(): void {}
  /** A datagram from 127.0.0.1:`port` reaches the leg. */
  deliver(packet: Buffer, port: number): void {
    this.#onMessage(packet, { address: '127.0.0.1', family: 'IPv4', port, size: packet.length });
  }
  /** The payloads of the audio packets sent (PT 0, 160 bytes), one per tick, from the `fromPacket`th packet sent on. */
  audio(fromPacket = 0): Uint8Array[] {
    return this.sent.slice(fromPacket).filter((p) => p.length === 172 && (p[1]! & 0x7f) === 0).map((p) => p.subarray(12));
  }
}

export class ManualTimers implements TickTimers {
  time = 0;
  #pending: { at: number; fn: () => void } | null = null;
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    this.#pending = { at: this.time + ms, fn };
    return 1;
  }
  clearTimeout(): void {
    this.#pending = null;
  }
  /** Runs `n` ticks, 20 ms apart. */
  tick(n = 1): void {
    for (let i = 0; i < n; i++) {
      const p = this.#pending;
      if (p === null) return;
      this.time = p.at;
      this.#pending = null;
      p.fn();
    }
  }
}

export type WorkerReply = Extract<WorkerOutbound, { kind: 'reply' }>;

export function startWorkerRuntime(workerIndex: number) {
  const posted: WorkerOutbound[] = [];
  const sockets: LoopSocket[] = [];
  const timers = new ManualTimers();
  let port = 40000;
  const runtime = new MediaWorkerRuntime({
    workerIndex,
    post: (message) => posted.push(message),
    timers,
    bind: async () => {
      const rtp = new LoopSocket();
      sockets.push(rtp);
      port += 2;
      return { rtp, rtcp: null, port };
    },
  });
  let id = 0;
  const send = async (command: MediaCommand): Promise<WorkerReply> => {
    const requestId = ++id;
    runtime.handle({ kind: 'request', id: requestId, command });
    const answered = (): WorkerOutbound | undefined => posted.find((m) => m.kind === 'reply' && m.id === requestId);
    // Most replies come within a few microtasks; a file open takes real I/O, which a loaded
    // machine may delay past any fixed number of turns, so the bound is time (it only turns a hang into a failure).
    const deadline = Date.now() + 10_000;
    while (answered() === undefined && Date.now() < deadline) await new Promise((resolve) => setImmediate(resolve));
    const reply = answered();
    assert.ok(reply?.kind === 'reply', `a reply to ${command.type}`);
    return reply;
  };
  /** 'ok', or the error code of the reply. */
  const outcome = async (command: MediaCommand): Promise<string> => {
    const reply = await send(command);
    return reply.ok ? 'ok' : reply.error.code;
  };
  /** What was posted since the last call: replies as reply:ok / reply:<code>, events by type. */
  const kinds = (): string[] =>
    posted.splice(0).map((m) => (m.kind === 'reply' ? `reply:${m.ok ? 'ok' : m.error.code}` : m.kind === 'event' ? m.event.type : m.kind));
  return { runtime, posted, sockets, timers, send, outcome, kinds };
}

/** A `createLeg` command for a PCMU leg on loopback that sends to 127.0.0.1:`remotePort` (RFC 4733 events on PT 101 unless told otherwise). */
export function createLegCommand(legId: string, remotePort: number, options: { telephoneEventPt?: number | null } = {}): MediaCommand {
  const telephoneEventPt = options.telephoneEventPt === undefined ? 101 : options.telephoneEventPt;
  return {
    type: 'createLeg',
    legId,
    bindAddress: '127.0.0.1',
    ports: { min: 40000, max: 40100 },
    codec: 'PCMU',
    ...(telephoneEventPt === null ? {} : { telephoneEventPt }),
    symmetricRtp: true,
    rtcpMux: true,
    remote: { address: '127.0.0.1', port: remotePort },
  };
}
