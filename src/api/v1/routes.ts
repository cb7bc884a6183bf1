import { Type, type TSchema } from '@sinclair/typebox';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ListQuery, ListResult } from '../../store/index.js';
import { pathOf } from '../principal.js';
import { ErrorBody, notFound } from './errors.js';
import {
  itemQuerySchema,
  itemSchema,
  listBody,
  listQuerySchema,
  listSchema,
  notModified,
  readFields,
  readListRequest,
  sendItem,
  storeQuery,
  type Resource,
} from './resource.js';

export interface ItemParams {
  readonly id: string;
}

export const ItemParamsSchema = Type.Object({ id: Type.String({ description: 'The resource id' }) });

/** Both schemes the native API takes; each operation names them. */
export const SECURITY: { [scheme: string]: string[] }[] = [{ basic: [] }, { apifonWS: [] }];

/** The errors every authenticated operation may answer with, in the seed's shape. */
export function errorResponses(...statuses: number[]): Record<number, TSchema> {
  const out: Record<number, TSchema> = {};
  for (const status of [400, 401, ...statuses]) out[status] = { ...ErrorBody, $id: undefined, description: descriptions[status] ?? 'Error' };
  return out;
}

const descriptions: Record<number, string> = {
  400: 'The request is not valid: a parameter, a field, or the body',
  401: 'Missing or wrong credentials',
  404: 'No such resource in this account',
  409: 'The resource is in a state that does not allow this',
  412: 'If-Match named a version that is no longer current',
  415: 'The body is not JSON',
};

type Get<T> = (request: FastifyRequest, id: string) => Promise<T | undefined>;

export function listRoute<T, Row>(app: FastifyInstance, res: Resource<T, Row>, page: (request: FastifyRequest, query: ListQuery<Row>) => Promise<ListResult<T>>): void {
  app.get(
    `/${res.name}`,
    {
      schema: {
        tags: [res.name],
        summary: `List ${res.name}`,
        description: 'page and size paginate; sort and sort_dir order; any other parameter named after a field filters on it (all must match); fields narrows each resource.',
        security: SECURITY,
        querystring: listQuerySchema(res),
        response: { 200: { ...listSchema(res), description: `A page of ${res.name}` }, ...errorResponses() },
      },
    },
    async (request) => {
      const list = readListRequest(res, request.query as Record<string, unknown>);
      const result = await page(request, storeQuery(res, list));
      return listBody(res, request, list, result);
    },
  );
}

export function itemRoute<T, Row>(app: FastifyInstance, res: Resource<T, Row>, get: Get<T>): void {
  app.get(
    `/${res.name}/:id`,
    {
      schema: {
        tags: [res.name],
        summary: `Fetch a ${res.title.toLowerCase()}`,
        description: 'With If-None-Match holding the current Etag, the answer is 304 and no body.',
        security: SECURITY,
        params: ItemParamsSchema,
        querystring: itemQuerySchema(),
        response: { 200: { ...itemSchema(res), description: `The ${res.title.toLowerCase()}` }, 304: { type: 'null', description: 'Not modified' }, ...errorResponses(404) },
      },
    },
    async (request, reply) => {
      const fields = readFields(res, request.query as { fields?: string });
      const item = await get(request, (request.params as ItemParams).id);
      if (item === undefined) throw notFound(pathOf(request));
      if (notModified(request, res, item)) return reply.status(304).send();
      return sendItem(reply, res, item, fields);
    },
  );
}

/** DELETE `/{name}/{id}`; `remove` checks If-Match and throws 404 itself, inside its write lock. */
export function removeRoute<T, Row>(app: FastifyInstance, res: Resource<T, Row>, summary: string, remove: (request: FastifyRequest) => Promise<void>): void {
  app.delete(
    `/${res.name}/:id`,
    {
      schema: {
        tags: [res.name],
        summary,
        description: 'With If-Match, only if the resource is still that version (412 otherwise).',
        security: SECURITY,
        params: ItemParamsSchema,
        response: { 204: { type: 'null', description: 'Deleted' }, ...errorResponses(404, 409, 412) },
      },
    },
    async (request, reply: FastifyReply) => {
      await remove(request);
      return reply.status(204).send();
    },
  );
}

/** POST `/{name}`: a JSON body, 201 with the new resource. */
export function createRoute<T, Row>(
  app: FastifyInstance,
  res: Resource<T, Row>,
  body: TSchema,
  create: (request: FastifyRequest, reply: FastifyReply) => Promise<T>,
  options: { summary?: string; extra?: (item: T) => Record<string, unknown> } = {},
): void {
  app.post(
    `/${res.name}`,
    {
      schema: {
        tags: [res.name],
        summary: options.summary ?? `Create a ${res.title.toLowerCase()}`,
        security: SECURITY,
        querystring: itemQuerySchema(),
        body,
        response: { 201: { ...itemSchema(res), description: `The new ${res.title.toLowerCase()}` }, ...errorResponses(409, 415) },
      },
    },
    async (request, reply) => {
      const fields = readFields(res, request.query as { fields?: string });
      const item = await create(request, reply);
      return sendItem(reply, res, item, fields, 201);
    },
  );
}

/** PUT `/{name}/{id}`: the fields given change, the others stay; If-Match guards it. */
export function updateRoute<T, Row>(app: FastifyInstance, res: Resource<T, Row>, body: TSchema, update: (request: FastifyRequest) => Promise<T>): void {
  app.put(
    `/${res.name}/:id`,
    {
      schema: {
        tags: [res.name],
        summary: `Update a ${res.title.toLowerCase()}`,
        description: 'Fields given change; fields left out keep their value. With If-Match, only if the resource is still that version (412 otherwise).',
        security: SECURITY,
        params: ItemParamsSchema,
        querystring: itemQuerySchema(),
        body,
        response: { 200: { ...itemSchema(res), description: `The ${res.title.toLowerCase()} as it is now` }, ...errorResponses(404, 409, 412, 415) },
      },
    },
    async (request, reply) => {
      const fields = readFields(res, request.query as { fields?: string });
      const item = await update(request);
      return sendItem(reply, res, item, fields);
    },
  );
}
