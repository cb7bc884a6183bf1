import { readlinkSync } from 'node:fs';

/**
 * This thread's id in the OS, from /proc/thread-self ("<pid>/task/<tid>" on
 * Linux); null elsewhere. Reported in a worker's stats so that a benchmark can
 * pin the thread (`taskset -p`) or profile it (`perf -t`).
 */
export function readOsThreadId(): number | null {
  try {
    const tid = Number(readlinkSync('/proc/thread-self').split('/').pop());
    return Number.isInteger(tid) ? tid : null;
  } catch {
    return null;
  }
}
