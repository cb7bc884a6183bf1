import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PortPool } from '../../../../src/media/worker/ports.js';

describe('PortPool', () => {
  it('offers even ports, pairs within range, and rotates past released ones', () => {
    const pool = new PortPool();
    const range = { min: 40001, max: 40009 };
    assert.deepEqual([...pool.candidates(range, true)], [40002, 40004, 40006, 40008]);
    const first = pool.candidates(range, true).next().value as number;
    pool.reserve(first, true);
    const second = pool.candidates(range, true).next().value as number;
    assert.notEqual(second, first);
    pool.reserve(second, true);
    pool.release(first, true);
    // The cursor has moved on: the port just released comes last.
    const order = [...pool.candidates(range, true)];
    assert.equal(order.at(-1), first);
    assert.ok(!order.includes(second));
  });

  it('without a pair, the last even port may be used', () => {
    const pool = new PortPool();
    assert.deepEqual([...pool.candidates({ min: 40000, max: 40002 }, false)], [40000, 40002]);
    assert.deepEqual([...new PortPool().candidates({ min: 40000, max: 40002 }, true)], [40000]);
    assert.deepEqual([...new PortPool().candidates({ min: 40001, max: 40001 }, false)], []);
  });
});
