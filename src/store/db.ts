import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import BetterSqlite3 from 'better-sqlite3';
import { Kysely, Migrator, PostgresDialect, SqliteDialect, type MigrationProvider } from 'kysely';
import pg from 'pg';
import { migrations } from './migrations/index.js';
import type { Database } from './schema.js';
import { withStatementCache } from './statement-cache.js';

export type StoreDialect = 'sqlite' | 'postgres';

export interface StoreOptions {
  /** A postgres:// URL; without it, SQLite at `<dataDir>/dialtone.db`. */
  readonly databaseUrl?: string | undefined;
  readonly dataDir: string;
  /** SQLite only: `:memory:` for tests. */
  readonly sqliteFile?: string;
}

export interface Db {
  readonly kysely: Kysely<Database>;
  readonly dialect: StoreDialect;
  close(): Promise<void>;
}

export class MigrationError extends Error {
  readonly code = 'migration_failed';
}

/** Opens the database and brings its schema up to date. */
export async function openDatabase(options: StoreOptions): Promise<Db> {
  let kysely: Kysely<Database>;
  let dialect: StoreDialect;
  if (options.databaseUrl) {
    dialect = 'postgres';
    kysely = new Kysely<Database>({
      dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: options.databaseUrl, max: 10 }) }),
    });
  } else {
    dialect = 'sqlite';
    let file = options.sqliteFile;
    if (file === undefined) {
      mkdirSync(resolve(options.dataDir), { recursive: true });
      file = join(resolve(options.dataDir), 'dialtone.db');
    }
    const sqlite = new BetterSqlite3(file);
    // WAL lets the API read while a call writes; NORMAL sync is durable across process crashes.
    sqlite.pragma('journal_mode = WAL');
    sqlite.pragma('synchronous = NORMAL');
    sqlite.pragma('foreign_keys = ON');
    sqlite.pragma('busy_timeout = 5000');
    kysely = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(sqlite) }) });
  }
  const provider: MigrationProvider = { getMigrations: async () => migrations(dialect) };
  const { error, results } = await new Migrator({ db: kysely, provider }).migrateToLatest();
  if (error) {
    await kysely.destroy();
    const failed = results?.find((r) => r.status === 'Error')?.migrationName ?? 'unknown';
    throw new MigrationError(`migration ${failed} failed: ${(error as Error).message ?? String(error)}`);
  }
  return { kysely, dialect, close: () => kysely.destroy() };
}
