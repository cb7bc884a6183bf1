import type { Kysely, Migration } from 'kysely';

/** Bearer authentication (Telnyx's API) finds an API key by its secret's hash on every request. */
export function apiKeySecret(): Migration {
  return {
    async up(db: Kysely<unknown>): Promise<void> {
      await db.schema.createIndex('api_keys_secret_hash').on('api_keys').column('secret_hash').execute();
    },
    async down(db: Kysely<unknown>): Promise<void> {
      await db.schema.dropIndex('api_keys_secret_hash').execute();
    },
  };
}
