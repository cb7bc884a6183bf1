import { createHash } from 'node:crypto';
import { Type, type TObject, type TSchema } from '@sinclair/typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { FilterValue, ListQuery, ListResult } from '../../store/index.js';
import { invalidField, preconditionFailed } from './errors.js';
import { pathOf } from '../principal.js';

/** One field of a native resource, as answered and, when it has a column, as filtered and sorted. */
export interface Field<Row> {
  readonly schema: TSchema;
  /** The store column behind it; a field without one (derived, a list) is shown but not filtered or sorted. */
  readonly column?: keyof Row & string;
  /** How a filter's text becomes the column's value; `boolean` is `true`/`false` over a 1/0 column. */
  readonly kind?: 'text' | 'integer' | 'boolean';
  readonly nullable?: boolean;
}

/** A resource of the native API: its fields in answer order, how it lists by default, and its JSON. */
export interface Resource<T, Row> {
  /** The path segment and the OpenAPI tag: `calls`. */
  readonly name: string;
  /** The OpenAPI component name: `Call`. */
  readonly title: string;
  readonly fields: Readonly<Record<string, Field<Row>>>;
  readonly defaultSort: { readonly field: string; readonly direction: 'asc' | 'desc' };
  json(item: T): Record<string, unknown>;
}

export const DEFAULT_SIZE = 50;
export const MAX_SIZE = 1000;

export const Nullable = <S extends TSchema>(schema: S) => Type.Union([schema, Type.Null()]);
export const IsoDate = Type.String({ format: 'date-time', description: 'ISO 8601, UTC' });

/** Every field present: what a resource is when no `fields` narrow it. */
export function resourceSchema<T, Row>(res: Resource<T, Row>): TObject {
  const props: Record<string, TSchema> = {};
  for (const [name, f] of Object.entries(res.fields)) props[name] = f.schema;
  return Type.Object(props, { additionalProperties: false, $id: res.title, title: res.title });
}

/** A resource as answered: only the fields asked for when `fields` is given. */
function answeredSchema<T, Row>(res: Resource<T, Row>): TSchema {
  const props: Record<string, TSchema> = {};
  for (const [name, f] of Object.entries(res.fields)) props[name] = Type.Optional(f.schema);
  return Type.Object(props, { additionalProperties: false, description: `A ${res.title}: every field, or those \`fields\` names` });
}

const Etag = Type.String({ description: 'The entity tag of the resource as it is now; send it back in If-Match to write only that version' });

export function itemSchema<T, Row>(res: Resource<T, Row>): TObject {
  return Type.Object({ data: answeredSchema(res), meta: Type.Object({ Etag }, { additionalProperties: false }) }, { additionalProperties: false });
}

const Link = Nullable(Type.String({ description: 'Path and query of that page, or null when there is none' }));

export function listSchema<T, Row>(res: Resource<T, Row>): TObject {
  return Type.Object(
    {
      data: Type.Array(answeredSchema(res)),
      meta: Type.Object(
        {
          total: Type.Integer({ minimum: 0, description: 'Resources on all pages' }),
          page: Type.Integer({ minimum: 1 }),
          size: Type.Integer({ minimum: 1 }),
          pages: Type.Integer({ minimum: 1 }),
          sort: Type.String(),
          sort_dir: Type.Union([Type.Literal('ASC'), Type.Literal('DESC')]),
          Etags: Type.Record(Type.String(), Etag, { description: 'The Etag of each resource on the page, by id' }),
        },
        { additionalProperties: false },
      ),
      links: Type.Object({ first: Type.String(), last: Type.String(), prev: Link, next: Link }, { additionalProperties: false }),
    },
    { additionalProperties: false },
  );
}

const FieldsParam = Type.String({ description: 'Comma-separated fields to answer with; an unknown field is a 400', pattern: '^[a-z_]+(,[a-z_]+)*$' });

export function itemQuerySchema(): TObject {
  return Type.Object({ fields: Type.Optional(FieldsParam), field: Type.Optional(FieldsParam) }, { additionalProperties: false });
}

function sortable<T, Row>(res: Resource<T, Row>): string[] {
  return Object.entries(res.fields)
    .filter(([, f]) => f.column !== undefined)
    .map(([name]) => name);
}

/** page, size, sort, sort_dir, fields, and one equality filter per column-backed field. */
export function listQuerySchema<T, Row>(res: Resource<T, Row>): TObject {
  const props: Record<string, TSchema> = {
    page: Type.Optional(Type.Integer({ minimum: 1, default: 1, description: 'Page number, from 1' })),
    size: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_SIZE, default: DEFAULT_SIZE, description: 'Resources per page' })),
    sort: Type.Optional(Type.Union(sortable(res).map((n) => Type.Literal(n)), { default: res.defaultSort.field })),
    sort_dir: Type.Optional(
      Type.Union(['ASC', 'DESC', 'asc', 'desc'].map((d) => Type.Literal(d)), { default: res.defaultSort.direction.toUpperCase() }),
    ),
    fields: Type.Optional(FieldsParam),
    field: Type.Optional(FieldsParam),
  };
  for (const name of sortable(res)) {
    const f = res.fields[name]!;
    props[name] = Type.Optional(
      Type.String({ description: `Only resources whose ${name} equals this${f.nullable ? ' (`null`: has none)' : ''}` }),
    );
  }
  return Type.Object(props, { additionalProperties: false });
}

/** The fields a request narrowed its answer to, or undefined for all. `field` is the seed's spelling. */
export function readFields<T, Row>(res: Resource<T, Row>, query: { fields?: string; field?: string }): readonly string[] | undefined {
  const raw = query.fields ?? query.field;
  if (raw === undefined) return undefined;
  const names = raw.split(',');
  for (const name of names) {
    if (!(name in res.fields)) {
      throw invalidField(query.fields !== undefined ? 'fields' : 'field', `Unknown field ${name}: ${res.name} have ${Object.keys(res.fields).join(', ')}`);
    }
  }
  return names;
}

export interface ListRequest {
  readonly page: number;
  readonly size: number;
  readonly sort: string;
  readonly direction: 'asc' | 'desc';
  readonly fields: readonly string[] | undefined;
  readonly filters: readonly { readonly field: string; readonly value: FilterValue }[];
}

const LIST_KEYS = new Set(['page', 'size', 'sort', 'sort_dir', 'fields', 'field']);

/** A list request, from a query the route schema already checked (names, page and size ranges). */
export function readListRequest<T, Row>(res: Resource<T, Row>, query: Record<string, unknown>): ListRequest {
  const filters: { field: string; value: FilterValue }[] = [];
  for (const [name, raw] of Object.entries(query)) {
    if (LIST_KEYS.has(name) || typeof raw !== 'string') continue;
    const f = res.fields[name];
    if (f?.column === undefined) throw invalidField(name, `${res.name} cannot be filtered on ${name}`);
    let value: FilterValue = raw;
    if (f.nullable && raw === 'null') value = null;
    else if (f.kind === 'integer') {
      if (!/^-?\d{1,15}$/.test(raw)) throw invalidField(name, `${name} is a whole number, not ${raw}`);
      value = Number(raw);
    } else if (f.kind === 'boolean') {
      if (raw !== 'true' && raw !== 'false') throw invalidField(name, `${name} is true or false, not ${raw}`);
      value = raw === 'true' ? 1 : 0;
    }
    filters.push({ field: name, value });
  }
  const q = query as { page?: number; size?: number; sort?: string; sort_dir?: string; fields?: string; field?: string };
  return {
    page: q.page ?? 1,
    size: q.size ?? DEFAULT_SIZE,
    sort: q.sort ?? res.defaultSort.field,
    direction: q.sort_dir === undefined ? res.defaultSort.direction : q.sort_dir.toLowerCase() === 'asc' ? 'asc' : 'desc',
    fields: readFields(res, q),
    filters,
  };
}

export function storeQuery<T, Row>(res: Resource<T, Row>, list: ListRequest): ListQuery<Row> {
  const column = (field: string): keyof Row & string => {
    const c = res.fields[field]?.column;
    if (c === undefined) throw invalidField('sort', `${res.name} cannot be sorted on ${field}`);
    return c;
  };
  return {
    filters: list.filters.map((f) => ({ column: column(f.field), value: f.value })),
    sort: { column: column(list.sort), direction: list.direction },
    offset: (list.page - 1) * list.size,
    limit: list.size,
  };
}

/** A hash of everything the resource says: any change of any field changes it. */
export function etagOf(json: Record<string, unknown>): string {
  return createHash('md5').update(JSON.stringify(json)).digest('hex');
}

function narrowed(json: Record<string, unknown>, fields: readonly string[] | undefined): Record<string, unknown> {
  if (fields === undefined) return json;
  const out: Record<string, unknown> = {};
  for (const f of fields) out[f] = json[f];
  return out;
}

/** The list envelope: `data`, `meta` (totals, the order, each resource's Etag) and `links`. */
export function listBody<T, Row>(res: Resource<T, Row>, request: FastifyRequest, list: ListRequest, result: ListResult<T>): Record<string, unknown> {
  const pages = Math.max(1, Math.ceil(result.total / list.size));
  const path = pathOf(request);
  const q = request.url.indexOf('?');
  const kept = new URLSearchParams(q < 0 ? '' : request.url.slice(q + 1));
  const link = (page: number): string => {
    kept.set('page', String(page));
    kept.set('size', String(list.size));
    return `${path}?${kept.toString()}`;
  };
  const data: Record<string, unknown>[] = [];
  const Etags: Record<string, string> = {};
  for (const item of result.rows) {
    const json = res.json(item);
    Etags[String(json.id)] = etagOf(json);
    data.push(narrowed(json, list.fields));
  }
  return {
    data,
    meta: { total: result.total, page: list.page, size: list.size, pages, sort: list.sort, sort_dir: list.direction.toUpperCase(), Etags },
    links: {
      first: link(1),
      last: link(pages),
      prev: list.page > 1 ? link(Math.min(list.page - 1, pages)) : null,
      next: list.page < pages ? link(list.page + 1) : null,
    },
  };
}

/** One resource: `{ data, meta: { Etag } }`, and the same tag in the ETag header for HTTP caches. */
export function sendItem<T, Row>(reply: FastifyReply, res: Resource<T, Row>, item: T, fields: readonly string[] | undefined, status = 200): FastifyReply {
  const json = res.json(item);
  const etag = etagOf(json);
  return reply.status(status).header('etag', `"${etag}"`).send({ data: narrowed(json, fields), meta: { Etag: etag } });
}

function tagsOf(header: string): string[] {
  return header.split(',').map((t) => t.trim().replace(/^W\//, '').replace(/^"(.*)"$/, '$1'));
}

/** With If-Match, a write goes through only if the resource is still the version the client read (RFC 9110 §13.1.1). */
export function checkIfMatch<T, Row>(request: FastifyRequest, res: Resource<T, Row>, item: T): void {
  const header = request.headers['if-match'];
  if (header === undefined) return;
  const current = etagOf(res.json(item));
  const tags = tagsOf(header);
  if (!tags.includes('*') && !tags.includes(current)) throw preconditionFailed(pathOf(request), current);
}

/** If-None-Match on a read: 304 when the client already holds this version. */
export function notModified<T, Row>(request: FastifyRequest, res: Resource<T, Row>, item: T): boolean {
  const header = request.headers['if-none-match'];
  if (header === undefined) return false;
  const current = etagOf(res.json(item));
  const tags = tagsOf(header);
  return tags.includes('*') || tags.includes(current);
}
