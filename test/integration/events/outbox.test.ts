/**
 * The webhook outbox delivering to a real web application on loopback (node:http):
 * retries after a failure, gives up after a bounded number of attempts, survives a
 * restart, keeps one call's callbacks in order, and a hanging application holds back
 * only its own call. Every request is checked with the official twilio validator.
 * Waits are for arrivals, never for durations.
 */
import { describe, it, before, after, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import { CallProgress, parseStatusCallbackEvents } from '../../../src/engine/status-callbacks.js';
import { WebhookClient } from '../../../src/engine/webhook/client.js';
import { destinationGuard } from '../../../src/engine/webhook/guard.js';
import type { OutboxMessage } from '../../../src/engine/message-queue.js';
import { WebhookOutbox } from '../../../src/events/outbox.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { freshDatabase, postgresSkip } from '../../support/postgres.js';

const TOKEN = '0123456789abcdef0123456789abcdef';

interface Arrival {
  readonly path: string;
  readonly params: Record<string, string>;
  readonly signatureValid: boolean;
  /** How this request was answered. */
  answer: number | 'hung';
}

/** The receiving application. Behaviour by path; `/hang` keeps the response open until released. */
class Application {
  readonly arrivals: Arrival[] = [];
  readonly hanging: ServerResponse[] = [];
  /** Paths that answer 503 while listed. */
  readonly down = new Set<string>();
  #hits = new Map<string, number>();
  server: Server;
  base = '';

  constructor() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const params = Object.fromEntries(new URLSearchParams(body));
        const path = new URL(req.url!, this.base).pathname;
        const signatureValid = twilio.validateRequest(TOKEN, String(req.headers['x-twilio-signature']), `${this.base}${req.url}`, params);
        const arrival: Arrival = { path, params, signatureValid, answer: 200 };
        this.arrivals.push(arrival);
        const hit = (this.#hits.get(path) ?? 0) + 1;
        this.#hits.set(path, hit);
        if (path === '/hang') {
          arrival.answer = 'hung';
          this.hanging.push(res);
          return;
        }
        let status = 204;
        if (path === '/dead' || this.down.has(path)) status = 503;
        else if (path === '/fail-once' && hit === 1) status = 500;
        else if (path === '/every-other' && hit % 2 === 1) status = 500;
        arrival.answer = status;
        res.statusCode = status;
        res.end();
      });
    });
  }

  async listen(): Promise<void> {
    await new Promise<void>((r) => this.server.listen(0, '127.0.0.1', r));
    this.base = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  releaseHanging(): void {
    for (const res of this.hanging.splice(0)) {
      res.statusCode = 200;
      res.end();
    }
  }

  async close(): Promise<void> {
    this.releaseHanging();
    this.server.closeAllConnections();
    await new Promise<void>((r) => this.server.close(() => r()));
  }

  on(path: string): Arrival[] {
    return this.arrivals.filter((a) => a.path === path);
  }
}

/** Polls until `check` holds; the bound only turns a hang into a failure. */
async function until(check: () => boolean | Promise<boolean>, what: string, boundMs = 15_000): Promise<void> {
  const end = Date.now() + boundMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`still waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Driver {
  readonly name: string;
  /** A new empty database; `open` may be called again on it (a restart). */
  fresh(): Promise<{ open: () => Promise<Store>; cleanup: () => void }>;
}

const sqlite: Driver = {
  name: 'SQLite',
  async fresh() {
    const dir = mkdtempSync(join(tmpdir(), 'dialtone-outbox-'));
    return { open: () => openStore({ dataDir: dir }), cleanup: () => rmSync(dir, { recursive: true, force: true }) };
  },
};

const postgres: Driver = {
  name: 'PostgreSQL',
  async fresh() {
    const url = await freshDatabase();
    return { open: () => openStore({ dataDir: '.', databaseUrl: url }), cleanup: () => undefined };
  },
};

function deliverySuite(driver: Driver): void {
  const app = new Application();
  const webhooks = new WebhookClient({ guard: destinationGuard({ mode: 'development' }) });
  let db: Awaited<ReturnType<Driver['fresh']>>;
  let store: Store;
  let accountSid = '';
  const outboxes: WebhookOutbox[] = [];

  function outbox(s: Store = store, options: { concurrency?: number } = {}): WebhookOutbox {
    const o = new WebhookOutbox({ store: s, webhooks, maxAttempts: 3, backoff: { baseMs: 5, maxMs: 20 }, pollMs: 20, concurrency: options.concurrency ?? 4 });
    outboxes.push(o);
    return o;
  }

  async function newCall(): Promise<string> {
    return (await store.calls.create({ accountSid, from: '+15550199', to: '+15550100', direction: 'inbound', status: 'ringing' })).sid;
  }

  function msg(callSid: string, path: string, label: string, extra: Record<string, string> = {}): OutboxMessage {
    return {
      accountSid,
      orderKey: callSid,
      callSid,
      kind: 'status-callback',
      label,
      url: `${app.base}${path}`,
      method: 'POST',
      params: { CallSid: callSid, CallStatus: label, ...extra },
    };
  }

  async function settled(callSid: string): Promise<boolean> {
    return (await store.outbox.list(callSid)).every((r) => r.status !== 'pending');
  }

  async function notes(callSid: string): Promise<Record<string, unknown>[]> {
    return (await store.callEvents.list(callSid)).filter((e) => e.type === 'status-callback').map((e) => e.data as Record<string, unknown>);
  }

  before(async () => {
    await app.listen();
    db = await driver.fresh();
    store = await db.open();
    accountSid = (await store.accounts.create({ authToken: TOKEN })).sid;
  });

  afterEach(async () => {
    app.releaseHanging();
    for (const o of outboxes.splice(0)) await o.stop();
  });

  after(async () => {
    await store.close();
    await webhooks.close();
    await app.close();
    db.cleanup();
  });

  it('retries after a 500 and delivers; each attempt is in the call timeline; requests are signed', async () => {
    const o = outbox();
    o.start();
    const call = await newCall();
    await o.enqueue(msg(call, '/fail-once', 'completed', { CallDuration: '7' }));
    await until(() => settled(call), 'the row to settle');
    // The timeline hears of the last attempt just after the row settles.
    await until(async () => (await notes(call)).length === 2, 'the timeline notes');
    const seen = app.on('/fail-once');
    assert.deepEqual(seen.map((a) => a.answer), [500, 204]);
    assert.ok(seen.every((a) => a.signatureValid), 'the twilio validator accepts every attempt');
    assert.equal(seen[1]!.params.CallDuration, '7');
    const [row] = await store.outbox.list(call);
    assert.equal(row!.status, 'delivered');
    assert.equal(row!.attempts, 2);
    assert.deepEqual((await notes(call)).map((n) => [n.attempt, n.outcome, n.httpStatus]), [
      [1, 'retrying', 500],
      [2, 'delivered', 204],
    ]);
  });

  it('gives up on a dead application after the last attempt and says so in the timeline', async () => {
    const o = outbox();
    o.start();
    const call = await newCall();
    await o.enqueue(msg(call, '/dead', 'completed'));
    await until(() => settled(call), 'the row to settle');
    await until(async () => (await notes(call)).length === 3, 'the timeline notes');
    assert.equal(app.on('/dead').length, 3, 'three attempts, no more');
    const [row] = await store.outbox.list(call);
    assert.equal(row!.status, 'failed');
    assert.equal(row!.lastStatus, 503);
    const n = await notes(call);
    assert.deepEqual(n.map((x) => x.outcome), ['retrying', 'retrying', 'gave-up']);
    assert.equal(n[2]!.code, 11200);
    assert.equal(n[2]!.error, 'HTTP 503');
  });

  it('rows left by a stopped process are delivered, in order, by the next one', async () => {
    app.down.add('/restart');
    const first = outbox();
    first.start();
    const call = await newCall();
    await first.enqueue(msg(call, '/restart', 'ringing', { SequenceNumber: '0' }));
    await first.enqueue(msg(call, '/restart', 'completed', { SequenceNumber: '1' }));
    await until(() => app.on('/restart').length >= 1, 'a first, failing attempt');
    await first.stop();
    await store.close();
    assert.equal(app.on('/restart').filter((a) => a.answer !== 503).length, 0);

    app.down.delete('/restart');
    store = await db.open();
    const second = outbox(store);
    second.start();
    await until(() => settled(call), 'the rows to settle after the restart');
    const delivered = app.on('/restart').filter((a) => a.answer === 204);
    assert.deepEqual(delivered.map((a) => a.params.SequenceNumber), ['0', '1']);
    assert.deepEqual((await store.outbox.list(call)).map((r) => r.status), ['delivered', 'delivered']);
  });

  it("keeps one call's callbacks in SequenceNumber order through failures", async () => {
    const o = outbox();
    o.start();
    const call = await newCall();
    const progress = new CallProgress({
      call: { callSid: call, accountSid, from: '+15550199', to: '+15550100', direction: 'inbound', apiVersion: '2010-04-01' },
      config: { url: `${app.base}/every-other`, method: 'POST', events: parseStatusCallbackEvents('initiated ringing answered completed').events },
      dialect: 'twiml',
      queue: o,
    });
    progress.initiated();
    progress.ringing();
    progress.answered();
    progress.completed({ status: 'completed', durationSeconds: 3, endedBy: 'caller', audioInMos: 4.4, sipResponseCode: 200 });
    await progress.flushed();
    await until(() => settled(call), 'the rows to settle');
    const seen = app.on('/every-other');
    // Every request for event n+1 came after event n was answered 2xx.
    const order = seen.map((a) => `${a.params.SequenceNumber}:${a.answer}`);
    assert.deepEqual(order, ['0:500', '0:204', '1:500', '1:204', '2:500', '2:204', '3:500', '3:204']);
    const ok = seen.filter((a) => a.answer === 204);
    assert.deepEqual(ok.map((a) => a.params.CallStatus), ['initiated', 'ringing', 'in-progress', 'completed']);
    assert.ok(seen.every((a) => a.signatureValid));
  });

  it("a hanging application holds back only its own call's callbacks", async () => {
    const o = outbox(store, { concurrency: 2 });
    o.start();
    const slow = await newCall();
    const quick = await newCall();
    await o.enqueue(msg(slow, '/hang', 'ringing', { SequenceNumber: '0' }));
    await o.enqueue(msg(slow, '/hang', 'completed', { SequenceNumber: '1' }));
    await until(() => app.hanging.length === 1, 'the hanging request');
    for (const [i, label] of ['initiated', 'ringing', 'answered', 'completed'].entries()) {
      await o.enqueue(msg(quick, '/quick', label, { SequenceNumber: String(i) }));
    }
    await until(() => settled(quick), "the other call's callbacks");
    assert.deepEqual(app.on('/quick').map((a) => a.params.SequenceNumber), ['0', '1', '2', '3']);
    assert.deepEqual(app.on('/hang').map((a) => a.params.SequenceNumber), ['0'], "the slow call's next callback waits for its first");
    app.releaseHanging();
    await until(() => app.on('/hang').length === 2, "the slow call's second callback");
    assert.equal(app.on('/hang')[1]!.params.SequenceNumber, '1');
    app.releaseHanging();
    await until(() => settled(slow), 'the slow call to settle');
  });

  it('delivers at most `concurrency` rows at once; the rest wait their turn', async () => {
    const o = outbox(store, { concurrency: 2 });
    o.start();
    const calls = [await newCall(), await newCall(), await newCall()];
    for (const call of calls) await o.enqueue(msg(call, '/hang', 'completed', { CallSid: call }));
    const mine = (): Arrival[] => app.on('/hang').filter((a) => calls.includes(a.params.CallSid!));
    await until(() => app.hanging.length === 2, 'two requests in flight');
    // The third row is due, but both slots are taken: it has not been claimed, nor sent.
    const attempts = await Promise.all(calls.map(async (c) => (await store.outbox.list(c))[0]!.attempts));
    assert.deepEqual(attempts.sort(), [0, 1, 1]);
    assert.equal(mine().length, 2);
    app.releaseHanging();
    await until(() => mine().length === 3, 'the third request');
    app.releaseHanging();
    for (const call of calls) await until(() => settled(call), 'every row to settle');
    assert.deepEqual(new Set(mine().map((a) => a.params.CallSid)), new Set(calls));
  });

  it('sends every requested event with the status-callback parameters, in snake_case for Apifonica', async () => {
    const o = outbox();
    o.start();
    const call = await newCall();
    const facts = { callSid: call, accountSid, from: '+15550199', to: '+15550100', direction: 'inbound', apiVersion: '2010-04-01' } as const;
    const at = Date.UTC(2030, 0, 2, 3, 4, 5);
    for (const [dialect, path] of [['twiml', '/twiml'], ['apifonica', '/apifonica']] as const) {
      const progress = new CallProgress({
        call: facts,
        config: { url: `${app.base}${path}`, method: 'POST', events: parseStatusCallbackEvents(['initiated', 'answered completed']).events },
        dialect,
        queue: o,
        now: () => at,
      });
      progress.initiated();
      progress.ringing();
      progress.answered();
      progress.completed({ status: 'completed', durationSeconds: 61.4, endedBy: 'application', audioInMos: 4.3912, sipResponseCode: 200 });
      progress.answered();
      await progress.flushed();
    }
    await until(() => settled(call), 'the rows to settle');
    const twiml = app.on('/twiml').map((a) => a.params);
    assert.deepEqual(twiml.map((p) => [p.CallStatus, p.SequenceNumber]), [
      ['initiated', '0'],
      ['in-progress', '1'],
      ['completed', '2'],
    ], 'ringing was not asked for, and nothing follows completed');
    for (const p of twiml) {
      assert.equal(p.CallbackSource, 'call-progress-events');
      assert.equal(p.Timestamp, 'Wed, 02 Jan 2030 03:04:05 +0000');
      assert.equal(p.CallSid, call);
      assert.equal(p.AccountSid, accountSid);
      assert.equal(p.Direction, 'inbound');
      assert.equal(p.ApiVersion, '2010-04-01');
    }
    assert.equal(twiml[0]!.CallDuration, undefined, 'CallDuration is only on the final event');
    const final = twiml[2]!;
    assert.equal(final.CallDuration, '61');
    assert.equal(final.Duration, '2');
    assert.equal(final.AudioInMos, '4.39');
    assert.equal(final.HangupBy, '+15550100', 'the application hung up: our number');
    assert.equal(final.HangupDirection, 'outbound');
    assert.equal(final.SipResponseCode, '200');

    const snake = app.on('/apifonica').map((a) => a.params);
    assert.deepEqual(snake.map((p) => [p.status, p.sequence_number]), [
      ['initiated', '0'],
      ['in-progress', '1'],
      ['completed', '2'],
    ]);
    assert.equal(snake[2]!.call_sid, call);
    assert.equal(snake[2]!.call_duration, '61');
    assert.equal(snake[2]!.audio_in_mos, '4.39');
    assert.equal(snake[2]!.hangup_by, '+15550100');
    assert.equal(snake[2]!.hangup_direction, 'outbound');
    assert.equal(snake[2]!.callback_source, 'call-progress-events');
    assert.equal(snake[2]!.CallSid, undefined);
  });
}

describe('webhook outbox on SQLite', () => deliverySuite(sqlite));
describe('webhook outbox on PostgreSQL', { skip: postgresSkip }, () => deliverySuite(postgres));
