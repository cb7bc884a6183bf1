import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { Exchange } from './recording-proxy.js';

// ajv-formats is CommonJS: imported from ESM its default is module.exports, whose
// `.default` is the plugin itself.
const addFormats = addFormatsModule.default;

interface Schema {
  readonly type?: string;
  readonly [key: string]: unknown;
}
interface Parameter {
  readonly name: string;
  readonly in: 'query' | 'path' | 'header';
  readonly required?: boolean;
  readonly schema: Schema;
}
interface Operation {
  readonly parameters?: readonly Parameter[];
  readonly requestBody?: { readonly content: Record<string, { schema: Schema }> };
  readonly responses: Record<string, { content?: Record<string, { schema: Schema }> }>;
}
export interface OpenApiDocument {
  readonly openapi: string;
  readonly paths: Record<string, Record<string, Operation>>;
}

/** What checking a run of traffic found: problems, and requests to paths the document does not have. */
export interface Conformance {
  readonly checked: number;
  readonly problems: string[];
  readonly undocumented: Exchange[];
}

/**
 * Checks recorded traffic against an OpenAPI 3.0 document: each request's query, path
 * and body against its operation, each answer's status and JSON against the declared
 * responses. A request that breaks the document must have been refused (4xx); one that
 * keeps it must have got a documented answer.
 */
export class OpenApiChecker {
  readonly #ajv: Ajv;
  readonly #routes: { method: string; template: string; pattern: RegExp; params: number; op: Operation }[] = [];
  readonly #compiled = new Map<object, ValidateFunction>();

  /**
   * @param closedQueryPaths path prefixes whose operations take only the query parameters
   *   they list (OpenAPI 3.0 cannot say so; the native API refuses others)
   */
  constructor(
    readonly document: OpenApiDocument,
    readonly closedQueryPaths: readonly string[] = ['/v1/'],
  ) {
    this.#ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.#ajv);
    for (const [template, item] of Object.entries(document.paths)) {
      const source = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '([^/]+)');
      for (const [method, op] of Object.entries(item)) {
        this.#routes.push({ method: method.toUpperCase(), template, pattern: new RegExp(`^${source}$`), params: (template.match(/\{/g) ?? []).length, op });
      }
    }
    // Literal paths before templated ones.
    this.#routes.sort((a, b) => a.params - b.params);
  }

  #validate(schema: Schema, value: unknown): string | undefined {
    let fn = this.#compiled.get(schema);
    if (fn === undefined) {
      fn = this.#ajv.compile(schema);
      this.#compiled.set(schema, fn);
    }
    return fn(value) ? undefined : this.#ajv.errorsText(fn.errors);
  }

  /** Query text as the schema's type: numbers and booleans from their text, lists from repeats. */
  #typed(schema: Schema, values: string[]): unknown {
    if (schema.type === 'array') return values;
    const v = values[0]!;
    if ((schema.type === 'integer' || schema.type === 'number') && /^-?\d+(\.\d+)?$/.test(v)) return Number(v);
    if (schema.type === 'boolean' && (v === 'true' || v === 'false')) return v === 'true';
    return v;
  }

  #requestProblems(op: Operation, exchange: Exchange, url: URL): string[] {
    const problems: string[] = [];
    const declared = new Set<string>();
    for (const p of op.parameters ?? []) {
      if (p.in !== 'query') continue;
      declared.add(p.name);
      const values = url.searchParams.getAll(p.name);
      if (values.length === 0) {
        if (p.required) problems.push(`query ${p.name} is required`);
        continue;
      }
      const error = this.#validate(p.schema, this.#typed(p.schema, values));
      if (error) problems.push(`query ${p.name}: ${error}`);
    }
    const closed = this.closedQueryPaths.some((prefix) => url.pathname.startsWith(prefix));
    if (closed) for (const name of url.searchParams.keys()) if (!declared.has(name)) problems.push(`query ${name} is not a parameter of this operation`);
    if (op.requestBody && exchange.requestBody !== '') {
      const type = String(exchange.requestHeaders['content-type'] ?? '').split(';')[0]!.trim();
      const media = op.requestBody.content[type];
      if (!media) problems.push(`body of type ${type} is not one the operation takes`);
      else {
        let body: unknown;
        if (type === 'application/json') {
          try {
            body = JSON.parse(exchange.requestBody);
          } catch {
            problems.push('body is not JSON');
          }
        } else {
          const form: Record<string, string | string[]> = {};
          for (const [k, v] of new URLSearchParams(exchange.requestBody)) {
            const prev = form[k];
            form[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
          }
          body = form;
        }
        if (body !== undefined) {
          const error = this.#validate(media.schema, body);
          if (error) problems.push(`body: ${error}`);
        }
      }
    }
    return problems;
  }

  #responseProblems(op: Operation, exchange: Exchange): string[] {
    const declared = op.responses[String(exchange.status)] ?? op.responses.default;
    if (!declared) return [`answered ${exchange.status}, which the operation does not document (${Object.keys(op.responses).join(', ')})`];
    const media = declared.content?.['application/json'];
    if (!media) {
      if (exchange.responseBody === '') return [];
      // A body of another type the answer declares (audio) is taken as it is: there is no JSON to check.
      const type = String(exchange.responseHeaders['content-type'] ?? '').split(';')[0]!.trim();
      if (type !== '' && declared.content?.[type] !== undefined) return [];
      return [`answered ${exchange.status} with a body the document says it has none`];
    }
    let body: unknown;
    try {
      body = JSON.parse(exchange.responseBody);
    } catch {
      return [`answered ${exchange.status} with a body that is not JSON`];
    }
    const error = this.#validate(media.schema, body);
    return error ? [`answer ${exchange.status}: ${error}`] : [];
  }

  check(exchanges: readonly Exchange[]): Conformance {
    const problems: string[] = [];
    const undocumented: Exchange[] = [];
    let checked = 0;
    for (const exchange of exchanges) {
      const url = new URL(exchange.url, 'http://x');
      const route = this.#routes.find((r) => r.method === exchange.method && r.pattern.test(url.pathname));
      if (!route) {
        undocumented.push(exchange);
        continue;
      }
      checked++;
      const label = `${exchange.method} ${exchange.url} → ${exchange.status}`;
      const requestProblems = this.#requestProblems(route.op, exchange, url);
      if (requestProblems.length > 0 && (exchange.status < 400 || exchange.status >= 500)) {
        problems.push(`${label}: the request breaks the document (${requestProblems.join('; ')}) yet was not refused`);
      }
      for (const p of this.#responseProblems(route.op, exchange)) problems.push(`${label}: ${p}`);
    }
    return { checked, problems, undocumented };
  }
}

/** Fetches `/openapi.json` from a server and checks the traffic against it. */
export async function checkTraffic(base: string, exchanges: readonly Exchange[]): Promise<Conformance> {
  const document = (await (await fetch(`${base}/openapi.json`)).json()) as OpenApiDocument;
  return new OpenApiChecker(document).check(exchanges);
}
