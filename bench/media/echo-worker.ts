/**
 * The ceiling for the media benchmark: plain dgram on the same schedule as a
 * media worker, with no RTP stack and no codec. N sockets; every 20 ms (the
 * same drift-free TickScheduler) each sends one prebuilt 172-byte packet to
 * its peer, bumping only the sequence number; whatever arrives is counted.
 * Runs in a worker thread, driven by media.bench.ts:
 *   { type: 'bind', count }   → { type: 'bound', ports }
 *   { type: 'start', targets } (starts ticking)
 *   { type: 'stats', reset }  → { type: 'stats', ...figures like WorkerStats }
 *   { type: 'stop' }          → { type: 'stopped' }
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { parentPort } from 'node:worker_threads';
import { LatencyHistogram } from '../../src/media/worker/histogram.js';
import { readOsThreadId } from '../../src/media/worker/os-thread.js';
import { TickScheduler } from '../../src/media/worker/scheduler.js';

type Command =
  | { type: 'bind'; count: number }
  | { type: 'start'; targets: number[] }
  | { type: 'stats'; reset: boolean }
  | { type: 'stop' };

const port = parentPort!;
const sockets: Socket[] = [];
const packets: Buffer[] = [];
let targets: number[] = [];
const counters = new Float64Array(2); // in, out
const completion = new LatencyHistogram();
let elu: EventLoopUtilization = performance.eventLoopUtilization();
let windowStart = performance.now();
let ticksAtWindow = 0;

function literalLookup(address: string, _family: unknown, callback: (e: null, a: string, f: number) => void): void {
  callback(null, address, 4);
}

const scheduler = new TickScheduler({
  onTick: (due) => {
    for (let i = 0; i < sockets.length; i++) {
      const packet = packets[i]!;
      const seq = (((packet[2]! << 8) | packet[3]!) + 1) & 0xffff;
      packet[2] = seq >> 8;
      packet[3] = seq & 0xff;
      sockets[i]!.send(packet, targets[i]!, '127.0.0.1');
    }
    counters[1] = counters[1]! + sockets.length;
    completion.record(performance.now() - due);
  },
});

port.on('message', async (command: Command) => {
  switch (command.type) {
    case 'bind': {
      for (let i = 0; i < command.count; i++) {
        const socket = createSocket({ type: 'udp4', lookup: literalLookup });
        socket.on('message', () => {
          counters[0]!++;
        });
        // With a synchronous lookup, 'listening' is emitted inside bind(): listen first.
        const listening = once(socket, 'listening');
        socket.bind(0, '127.0.0.1');
        await listening;
        sockets.push(socket);
        const packet = Buffer.alloc(172, 0xff);
        packet[0] = 0x80;
        packets.push(packet);
      }
      port.postMessage({ type: 'bound', ports: sockets.map((s) => s.address().port) });
      return;
    }
    case 'start':
      targets = command.targets;
      scheduler.start();
      return;
    case 'stats': {
      const now = performance.now();
      const memory = process.memoryUsage();
      port.postMessage({
        type: 'stats',
        legs: sockets.length,
        windowMs: Math.round(now - windowStart),
        ticks: scheduler.ticks - ticksAtWindow,
        skippedTicks: scheduler.skippedTicks,
        tickLateness: scheduler.lateness.summary(),
        tickCompletion: completion.summary(),
        packetsIn: counters[0],
        packetsOut: counters[1],
        eventLoopUtilization: Math.round(performance.eventLoopUtilization(elu).utilization * 1000) / 1000,
        heapUsed: memory.heapUsed,
        rss: memory.rss,
        osThreadId: readOsThreadId(),
      });
      if (command.reset) {
        elu = performance.eventLoopUtilization();
        windowStart = now;
        ticksAtWindow = scheduler.ticks;
        scheduler.lateness.reset();
        completion.reset();
        counters.fill(0);
      }
      return;
    }
    case 'stop':
      scheduler.stop();
      for (const socket of sockets) socket.close();
      port.postMessage({ type: 'stopped' });
      return;
  }
});
