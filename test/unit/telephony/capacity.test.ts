import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CallCapacity, CapacityError, DEFAULT_CAPACITY_LIMITS, judgeCapacity, type CapacityLimits, type WorkerBacklog } from '../../../src/telephony/capacity.js';

/** A worker as the rule sees it: `waitedMs` is the age of its oldest unanswered request at any `now`. */
function worker(index: number, pendingCount: number, waitedMs: number, alive = true): WorkerBacklog {
  return { index, alive, pendingCount, oldestPendingMs: () => waitedMs };
}

const limits: CapacityLimits = { maxCalls: 0, maxPendingPerWorker: 10, maxReplyWaitMs: 1000, retryAfterSeconds: 7 };
const healthy = { workers: [worker(0, 2, 15)] };

/** A logger that keeps its lines. */
function lines(): { warn: (d: object, m: string) => void; info: (d: object, m: string) => void; seen: { level: string; details: Record<string, unknown>; message: string }[] } {
  const seen: { level: string; details: Record<string, unknown>; message: string }[] = [];
  return {
    seen,
    warn: (details, message) => seen.push({ level: 'warn', details: details as Record<string, unknown>, message }),
    info: (details, message) => seen.push({ level: 'info', details: details as Record<string, unknown>, message }),
  };
}

describe('judgeCapacity', () => {
  it('takes a call when the workers keep up and there is no call limit', () => {
    assert.equal(judgeCapacity({ calls: 10_000, media: healthy, now: 0 }, limits), undefined);
  });

  it('refuses at the call limit, and takes calls below it', () => {
    const capped = { ...limits, maxCalls: 2 };
    assert.equal(judgeCapacity({ calls: 1, media: healthy, now: 0 }, capped), undefined);
    const refusal = judgeCapacity({ calls: 2, media: healthy, now: 0 }, capped);
    assert.equal(refusal?.reason, 'max-calls');
    assert.match(refusal!.message, /DIALTONE_MAX_CALLS=2/);
  });

  it('refuses when the only worker has kept a request waiting past the bound (fell behind or stalled)', () => {
    const refusal = judgeCapacity({ calls: 0, media: { workers: [worker(0, 1, 4200)] }, now: 0 }, limits);
    assert.equal(refusal?.reason, 'media-behind');
    assert.match(refusal!.message, /worker 0 has kept a request waiting 4200 ms \(bound 1000 ms\)/);
  });

  it('refuses when the only worker has too many requests unanswered', () => {
    const refusal = judgeCapacity({ calls: 0, media: { workers: [worker(0, 11, 50)] }, now: 0 }, limits);
    assert.equal(refusal?.reason, 'media-behind');
    assert.match(refusal!.message, /worker 0 has 11 requests unanswered \(bound 10\)/);
  });

  it('takes a call while one worker keeps up, and names the worst when none does', () => {
    assert.equal(judgeCapacity({ calls: 0, media: { workers: [worker(0, 50, 3000), worker(1, 1, 10)] }, now: 0 }, limits), undefined);
    const refusal = judgeCapacity({ calls: 0, media: { workers: [worker(0, 50, 3000), worker(1, 1, 9000)] }, now: 0 }, limits);
    assert.match(refusal!.message, /worker 1 has kept a request waiting 9000 ms/);
  });

  it('refuses when no worker is alive, and ignores dead workers otherwise', () => {
    assert.equal(judgeCapacity({ calls: 0, media: { workers: [worker(0, 0, 0, false)] }, now: 0 }, limits)?.reason, 'media-down');
    assert.equal(judgeCapacity({ calls: 0, media: { workers: [] }, now: 0 }, limits)?.reason, 'media-down');
    assert.equal(judgeCapacity({ calls: 0, media: { workers: [worker(0, 0, 0, false), worker(1, 0, 0)] }, now: 0 }, limits), undefined);
  });

  it('exactly at a bound is still keeping up', () => {
    assert.equal(judgeCapacity({ calls: 0, media: { workers: [worker(0, 10, 1000)] }, now: 0 }, limits), undefined);
  });
});

describe('CallCapacity', () => {
  it('counts slots, gives them back once, and says when to retry', () => {
    const capacity = new CallCapacity({ media: healthy, limits: { maxCalls: 2, retryAfterSeconds: 9 } });
    const a = capacity.admit('inbound');
    const b = capacity.admit('outbound-api');
    assert.equal(a.refused, false);
    assert.equal(b.refused, false);
    const third = capacity.admit('outbound-dial');
    assert.ok(third.refused);
    assert.equal(third.retryAfterSeconds, 9);
    assert.equal(capacity.calls, 2);
    if (!a.refused) {
      a.release();
      a.release();
    }
    assert.equal(capacity.calls, 1, 'a second release gives nothing back twice');
    assert.equal(capacity.admit('inbound').refused, false);
  });

  it('take() throws a CapacityError carrying the refusal', () => {
    const capacity = new CallCapacity({ media: { workers: [] } });
    assert.throws(
      () => capacity.take('outbound-api'),
      (err: unknown) => err instanceof CapacityError && err.refusal.reason === 'media-down' && /no media worker is running/.test(err.message),
    );
  });

  it('logs a burst of refusals once when it begins and once when calls are taken again', () => {
    const log = lines();
    let now = 1000;
    const media = { workers: [worker(0, 0, 0)] };
    const capacity = new CallCapacity({ media, limits: { maxCalls: 1 }, logger: log, now: () => now });
    const held = capacity.take('inbound');
    for (let i = 0; i < 50; i++) capacity.admit(i % 2 === 0 ? 'inbound' : 'outbound-api');
    assert.equal(log.seen.length, 1, 'fifty refusals, one line');
    assert.equal(log.seen[0]!.level, 'warn');
    assert.equal(log.seen[0]!.details.reason, 'max-calls');
    now = 4000;
    held.release();
    capacity.take('inbound');
    assert.equal(log.seen.length, 2);
    assert.equal(log.seen[1]!.level, 'info');
    assert.deepEqual(
      { refused: log.seen[1]!.details.refused, byKind: log.seen[1]!.details.byKind, forMs: log.seen[1]!.details.forMs },
      { refused: 50, byKind: { inbound: 25, 'outbound-api': 25, 'outbound-dial': 0 }, forMs: 3000 },
    );
    capacity.admit('inbound');
    assert.equal(log.seen.length, 3, 'a new burst is logged again');
  });

  it('defaults: no call limit, media bounds on', () => {
    assert.equal(DEFAULT_CAPACITY_LIMITS.maxCalls, 0);
    const capacity = new CallCapacity({ media: healthy });
    assert.deepEqual(capacity.limits, DEFAULT_CAPACITY_LIMITS);
  });
});
