/**
 * Measures what a hot loop allocates, for the tests that say a 20 ms path
 * allocates nothing.
 *
 * It counts growth of V8's young generation only. A short-lived allocation
 * (a boxed number, a closure, a Buffer view) lands there; what the compiler
 * installs when it optimizes or deoptimizes a function (code, feedback, type
 * maps: ~200 kB at random moments) lands in the old and code spaces and is
 * not the loop's doing. A window in which a scavenge ran is reported but its
 * figure means nothing, so callers look for a clean window.
 */
import { PerformanceObserver } from 'node:perf_hooks';
import { getHeapSpaceStatistics, setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

export interface AllocationWindow {
  /** Bytes the young generation grew by over the window. */
  youngBytes: number;
  /** Garbage collections that ran during the window (0 for a meaningful figure). */
  collections: number;
}

function youngSpaceUsed(): number {
  let used = 0;
  for (const space of getHeapSpaceStatistics()) {
    if (space.space_name === 'new_space' || space.space_name === 'new_large_object_space') used += space.space_used_size;
  }
  return used;
}

/** Runs `step` `ticks` times in each of `windows` windows, each after a full collection. */
export async function measureYoungAllocation(step: () => void, ticks: number, windows = 3): Promise<AllocationWindow[]> {
  const collections: number[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) collections.push(entry.startTime);
  });
  observer.observe({ entryTypes: ['gc'] });
  const spans: { youngBytes: number; start: number; end: number }[] = [];
  for (let w = 0; w < windows; w++) {
    gc();
    const start = performance.now();
    const before = youngSpaceUsed();
    for (let i = 0; i < ticks; i++) step();
    spans.push({ youngBytes: youngSpaceUsed() - before, start, end: performance.now() });
  }
  // GC entries are delivered asynchronously.
  await new Promise((resolve) => setTimeout(resolve, 20));
  observer.disconnect();
  return spans.map((s) => ({
    youngBytes: s.youngBytes,
    collections: collections.filter((t) => t >= s.start && t <= s.end).length,
  }));
}
