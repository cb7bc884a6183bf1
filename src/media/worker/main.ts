/**
 * Entry point of a media worker thread: wires the runtime to `parentPort`.
 * Spawned by `media/host.ts`; nothing else in the project imports it.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { MediaWorkerData, WorkerInbound, WorkerOutbound } from '../protocol.js';
import { MediaWorkerRuntime } from './runtime.js';

const port = parentPort;
if (port === null) throw new Error('media/worker/main.ts runs in a worker thread');
const data = (workerData ?? { workerIndex: 0 }) as MediaWorkerData;

const runtime = new MediaWorkerRuntime({
  workerIndex: data.workerIndex,
  post: (message: WorkerOutbound, transfer?: ArrayBuffer[]) => port.postMessage(message, transfer ?? []),
  ...(data.tickMs === undefined ? {} : { tickMs: data.tickMs }),
  ...(data.maxCatchUpTicks === undefined ? {} : { maxCatchUpTicks: data.maxCatchUpTicks }),
});

port.on('message', (message: WorkerInbound) => runtime.handle(message));
const ready: WorkerOutbound = { kind: 'ready', workerIndex: data.workerIndex };
port.postMessage(ready);
