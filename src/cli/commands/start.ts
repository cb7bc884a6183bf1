import { compose, type Runtime, type StartInfo } from '../compose.js';
import type { Config } from '../../config/config.js';
import { formatHostPort } from '../../sip/transport/address.js';

/** What a person starting Dialtone needs to see once: where it is and how to use it. */
export function startBanner(info: StartInfo): string {
  const { account, created, demoNumber } = info.firstStart;
  const lines = [`Dialtone is running at ${info.httpUrl}`, `  sip      ${formatHostPort(info.sip)} (UDP and TCP)`, `  account  ${account.sid}`];
  if (created) {
    lines.push(`  token    ${account.authToken}   (shown once; set DIALTONE_AUTH_TOKEN to choose your own)`);
  }
  if (demoNumber) {
    lines.push(`  demo     ${demoNumber.phoneNumber} answers with the demo application at ${demoNumber.voiceUrl}`);
  }
  lines.push(`  check a document:  npx dialtone validate app.xml`);
  return lines.join('\n');
}

/** `dialtone start`: runs every service of one node until SIGINT or SIGTERM. */
export async function runStart(config: Config, print: (text: string) => void): Promise<number> {
  const runtime: Runtime = await compose(config);
  const info = await runtime.start();
  print(startBanner(info));
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
