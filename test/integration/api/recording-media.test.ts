/**
 * The recording media route on the real server (fastify `inject`, a real SQLite store and
 * data directory): the WAV at Twilio's media URL, with `.wav` or no extension; the MP3 with
 * `.mp3`, which sox decodes to the WAV's tone and a gapless decoder (mpg123, as players
 * and browsers) to the WAV's duration, mono or dual, encoded once and kept; Twilio's error
 * JSON for what is not there (unknown, another account's, absent, an MP3 of no WAV).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../../../src/api/server.js';
import { decodeMp3 } from '../../../src/media/audio/decode-mp3.js';
import { pcm8kToWav, writeWavHeader } from '../../../src/media/audio/wav-header.js';
import { createLogger } from '../../../src/observability/logger.js';
import { openStore, type Store } from '../../../src/store/index.js';
import { deleteRecording, recordingFilePath } from '../../../src/telephony/call-recordings.js';
import { mp3PathOf } from '../../../src/telephony/recording-mp3.js';
import { goertzel, readPcm, sine, SOX } from '../../support/audio.js';

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

  /** A completed recording of `account` whose file holds `bytes`; its SID. */
  async function recordingOf(bytes: Uint8Array, channels: 1 | 2 = 1): Promise<string> {
    const rec = await store.recordings.create({ accountSid: account, source: 'RecordVerb' });
    const relative = recordingFilePath(account, rec.sid);
    writeFileSync(join(dataDir, relative), bytes);
    await store.recordings.update(rec.sid, { status: 'completed', duration: 2, channels, filePath: relative });
    return rec.sid;
  }

  /** 8 kHz 16-bit stereo: `left` and `right` interleaved. */
  function stereoWav(left: Int16Array, right: Int16Array): Uint8Array {
    const out = new Uint8Array(44 + left.length * 4);
    writeWavHeader(out, left.length * 4, 2);
    const view = new DataView(out.buffer);
    for (let i = 0; i < left.length; i++) {
      view.setInt16(44 + i * 4, left[i]!, true);
      view.setInt16(46 + i * 4, right[i]!, true);
    }
    return out;
  }

  /** The MP3 body fetched for `sid`, decoded by sox (as 8 kHz 16-bit WAV, channel by channel) and by mpg123 (gapless). */
  async function fetchMp3(sid: string, channels: 1 | 2): Promise<{ bytes: Buffer; sox: Int16Array[]; gaplessSamples: number }> {
    const res = await app.inject({ method: 'GET', url: url(account, `${sid}.mp3`) });
    assert.equal(res.statusCode, 200, res.body);
    assert.equal(res.headers['content-type'], 'audio/mpeg');
    const bytes = res.rawPayload;
    assert.equal(Number(res.headers['content-length']), bytes.length);
    const dir = mkdtempSync(join(tmpdir(), 'dialtone-mp3-'));
    try {
      writeFileSync(join(dir, 'rec.mp3'), bytes);
      const sox: Int16Array[] = [];
      for (let c = 1; c <= channels; c++) {
        const out = join(dir, `ch${c}.wav`);
        const run = spawnSync(SOX, [join(dir, 'rec.mp3'), '-b', '16', out, 'remix', String(c)], { encoding: 'utf8' });
        assert.equal(run.status, 0, run.stderr);
        sox.push(readPcm(out));
      }
      const info = spawnSync('soxi', ['-c', join(dir, 'rec.mp3')], { encoding: 'utf8' });
      assert.equal(Number(info.stdout.trim()), channels, info.stderr);
      return { bytes, sox, gaplessSamples: (await decodeMp3(new Uint8Array(bytes))).length };
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }

  /** `frequency` dominates `pcm` (100× over each of `others`). */
  function assertTone(pcm: Int16Array, frequency: number, others: readonly number[]): void {
    const at = goertzel(pcm, frequency);
    for (const f of others) assert.ok(at > 100 * goertzel(pcm, f), `${frequency} Hz is not 100× ${f} Hz`);
  }
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

  it("answers Twilio's 404 JSON for an unknown SID, another account's, an absent recording, a bad name, with .wav or .mp3", async () => {
    const cases = [
      url(account, `RE${'0'.repeat(32)}.wav`),
      url(other, `${sid}.wav`),
      url(account, `${absentSid}.wav`),
      url(account, '..%2F..%2Fetc%2Fpasswd'),
      url(account, `RE${'0'.repeat(32)}.mp3`),
      url(account, `${absentSid}.mp3`),
    ];
    for (const path of cases) {
      const res = await app.inject({ method: 'GET', url: path });
      assert.equal(res.statusCode, 404, path);
      const body = res.json() as { code: number; status: number; more_info: string; message: string };
      assert.equal(body.code, 20404, path);
      assert.equal(body.status, 404);
      assert.match(body.more_info, /twilio\.com\/docs\/errors\/20404/);
    }
  });

  it('serves .mp3 as audio/mpeg: sox hears the WAV’s tone, a gapless decoder gives its duration ± 60 ms; encoded once, kept beside the WAV', async (t) => {
    const seconds = 2;
    const toneSid = await recordingOf(pcm8kToWav(sine(1000, seconds, 0.5)));
    const first = await fetchMp3(toneSid, 1);
    const [decoded] = first.sox;
    assertTone(decoded!, 1000, [440, 500, 1500, 2000]);
    // sox (libmad) is not gapless: it keeps the encoder's priming, padding and the Info frame, at most 4 frames of 72 ms.
    assert.ok(decoded!.length >= seconds * 8000 && decoded!.length <= seconds * 8000 + 4 * 576, `sox decoded ${decoded!.length} samples`);
    assert.ok(Math.abs(first.gaplessSamples - seconds * 8000) <= 480, `gapless decoded ${first.gaplessSamples} samples of ${seconds * 8000}`);
    t.diagnostic(`${first.bytes.length} bytes of MP3 for ${seconds} s; gapless ${first.gaplessSamples} samples, sox ${decoded!.length}`);

    const wavPath = join(dataDir, recordingFilePath(account, toneSid));
    assert.ok(existsSync(mp3PathOf(wavPath)), 'the MP3 is kept beside the WAV');
    assert.deepEqual(readFileSync(mp3PathOf(wavPath)), first.bytes);
    const again = await app.inject({ method: 'GET', url: url(account, `${toneSid}.mp3`) });
    assert.deepEqual(again.rawPayload, first.bytes);

    const recording = await store.recordings.get(toneSid, account);
    await deleteRecording(store, dataDir, recording!);
    assert.ok(!existsSync(mp3PathOf(wavPath)) && !existsSync(wavPath), 'deleting the recording deletes its MP3');
  });

  it('encodes a dual-channel recording as a two-channel MP3, each channel its own tone', async () => {
    const sid2 = await recordingOf(stereoWav(sine(1000, 2, 0.5), sine(500, 2, 0.5)), 2);
    const { sox } = await fetchMp3(sid2, 2);
    assertTone(sox[0]!, 1000, [500, 1500]);
    assertTone(sox[1]!, 500, [1000, 1500]);
  });

  it('answers 404 for an MP3 of a file that is no WAV, and requests made together get the same MP3', async () => {
    const junk = await recordingOf(new TextEncoder().encode('not a wav file at all, just text'));
    const res = await app.inject({ method: 'GET', url: url(account, `${junk}.mp3`) });
    assert.equal(res.statusCode, 404);
    assert.match((res.json() as { message: string }).message, /not available as MP3.*\.wav/);
    assert.equal(existsSync(mp3PathOf(join(dataDir, recordingFilePath(account, junk)))), false);

    const toneSid = await recordingOf(pcm8kToWav(sine(1000, 1, 0.5)));
    const both = await Promise.all([0, 1, 2].map(() => app.inject({ method: 'GET', url: url(account, `${toneSid}.mp3`) })));
    for (const r of both) assert.equal(r.statusCode, 200);
    assert.deepEqual(both[1]!.rawPayload, both[0]!.rawPayload);
    assert.deepEqual(both[2]!.rawPayload, both[0]!.rawPayload);
  });
});
