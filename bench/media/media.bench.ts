/**
 * Media runtime capacity on one core: N call legs in ONE media worker, each
 * playing a tone (encode + RTP out every 20 ms) while receiving 50 packets a
 * second of RTP from a load generator in another process. For N in
 * 250/500/1000/1500 it measures, over a steady window:
 *
 * - send lateness: when each tick started after its due time, and when it had
 *   handed its last packet to the kernel (`tickCompletion`: the latest any
 *   packet of the tick went out);
 * - loss: packets the generator sent vs packets the legs took in (and the
 *   other way round);
 * - CPU: the worker's event-loop utilization (its busy share of the window)
 *   and the process CPU time of the bench process (the worker plus an idle
 *   main thread);
 * - memory per active leg: worker heap and process RSS growth divided by N.
 *
 * The ceiling, in the same run: a plain dgram echo worker (same scheduler,
 * same packet size and rate, N sockets, no RTP stack, no codec) against the
 * same generator. Both are reported with their CPU ratio. Steps run in
 * alternating rounds (see ROUNDS); a step past saturation is skipped.
 *
 * The measured worker thread is pinned to core 0 and the generator to core 1
 * when `taskset` is available (the rest of the bench process floats).
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { MediaHost, type MediaLeg } from '../../src/media/host.js';
import type { TimingSummary, WorkerStats } from '../../src/media/protocol.js';
import type { Rate } from '../harness.js';

// The memory figures collect garbage in the media worker first (`collectGarbage`),
// which needs `gc` there. V8's flags are the process's: a worker started after
// this has `gc`, as under `node --expose-gc`, without the production worker
// exposing it itself.
setFlagsFromString('--expose-gc');

/** Override with MEDIA_BENCH_STEPS=250,1000 for a quicker run. */
const STEPS = (process.env.MEDIA_BENCH_STEPS ?? '250,500,1000,1500').split(',').map(Number);
const WARMUP_MS = 1500;
const MEASURE_MS = 4000;
/**
 * Rounds per step, media and echo alternating. This machine is shared: the
 * same step varies by half between runs. Each step reports its median round
 * by worker CPU (with two rounds, the busier one); all rounds are kept.
 */
const ROUNDS = Number(process.env.MEDIA_BENCH_ROUNDS ?? 2);
/** The goal: at least 1,000 legs per core, p99 send lateness ≤ 5 ms, no loss. */
const GOAL_P99_MS = 5;

interface Figures {
  legs: number;
  tickLatenessMs: TimingSummary;
  sendLatenessMs: TimingSummary;
  skippedTicks: number;
  workerBusy: number;
  processCpu: number;
  packetsPerSecond: number;
  loss: { sentByGenerator: number; receivedByWorker: number; lost: number; sentByWorker: number; receivedByGenerator: number };
  generator: { cpu: number; sendLatenessMs: TimingSummary };
  memoryPerLegBytes?: { workerHeap: number; processRss: number };
  /** p99 of the last packet of each tick ≤ 5 ms, no loss, no dropped tick. */
  meetsGoal: boolean;
  /** The same with the p99 of when ticks start (how media-stack.md measured). */
  meetsGoalOnTickStart: boolean;
}

const hasTaskset = spawnSync('taskset', ['-V']).status === 0;

/** MEDIA_BENCH_PIN=0 leaves placement to the OS. */
const pin = hasTaskset && process.env.MEDIA_BENCH_PIN !== '0';

/**
 * Pins the measured thread (the media worker, or the echo worker) to core 0;
 * the generator runs on core 1. The rest of the bench process (its idle main
 * thread, V8's compiler and GC helpers) is left to the OS, so that "one
 * core" means the worker's thread alone.
 */
function pinThread(tid: number | null): void {
  if (pin && tid !== null) spawnSync('taskset', ['-cp', '0', String(tid)], { stdio: 'ignore' });
}

class Generator {
  readonly #child: ChildProcess;
  readonly ready: Promise<void>;
  constructor() {
    const file = fileURLToPath(new URL('./load-generator.ts', import.meta.url));
    const args = ['--import', 'tsx', file];
    this.#child = pin
      ? spawn('taskset', ['-c', '1', process.execPath, ...args], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] })
      : spawn(process.execPath, args, { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    this.ready = new Promise((resolve, reject) => {
      this.#child.once('message', () => resolve());
      this.#child.once('exit', (code) => reject(new Error(`load generator exited (${code})`)));
    });
  }

  static async start(): Promise<Generator> {
    const generator = new Generator();
    await generator.ready;
    return generator;
  }
  async request<T>(message: object, reply: string): Promise<T> {
    const answer = new Promise<T>((resolve) => {
      const listener = (m: { type: string }): void => {
        if (m.type !== reply) return;
        this.#child.off('message', listener);
        resolve(m as T);
      };
      this.#child.on('message', listener);
    });
    this.#child.send(message);
    return answer;
  }
  send(message: object): void {
    this.#child.send(message);
  }
  async exit(): Promise<void> {
    if (this.#child.exitCode === null) await once(this.#child, 'exit');
  }
}

/** The echo worker, spawned like the media host spawns its workers from TypeScript sources. */
function spawnEcho(): Worker {
  const entry = new URL('./echo-worker.ts', import.meta.url).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  return new Worker(`import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`, {
    eval: true,
  });
}

function echoRequest<T>(worker: Worker, message: object, reply: string): Promise<T> {
  return new Promise<T>((resolve) => {
    const listener = (m: { type: string }): void => {
      if (m.type !== reply) return;
      worker.off('message', listener);
      resolve(m as T);
    };
    worker.on('message', listener);
    worker.postMessage(message);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface GeneratorResult {
  sent: number;
  received: number;
  cpuMs: number;
  lateness: TimingSummary;
}

function summarize(
  legs: number,
  warm: WorkerStats,
  window: WorkerStats,
  cpuMs: number,
  generator: GeneratorResult,
  generatorMs: number,
): Figures {
  const receivedByWorker = warm.packetsIn + window.packetsIn;
  const lost = Math.max(0, generator.sent - receivedByWorker);
  const figures: Figures = {
    legs,
    tickLatenessMs: window.tickLateness,
    sendLatenessMs: window.tickCompletion,
    skippedTicks: window.skippedTicks,
    workerBusy: window.eventLoopUtilization,
    processCpu: Math.round((cpuMs / window.windowMs) * 1000) / 1000,
    packetsPerSecond: Math.round(((window.packetsIn + window.packetsOut) * 1000) / window.windowMs),
    loss: {
      sentByGenerator: generator.sent,
      receivedByWorker,
      lost,
      sentByWorker: warm.packetsOut + window.packetsOut,
      receivedByGenerator: generator.received,
    },
    generator: { cpu: Math.round((generator.cpuMs / generatorMs) * 1000) / 1000, sendLatenessMs: generator.lateness },
    meetsGoal: window.tickCompletion.p99 <= GOAL_P99_MS && lost === 0 && window.skippedTicks === 0,
    meetsGoalOnTickStart: window.tickLateness.p99 <= GOAL_P99_MS && lost === 0 && window.skippedTicks === 0,
  };
  return figures;
}

async function runMedia(legs: number): Promise<Figures> {
  const generator = await Generator.start();
  const { ports } = await generator.request<{ ports: number[] }>({ type: 'bind', count: legs }, 'bound');
  const host = await MediaHost.start({ workers: 1, ports: { min: 20000, max: 29999 }, bindAddress: '127.0.0.1' });
  try {
    const worker = host.workers[0]!;
    const before = await worker.stats(true, { collectGarbage: true });
    pinThread(before.osThreadId);
    const rssBefore = process.memoryUsage().rss;
    const created: MediaLeg[] = [];
    for (let i = 0; i < legs; i += 50) {
      const batch = [];
      for (let k = i; k < Math.min(legs, i + 50); k++) {
        batch.push(
          host.createLeg({
            codec: 'PCMU',
            telephoneEventPt: 101,
            remote: { address: '127.0.0.1', port: ports[k]! },
            symmetricRtp: true,
          }),
        );
      }
      created.push(...(await Promise.all(batch)));
    }
    await Promise.all(created.map((leg) => leg.play({ kind: 'tone', frequencies: [1000] }, { loop: 0 })));
    const withLegs = await worker.stats(false, { collectGarbage: true });
    const rssWithLegs = process.memoryUsage().rss;
    generator.send({ type: 'start', targets: created.map((l) => l.localPort) });
    const generatorStart = performance.now();
    await worker.stats(true);
    await sleep(WARMUP_MS);
    const warm = await worker.stats(true);
    const cpu0 = process.cpuUsage();
    await sleep(MEASURE_MS);
    const cpu = process.cpuUsage(cpu0);
    const window = await worker.stats(true);
    const result = await generator.request<GeneratorResult>({ type: 'stop' }, 'stopped');
    const generatorMs = performance.now() - generatorStart;
    const tail = await worker.stats(true); // packets still in flight when the generator stopped
    const figures = summarize(
      legs,
      { ...warm, packetsIn: warm.packetsIn + tail.packetsIn },
      window,
      (cpu.user + cpu.system) / 1000,
      result,
      generatorMs,
    );
    // Live heap of the worker (after a full collection) and resident memory of
    // the process (worker and main thread: the MediaLeg handles count too).
    figures.memoryPerLegBytes = {
      workerHeap: Math.round((withLegs.heapUsed - before.heapUsed) / legs),
      processRss: Math.round((rssWithLegs - rssBefore) / legs),
    };
    return figures;
  } finally {
    await host.close();
    await generator.exit();
  }
}

async function runEcho(sockets: number): Promise<Figures> {
  const generator = await Generator.start();
  const { ports } = await generator.request<{ ports: number[] }>({ type: 'bind', count: sockets }, 'bound');
  const echo = spawnEcho();
  try {
    const { ports: local } = await echoRequest<{ ports: number[] }>(echo, { type: 'bind', count: sockets }, 'bound');
    pinThread((await echoRequest<WorkerStats>(echo, { type: 'stats', reset: true }, 'stats')).osThreadId);
    echo.postMessage({ type: 'start', targets: ports });
    generator.send({ type: 'start', targets: local });
    const generatorStart = performance.now();
    await echoRequest(echo, { type: 'stats', reset: true }, 'stats');
    await sleep(WARMUP_MS);
    const warm = await echoRequest<WorkerStats>(echo, { type: 'stats', reset: true }, 'stats');
    const cpu0 = process.cpuUsage();
    await sleep(MEASURE_MS);
    const cpu = process.cpuUsage(cpu0);
    const window = await echoRequest<WorkerStats>(echo, { type: 'stats', reset: true }, 'stats');
    const result = await generator.request<GeneratorResult>({ type: 'stop' }, 'stopped');
    const generatorMs = performance.now() - generatorStart;
    const tail = await echoRequest<WorkerStats>(echo, { type: 'stats', reset: true }, 'stats');
    return summarize(
      sockets,
      { ...warm, packetsIn: warm.packetsIn + tail.packetsIn },
      window,
      (cpu.user + cpu.system) / 1000,
      result,
      generatorMs,
    );
  } finally {
    await echoRequest(echo, { type: 'stop' }, 'stopped');
    await echo.terminate();
    await generator.exit();
  }
}

function brief(f: Figures): string {
  return (
    `${f.legs} legs: send p99 ${f.sendLatenessMs.p99} ms (max ${f.sendLatenessMs.max}), ` +
    `tick start p99 ${f.tickLatenessMs.p99} ms, busy ${(f.workerBusy * 100).toFixed(0)}%, ` +
    `lost ${f.loss.lost}/${f.loss.sentByGenerator}, skipped ${f.skippedTicks}`
  );
}

export default async function mediaBench(): Promise<{ figures: Record<string, unknown>; rates: Rate[] }> {
  const load = loadavg().map((l) => Math.round(l * 100) / 100);
  const media: Figures[] = [];
  const echo: Figures[] = [];
  const only = process.env.MEDIA_BENCH_ONLY; // 'media' or 'echo', for quick experiments
  // Past saturation a larger step only measures a backlog (and its setup
  // crawls through a busy worker): it is skipped and said so.
  const saturated = (f: Figures | undefined): boolean => f !== undefined && (f.workerBusy >= 0.97 || f.skippedTicks > 0);
  const median = (rounds: Figures[]): Figures => [...rounds].sort((a, b) => a.workerBusy - b.workerBusy)[rounds.length >> 1]!;
  const skipped: string[] = [];
  const allRounds: { media: Figures[][]; echo: Figures[][] } = { media: [], echo: [] };
  for (const n of STEPS) {
    const runMediaStep = only !== 'echo' && !saturated(media.at(-1));
    const runEchoStep = only !== 'media' && !saturated(echo.at(-1));
    if (only !== 'echo' && !runMediaStep) skipped.push(`media ${n}: saturated at ${media.at(-1)!.legs}`);
    if (only !== 'media' && !runEchoStep) skipped.push(`echo ${n}: saturated at ${echo.at(-1)!.legs}`);
    const m: Figures[] = [];
    const e: Figures[] = [];
    for (let round = 0; round < ROUNDS; round++) {
      if (runMediaStep) {
        m.push(await runMedia(n));
        console.error(`media ${brief(m.at(-1)!)}`);
      }
      if (runEchoStep) {
        e.push(await runEcho(n));
        console.error(`echo  ${brief(e.at(-1)!)}`);
      }
    }
    if (m.length > 0) {
      media.push(median(m));
      allRounds.media.push(m);
    }
    if (e.length > 0) {
      echo.push(median(e));
      allRounds.echo.push(e);
    }
  }
  const best = (list: Figures[], on: 'meetsGoal' | 'meetsGoalOnTickStart' = 'meetsGoal'): number =>
    Math.max(0, ...list.filter((f) => f[on]).map((f) => f.legs));
  const ratios = media.flatMap((m) => {
    const e = echo.find((f) => f.legs === m.legs);
    return e === undefined ? [] : [{ legs: m.legs, cpuRatio: Math.round((m.workerBusy / Math.max(0.001, e.workerBusy)) * 100) / 100 }];
  });
  const mem = media.find((f) => f.legs === 1000)?.memoryPerLegBytes ?? media.at(-1)?.memoryPerLegBytes;
  return {
    figures: {
      goal: `>= 1000 legs on one core with p99 send lateness <= ${GOAL_P99_MS} ms, no loss, and < 100 KB per leg`,
      sendLateness: 'tickCompletion: when the last packet of a tick was handed to the kernel, after the tick was due',
      legsPerCoreMeetingGoal: best(media),
      echoSocketsPerCoreMeetingGoal: best(echo),
      legsPerCoreMeetingGoalOnTickStart: best(media, 'meetsGoalOnTickStart'),
      echoSocketsPerCoreMeetingGoalOnTickStart: best(echo, 'meetsGoalOnTickStart'),
      memoryPerLegBytesAt1000: mem,
      cpuRatioMediaToEcho: ratios,
      skippedSteps: skipped,
      pinned: pin ? 'measured worker thread on core 0, generator process on core 1' : 'not pinned',
      loadAverageAtStart: load,
      windowMs: MEASURE_MS,
      rounds: ROUNDS,
      media,
      echo,
      allRounds,
    },
    rates: [
      ...media.map((f) => ({
        name: `media: ${f.legs} legs, packets in+out`,
        perSecond: f.packetsPerSecond,
        rounds: [f.packetsPerSecond],
        unit: 'packets/s',
      })),
      ...echo.map((f) => ({
        name: `echo ceiling: ${f.legs} sockets, packets in+out`,
        perSecond: f.packetsPerSecond,
        rounds: [f.packetsPerSecond],
        unit: 'packets/s',
      })),
    ],
  };
}
