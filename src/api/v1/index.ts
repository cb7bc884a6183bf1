import type { TSchema } from '@sinclair/typebox';
import { TypeCompiler, type ValueError } from '@sinclair/typebox/compiler';
import { Value } from '@sinclair/typebox/value';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import type { Store } from '../../store/index.js';
import { AuthenticateError } from '../compat/errors.js';
import { ApiError } from '../errors.js';
import { applicationRoutes } from './applications.js';
import { V1Authenticator } from './auth.js';
import { callRoutes } from './calls.js';
import { pathOf, setPrincipal } from '../principal.js';
import type { V1Context } from './context.js';
import { FieldError, errorJson, notFound } from './errors.js';
import { keyRoutes } from './keys.js';
import { messageRoutes } from './messages.js';
import { numberRoutes } from './numbers.js';
import { recordingRoutes } from './recordings.js';
import { trunkRoutes } from './trunks.js';
import { WriteLock } from './write-lock.js';

export interface V1Options {
  readonly store: Store;
  /** The clock signatures are checked against; tests pass their own. */
  readonly now?: () => number;
  /** The data directory recordings' files are under (deleting a recording removes its file). */
  readonly dataDir?: string;
}

/** The challenge a 401 carries: both schemes the API takes. */
export const V1_CHALLENGE = 'Basic realm="Dialtone API", ApifonWS realm="Dialtone API"';

const rawBodies = new WeakMap<FastifyRequest, string>();

function describe(e: ValueError): string {
  const choices = (e.schema as { anyOf?: { const?: unknown }[] }).anyOf;
  if (choices?.every((c) => c.const !== undefined)) return `must be one of ${choices.map((c) => String(c.const)).join(', ')}`;
  if (e.message === 'Unexpected property') return 'is not a field this operation takes';
  return e.message.charAt(0).toLowerCase() + e.message.slice(1);
}

/**
 * Request validation with TypeBox's compiler: the route schemas are the contract and the
 * OpenAPI at once, and a failure names the field (`to`, `page`) in the seed's error shape.
 * Query and path values arrive as text and are converted to the schema's types first.
 */
function typeboxValidator({ schema, httpPart }: { schema: unknown; httpPart?: string }) {
  const typed = schema as TSchema;
  const check = TypeCompiler.Compile(typed);
  const convert = httpPart === 'querystring' || httpPart === 'params';
  const where = httpPart === 'querystring' ? 'query parameter' : httpPart === 'params' ? 'path parameter' : 'field';
  return (data: unknown) => {
    const value = convert ? Value.Convert(typed, data) : data;
    if (check.Check(value)) return { value };
    const first = check.Errors(value).First()!;
    if (first.path === '') {
      const what = httpPart === 'body' ? 'The request body must be a JSON object' : `The ${httpPart ?? 'request'} is not valid: ${first.message}`;
      return { error: new FieldError(400, 20001, what) };
    }
    const field = first.path.slice(1).replace(/\//g, '.');
    return { error: new FieldError(400, 20001, `Invalid ${where} ${field}: ${describe(first)}`, field) };
  };
}

/**
 * The native API under /v1, in the Apifon seed's conventions: JSON bodies, page/size,
 * sort/sort_dir, filters on fields, `fields` partial answers, `meta` with Etags and
 * If-Match, `links` between pages. Same store and services as the compatible API.
 */
export async function v1Api(app: FastifyInstance, options: V1Options): Promise<void> {
  const ctx: V1Context = { store: options.store, base: '/v1', ...(options.dataDir !== undefined ? { dataDir: options.dataDir } : {}) };
  const auth = new V1Authenticator(options.store, options.now);
  const lock = new WriteLock();

  // JSON only; the raw text is kept for ApifonWS signatures, which cover the exact bytes.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = body as string;
    rawBodies.set(request, text);
    if (text.trim() === '') return done(null, undefined);
    try {
      done(null, JSON.parse(text));
    } catch {
      done(new FieldError(400, 20001, 'The request body is not valid JSON'), undefined);
    }
  });

  app.setValidatorCompiler(typeboxValidator);
  // Response schemas document the answers; JSON.stringify writes them (faster than the compiled serializer here).
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));

  // After the body is read (a signature covers it), before it is validated: a stranger learns nothing of the schema.
  // A callback hook: a remembered credential is admitted in this turn (an empty async hook took a bare route from 39 to 72 µs, bench/api).
  app.addHook('preValidation', (request, _reply, done) => {
    const known = auth.remembered(request.headers.authorization);
    if (known !== undefined) {
      setPrincipal(request, known);
      done();
      return;
    }
    const date = request.headers['x-apifonws-date'];
    auth
      .authenticate(request.headers.authorization, {
        method: request.method,
        path: pathOf(request),
        body: rawBodies.get(request) ?? '',
        date: Array.isArray(date) ? date[0] : date,
      })
      .then((principal) => setPrincipal(request, principal))
      .then(
        () => done(),
        (error: Error) => done(error),
      );
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error instanceof AuthenticateError) return reply.status(401).header('www-authenticate', V1_CHALLENGE).send(errorJson(error));
    if (error instanceof ApiError) return reply.status(error.status).send(errorJson(error));
    const status = error.statusCode;
    if (status !== undefined && status >= 400 && status < 500) {
      const code = status === 415 ? 20415 : status === 413 ? 11750 : 20001;
      return reply.status(status).send(errorJson(new ApiError(status, code, error.message)));
    }
    request.log.error({ err: error }, 'v1 request failed');
    return reply.status(500).send(errorJson(new ApiError(500, 20500, 'Internal error')));
  });
  app.setNotFoundHandler((request, reply) => reply.status(404).send(errorJson(notFound(pathOf(request)))));

  await callRoutes(app, ctx, lock);
  await numberRoutes(app, ctx, lock);
  await applicationRoutes(app, ctx, lock);
  await messageRoutes(app, ctx, lock);
  await keyRoutes(app, ctx, lock);
  await recordingRoutes(app, ctx, lock);
  await trunkRoutes(app, ctx, lock);
}
