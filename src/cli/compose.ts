import { mkdir } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../api/server.js';
import type { Config } from '../config/config.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { VERSION } from './version.js';

export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
  readonly http: FastifyInstance;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The composition root: the one place where the real clock, sockets, store and logger
 * are made and handed to the parts that need them.
 */
export async function compose(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<Runtime> {
  const http = await buildServer({ logger, version: VERSION });
  return {
    config,
    logger,
    http,
    async start() {
      await mkdir(config.dataDir, { recursive: true });
      const address = await http.listen({ port: config.http.port, host: config.bindAddress });
      logger.info({ version: VERSION, mode: config.mode, http: address, dataDir: config.dataDir }, 'dialtone started');
    },
    async stop() {
      await http.close();
    },
  };
}
