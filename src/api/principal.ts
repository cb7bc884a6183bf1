/**
 * Who an authenticated request acts as, for every REST API: the auth hook of each API
 * sets it, handlers read it.
 */
import type { FastifyRequest } from 'fastify';
import type { Account } from '../store/index.js';

/** Who a request acts as: an account, through its auth token or one of its API keys. */
export interface Principal {
  readonly account: Account;
  readonly via: 'auth-token' | 'api-key';
}

const principals = new WeakMap<FastifyRequest, Principal>();

export function setPrincipal(request: FastifyRequest, principal: Principal): void {
  principals.set(request, principal);
}

/** The authenticated account of a request; the auth hook ran before any handler. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = principals.get(request);
  if (principal === undefined) throw new Error(`API route ${request.url} reached without authentication`);
  return principal;
}

/** The request path without its query, as Twilio echoes it in errors and `uri`. */
export function pathOf(request: FastifyRequest): string {
  const q = request.url.indexOf('?');
  return q < 0 ? request.url : request.url.slice(0, q);
}
