/**
 * The load for the media benchmark, run as its own process (never in the
 * measured worker): N UDP sockets on loopback, each sending one 172-byte PCMU
 * RTP packet every 20 ms to its target port, on one drift-free timer, and
 * counting what comes back. Driven over IPC by media.bench.ts:
 *   (on start)                       → { type: 'ready' }
 *   { type: 'bind', count }          → { type: 'bound', ports }
 *   { type: 'start', targets }       → starts sending (target i for socket i)
 *   { type: 'stop' }                 → { type: 'stopped', sent, received, cpuMs, lateness }
 */
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { LatencyHistogram } from '../../src/media/worker/histogram.js';
import { TickScheduler } from '../../src/media/worker/scheduler.js';

type Command = { type: 'bind'; count: number } | { type: 'start'; targets: number[] } | { type: 'stop' };

const sockets: Socket[] = [];
const packets: Buffer[] = [];
let targets: number[] = [];
let sent = 0;
let received = 0;
let cpuStart = process.cpuUsage();
const completion = new LatencyHistogram();

function literalLookup(address: string, _family: unknown, callback: (e: null, a: string, f: number) => void): void {
  callback(null, address, 4);
}

const scheduler = new TickScheduler({
  onTick: (due) => {
    for (let i = 0; i < sockets.length; i++) {
      const packet = packets[i]!;
      const seq = ((packet[2]! << 8) | packet[3]!) + 1;
      packet[2] = (seq >> 8) & 0xff;
      packet[3] = seq & 0xff;
      const ts = (((packet[4]! << 24) | (packet[5]! << 16) | (packet[6]! << 8) | packet[7]!) + 160) >>> 0;
      packet[4] = ts >>> 24;
      packet[5] = (ts >>> 16) & 0xff;
      packet[6] = (ts >>> 8) & 0xff;
      packet[7] = ts & 0xff;
      packet[1] = 0; // marker only on the first
      sockets[i]!.send(packet, targets[i]!, '127.0.0.1');
    }
    sent += sockets.length;
    completion.record(performance.now() - due);
  },
});

process.on('message', async (command: Command) => {
  switch (command.type) {
    case 'bind': {
      for (let i = 0; i < command.count; i++) {
        const socket = createSocket({ type: 'udp4', lookup: literalLookup });
        socket.on('message', () => {
          received++;
        });
        // With a synchronous lookup, 'listening' is emitted inside bind(): listen first.
        const listening = once(socket, 'listening');
        socket.bind(0, '127.0.0.1');
        await listening;
        sockets.push(socket);
        const packet = Buffer.alloc(172, 0xff); // µ-law silence
        packet[0] = 0x80;
        packet[1] = 0x80; // marker, PT 0
        packet.writeUInt16BE(i & 0xffff, 2);
        packet.writeUInt32BE((i * 7919) >>> 0, 4);
        packet.writeUInt32BE((0x10000000 + i) >>> 0, 8);
        packets.push(packet);
      }
      process.send!({ type: 'bound', ports: sockets.map((s) => s.address().port) });
      return;
    }
    case 'start':
      targets = command.targets;
      sent = 0;
      received = 0;
      cpuStart = process.cpuUsage();
      completion.reset();
      scheduler.start();
      return;
    case 'stop': {
      scheduler.stop();
      await new Promise((resolve) => setTimeout(resolve, 300)); // let the last packets in
      const cpu = process.cpuUsage(cpuStart);
      process.send!({
        type: 'stopped',
        sent,
        received,
        cpuMs: Math.round((cpu.user + cpu.system) / 1000),
        lateness: completion.summary(),
      });
      for (const socket of sockets) socket.close();
      setTimeout(() => process.exit(0), 50);
      return;
    }
  }
});

// Messages sent before this listener existed would be lost: say when it does.
process.send!({ type: 'ready' });
