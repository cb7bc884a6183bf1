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
});
