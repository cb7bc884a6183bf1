import { describe } from 'node:test';
import { openStore } from '../../../src/store/index.js';
import { storeSuite } from './store.suite.js';
import { freshDatabase, postgresSkip } from '../../support/postgres.js';


/** Each test gets an empty database: the migrations run from scratch every time. */

describe('store on PostgreSQL', { skip: postgresSkip }, () => {
  storeSuite(async () => openStore({ dataDir: '.', databaseUrl: await freshDatabase() }));
});
