import type { Config } from '../../config/config.js';
import { openStore, type Store } from '../../store/index.js';
import { ensureFirstStart } from '../../telephony/first-start.js';

/** Opens the store of this node's configuration, creating the first account if none exists yet. */
export async function withStore<T>(config: Config, run: (store: Store, accountSid: string) => Promise<T>, account?: string): Promise<T> {
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  try {
    const accountSid = account ?? (await ensureFirstStart(store, config, `http://127.0.0.1:${config.http.port}`)).account.sid;
    return await run(store, accountSid);
  } finally {
    await store.close();
  }
}

