import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { IdempotencyRepo } from '../../../src/store/idempotency-repo.js';
import { hashSecret, isSid, openStore, type Store } from '../../../src/store/index.js';
import { freshDatabase, postgresSkip } from '../../support/postgres.js';

/** The repositories behind the Twilio-compatible API (migration 0003_api), on both drivers. */
function apiReposSuite(open: () => Promise<Store>): void {
  it('creates API keys whose secret is shown once and kept only as a hash', async () => {
    const store = await open();
    try {
      const a = await store.accounts.create();
      const key = await store.apiKeys.create(a.sid, 'ci');
      assert.ok(isSid(key.sid, 'SK'));
      assert.match(key.secret, /^[A-Za-z0-9]{32}$/);
      assert.deepEqual(await store.apiKeys.credential(key.sid), { accountSid: a.sid, secretHash: hashSecret(key.secret) });
      assert.deepEqual(await store.apiKeys.credentialBySecretHash(hashSecret(key.secret)), { sid: key.sid, accountSid: a.sid, secretHash: hashSecret(key.secret) });
      assert.equal((await store.apiKeys.update(a.sid, key.sid, { friendlyName: 'renamed' }))?.friendlyName, 'renamed');
      assert.equal((await store.apiKeys.list(a.sid)).length, 1);
      assert.equal(await store.apiKeys.remove(a.sid, key.sid), true);
      assert.equal(await store.apiKeys.credential(key.sid), undefined);
    } finally {
      await store.close();
    }
  });

  it('lists any account table by offset with column filters (null included), a sort column and the total', async () => {
    const store = await open();
    try {
      const a = await store.accounts.create();
      const b = await store.accounts.create();
      const sids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const c = await store.calls.create({ accountSid: a.sid, from: `+1555000000${i % 3}`, to: '+15559990000', direction: 'inbound', ...(i >= 5 ? { parentCallSid: 'CAparent' } : {}) });
        if (i < 3) await store.calls.update(c.sid, { status: 'completed', duration: 10 * (3 - i) });
        sids.push(c.sid);
      }
      await store.calls.create({ accountSid: b.sid, from: '+15550000000', to: '+15559990000', direction: 'inbound' });
      const all = await store.calls.query(a.sid, { filters: [], sort: { column: 'sid', direction: 'asc' }, offset: 0, limit: 100 });
      assert.equal(all.total, 7);
      assert.deepEqual(all.rows.map((c) => c.sid), [...sids].sort());
      const page = await store.calls.query(a.sid, { filters: [], sort: { column: 'sid', direction: 'desc' }, offset: 2, limit: 3 });
      assert.equal(page.total, 7);
      assert.deepEqual(page.rows.map((c) => c.sid), [...sids].sort().reverse().slice(2, 5));
      const from = await store.calls.query(a.sid, { filters: [{ column: 'from', value: '+15550000000' }, { column: 'status', value: 'completed' }], sort: { column: 'date_created', direction: 'asc' }, offset: 0, limit: 10 });
      assert.deepEqual(from.rows.map((c) => c.sid), [sids[0]]);
      const byDuration = await store.calls.query(a.sid, { filters: [{ column: 'status', value: 'completed' }], sort: { column: 'duration', direction: 'asc' }, offset: 0, limit: 10 });
      assert.deepEqual(byDuration.rows.map((c) => c.duration), [10, 20, 30]);
      assert.equal((await store.calls.query(a.sid, { filters: [{ column: 'duration', value: 20 }], sort: { column: 'sid', direction: 'asc' }, offset: 0, limit: 10 })).total, 1);
      const orphans = await store.calls.query(a.sid, { filters: [{ column: 'parent_call_sid', value: null }], sort: { column: 'sid', direction: 'asc' }, offset: 0, limit: 10 });
      assert.equal(orphans.total, 5);
      const past = await store.calls.query(a.sid, { filters: [], sort: { column: 'sid', direction: 'asc' }, offset: 50, limit: 10 });
      assert.deepEqual(past, { rows: [], total: 7 });
      await store.numbers.add(a.sid, { phoneNumber: '+15551230001', dialect: 'apifonica' });
      await store.numbers.add(a.sid, { phoneNumber: '+15551230002' });
      const apifonica = await store.numbers.query(a.sid, { filters: [{ column: 'dialect', value: 'apifonica' }], sort: { column: 'phone_number', direction: 'asc' }, offset: 0, limit: 10 });
      assert.deepEqual(apifonica.rows.map((n) => n.phoneNumber), ['+15551230001']);
    } finally {
      await store.close();
    }
  });

  it('stores messages and pages them newest first both ways', async () => {
    const store = await open();
    try {
      const a = await store.accounts.create();
      const sids: string[] = [];
      for (let i = 0; i < 7; i++) {
        const m = await store.messages.create({ accountSid: a.sid, from: '+15550100', to: `+1555020${i % 2}`, body: `m${i}`, direction: 'outbound-api', numSegments: 1 });
        sids.push(m.sid);
      }
      const media = await store.messages.create({ accountSid: a.sid, from: '+15550100', to: '+15550300', body: '', direction: 'outbound-api', numSegments: 1, mediaUrls: ['https://x.example/a.png'] });
      assert.ok(isSid(media.sid, 'MM'));
      assert.deepEqual((await store.messages.get(a.sid, media.sid))?.mediaUrls, ['https://x.example/a.png']);
      const first = await store.messages.page(a.sid, {}, { limit: 3 });
      assert.ok(first[0]!.dateCreated >= first[2]!.dateCreated);
      const last = first[2]!;
      const second = await store.messages.page(a.sid, {}, { limit: 3, after: { dateCreated: last.dateCreated, sid: last.sid } });
      const back = await store.messages.page(a.sid, {}, { limit: 3, before: { dateCreated: second[0]!.dateCreated, sid: second[0]!.sid } });
      assert.deepEqual(back.map((m) => m.sid), first.map((m) => m.sid));
      assert.deepEqual((await store.messages.page(a.sid, {}, { limit: 3, offset: 3 })).map((m) => m.sid), second.map((m) => m.sid));
      assert.equal((await store.messages.page(a.sid, { to: '+15550201' }, { limit: 50 })).length, 3);
      assert.equal(await store.messages.remove(a.sid, sids[0]!), true);
      assert.equal(await store.messages.get(a.sid, sids[0]!), undefined);
    } finally {
      await store.close();
    }
  });

  it('pages calls backwards and by offset', async () => {
    const store = await open();
    try {
      const a = await store.accounts.create();
      for (let i = 0; i < 9; i++) await store.calls.create({ accountSid: a.sid, from: '+1', to: '+2', direction: 'inbound' });
      const all = await store.calls.page(a.sid, {}, { limit: 50 });
      const mid = all[4]!;
      assert.deepEqual(
        (await store.calls.page(a.sid, {}, { limit: 2, before: { dateCreated: mid.dateCreated, sid: mid.sid } })).map((c) => c.sid),
        all.slice(2, 4).map((c) => c.sid),
      );
      assert.deepEqual((await store.calls.page(a.sid, {}, { limit: 3, offset: 6 })).map((c) => c.sid), all.slice(6).map((c) => c.sid));
    } finally {
      await store.close();
    }
  });

  it('reserves an idempotency key once, replays its answer, forgets it after 24 hours', async () => {
    let now = Date.parse('2026-01-01T00:00:00Z');
    const store = await open();
    try {
      const a = await store.accounts.create();
      const repo = new IdempotencyRepo(store.db.kysely, () => now);
      const ref = { accountSid: a.sid, scope: 'Messages', key: 'k1' };
      assert.deepEqual(await repo.reserve(ref), { kind: 'reserved' });
      assert.deepEqual(await repo.reserve(ref), { kind: 'in-progress' });
      await repo.complete(ref, 201, '{"sid":"SM1"}');
      assert.deepEqual(await repo.reserve(ref), { kind: 'replay', statusCode: 201, response: '{"sid":"SM1"}' });
      assert.deepEqual(await repo.reserve({ ...ref, key: 'k2' }), { kind: 'reserved' });
      await repo.release({ ...ref, key: 'k2' });
      assert.deepEqual(await repo.reserve({ ...ref, key: 'k2' }), { kind: 'reserved' });
      now += 24 * 60 * 60 * 1000 + 1;
      assert.deepEqual(await repo.reserve(ref), { kind: 'reserved' }, 'an expired key is taken anew');
      const kept = await store.db.kysely.selectFrom('idempotency_keys').select(['key', 'date_created']).execute();
      assert.deepEqual(kept, [{ key: 'k1', date_created: new Date(now).toISOString() }], 'k2 expired too and is gone; k1 is the new reservation');
      assert.deepEqual(await repo.reserve(ref), { kind: 'in-progress' }, 'the key taken anew is held');
    } finally {
      await store.close();
    }
  });
}

describe('API repositories on SQLite', () => {
  apiReposSuite(() => openStore({ dataDir: '.', sqliteFile: ':memory:' }));
});



describe('API repositories on PostgreSQL', { skip: postgresSkip }, () => {
  apiReposSuite(async () => openStore({ dataDir: '.', databaseUrl: await freshDatabase() }));
});
