import type { FastifyRequest } from 'fastify';
import type { Account, Store } from '../../store/index.js';
import type { TelephonyCallControl } from './call-control.js';

/** Who a request acts as: an account, through its auth token or one of its API keys. */
export interface Principal {
  readonly account: Account;
  readonly via: 'auth-token' | 'api-key';
}

/** What every resource module of the compatible API is given. */
export interface CompatContext {
  readonly store: Store;
  /** The mount the request came in on, `/2010-04-01` or `/api/laml/2010-04-01`: URIs in answers start with it. */
  readonly base: string;
  /** Places and changes live calls; without it `POST Calls` is not offered. */
  readonly calls?: TelephonyCallControl;
  /** Where recordings' files live (rows hold paths relative to it); deleting a recording removes its file there. */
  readonly dataDir?: string;
}

const principals = new WeakMap<FastifyRequest, Principal>();

export function setPrincipal(request: FastifyRequest, principal: Principal): void {
  principals.set(request, principal);
}

/** The authenticated account of a request; the auth hook ran before any handler. */
export function principalOf(request: FastifyRequest): Principal {
  const principal = principals.get(request);
  if (principal === undefined) throw new Error('compatible API route reached without authentication');
  return principal;
}

/** The request path without its query, as Twilio echoes it in errors and `uri`. */
export function pathOf(request: FastifyRequest): string {
  const q = request.url.indexOf('?');
  return q < 0 ? request.url : request.url.slice(0, q);
}
