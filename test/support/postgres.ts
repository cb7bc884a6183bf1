/**
 * PostgreSQL for the store tests: `.ci/run` starts a local cluster and sets
 * DIALTONE_TEST_DATABASE_URL; without it the PostgreSQL suites are skipped.
 */
import pg from 'pg';

export const testDatabaseUrl = process.env.DIALTONE_TEST_DATABASE_URL;

/** `false` when PostgreSQL tests can run, else why they are skipped. */
export const postgresSkip: string | false = testDatabaseUrl ? false : 'DIALTONE_TEST_DATABASE_URL is not set (.ci/run sets it)';

/** A new, empty database on the test cluster, so that every test runs the migrations from scratch. */
export async function freshDatabase(): Promise<string> {
  if (!testDatabaseUrl) throw new Error(`PostgreSQL tests need DIALTONE_TEST_DATABASE_URL`);
  const name = `dialtone_t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: testDatabaseUrl });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const u = new URL(testDatabaseUrl);
  u.pathname = `/${name}`;
  return u.toString();
}
