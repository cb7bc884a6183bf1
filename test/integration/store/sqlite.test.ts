import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from '../../../src/store/index.js';
import { storeSuite } from './store.suite.js';

describe('store on SQLite', () => {
  storeSuite(() => openStore({ dataDir: '.', sqliteFile: ':memory:' }));

  it('creates its file under the data directory and keeps data across opens', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dialtone-store-'));
    try {
      const first = await openStore({ dataDir: dir });
      const a = await first.accounts.create();
      await first.close();
      const second = await openStore({ dataDir: dir });
      assert.equal((await second.accounts.get(a.sid))?.sid, a.sid);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('shows a call changed by another process on the same file, though this one read it before', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'dialtone-store-'));
    try {
      const here = await openStore({ dataDir: dir });
      const there = await openStore({ dataDir: dir });
      const a = await here.accounts.create();
      const c = await here.calls.create({ accountSid: a.sid, from: '+15550001', to: '+15550100', direction: 'inbound' });
      assert.equal((await here.calls.get(c.sid))?.status, 'queued');
      assert.equal((await here.calls.list(a.sid))[0]?.status, 'queued');
      await new Promise((resolve) => setTimeout(resolve, 5)); // another process's change comes at a later millisecond
      await there.calls.update(c.sid, { status: 'completed' });
      assert.equal((await here.calls.get(c.sid))?.status, 'completed');
      assert.equal((await here.calls.list(a.sid))[0]?.status, 'completed');
      await there.calls.remove(c.sid, a.sid);
      assert.deepEqual(await here.calls.list(a.sid), []);
      // A final record read within the last second is trusted (only a delete could change it).
      await new Promise((resolve) => setTimeout(resolve, 1_100));
      assert.equal(await here.calls.get(c.sid), undefined);
      await here.close();
      await there.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
