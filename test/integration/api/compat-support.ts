import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import twilio from 'twilio';
import { TelephonyCallControl } from '../../../src/api/compat/call-control.js';
import { buildServer } from '../../../src/api/server.js';
import { openStore, type Account, type Store } from '../../../src/store/index.js';
import { LiveCalls } from '../../../src/telephony/live-calls.js';
import { checkTraffic, type Conformance } from '../../support/openapi-conformance.js';
import { startRecordingProxy, type Exchange } from '../../support/recording-proxy.js';

// Region and edge settings would rewrite 127.0.0.1 into a twilio.com host name (rest-api.md §2.1).
delete process.env.TWILIO_REGION;
delete process.env.TWILIO_EDGE;

/** A page of the native v1 API's list endpoints. */
export interface Page<T = Record<string, unknown>> {
  data: T[];
  meta: { total: number; page: number; size: number; pages: number; sort: string; sort_dir: string; Etags: Record<string, string> };
  links: { first: string; last: string; prev: string | null; next: string | null };
}
/** One resource of the native v1 API. */
export interface Item<T = Record<string, unknown>> {
  data: T;
  meta: { Etag: string };
}
/** The native v1 API's error body. */
export interface ErrorBody {
  result_info: { status_code: number; description: string };
  errors: { code: number; message: string; field: string | null; more_info: string }[];
}

export interface CompatServer {
  /** Where clients connect: a recording proxy in front of the server, so every exchange can be checked against /openapi.json. */
  readonly base: string;
  /** Every request made through `base` and its answer. */
  readonly traffic: readonly Exchange[];
  /** The recorded traffic checked against the server's own /openapi.json. */
  conformance(): Promise<Conformance>;
  readonly store: Store;
  readonly account: Account;
  /** A second account, to show that one never sees the other's resources. */
  readonly other: Account;
  /** The official client, pointed at this server. */
  client(username?: string, password?: string, accountSid?: string): twilio.Twilio;
  /** A raw request with Basic credentials (the account's unless given). */
  request(method: string, path: string, init?: { body?: string | URLSearchParams; json?: unknown; headers?: Record<string, string>; auth?: [string, string] }): Promise<Response>;
  close(): Promise<void>;
}

/**
 * With `callControl`, `POST Calls` and `POST Calls/{Sid}` are mounted, with telephony not started (placing a call is a 503).
 * With `dataDir`, the store lives there and recordings' files are served from (and deleted in) it.
 */
export async function startCompatServer(options: { readonly callControl?: boolean; readonly dataDir?: string } = {}): Promise<CompatServer> {
  const store = await openStore(options.dataDir === undefined ? { dataDir: '.', sqliteFile: ':memory:' } : { dataDir: options.dataDir });
  const account = await store.accounts.create({ friendlyName: 'Test account' });
  const other = await store.accounts.create({ friendlyName: 'Someone else' });
  const calls = options.callControl ? new TelephonyCallControl({ store, calls: () => undefined, live: new LiveCalls() }) : undefined;
  const recordings = options.dataDir === undefined ? {} : { recordings: { store, dataDir: options.dataDir } };
  const app = await buildServer({ logger: pino({ level: 'silent' }), version: 'test', store, ...(calls ? { calls } : {}), ...recordings });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const direct = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  const proxy = await startRecordingProxy(direct);
  const base = proxy.base;
  return {
    base,
    traffic: proxy.exchanges,
    conformance: () => checkTraffic(direct, proxy.exchanges),
    store,
    account,
    other,
    client(username = account.sid, password = account.authToken, accountSid?: string) {
      const client = twilio(username, password, accountSid ? { accountSid } : {});
      client.api.baseUrl = base;
      return client;
    },
    async request(method, path, init = {}) {
      const [user, pass] = init.auth ?? [account.sid, account.authToken];
      const headers: Record<string, string> = { authorization: `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}` };
      let body: string | undefined;
      if (init.json !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(init.json);
      } else if (init.body !== undefined) {
        headers['content-type'] = 'application/x-www-form-urlencoded';
        body = String(init.body);
      }
      Object.assign(headers, init.headers);
      return fetch(`${base}${path}`, { method, headers, ...(body !== undefined ? { body } : {}) });
    },
    async close() {
      await proxy.close();
      await app.close();
      await store.close();
    },
  };
}

/** The error a twilio-node call rejected with, for assertions on status and code. */
export async function restError(promise: Promise<unknown>): Promise<{ status: number; code?: number; message: string; moreInfo?: string }> {
  try {
    await promise;
  } catch (error) {
    return error as { status: number; code?: number; message: string; moreInfo?: string };
  }
  throw new Error('expected the request to fail');
}

/** Asserts that all traffic so far kept to /openapi.json, and that some of it was checked. */
export async function assertConformance(s: Pick<CompatServer, 'conformance'>): Promise<void> {
  const result = await s.conformance();
  // Unknown paths must be 404s; the document itself is the one path it leaves out.
  const strayed = result.undocumented.filter((e) => e.status !== 404 && e.url !== '/openapi.json');
  if (result.problems.length > 0 || strayed.length > 0) {
    throw new Error(
      [`${result.problems.length} exchanges break /openapi.json:`, ...result.problems, ...strayed.map((e) => `undocumented ${e.method} ${e.url} answered ${e.status}`)].join('\n'),
    );
  }
  if (result.checked === 0) throw new Error('no traffic was checked');
}
