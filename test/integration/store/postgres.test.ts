import { describe } from 'node:test';
import pg from 'pg';
import { openStore } from '../../../src/store/index.js';
import { storeSuite } from './store.suite.js';

const url = process.env.DIALTONE_TEST_DATABASE_URL;

/** Each test gets an empty database: the migrations run from scratch every time. */
async function freshDatabase(): Promise<string> {
  const name = `dialtone_t${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`create database ${name}`);
  await client.end();
  const u = new URL(url!);
  u.pathname = `/${name}`;
  return u.toString();
}

describe('store on PostgreSQL', { skip: url ? false : 'DIALTONE_TEST_DATABASE_URL is not set (.ci/run sets it)' }, () => {
  storeSuite(async () => openStore({ dataDir: '.', databaseUrl: await freshDatabase() }));
});
