import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { InvalidTrunkError, TrunkExistsError, isSid, openStore, type Store } from '../../../src/store/index.js';
import { freshDatabase, postgresSkip } from '../../support/postgres.js';

/** SIP trunks (migration 0005_trunks), on both drivers. */
function trunksSuite(open: () => Promise<Store>): void {
  it('adds a trunk with defaults, finds it by name or SID, and lists trunks by priority then name', async () => {
    const store = await open();
    try {
      const a = await store.accounts.create();
      const carrier = await store.trunks.create(a.sid, { friendlyName: 'carrier', host: 'sip.carrier.example' });
      assert.ok(isSid(carrier.sid, 'TK'), carrier.sid);
      assert.deepEqual(
        { port: carrier.port, transport: carrier.transport, prefixes: carrier.prefixes, priority: carrier.priority, enabled: carrier.enabled, callerId: carrier.callerId, username: carrier.username },
        { port: 5060, transport: 'udp', prefixes: ['*'], priority: 10, enabled: true, callerId: null, username: null },
      );
      const uk = await store.trunks.create(a.sid, {
        friendlyName: 'uk',
        host: '[::1]',
        port: 5080,
        transport: 'tcp',
        username: 'acme',
        password: 'pa ss"word',
        prefixes: ['+44', '+4420', '+44'],
        priority: 1,
        callerId: '+442071234567',
        stripPrefix: '+',
        addPrefix: '00',
        enabled: false,
      });
      const read = await store.trunks.get(a.sid, uk.sid);
      assert.deepEqual(read, uk);
      assert.deepEqual(read, await store.trunks.get(a.sid, 'uk'));
      assert.equal(read?.host, '::1', 'brackets are not kept');
      assert.equal(read?.password, 'pa ss"word', 'the password is kept as given: the INVITE needs it');
      assert.deepEqual(read?.prefixes, ['+44', '+4420'], 'duplicates dropped');
      assert.equal(read?.enabled, false);
      assert.deepEqual((await store.trunks.list(a.sid)).map((t) => t.friendlyName), ['uk', 'carrier']);
    } finally {
      await store.close();
    }
  });

  it('names are unique per account; accounts are kept apart', async () => {
    const store = await open();
    try {
      const a = await store.accounts.create();
      const b = await store.accounts.create();
      const t = await store.trunks.create(a.sid, { friendlyName: 'carrier', host: '192.0.2.10' });
      await assert.rejects(store.trunks.create(a.sid, { friendlyName: 'carrier', host: '192.0.2.11' }), TrunkExistsError);
      await store.trunks.create(b.sid, { friendlyName: 'carrier', host: '192.0.2.12' });
      assert.equal(await store.trunks.get(b.sid, t.sid), undefined);
      assert.equal(await store.trunks.remove(b.sid, t.sid), undefined);
      assert.equal((await store.trunks.list(b.sid))[0]?.host, '192.0.2.12');
    } finally {
      await store.close();
    }
  });

  it('enables, disables and removes by name or SID', async () => {
    const store = await open();
    try {
      const a = await store.accounts.create();
      const t = await store.trunks.create(a.sid, { friendlyName: 'carrier', host: 'sip.carrier.example' });
      assert.equal((await store.trunks.setEnabled(a.sid, 'carrier', false))?.enabled, false);
      assert.equal((await store.trunks.get(a.sid, t.sid))?.enabled, false);
      assert.equal((await store.trunks.setEnabled(a.sid, t.sid, true))?.enabled, true);
      assert.equal(await store.trunks.setEnabled(a.sid, 'nope', true), undefined);
      assert.equal((await store.trunks.remove(a.sid, t.sid))?.sid, t.sid);
      assert.equal(await store.trunks.remove(a.sid, 'carrier'), undefined);
      assert.deepEqual(await store.trunks.list(a.sid), []);
    } finally {
      await store.close();
    }
  });

  it('refuses bad input with a sentence that names the problem, and stores nothing', async () => {
    const store = await open();
    try {
      const a = await store.accounts.create();
      const cases: [Parameters<Store['trunks']['create']>[1], RegExp][] = [
        [{ friendlyName: 'has space', host: 'h.example' }, /not a trunk name/],
        [{ friendlyName: `TK${'0'.repeat(32)}`, host: 'h.example' }, /not a trunk name/],
        [{ friendlyName: 'x', host: 'bad host' }, /not a host name/],
        [{ friendlyName: 'x', host: 'h.example', port: 70000 }, /port 70000/],
        [{ friendlyName: 'x', host: 'h.example', transport: 'tls' as 'udp' }, /transport "tls"/],
        [{ friendlyName: 'x', host: 'h.example', username: 'u' }, /needs a password/],
        [{ friendlyName: 'x', host: 'h.example', prefixes: ['44'] }, /prefix "44"/],
        [{ friendlyName: 'x', host: 'h.example', prefixes: [] }, /at least one prefix/],
        [{ friendlyName: 'x', host: 'h.example', priority: -1 }, /priority -1/],
        [{ friendlyName: 'x', host: 'h.example', callerId: 'alice' }, /caller ID "alice"/],
        [{ friendlyName: 'x', host: 'h.example', addPrefix: '9#' }, /add prefix/],
      ];
      for (const [input, message] of cases) await assert.rejects(store.trunks.create(a.sid, input), (err: unknown) => err instanceof InvalidTrunkError && message.test(err.message));
      assert.deepEqual(await store.trunks.list(a.sid), []);
    } finally {
      await store.close();
    }
  });

  it('pages trunks filtered and sorted on columns (the native API’s lists), one account only', async () => {
    const store = await open();
    try {
      const a = await store.accounts.create();
      const b = await store.accounts.create();
      for (const [name, priority, enabled] of [['c', 3, true], ['a', 1, false], ['b', 2, true]] as const) {
        await store.trunks.create(a.sid, { friendlyName: name, host: `${name}.example`, priority, enabled });
      }
      await store.trunks.create(b.sid, { friendlyName: 'theirs', host: 'their.example' });
      const page = await store.trunks.query(a.sid, { filters: [], sort: { column: 'priority', direction: 'desc' }, offset: 0, limit: 2 });
      assert.equal(page.total, 3);
      assert.deepEqual(page.rows.map((t) => t.friendlyName), ['c', 'b']);
      const on = await store.trunks.query(a.sid, { filters: [{ column: 'enabled', value: 1 }], sort: { column: 'friendly_name', direction: 'asc' }, offset: 0, limit: 10 });
      assert.deepEqual(on.rows.map((t) => [t.friendlyName, t.enabled]), [['b', true], ['c', true]]);
    } finally {
      await store.close();
    }
  });

  it('updates every setting at once, checked as on create; a new name must be free', async () => {
    const store = await open();
    try {
      const a = await store.accounts.create();
      const t = await store.trunks.create(a.sid, { friendlyName: 'carrier', host: 'sip.carrier.example', username: 'u', password: 'p' });
      await store.trunks.create(a.sid, { friendlyName: 'other', host: 'other.example' });
      const updated = await store.trunks.update(a.sid, t.sid, { friendlyName: 'renamed', host: '192.0.2.1', port: 5070, transport: 'tcp', prefixes: ['+1'], priority: 0, enabled: false });
      assert.deepEqual(
        { name: updated?.friendlyName, host: updated?.host, port: updated?.port, transport: updated?.transport, prefixes: updated?.prefixes, enabled: updated?.enabled, username: updated?.username },
        { name: 'renamed', host: '192.0.2.1', port: 5070, transport: 'tcp', prefixes: ['+1'], enabled: false, username: null },
      );
      assert.deepEqual(await store.trunks.get(a.sid, t.sid), updated);
      await assert.rejects(store.trunks.update(a.sid, t.sid, { friendlyName: 'other', host: 'x.example' }), TrunkExistsError);
      await assert.rejects(store.trunks.update(a.sid, t.sid, { friendlyName: 'renamed', host: 'x.example', port: 0 }), InvalidTrunkError);
      assert.equal(await store.trunks.update(a.sid, `TK${'0'.repeat(32)}`, { friendlyName: 'x', host: 'x.example' }), undefined);
    } finally {
      await store.close();
    }
  });

  it('goes with its account', async () => {
    const store = await open();
    try {
      const a = await store.accounts.create();
      const t = await store.trunks.create(a.sid, { friendlyName: 'carrier', host: 'sip.carrier.example' });
      await store.db.kysely.deleteFrom('accounts').where('sid', '=', a.sid).execute();
      assert.equal(await store.trunks.get(a.sid, t.sid), undefined);
    } finally {
      await store.close();
    }
  });
}

describe('trunks on SQLite', () => {
  trunksSuite(() => openStore({ dataDir: '.', sqliteFile: ':memory:' }));
});

describe('trunks on PostgreSQL', { skip: postgresSkip }, () => {
  trunksSuite(async () => openStore({ dataDir: '.', databaseUrl: await freshDatabase() }));
});
