import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, SqliteDialect, sql, type SqliteDatabase } from 'kysely';
import { withStatementCache } from '../../../src/store/statement-cache.js';

/** A real in-memory database that counts how often SQL was compiled. */
function counting(): { database: SqliteDatabase; compiled: string[] } {
  const sqlite = new BetterSqlite3(':memory:');
  const compiled: string[] = [];
  return {
    compiled,
    database: {
      close: () => sqlite.close(),
      prepare: (text: string) => {
        compiled.push(text);
        return sqlite.prepare(text);
      },
    },
  };
}

describe('withStatementCache', () => {
  it('compiles each SQL text once; Kysely queries give the same rows as before', async () => {
    const { database, compiled } = counting();
    const db = new Kysely<{ t: { id: number; name: string } }>({ dialect: new SqliteDialect({ database: withStatementCache(database) }) });
    await sql`create table t (id integer primary key, name text)`.execute(db);
    for (let i = 0; i < 5; i++) await db.insertInto('t').values({ id: i, name: `n${i}` }).execute();
    const rows = await db.selectFrom('t').select(['id', 'name']).where('id', '>=', 3).orderBy('id').execute();
    assert.deepEqual(rows, [
      { id: 3, name: 'n3' },
      { id: 4, name: 'n4' },
    ]);
    assert.equal(compiled.filter((s) => s.startsWith('insert')).length, 1, compiled.join('\n'));
    await db.destroy();
  });

  it('keeps at most `size` statements, dropping the least recently used', () => {
    const { database, compiled } = counting();
    const cached = withStatementCache(database, 2);
    cached.prepare('select 1');
    cached.prepare('select 2');
    cached.prepare('select 1'); // now the most recent
    cached.prepare('select 3'); // evicts select 2
    cached.prepare('select 1');
    cached.prepare('select 2');
    assert.deepEqual(compiled, ['select 1', 'select 2', 'select 3', 'select 2']);
    cached.close();
  });
});
