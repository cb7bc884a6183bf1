import { cpus } from 'node:os';

/** One measured figure: a rate and the rounds it came from. */
export interface Rate {
  readonly name: string;
  /** Operations per second, the median of the rounds. */
  readonly perSecond: number;
  readonly rounds: readonly number[];
  readonly unit: string;
}

export interface BenchReport {
  readonly bench: string;
  readonly at: string;
  readonly machine: { readonly cpu: string; readonly cores: number; readonly node: string };
  readonly figures: Readonly<Record<string, unknown>>;
  readonly rates: readonly Rate[];
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/**
 * Runs `op` in batches for `roundMs` per round, `rounds` times, after a warm-up, and
 * reports the median rate. Rates measured in one call to `interleave` alternate
 * their rounds, so that a noisy neighbour slows each of them alike.
 */
export function interleave(
  ops: Readonly<Record<string, () => void>>,
  options: { rounds?: number; roundMs?: number; unit?: string } = {},
): Rate[] {
  const rounds = options.rounds ?? 7;
  const roundMs = options.roundMs ?? 400;
  const samples: Record<string, number[]> = {};
  for (const [name, op] of Object.entries(ops)) {
    samples[name] = [];
    const warmEnd = performance.now() + roundMs;
    while (performance.now() < warmEnd) op();
  }
  for (let r = 0; r < rounds; r++) {
    for (const [name, op] of Object.entries(ops)) {
      let n = 0;
      const start = performance.now();
      let now = start;
      while (now - start < roundMs) {
        for (let i = 0; i < 16; i++) op();
        n += 16;
        now = performance.now();
      }
      samples[name]!.push((n * 1000) / (now - start));
    }
  }
  return Object.entries(samples).map(([name, rs]) => ({
    name,
    perSecond: Math.round(median(rs)),
    rounds: rs.map(Math.round),
    unit: options.unit ?? 'ops/s',
  }));
}

export function machine(): BenchReport['machine'] {
  const cpu = cpus()[0]?.model ?? 'unknown';
  return { cpu, cores: cpus().length, node: process.version };
}
