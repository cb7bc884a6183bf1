import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { Store } from '../../store/index.js';
import { ApiError } from '../errors.js';
import { accountRoutes } from './accounts.js';
import { applicationRoutes } from './applications.js';
import { Authenticator } from './auth.js';
import type { TelephonyCallControl } from './call-control.js';
import { callRoutes } from './calls.js';
import { pathOf, setPrincipal, type Principal } from '../principal.js';
import type { CompatContext } from './context.js';
import { AuthenticateError, notFound } from './errors.js';
import { incomingPhoneNumberRoutes } from './incoming-phone-numbers.js';
import { keyRoutes } from './keys.js';
import { messageRoutes } from './messages.js';
import { COMPAT_OPERATION, COMPAT_SCHEMAS } from './openapi.js';
import { recordingRoutes } from './recordings.js';

export interface CompatOptions {
  readonly store: Store;
  /** The mount, as URIs in answers spell it: `/2010-04-01` or `/api/laml/2010-04-01`. */
  readonly base: string;
  readonly calls?: TelephonyCallControl;
  readonly dataDir?: string;
}

/** The mounts the compatible API answers on: Twilio's (and SignalWire's SDK), and SignalWire's documented base. */
export const COMPAT_MOUNTS = ['/2010-04-01', '/api/laml/2010-04-01'] as const;

/**
 * The Twilio-compatible 2010-04-01 API, registered once per mount with that mount as
 * its prefix. Every route authenticates (HTTP Basic: account SID and auth token, or an
 * API key) and sees only the authenticated account: another account's SID in the path
 * is a 20404, as is another account's resource.
 */
export async function compatApi(app: FastifyInstance, options: CompatOptions): Promise<void> {
  const ctx: CompatContext = { store: options.store, base: options.base, ...(options.calls ? { calls: options.calls } : {}), ...(options.dataDir ? { dataDir: options.dataDir } : {}) };
  const auth = new Authenticator(options.store);

  // Each route's schema documents it in /openapi.json. Parameters are read by params.ts
  // with Twilio's leniency and answers written by JSON.stringify, so schemas neither
  // validate nor serialize here; the tests check traffic against them instead.
  app.addHook('onRoute', (route) => {
    const key = `${String(route.method)} ${route.url.slice(options.base.length)}`;
    const schema = COMPAT_SCHEMAS[key];
    if (schema !== undefined) route.schema = { ...COMPAT_OPERATION, ...schema, ...route.schema };
  });
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  const admit = (request: FastifyRequest, principal: Principal): void => {
    const pathAccount = (request.params as { AccountSid?: string } | undefined)?.AccountSid;
    if (pathAccount !== undefined && pathAccount !== principal.account.sid) throw notFound(pathOf(request));
    setPrincipal(request, principal);
  };
  // A callback hook, not an async one: a client sending the credentials it sent a moment
  // ago is admitted in this turn (an empty async hook took a bare route from 39 to 72 µs, bench/api).
  app.addHook('onRequest', (request, _reply, done) => {
    const header = request.headers.authorization;
    const known = auth.remembered(header);
    if (known !== undefined) {
      try {
        admit(request, known);
      } catch (error) {
        done(error as Error);
        return;
      }
      done();
      return;
    }
    auth
      .authenticate(header)
      .then((principal) => admit(request, principal))
      .then(
        () => done(),
        (error: Error) => done(error),
      );
  });

  app.setErrorHandler((error: FastifyError, _request, reply) => {
    if (error instanceof AuthenticateError) {
      return reply.status(401).header('www-authenticate', AuthenticateError.CHALLENGE).send(error.toJSON());
    }
    if (error instanceof ApiError) return reply.status(error.status).send(error.toJSON());
    // Fastify's own 4xx (a body that is not JSON, a content type nobody parses): Twilio's shape.
    const status = error.statusCode;
    if (status !== undefined && status >= 400 && status < 500 && status !== 413) {
      return reply.status(status).send(new ApiError(status, 20001, `Invalid request: ${error.message}`).toJSON());
    }
    throw error;
  });

  await accountRoutes(app, ctx);
  await callRoutes(app, ctx);
  await incomingPhoneNumberRoutes(app, ctx);
  await applicationRoutes(app, ctx);
  await keyRoutes(app, ctx);
  await messageRoutes(app, ctx);
  await recordingRoutes(app, ctx);
}
