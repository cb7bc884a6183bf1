/**
 * The recording media route on the real server (fastify `inject`, a real SQLite store and
 * data directory): the WAV at Twilio's media URL, with `.wav` or no extension; Twilio's
 * error JSON for what is not there (unknown, another account's, absent, `.mp3`).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../../src/api/server.js';
import { pcm8kToWav } from '../../../src/media/audio/wav-header.js';
import { createLogger } from '../../../src/observability/logger.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { recordingFilePath } from '../../../src/telephony/call-recordings.js';

describe('GET /2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}[.wav|.mp3]', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dialtone-media-route-'));
  let store: Store;
  let app: FastifyInstance;
  let account = '';
  let other = '';
  let sid = '';
  let absentSid = '';
  const wav = pcm8kToWav(Int16Array.from({ length: 8000 }, (_v, i) => Math.round(8000 * Math.sin(i / 3))));

  before(async () => {
    store = await openStore({ dataDir });
    app = await buildServer({ logger: createLogger('silent'), version: 'test', store, recordings: { dataDir } });
    account = (await store.accounts.create()).sid;
    other = (await store.accounts.create()).sid;
    const rec = await store.recordings.create({ accountSid: account, source: 'RecordVerb' });
    sid = rec.sid;
    const relative = recordingFilePath(account, sid);
    mkdirSync(join(dataDir, 'recordings', account), { recursive: true });
    writeFileSync(join(dataDir, relative), wav);
    await store.recordings.update(sid, { status: 'completed', duration: 1, filePath: relative });
    absentSid = (await store.recordings.create({ accountSid: account, source: 'RecordVerb', status: 'absent' })).sid;
  });
  after(async () => {
    await app.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const url = (acc: string, file: string) => `/2010-04-01/Accounts/${acc}/Recordings/${file}`;

  it('serves the WAV with .wav and with no extension, as audio/x-wav', async () => {
    for (const file of [`${sid}.wav`, sid]) {
      const res = await app.inject({ method: 'GET', url: url(account, file) });
      assert.equal(res.statusCode, 200, res.body);
      assert.equal(res.headers['content-type'], 'audio/x-wav');
      assert.equal(Number(res.headers['content-length']), wav.length);
      assert.deepEqual(new Uint8Array(res.rawPayload), wav);
    }
  });

  it("answers Twilio's 404 JSON for an unknown SID, another account's, an absent recording, a bad name, and .mp3", async () => {
    const cases = [
      url(account, `RE${'0'.repeat(32)}.wav`),
      url(other, `${sid}.wav`),
      url(account, `${absentSid}.wav`),
      url(account, '..%2F..%2Fetc%2Fpasswd'),
      url(account, `${sid}.mp3`),
    ];
    for (const path of cases) {
      const res = await app.inject({ method: 'GET', url: path });
      assert.equal(res.statusCode, 404, path);
      const body = res.json() as { code: number; status: number; more_info: string; message: string };
      assert.equal(body.code, 20404, path);
      assert.equal(body.status, 404);
      assert.match(body.more_info, /twilio\.com\/docs\/errors\/20404/);
    }
    const mp3 = await app.inject({ method: 'GET', url: url(account, `${sid}.mp3`) });
    assert.match((mp3.json() as { message: string }).message, /not available as MP3.*\.wav/);
  });
});
