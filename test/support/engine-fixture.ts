/**
 * What an engine integration test runs a CallSession against: a web application that
 * checks every signature with the twilio library, an in-memory SQLite store with one
 * account, a temporary data directory, and the webhook client and outbox the server uses
 * (status callbacks go out through the outbox, as in the server).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebhookClient } from '../../src/engine/webhook/client.js';
import { destinationGuard } from '../../src/engine/webhook/guard.js';
import { WebhookOutbox } from '../../src/events/outbox.js';
import { openStore, type Store } from '../../src/store/index.js';
import { startWebApp, type WebApp, type WebAppOptions } from './web-app.js';

export interface EngineFixtureOptions {
  /** The account's auth token; the web application checks signatures with it. */
  readonly authToken: string;
  /** What the web application answers for a path without a document. */
  readonly missing: WebAppOptions['missing'];
  /** Names the temporary data directory. */
  readonly name: string;
}

export interface EngineFixture {
  readonly app: WebApp;
  readonly store: Store;
  readonly accountSid: string;
  readonly dataDir: string;
  readonly webhooks: WebhookClient;
  readonly outbox: WebhookOutbox;
  /** Forgets the previous test's documents and webhooks. */
  reset(): void;
  /** A new inbound call row of the account; its SID. */
  createCall(from: string, to: string): Promise<string>;
  /** Waits until every callback queued for the call is sent (the bound only turns a hang into a failure). */
  callbacksSent(callSid: string): Promise<void>;
  close(): Promise<void>;
}

export async function startEngineFixture(options: EngineFixtureOptions): Promise<EngineFixture> {
  const app = await startWebApp({ authToken: options.authToken, missing: options.missing });
  const dataDir = mkdtempSync(join(tmpdir(), `dialtone-${options.name}-`));
  const store = await openStore({ dataDir, sqliteFile: ':memory:' });
  const accountSid = (await store.accounts.create({ authToken: options.authToken })).sid;
  const webhooks = new WebhookClient({ guard: destinationGuard({ mode: 'development' }) });
  const outbox = new WebhookOutbox({ store, webhooks, backoff: { baseMs: 5, maxMs: 20 }, pollMs: 20 });
  outbox.start();
  return {
    app,
    store,
    accountSid,
    dataDir,
    webhooks,
    outbox,
    reset() {
      app.documents.clear();
      app.hits.length = 0;
    },
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
      await webhooks.close();
      await app.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
