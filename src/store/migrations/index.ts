import type { Migration } from 'kysely';
import type { StoreDialect } from '../db.js';
import { init } from './0001_init.js';
import { outbox } from './0002_outbox.js';
import { api } from './0003_api.js';
import { sipClients } from './0004_sip_clients.js';
import { trunks } from './0005_trunks.js';
import { apiKeySecret } from './0006_api_key_secret.js';

/** Every migration, in order; names are stable once released. */
export function migrations(dialect: StoreDialect): Record<string, Migration> {
  return {
    '0001_init': init(dialect),
    '0002_outbox': outbox(dialect),
    '0003_api': api(),
    '0004_sip_clients': sipClients(),
    '0005_trunks': trunks(),
    '0006_api_key_secret': apiKeySecret(),
  };
}
