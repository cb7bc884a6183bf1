import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LatencyHistogram } from '../../../../src/media/worker/histogram.js';

describe('LatencyHistogram', () => {
  it('reads percentiles to its bucket width and keeps the exact maximum', () => {
    const h = new LatencyHistogram(0.1, 100);
    for (let i = 1; i <= 1000; i++) h.record(i / 100); // 0.01 .. 10 ms
    const s = h.summary();
    assert.equal(s.count, 1000);
    assert.ok(Math.abs(s.p50 - 5) <= 0.1, `p50 ${s.p50}`);
    assert.ok(Math.abs(s.p99 - 9.9) <= 0.1, `p99 ${s.p99}`);
    assert.equal(s.max, 10);
  });

  it('clamps negatives to zero, puts outliers in the last bucket, resets', () => {
    const h = new LatencyHistogram(1, 10);
    h.record(-3);
    h.record(500);
    assert.equal(h.quantile(0.5), 1);
    assert.equal(h.quantile(1), 500);
    h.reset();
    assert.deepEqual(h.summary(), { count: 0, p50: 0, p99: 0, max: 0 });
  });
});
