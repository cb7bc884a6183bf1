import type { SqliteDatabase, SqliteStatement } from 'kysely';

/**
 * A SQLite database for Kysely that keeps its prepared statements. Kysely calls
 * `prepare()` for every query it runs, and better-sqlite3 compiles the SQL each time:
 * under load, the few statements a call makes were compiled again for every call (a
 * fifth of the main thread at 100 calls per second, see bench/sip). A statement is used
 * by one query at a time because Kysely's SQLite driver runs one query at a time on its
 * one connection. The least recently used statements leave past `size`.
 */
export function withStatementCache(database: SqliteDatabase, size = 500): SqliteDatabase {
  const statements = new Map<string, SqliteStatement>();
  return {
    close: () => {
      statements.clear();
      database.close();
    },
    prepare(sql: string): SqliteStatement {
      const cached = statements.get(sql);
      if (cached !== undefined) {
        // Map order is insertion order: move it to the young end.
        statements.delete(sql);
        statements.set(sql, cached);
        return cached;
      }
      const statement = database.prepare(sql);
      statements.set(sql, statement);
      if (statements.size > size) statements.delete(statements.keys().next().value!);
      return statement;
    },
  };
}
