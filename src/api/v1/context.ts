import type { FastifyRequest } from 'fastify';
import type { Store } from '../../store/index.js';
import type { Principal } from '../compat/context.js';

export type { Principal };

/** What every resource module of the native API is given. */
export interface V1Context {
  readonly store: Store;
  /** The mount, as links in answers spell it: `/v1`. */
  readonly base: string;
  /** Where recordings' files are; deleting a recording removes its file only when given. */
  readonly dataDir?: string;
}

const principals = new WeakMap<FastifyRequest, Principal>();

export function setPrincipal(request: FastifyRequest, principal: Principal): void {
  principals.set(request, principal);
}

/** The authenticated account of a request; the auth hook ran before any handler. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = principals.get(request);
  if (principal === undefined) throw new Error('v1 route reached without authentication');
  return principal;
}

/** The request path without its query. */
export function pathOf(request: FastifyRequest): string {
  const q = request.url.indexOf('?');
  return q < 0 ? request.url : request.url.slice(0, q);
}
