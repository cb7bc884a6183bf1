/**
 * The Recordings resources through the official twilio client against the real server
 * (real SQLite store and data directory): list (account-wide and per call, newest first,
 * paged), fetch (`.json`, with an absolute media URL that serves the WAV), delete (the
 * row and the file go), and another account's recording stays invisible.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import twilio from 'twilio';
import { buildServer } from '../../../src/api/server.js';
import { pcm8kToWav } from '../../../src/media/audio/wav-header.js';
import { createLogger } from '../../../src/observability/logger.js';
import { openStore, type Account, type Store } from '../../../src/store/index.js';
import { recordingFilePath } from '../../../src/telephony/call-recordings.js';
import { checkTraffic } from '../../support/openapi-conformance.js';
import { startRecordingProxy, type RecordingProxy } from '../../support/recording-proxy.js';
import { assertConformance } from './compat-support.js';

delete process.env.TWILIO_REGION;
delete process.env.TWILIO_EDGE;

describe('Recordings resources (twilio client)', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dialtone-recordings-api-'));
  let store: Store;
  let app: FastifyInstance;
  let base = '';
  /** The client's way in, so its traffic can be checked against /openapi.json; media URLs name the server itself. */
  let proxy: RecordingProxy;
  let account: Account;
  let other: Account;
  let callSid = '';
  const sids: string[] = [];
  const wav = pcm8kToWav(Int16Array.from({ length: 8000 }, (_v, i) => Math.round(8000 * Math.sin(i / 3))));

  const client = (a: Account = account): twilio.Twilio => {
    const c = twilio(a.sid, a.authToken);
    c.api.baseUrl = proxy.base;
    return c;
  };

  before(async () => {
    store = await openStore({ dataDir });
    app = await buildServer({ logger: createLogger('silent'), version: 'test', store, recordings: { dataDir } });
    await app.listen({ port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    proxy = await startRecordingProxy(base);
    account = await store.accounts.create();
    other = await store.accounts.create();
    const call = await store.calls.create({ accountSid: account.sid, from: '+15550100', to: '+15550101', direction: 'outbound-api', status: 'completed' });
    callSid = call.sid;
    mkdirSync(join(dataDir, 'recordings', account.sid), { recursive: true });
    for (let i = 0; i < 3; i++) {
      const rec = await store.recordings.create({ accountSid: account.sid, source: 'RecordVerb', ...(i < 2 ? { callSid } : {}) });
      const relative = recordingFilePath(account.sid, rec.sid);
      writeFileSync(join(dataDir, relative), wav);
      await store.recordings.update(rec.sid, { status: 'completed', duration: 1, filePath: relative });
      sids.push(rec.sid);
      await new Promise((r) => setTimeout(r, 5));
    }
    await store.recordings.create({ accountSid: other.sid, source: 'RecordVerb' });
  });
  after(async () => {
    await proxy.close();
    await app.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists the account’s recordings newest first, pages them, and filters by call', async () => {
    const all = await client().recordings.list();
    assert.deepEqual(all.map((r) => r.sid), [...sids].reverse());
    const page = await client().recordings.page({ pageSize: 2 });
    assert.equal(page.instances.length, 2);
    const next = await page.nextPage();
    assert.deepEqual(next?.instances.map((r) => r.sid), [sids[0]]);
    const ofCall = await client().calls(callSid).recordings.list();
    assert.deepEqual(ofCall.map((r) => r.sid).sort(), [sids[0], sids[1]].sort());
    const filtered = await client().recordings.list({ callSid });
    assert.equal(filtered.length, 2);
  });

  it('fetches one as JSON with Twilio’s fields; its media URL serves the WAV', async () => {
    const r = await client().recordings(sids[0]!).fetch();
    assert.equal(r.sid, sids[0]);
    assert.equal(r.callSid, callSid);
    assert.equal(r.status, 'completed');
    assert.equal(r.duration, '1');
    assert.equal(r.channels, 1);
    assert.equal(r.source, 'RecordVerb');
    assert.equal(r.uri, `/2010-04-01/Accounts/${account.sid}/Recordings/${sids[0]}.json`);
    assert.equal(r.mediaUrl, `${base}/2010-04-01/Accounts/${account.sid}/Recordings/${sids[0]}`);
    const viaCall = await client().calls(callSid).recordings(sids[0]!).fetch();
    assert.equal(viaCall.sid, sids[0]);
    for (const url of [r.mediaUrl, `${r.mediaUrl}.wav`]) {
      const res = await fetch(url);
      assert.equal(res.status, 200);
      assert.equal(res.headers.get('content-type'), 'audio/x-wav');
      assert.deepEqual(new Uint8Array(await res.arrayBuffer()), wav);
    }
  });

  it('hides another account’s recordings and a recording under the wrong call', async () => {
    await assert.rejects(client(other).recordings(sids[0]!).fetch(), (e: { status: number; code: number }) => e.status === 404 && e.code === 20404);
    assert.equal((await client(other).recordings.list()).length, 1);
    await assert.rejects(client().calls(callSid).recordings(sids[2]!).fetch(), (e: { status: number }) => e.status === 404);
  });

  it('deletes a recording: the resource and its file are gone, its media URL answers 404', async () => {
    const sid = sids[1]!;
    const file = join(dataDir, recordingFilePath(account.sid, sid));
    assert.ok(existsSync(file));
    assert.equal(await client().recordings(sid).remove(), true);
    assert.equal(existsSync(file), false);
    await assert.rejects(client().recordings(sid).fetch(), (e: { status: number }) => e.status === 404);
    assert.equal((await fetch(`${base}/2010-04-01/Accounts/${account.sid}/Recordings/${sid}.wav`)).status, 404);
    assert.equal(await client().calls(callSid).recordings(sids[0]!).remove(), true);
    assert.equal((await client().recordings.list()).length, 1);
  });

  it('kept to /openapi.json in every request and answer above', async () => {
    await assertConformance({ conformance: () => checkTraffic(base, proxy.exchanges) });
  });
});
