import { compose, type Runtime } from '../compose.js';
import type { Config } from '../../config/config.js';

/** `dialtone start`: runs every service of one node until SIGINT or SIGTERM. */
export async function runStart(config: Config): Promise<number> {
  const runtime: Runtime = await compose(config);
  await runtime.start();
  return new Promise<number>((resolve) => {
    const stop = (signal: NodeJS.Signals): void => {
      runtime.logger.info({ signal }, 'stopping');
      runtime
        .stop()
        .then(() => resolve(0))
        .catch((err: unknown) => {
          runtime.logger.error({ err }, 'stop failed');
          resolve(1);
        });
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
}
