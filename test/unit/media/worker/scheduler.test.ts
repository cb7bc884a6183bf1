import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { TickScheduler, type TickTimers } from '../../../../src/media/worker/scheduler.js';

/** Timers on a hand-moved clock; `advance` fires what falls due, late by `wakeLateMs`. */
class ManualTimers implements TickTimers {
  time = 1000;
  wakeLateMs = 0;
  #queue: { at: number; fn: () => void; id: number }[] = [];
  #ids = 0;
  now(): number {
    return this.time;
  }
  setTimeout(fn: () => void, ms: number): unknown {
    const id = ++this.#ids;
    this.#queue.push({ at: this.time + ms, fn, id });
    return id;
  }
  clearTimeout(handle: unknown): void {
    this.#queue = this.#queue.filter((t) => t.id !== handle);
  }
  get armed(): number {
    return this.#queue.length;
  }
  advance(ms: number): void {
    const end = this.time + ms;
    for (;;) {
      this.#queue.sort((a, b) => a.at - b.at);
      const next = this.#queue[0];
      if (next === undefined || next.at + this.wakeLateMs > end) break;
      this.#queue.shift();
      this.time = Math.max(this.time, next.at + this.wakeLateMs);
      next.fn();
    }
    this.time = Math.max(this.time, end);
  }
}

describe('TickScheduler', () => {
  it('ticks every period on a drift-free schedule', () => {
    const timers = new ManualTimers();
    timers.wakeLateMs = 1.5; // every wake-up is late, which must not accumulate
    const due: number[] = [];
    const scheduler = new TickScheduler({ timers, onTick: (d) => due.push(d) });
    scheduler.start();
    timers.advance(1000);
    assert.equal(due.length, 49);
    due.forEach((d, i) => assert.equal(d, 1000 + 20 * (i + 1)));
    assert.equal(scheduler.ticks, 49);
    const lateness = scheduler.lateness.summary();
    assert.ok(lateness.p50 >= 1.5 && lateness.p99 <= 2.5, JSON.stringify(lateness));
  });

  it('catches up overdue ticks back to back, then drops beyond the limit', () => {
    const timers = new ManualTimers();
    const due: number[] = [];
    const skipped: number[] = [];
    const scheduler = new TickScheduler({
      timers,
      maxCatchUpTicks: 3,
      onTick: (d) => {
        due.push(d);
        if (d === 1040) timers.time += 65; // a stall inside the second tick
      },
      onSkip: (n) => skipped.push(n),
    });
    scheduler.start();
    timers.advance(60);
    // 1020, 1040 (stall to 1105), then 1060, 1080, 1100 due at once: 3 caught up in the same wake-up.
    assert.deepEqual(due.slice(0, 5), [1020, 1040, 1060, 1080, 1100]);
    assert.deepEqual(skipped, []);
    timers.time += 200; // a long stall while idle
    timers.advance(1);
    assert.equal(skipped.length, 1);
    assert.ok(skipped[0]! >= 7, `dropped ${skipped[0]}`);
    assert.equal(scheduler.skippedTicks, skipped[0]);
    // After the drop the schedule is still on the 20 ms grid.
    assert.ok(due.every((d) => (d - 1000) % 20 === 0));
    assert.ok(scheduler.lateness.max >= 40);
  });

  it('stops and restarts', () => {
    const timers = new ManualTimers();
    let ticks = 0;
    const scheduler = new TickScheduler({ timers, onTick: () => ticks++ });
    scheduler.start();
    timers.advance(100);
    scheduler.stop();
    assert.equal(timers.armed, 0);
    timers.advance(100);
    assert.equal(ticks, 5);
    scheduler.start();
    timers.advance(40);
    assert.equal(ticks, 7);
  });
});
