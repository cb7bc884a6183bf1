/**
 * The outbox table on both drivers: rows of one key come out one at a time in order,
 * a held row is nobody else's until its lease runs out, and outcomes stick.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { openStore, type NewOutboxRow, type Store } from '../../../src/store/index.js';
import { freshDatabase, postgresSkip } from '../../support/postgres.js';



function message(orderKey: string, label: string): NewOutboxRow {
  return {
    accountSid: 'AC' + '1'.repeat(32),
    orderKey,
    callSid: null,
    kind: 'status-callback',
    label,
    url: 'http://127.0.0.1:9/status',
    method: 'POST',
    params: { CallSid: orderKey, CallStatus: label, Repeated: ['a', 'b'] },
    maxAttempts: 3,
  };
}

const T0 = '2030-01-01T00:00:00.000Z';
const T1 = '2030-01-01T00:00:01.000Z';
const T2 = '2030-01-01T00:00:02.000Z';
const T9 = '2030-01-01T00:00:09.000Z';

function outboxSuite(open: () => Promise<Store>): void {
  it('gives the head of each key, in order, and the next row only once the head is done', async () => {
    const store = await open();
    try {
      const a1 = await store.outbox.enqueue(message('CAa', 'initiated'), T0);
      const a2 = await store.outbox.enqueue(message('CAa', 'completed'), T0);
      const b1 = await store.outbox.enqueue(message('CAb', 'completed'), T0);
      assert.deepEqual((await store.outbox.due(T1, 10)).map((r) => r.id), [a1, b1]);
      assert.deepEqual((await store.outbox.due(T1, 10, ['CAa'])).map((r) => r.id), [b1], 'busy keys are skipped');
      const row = (await store.outbox.get(a1))!;
      assert.deepEqual(row.params, { CallSid: 'CAa', CallStatus: 'initiated', Repeated: ['a', 'b'] });
      assert.equal(row.status, 'pending');

      await store.outbox.delivered(a1, { httpStatus: 204, error: null }, T1);
      assert.deepEqual((await store.outbox.due(T1, 10)).map((r) => r.id), [a2, b1]);
      assert.deepEqual((await store.outbox.list('CAa')).map((r) => [r.id, r.status, r.lastStatus]), [
        [a1, 'delivered', 204],
        [a2, 'pending', null],
      ]);
    } finally {
      await store.close();
    }
  });

  it('a claimed row is held until its lease ends; a row in backoff holds back its key', async () => {
    const store = await open();
    try {
      const a1 = await store.outbox.enqueue(message('CAa', 'ringing'), T0);
      const a2 = await store.outbox.enqueue(message('CAa', 'completed'), T0);
      const held = await store.outbox.claim(a1, T1, T2);
      assert.equal(held?.attempts, 1);
      assert.equal(await store.outbox.claim(a1, T1, T2), undefined, 'nobody else gets it');
      assert.deepEqual(await store.outbox.due(T1, 10), [], 'neither the held row nor what follows it');
      assert.deepEqual((await store.outbox.due(T2, 10)).map((r) => r.id), [a1], 'a lease that ran out frees the row');

      await store.outbox.retryAt(a1, { httpStatus: 500, error: 'HTTP 500' }, T9, T1);
      assert.deepEqual(await store.outbox.due(T2, 10), [], 'backoff keeps the whole key waiting');
      const again = await store.outbox.claim(a1, T9, '2030-01-01T00:01:00.000Z');
      assert.equal(again?.attempts, 2);
      assert.equal(again?.lastError, 'HTTP 500');
      await store.outbox.failed(a1, { httpStatus: null, error: 'connection refused' }, T9);
      assert.deepEqual((await store.outbox.due(T9, 10)).map((r) => r.id), [a2], 'a row given up on lets the next one go');
      const failed = (await store.outbox.get(a1))!;
      assert.equal(failed.status, 'failed');
      assert.equal(failed.lastError, 'connection refused');
    } finally {
      await store.close();
    }
  });
}

describe('outbox table on SQLite', () => {
  outboxSuite(() => openStore({ dataDir: '.', sqliteFile: ':memory:' }));
});

describe('outbox table on PostgreSQL', { skip: postgresSkip }, () => {
  outboxSuite(async () => openStore({ dataDir: '.', databaseUrl: await freshDatabase() }));
});
