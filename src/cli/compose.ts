import { mkdir } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../api/server.js';
import type { Config } from '../config/config.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { openStore, type Store } from '../store/index.js';
import { ensureFirstStart, type FirstStart } from '../telephony/first-start.js';
import { VERSION } from './version.js';

export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
  readonly http: FastifyInstance;
  readonly store: Store;
  start(): Promise<StartInfo>;
  stop(): Promise<void>;
}

export interface StartInfo {
  readonly httpUrl: string;
  readonly firstStart: FirstStart;
}

/** The URL this node's own services (the demo application) are reached at. */
function localBase(config: Config, port: number): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/+$/, '');
  const host = config.bindAddress === '0.0.0.0' || config.bindAddress === '::' ? '127.0.0.1' : config.bindAddress;
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

/**
 * The composition root: the one place where the real clock, sockets, store and logger
 * are made and handed to the parts that need them.
 */
export async function compose(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<Runtime> {
  await mkdir(config.dataDir, { recursive: true });
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const http = await buildServer({ logger, version: VERSION });
  return {
    config,
    logger,
    http,
    store,
    async start() {
      await http.listen({ port: config.http.port, host: config.bindAddress });
      const address = http.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : config.http.port;
      const httpUrl = localBase(config, port);
      const firstStart = await ensureFirstStart(store, config, httpUrl);
      logger.info(
        { version: VERSION, mode: config.mode, http: httpUrl, dataDir: config.dataDir, database: store.db.dialect, account: firstStart.account.sid },
        'dialtone started',
      );
      return { httpUrl, firstStart };
    },
    async stop() {
      await http.close();
      await store.close();
    },
  };
}
