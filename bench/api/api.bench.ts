/**
 * The compatible API's request rate: fetching one call and listing 50 calls (Basic
 * auth, SQLite store, paging envelope, RFC 2822 dates) beside a bare fastify route
 * answering the same JSON from memory, in the same run. The servers run in a child
 * process; this process is the load generator (undici, keep-alive, a fixed number of
 * requests in flight). Rounds alternate between the four targets, and each Dialtone
 * round is divided by the bare round just before it, so a noisy neighbour slows both
 * sides of a ratio alike. The server process also reports the CPU it spent per round:
 * CPU per request is the figure least moved by other load on the machine.
 *
 * Goal: Dialtone at least 50% of the bare route.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { Pool } from 'undici';
import type { Rate } from '../harness.js';

const ROUNDS = Number(process.env.API_BENCH_ROUNDS ?? 5);
const ROUND_MS = Number(process.env.API_BENCH_ROUND_MS ?? 2000);
const IN_FLIGHT = Number(process.env.API_BENCH_IN_FLIGHT ?? 16);
const GOAL = 0.5;

interface ServerInfo {
  dialtonePort: number;
  barePort: number;
  authorization: string;
  fetchPath: string;
  listPath: string;
  listBytes: number;
}

interface Target {
  readonly name: string;
  readonly pool: Pool;
  readonly path: string;
  readonly headers: Record<string, string>;
}

interface Round {
  readonly perSecond: number;
  readonly requests: number;
}

/** Requests completed in `ms` with IN_FLIGHT loops each awaiting its own request. */
async function drive(target: Target, ms: number): Promise<Round> {
  const end = performance.now() + ms;
  let done = 0;
  let failed = 0;
  const loop = async (): Promise<void> => {
    while (performance.now() < end) {
      const res = await target.pool.request({ method: 'GET', path: target.path, headers: target.headers });
      await res.body.text();
      if (res.statusCode === 200) done++;
      else failed++;
    }
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: IN_FLIGHT }, loop));
  if (failed > 0) throw new Error(`${target.name}: ${failed} requests failed`);
  return { perSecond: (done * 1000) / (performance.now() - start), requests: done };
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export default async function apiBench(): Promise<{ figures: Record<string, unknown>; rates: Rate[] }> {
  const child = spawn(process.execPath, ['--import', 'tsx', fileURLToPath(new URL('./api-server.ts', import.meta.url))], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  try {
    const lines = createInterface({ input: child.stdout! })[Symbol.asyncIterator]();
    const nextLine = async (): Promise<string> => {
      const { value, done } = await lines.next();
      if (done) throw new Error('the API bench server exited');
      return value;
    };
    const info = JSON.parse(await nextLine()) as ServerInfo;
    const serverCpuMicros = async (): Promise<number> => {
      child.stdin!.write('cpu\n');
      return Number(await nextLine());
    };
    const dialtone = new Pool(`http://127.0.0.1:${info.dialtonePort}`, { connections: IN_FLIGHT });
    const bare = new Pool(`http://127.0.0.1:${info.barePort}`, { connections: IN_FLIGHT });
    const auth = { authorization: info.authorization };
    const targets: Target[] = [
      { name: 'dialtone fetch call', pool: dialtone, path: info.fetchPath, headers: auth },
      { name: 'bare fastify fetch call', pool: bare, path: '/call', headers: {} },
      { name: 'dialtone list 50 calls', pool: dialtone, path: info.listPath, headers: auth },
      { name: 'bare fastify list 50 calls', pool: bare, path: '/calls', headers: {} },
    ];
    for (const t of targets) await drive(t, Math.min(1000, ROUND_MS));
    const samples = new Map<string, number[]>(targets.map((t) => [t.name, []]));
    const cpuPerRequest = new Map<string, number[]>(targets.map((t) => [t.name, []]));
    for (let r = 0; r < ROUNDS; r++) {
      for (const t of targets) {
        const cpuBefore = await serverCpuMicros();
        const round = await drive(t, ROUND_MS);
        const cpuAfter = await serverCpuMicros();
        samples.get(t.name)!.push(round.perSecond);
        cpuPerRequest.get(t.name)!.push((cpuAfter - cpuBefore) / round.requests);
      }
    }
    await dialtone.close();
    await bare.close();
    const rates: Rate[] = targets.map((t) => {
      const rounds = samples.get(t.name)!;
      return { name: t.name, perSecond: Math.round(median(rounds)), rounds: rounds.map(Math.round), unit: 'req/s' };
    });
    // The ratio of each Dialtone round to the bare round run just before it.
    const pairedRatio = (name: string, ceiling: string): number => {
      const ours = samples.get(name)!;
      const bare = samples.get(ceiling)!;
      return median(ours.map((v, i) => v / bare[i]!));
    };
    const cpuMicros = (name: string): number => median(cpuPerRequest.get(name)!);
    const fetchRatio = pairedRatio('dialtone fetch call', 'bare fastify fetch call');
    const listRatio = pairedRatio('dialtone list 50 calls', 'bare fastify list 50 calls');
    const cpu = {
      fetchCall: Math.round(cpuMicros('dialtone fetch call')),
      bareFetchCall: Math.round(cpuMicros('bare fastify fetch call')),
      list50: Math.round(cpuMicros('dialtone list 50 calls')),
      bareList50: Math.round(cpuMicros('bare fastify list 50 calls')),
    };
    return {
      figures: {
        store: 'sqlite (file, WAL), 500 calls',
        inFlight: IN_FLIGHT,
        listResponseBytes: info.listBytes,
        fetchRatioOfBare: Number(fetchRatio.toFixed(3)),
        listRatioOfBare: Number(listRatio.toFixed(3)),
        serverCpuMicrosPerRequest: cpu,
        fetchCpuRatioOfBare: Number((cpu.bareFetchCall / cpu.fetchCall).toFixed(3)),
        listCpuRatioOfBare: Number((cpu.bareList50 / cpu.list50).toFixed(3)),
        goal: `>= ${GOAL} of the bare fastify route`,
        meetsGoal: fetchRatio >= GOAL && listRatio >= GOAL,
      },
      rates,
    };
  } finally {
    child.kill('SIGTERM');
    await once(child, 'exit');
  }
}
