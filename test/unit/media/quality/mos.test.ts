import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  delayImpairment,
  lossImpairment,
  meanOpinionScore,
  mosFromR,
  rFactor,
} from '../../../../src/media/quality/mos.js';

const loss = fc.double({ min: 0, max: 100, noNaN: true });
const jitter = fc.double({ min: 0, max: 1000, noNaN: true });

describe('MOS (simplified G.107 E-model for G.711)', () => {
  it('scores a clean call ≈ 4.4', () => {
    const mos = meanOpinionScore({ lossPercent: 0, jitterMs: 0 });
    assert.ok(Math.abs(mos - 4.4) < 0.01, `mos ${mos}`);
    assert.ok(Math.abs(rFactor({ lossPercent: 0, jitterMs: 0 }) - (93.2 - 0.24)) < 1e-9);
  });

  it('maps R to MOS as G.107 Annex B does', () => {
    assert.equal(mosFromR(-5), 1);
    assert.equal(mosFromR(0), 1);
    assert.equal(mosFromR(3), 1, 'the cubic dips below 1 for small R; clamped');
    assert.equal(mosFromR(100), 4.5);
    assert.equal(mosFromR(120), 4.5);
    assert.ok(Math.abs(mosFromR(50) - 2.575) < 1e-9);
    assert.ok(Math.abs(mosFromR(80) - 4.024) < 1e-9);
    assert.ok(Math.abs(mosFromR(93.2) - 4.40929) < 1e-5);
  });

  it('uses G.113 Appendix I Bpl for G.711 with and without concealment', () => {
    assert.ok(Math.abs(lossImpairment(1) - 95 / 26.1) < 1e-9);
    assert.ok(Math.abs(lossImpairment(1, false) - 95 / 5.3) < 1e-9);
    assert.equal(lossImpairment(0), 0);
    assert.equal(delayImpairment(100), 2.4);
    assert.ok(Math.abs(delayImpairment(200) - (4.8 + 0.11 * 22.7)) < 1e-9);
  });

  it('gives typical values: 1 % loss stays good, 5 % is fair, 20 % is poor', () => {
    assert.ok(meanOpinionScore({ lossPercent: 1, jitterMs: 10 }) > 4.2);
    const five = meanOpinionScore({ lossPercent: 5, jitterMs: 20 });
    assert.ok(five > 3.5 && five < 4.1, `5 %: ${five}`);
    assert.ok(meanOpinionScore({ lossPercent: 20, jitterMs: 40 }) < 3);
    assert.ok(meanOpinionScore({ lossPercent: 5, jitterMs: 20, concealment: false }) < 3);
    assert.ok(meanOpinionScore({ lossPercent: 0, jitterMs: 0, latencyMs: 300 }) < 4);
  });

  it('never rises when loss or jitter rise, and stays within [1, 4.5] (property)', () => {
    fc.assert(
      fc.property(loss, loss, jitter, jitter, fc.boolean(), (l1, l2, j1, j2, concealment) => {
        const [lo, hi] = l1 <= l2 ? [l1, l2] : [l2, l1];
        const [jLo, jHi] = j1 <= j2 ? [j1, j2] : [j2, j1];
        const best = meanOpinionScore({ lossPercent: lo, jitterMs: jLo, concealment });
        const worseLoss = meanOpinionScore({ lossPercent: hi, jitterMs: jLo, concealment });
        const worseJitter = meanOpinionScore({ lossPercent: lo, jitterMs: jHi, concealment });
        // Inputs a few ulps apart may round the other way; monotonic means within that noise.
        const ulps = 1e-12;
        return best + ulps >= worseLoss && best + ulps >= worseJitter && best <= 4.5 && worseLoss >= 1 && worseJitter >= 1;
      }),
      { numRuns: 500 },
    );
  });

  it('falls strictly with loss in the useful range', () => {
    let previous = Infinity;
    for (let l = 0; l <= 30; l += 0.5) {
      const mos = meanOpinionScore({ lossPercent: l, jitterMs: 20 });
      assert.ok(mos < previous, `at ${l} %`);
      previous = mos;
    }
  });
});
