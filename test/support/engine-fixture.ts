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
import type { CallLeg } from '../../src/engine/call-leg.js';
import type { MessageOutbox } from '../../src/engine/message-outbox.js';
import type { CallFacts } from '../../src/engine/params.js';
import { CallSession } from '../../src/engine/session.js';
import { Timeline } from '../../src/engine/timeline.js';
import { WebhookClient } from '../../src/engine/webhook/client.js';
import { destinationGuard } from '../../src/engine/webhook/guard.js';
import { WebhookOutbox } from '../../src/events/outbox.js';
import { openStore, type Store } from '../../src/store/index.js';
import type { SpeechRecognizer } from '../../src/speech/index.js';
import { StoredCallRecordings } from '../../src/telephony/call-recordings.js';
import { startWebApp, type WebApp, type WebAppOptions } from './web-app.js';

export interface AppFixture {
  readonly app: WebApp;
  readonly webhooks: WebhookClient;
  /** Runs `document` (served at /voice) on `leg` for `call` (an inbound call by default); resolves with its timeline. */
  runDocument(leg: CallLeg, document: string, call?: CallFacts): Promise<TimelineEvent[]>;
  /** Forgets the previous test's documents and webhooks. */
  reset(): void;
  close(): Promise<void>;
}

/** The call `runDocument` runs on unless told otherwise. */
export const INBOUND_CALL: CallFacts = { callSid: 'CA' + '1'.repeat(32), accountSid: 'AC' + '2'.repeat(32), from: '+15550199', to: '+15550100', direction: 'inbound', apiVersion: '2010-04-01' };

/** `missing` and `authToken` as in startWebApp. */
export async function startAppFixture(options: Pick<WebAppOptions, 'missing' | 'authToken'> = {}): Promise<AppFixture> {
  const app = await startWebApp(options);
  const webhooks = new WebhookClient({ guard: destinationGuard({ mode: 'development' }) });
  return {
    app,
    webhooks,
    async runDocument(leg, document, call = INBOUND_CALL) {
      app.documents.set('/voice', document);
      const events: TimelineEvent[] = [];
      const timeline = new Timeline((type, data) => void events.push({ type, data }));
      await new CallSession({ leg, webhooks, timeline, authToken: options.authToken ?? 'token', mode: 'development' }, call, {
        url: `${app.base}/voice`,
        method: 'POST',
        dialect: 'twiml',
      }).run();
      await timeline.flushed();
      return events;
    },
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

export interface TimelineEvent {
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
}

/** An inbound call of the fixture's account, and the ports its session gets. */
export interface FixtureCall {
  readonly callSid: string;
  readonly from: string;
  readonly to: string;
  /** Keep recordings: files under the data directory, URLs under this public URL. */
  readonly recordingsUrl?: string;
  readonly messages?: MessageOutbox;
  /** Queue the call's callbacks (stream status, partial speech results) through the outbox. */
  readonly streamCallbacks?: boolean;
  /** What transcribes `<Gather input="speech">`. */
  readonly speech?: SpeechRecognizer;
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
  /** Runs the call on `leg` from the TwiML document at /voice; the timeline's events, once every callback queued for it is sent. */
  runCall(leg: CallLeg, call: FixtureCall): Promise<TimelineEvent[]>;
}

export async function startEngineFixture(options: EngineFixtureOptions): Promise<EngineFixture> {
  const web = await startAppFixture({ authToken: options.authToken, missing: options.missing });
  const dataDir = mkdtempSync(join(tmpdir(), `dialtone-${options.name}-`));
  const store = await openStore({ dataDir, sqliteFile: ':memory:' });
  const accountSid = (await store.accounts.create({ authToken: options.authToken })).sid;
  const outbox = new WebhookOutbox({ store, webhooks: web.webhooks, backoff: { baseMs: 5, maxMs: 20 }, pollMs: 20 });
  outbox.start();
  async function callbacksSent(callSid: string): Promise<void> {
    const end = Date.now() + 10_000;
    while ((await store.outbox.list(callSid)).some((r) => r.status === 'pending')) {
      if (Date.now() > end) throw new Error('callbacks still queued');
      await new Promise((r) => setTimeout(r, 10));
    }
  }
  return {
    ...web,
    store,
    accountSid,
    dataDir,
    outbox,
    async createCall(from, to) {
      return (await store.calls.create({ accountSid, from, to, direction: 'inbound' })).sid;
    },
    callbacksSent,
    async runCall(leg, { callSid, from, to, recordingsUrl, messages, streamCallbacks = false, speech }) {
      const events: TimelineEvent[] = [];
      const timeline = new Timeline((type, data) => void events.push({ type, data }));
      const recordings =
        recordingsUrl === undefined
          ? undefined
          : new StoredCallRecordings({ store, dataDir, publicUrl: recordingsUrl, accountSid, callSid, callbacks: outbox, note: (type, data) => timeline.append(type, data) });
      const session = new CallSession(
        {
          leg,
          webhooks: web.webhooks,
          timeline,
          authToken: options.authToken,
          mode: 'development',
          ...(recordings ? { recordings } : {}),
          ...(messages ? { messages } : {}),
          ...(streamCallbacks ? { callbacks: outbox } : {}),
          ...(speech ? { speech } : {}),
        },
        { callSid, accountSid, from, to, direction: 'inbound', apiVersion: '2010-04-01' },
        { url: `${web.app.base}/voice`, method: 'POST', dialect: 'twiml' },
      );
      await session.run();
      await timeline.flushed();
      await callbacksSent(callSid);
      return events;
    },
    async close() {
      await outbox.stop();
      await web.close();
      await store.close();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
