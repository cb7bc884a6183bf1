import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PlayoutQueue } from '../../../../src/media/stream/playout-queue.js';

function bytes(n: number, value: number): Uint8Array {
  return new Uint8Array(n).fill(value);
}

describe('PlayoutQueue (an application\'s audio and marks on a bidirectional stream)', () => {
  it('plays chunks of any size as 160-byte frames in order, padding the last with silence', () => {
    const q = new PlayoutQueue();
    q.push(bytes(100, 1));
    q.push(bytes(100, 2));
    const frame = new Uint8Array(160);
    const reached: string[] = [];
    assert.equal(q.read(frame, reached), true);
    assert.deepEqual([...frame.subarray(0, 100)], Array(100).fill(1));
    assert.deepEqual([...frame.subarray(100)], Array(60).fill(2));
    assert.equal(q.read(frame, reached), true);
    assert.deepEqual([...frame.subarray(0, 40)], Array(40).fill(2));
    assert.deepEqual([...frame.subarray(40)], Array(120).fill(0xff), 'µ-law silence after the last byte');
    assert.equal(q.read(frame, reached), false);
    assert.equal(q.bytes, 0);
  });

  it('a mark is reached with the frame that plays the last byte before it, not earlier', () => {
    const q = new PlayoutQueue();
    q.push(bytes(320, 5));
    q.mark('a');
    q.push(bytes(10, 6));
    q.mark('b');
    const frame = new Uint8Array(160);
    const reached: string[] = [];
    q.read(frame, reached);
    assert.deepEqual(reached, []);
    q.read(frame, reached);
    assert.deepEqual(reached, ['a']);
    q.read(frame, reached);
    assert.deepEqual(reached, ['a', 'b']);
    assert.equal(q.empty, true);
  });

  it('a mark with nothing before it is reached at once; clear drops the audio and returns the marks', () => {
    const q = new PlayoutQueue();
    q.mark('first');
    const reached: string[] = [];
    assert.equal(q.read(new Uint8Array(160), reached), false);
    assert.deepEqual(reached, ['first']);
    q.push(bytes(8000, 1));
    q.mark('x');
    q.push(bytes(8000, 1));
    q.mark('y');
    assert.deepEqual(q.clear(), ['x', 'y']);
    assert.equal(q.bytes, 0);
    assert.equal(q.read(new Uint8Array(160), reached), false);
  });

  it('refuses audio beyond its limit and keeps what it had', () => {
    const q = new PlayoutQueue(1000);
    assert.equal(q.push(bytes(900, 1)), true);
    assert.equal(q.push(bytes(200, 1)), false);
    assert.equal(q.bytes, 900);
  });
});
