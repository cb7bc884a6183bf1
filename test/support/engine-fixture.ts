/**
 * What an engine test runs a CallSession against. `startAppFixture`: a web application
 * (checking every signature with the twilio library when given the auth token) and the
 * webhook client the server uses. `startEngineFixture` adds an in-memory SQLite store with
 * one account, a temporary data directory, and the webhook outbox (status callbacks go out
 * through the outbox, as in the server).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebhookClient } from '../../src/engine/webhook/client.js';
import { destinationGuard } from '../../src/engine/webhook/guard.js';
import { WebhookOutbox } from '../../src/events/outbox.js';
import { openStore, type Store } from '../../src/store/index.js';
import { startWebApp, type WebApp, type WebAppOptions } from './web-app.js';

export interface AppFixture {
  readonly app: WebApp;
  readonly webhooks: WebhookClient;
  /** Forgets the previous test's documents and webhooks. */
  reset(): void;
  close(): Promise<void>;
}

/** `missing` and `authToken` as in startWebApp. */
export async function startAppFixture(options: Pick<WebAppOptions, 'missing' | 'authToken'> = {}): Promise<AppFixture> {
  const app = await startWebApp(options);
  const webhooks = new WebhookClient({ guard: destinationGuard({ mode: 'development' }) });
  return {
    app,
    webhooks,
    reset() {
      app.documents.clear();
      app.hits.length = 0;
    },
    async close() {
      await webhooks.close();
      await app.close();
    },
  };
}

export interface EngineFixtureOptions {
  /** The account's auth token; the web application checks signatures with it. */
  readonly authToken: string;
  /** What the web application answers for a path without a document. */
  readonly missing: WebAppOptions['missing'];
  /** Names the temporary data directory. */
  readonly name: string;
}

export interface EngineFixture extends AppFixture {
  readonly store: Store;
  readonly accountSid: string;
  readonly dataDir: string;
  readonly outbox: WebhookOutbox;
  /** A new inbound call row of the account; its SID. */
  createCall(from: string, to: string): Promise<string>;
  /** Waits until every callback queued for the call is sent (the bound only turns a hang into a failure). */
  callbacksSent(callSid: string): Promise<void>;
}

export async function startEngineFixture(options: EngineFixtureOptions): Promise<EngineFixture> {
  const web = await startAppFixture({ authToken: options.authToken, missing: options.missing });
  const dataDir = mkdtempSync(join(tmpdir(), `dialtone-${options.name}-`));
  const store = await openStore({ dataDir, sqliteFile: ':memory:' });
  const accountSid = (await store.accounts.create({ authToken: options.authToken })).sid;
  const outbox = new WebhookOutbox({ store, webhooks: web.webhooks, backoff: { baseMs: 5, maxMs: 20 }, pollMs: 20 });
  outbox.start();
  return {
    ...web,
    store,
    accountSid,
    dataDir,
    outbox,
    async createCall(from, to) {
      return (await store.calls.create({ accountSid, from, to, direction: 'inbound' })).sid;
    },
    async callbacksSent(callSid) {
      const end = Date.now() + 10_000;
      while ((await store.outbox.list(callSid)).some((r) => r.status === 'pending')) {
        if (Date.now() > end) throw new Error('callbacks still queued');
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      await outbox.stop();
      await web.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
