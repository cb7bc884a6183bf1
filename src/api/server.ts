import formbody from '@fastify/formbody';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import type { Logger } from '../observability/logger.js';
import type { Store } from '../store/index.js';
import { COMPAT_MOUNTS, compatApi } from './compat/index.js';
import { apifonicaCallRoutes } from './apifonica/calls.js';
import type { TelephonyCallControl } from './compat/call-control.js';
import { ApiError } from './errors.js';
import { telnyxCallRoutes } from './telnyx/calls.js';
import { demoRoutes } from './demo/routes.js';
import { recordingMediaRoute } from './recordings/media-route.js';
import { registerOpenApi, serveOpenApi } from './openapi.js';
import { v1Api } from './v1/index.js';
import { validateRoutes } from './v1/validate.js';

export interface ServerDeps {
  readonly logger: Logger;
  readonly version: string;
  /** With a store, the Twilio-compatible API is mounted at /2010-04-01 and /api/laml/2010-04-01, the native API at /v1. */
  readonly store?: Store;
  /** Where recordings' files live: with a store, their audio is served at their media URLs and deleting one removes its file. */
  readonly recordings?: { readonly dataDir: string };
  /** Places and changes live calls (`POST Calls`). */
  readonly calls?: TelephonyCallControl;
}

/** The HTTP server: health, the native v1 API, later the Twilio-compatible API and console. */
export async function buildServer(deps: ServerDeps): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: 1024 * 1024,
    // One log line per request would drown the call logs; errors are logged by the handler.
    logController: new LogController({ disableRequestLogging: true }),
  });

  // Documents arrive as XML or plain text; both are handed over as a string.
  app.addContentTypeParser(['application/xml', 'text/xml', 'application/octet-stream'], { parseAs: 'string' }, (_req, body, done) =>
    done(null, body),
  );

  // Webhooks and the Twilio-compatible API speak application/x-www-form-urlencoded.
  await app.register(formbody);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof ApiError) {
      if (error.retryAfterSeconds !== undefined) void reply.header('Retry-After', String(error.retryAfterSeconds));
      return reply.status(error.status).send(error.toJSON());
    }
    const validation = (error as { validation?: unknown }).validation;
    if (validation !== undefined) {
      return reply.status(400).send(new ApiError(400, 21100, `Invalid request: ${error.message}`).toJSON());
    }
    const status = (error as { statusCode?: number }).statusCode ?? 500;
    if (status >= 500) request.log.error({ err: error }, 'request failed');
    return reply.status(status).send(new ApiError(status, status === 413 ? 11750 : 20500, error.message).toJSON());
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(new ApiError(404, 20404, `The requested resource ${request.url} was not found`).toJSON()),
  );

  // Before any route: the OpenAPI document is gathered from the routes as they register.
  await registerOpenApi(app, deps.version);
  serveOpenApi(app);

  app.get('/healthz', async () => ({ status: 'ok', version: deps.version }));
  await app.register(validateRoutes, { prefix: '/v1' });
  await app.register(demoRoutes, { prefix: '/demo' });
  if (deps.store) {
    for (const base of COMPAT_MOUNTS) await app.register(compatApi, { prefix: base, store: deps.store, base, ...(deps.calls ? { calls: deps.calls } : {}), ...(deps.recordings ? { dataDir: deps.recordings.dataDir } : {}) });
    await app.register(v1Api, { prefix: '/v1', store: deps.store, ...(deps.recordings ? { dataDir: deps.recordings.dataDir } : {}) });
  }
  if (deps.store && deps.calls) {
    // Telnyx's and Apifonica's ways to start a call, over the same placing as POST Calls.
    await app.register(telnyxCallRoutes, { store: deps.store, calls: deps.calls });
    await app.register(apifonicaCallRoutes, { store: deps.store, calls: deps.calls });
  }
  if (deps.store && deps.recordings) await app.register(recordingMediaRoute, { store: deps.store, dataDir: deps.recordings.dataDir });
  return app;
}
