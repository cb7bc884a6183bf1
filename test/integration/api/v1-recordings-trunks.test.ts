/**
 * The native API's recordings (list with page/size/sort/filters/fields, fetch, delete with
 * the audio file) and trunks (CRUD over the rows `dialtone trunks` manages, the password
 * write-only) against a real server with a real SQLite store and data directory; every
 * exchange is checked against /openapi.json at the end, as the other v1 tests are.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcm8kToWav } from '../../../src/media/audio/wav-header.js';
import { recordingFilePath } from '../../../src/telephony/call-recordings.js';
import { StoredTrunkRoutes } from '../../../src/telephony/trunks.js';
import { assertConformance, startCompatServer, type CompatServer, type ErrorBody, type Item, type Page } from './compat-support.js';

describe('native v1 API: recordings and trunks', () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'dialtone-v1-recordings-'));
  let s: CompatServer;
  let callSid = '';
  /** Oldest first: three completed with files (two of the call), one recording now, one failed silent. */
  const rec: string[] = [];
  let foreignRecording = '';
  const wav = pcm8kToWav(Int16Array.from({ length: 8000 }, (_v, i) => Math.round(8000 * Math.sin(i / 3))));

  const get = async <T>(path: string, headers: Record<string, string> = {}): Promise<{ status: number; body: T; headers: Headers }> => {
    const res = await s.request('GET', path, { headers });
    return { status: res.status, body: (res.status === 304 ? undefined : await res.json()) as T, headers: res.headers };
  };
  const send = async <T>(method: string, path: string, json?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T }> => {
    const res = await s.request(method, path, { ...(json !== undefined ? { json } : {}), headers });
    const text = await res.text();
    return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as T };
  };
  const problem = (body: unknown) => (body as ErrorBody).errors[0]!;
  const fileOf = (sid: string): string => join(dataDir, recordingFilePath(s.account.sid, sid));

  before(async () => {
    s = await startCompatServer({ dataDir });
    const call = await s.store.calls.create({ accountSid: s.account.sid, from: '+15550100', to: '+15550101', direction: 'outbound-api', status: 'completed' });
    callSid = call.sid;
    mkdirSync(join(dataDir, 'recordings', s.account.sid), { recursive: true });
    for (let i = 0; i < 3; i++) {
      const r = await s.store.recordings.create({ accountSid: s.account.sid, source: 'RecordVerb', ...(i < 2 ? { callSid } : {}) });
      writeFileSync(fileOf(r.sid), wav);
      await s.store.recordings.update(r.sid, { status: 'completed', duration: i + 1, filePath: recordingFilePath(s.account.sid, r.sid), ...(i === 2 ? { channels: 2 } : {}) });
      rec.push(r.sid);
      await new Promise((r) => setTimeout(r, 5));
    }
    const live = await s.store.recordings.create({ accountSid: s.account.sid, source: 'DialVerb', callSid, filePath: recordingFilePath(s.account.sid, 'REx') });
    rec.push(live.sid);
    await new Promise((r) => setTimeout(r, 5));
    const silent = await s.store.recordings.create({ accountSid: s.account.sid, source: 'RecordVerb', callSid });
    await s.store.recordings.update(silent.sid, { status: 'absent', errorCode: 16102 });
    rec.push(silent.sid);
    foreignRecording = (await s.store.recordings.create({ accountSid: s.other.sid, source: 'RecordVerb' })).sid;
  });
  after(async () => {
    await s.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('lists recordings newest first, paged, sorted, filtered and narrowed; never another account’s', async () => {
    const all = await get<Page<{ id: string }>>('/v1/recordings');
    assert.equal(all.status, 200);
    assert.deepEqual(all.body.data.map((r) => r.id), [...rec].reverse());
    assert.deepEqual({ ...all.body.meta, Etags: undefined }, { total: 5, page: 1, size: 50, pages: 1, sort: 'date_created', sort_dir: 'DESC', Etags: undefined });
    assert.deepEqual(Object.keys(all.body.meta.Etags).sort(), [...rec].sort());

    const first = await get<Page<{ id: string }>>('/v1/recordings?size=2&sort=duration&sort_dir=ASC&status=completed');
    assert.deepEqual(first.body.data.map((r) => r.id), [rec[0], rec[1]]);
    assert.equal(first.body.meta.pages, 2);
    assert.equal(first.body.links.next, '/v1/recordings?size=2&sort=duration&sort_dir=ASC&status=completed&page=2');
    const second = await get<Page<{ id: string }>>(first.body.links.next!);
    assert.deepEqual(second.body.data.map((r) => r.id), [rec[2]]);

    assert.equal((await get<Page>(`/v1/recordings?call_id=${callSid}`)).body.meta.total, 4);
    assert.deepEqual((await get<Page<{ id: string }>>('/v1/recordings?call_id=null')).body.data.map((r) => r.id), [rec[2]]);
    assert.deepEqual((await get<Page<{ id: string }>>('/v1/recordings?error_code=16102')).body.data.map((r) => r.id), [rec[4]]);
    assert.deepEqual((await get<Page<{ id: string }>>('/v1/recordings?channels=2')).body.data.map((r) => r.id), [rec[2]]);
    assert.equal((await get<Page>('/v1/recordings?source=DialVerb&status=in-progress')).body.meta.total, 1);

    const narrow = await get<Page>('/v1/recordings?fields=id,status,duration&size=1');
    assert.deepEqual(narrow.body.data[0], { id: rec[4], status: 'absent', duration: null });

    const byMedia = await get<ErrorBody>('/v1/recordings?media_url=x');
    assert.equal(byMedia.status, 400, 'a derived field is shown, not filtered');
    assert.equal(problem(byMedia.body).field, 'media_url');
    assert.equal(problem((await get<ErrorBody>('/v1/recordings?duration=long')).body).field, 'duration');
    assert.equal(problem((await get<ErrorBody>('/v1/recordings?fields=file_path')).body).field, 'fields', 'the file path on disk is not a field');
    assert.equal((await get<ErrorBody>('/v1/recordings?sort=media_url')).status, 400);
  });

  it('fetches a recording with its media URL, which serves the WAV; Etag and 304 as every resource', async () => {
    const one = await get<Item<Record<string, unknown>>>(`/v1/recordings/${rec[1]}`);
    assert.equal(one.status, 200);
    assert.deepEqual({ ...one.body.data, date_created: undefined, date_updated: undefined, start_time: undefined }, {
      id: rec[1],
      account_id: s.account.sid,
      call_id: callSid,
      status: 'completed',
      channels: 1,
      source: 'RecordVerb',
      duration: 2,
      error_code: null,
      media_url: `/2010-04-01/Accounts/${s.account.sid}/Recordings/${rec[1]}.wav`,
      date_created: undefined,
      date_updated: undefined,
      start_time: undefined,
    });
    assert.equal(one.headers.get('etag'), `"${one.body.meta.Etag}"`);
    const audio = await fetch(`${s.base}${String(one.body.data.media_url)}`);
    assert.equal(audio.status, 200);
    assert.ok(Buffer.from(await audio.arrayBuffer()).equals(Buffer.from(wav)), 'the bytes of the recording');
    assert.equal((await get(`/v1/recordings/${rec[1]}`, { 'if-none-match': `"${one.body.meta.Etag}"` })).status, 304);

    const live = await get<Item<{ media_url: string | null }>>(`/v1/recordings/${rec[3]}?fields=media_url`);
    assert.deepEqual(live.body.data, { media_url: null }, 'no audio to serve until it is completed');
    assert.equal((await get(`/v1/recordings/${foreignRecording}`)).status, 404);
    assert.equal(problem((await get<ErrorBody>(`/v1/recordings/RE${'0'.repeat(32)}`)).body).code, 20404);
  });

  it('deletes a finished recording with its file; refuses one still recording (409) and a stale If-Match (412)', async () => {
    const live = await send<ErrorBody>('DELETE', `/v1/recordings/${rec[3]}`);
    assert.equal(live.status, 409);
    assert.equal(problem(live.body).code, 20009);
    assert.match(problem(live.body).message, /in-progress/);

    assert.ok(existsSync(fileOf(rec[0]!)));
    const stale = await send<ErrorBody>('DELETE', `/v1/recordings/${rec[0]}`, undefined, { 'if-match': '"0123456789abcdef0123456789abcdef"' });
    assert.equal(stale.status, 412);
    assert.ok(existsSync(fileOf(rec[0]!)), 'a refused delete leaves the file');
    const tag = (await get<Item>(`/v1/recordings/${rec[0]}`)).body.meta.Etag;
    assert.equal((await send('DELETE', `/v1/recordings/${rec[0]}`, undefined, { 'if-match': `"${tag}"` })).status, 204);
    assert.equal(existsSync(fileOf(rec[0]!)), false, 'the audio file is gone');
    assert.equal((await get(`/v1/recordings/${rec[0]}`)).status, 404);
    assert.equal((await fetch(`${s.base}/2010-04-01/Accounts/${s.account.sid}/Recordings/${rec[0]}.wav`)).status, 404);
    assert.equal((await send('DELETE', `/v1/recordings/${rec[0]}`)).status, 404);

    assert.equal((await send('DELETE', `/v1/recordings/${rec[4]}`)).status, 204, 'a recording without audio deletes too');
    assert.equal((await send('DELETE', `/v1/recordings/${foreignRecording}`)).status, 404);
    assert.ok(await s.store.recordings.get(foreignRecording), 'another account’s recording stays');
    assert.equal((await get<Page>('/v1/recordings')).body.meta.total, 3);
    assert.ok(readFileSync(fileOf(rec[1]!)).equals(Buffer.from(wav)), 'other recordings keep their files');
  });

  it('creates trunks with defaults; the password is write-only; names are unique; the dial plan routes through them', async () => {
    const created = await send<Item<Record<string, unknown>>>('POST', '/v1/trunks', {
      friendly_name: 'carrier-a',
      host: 'sip.carrier-a.example',
      username: 'dialtone',
      password: 's3cret-pass',
      prefixes: ['+44', '+4420'],
      strip_prefix: '+',
      add_prefix: '00',
    });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const t = created.body.data;
    assert.match(String(t.id), /^TK[0-9a-f]{32}$/);
    assert.deepEqual({ ...t, id: undefined, date_created: undefined, date_updated: undefined }, {
      id: undefined,
      account_id: s.account.sid,
      friendly_name: 'carrier-a',
      host: 'sip.carrier-a.example',
      port: 5060,
      transport: 'udp',
      username: 'dialtone',
      prefixes: ['+44', '+4420'],
      priority: 10,
      caller_id: null,
      strip_prefix: '+',
      add_prefix: '00',
      enabled: true,
      date_created: undefined,
      date_updated: undefined,
    });
    assert.equal(JSON.stringify(created.body).includes('s3cret-pass'), false, 'the password is never answered');

    const routes = new StoredTrunkRoutes(s.store.trunks);
    const route = await routes.route('+442071234567', s.account.sid);
    assert.equal(route?.uri, 'sip:00442071234567@sip.carrier-a.example:5060;transport=udp');
    assert.deepEqual(route?.credentials, { username: 'dialtone', password: 's3cret-pass' }, 'the carrier’s challenge is still answered');

    const second = await send<Item<{ id: string }>>('POST', '/v1/trunks', { friendly_name: 'pbx', host: '10.0.0.5', port: 5080, transport: 'tcp', priority: 1, enabled: false, caller_id: '+15550199' });
    assert.equal(second.status, 201);

    const clash = await send<ErrorBody>('POST', '/v1/trunks', { friendly_name: 'carrier-a', host: 'other.example' });
    assert.equal(clash.status, 409);
    assert.equal(problem(clash.body).code, 20409);
    assert.equal(problem(clash.body).field, 'friendly_name');

    for (const [body, field] of [
      [{ friendly_name: 'x', host: 'h.example', port: 70000 }, 'port'],
      [{ friendly_name: 'x', host: 'h.example', transport: 'tls' }, 'transport'],
      [{ friendly_name: 'x', host: 'h.example', prefixes: ['44'] }, 'prefixes.0'],
      [{ friendly_name: 'x', host: 'h.example', caller_id: 'anonymous' }, 'caller_id'],
      [{ friendly_name: 'x', host: 'h.example', secret: 'y' }, 'secret'],
      [{ friendly_name: 'TK0123', host: 'h.example', colour: 'red' }, 'colour'],
      [{ host: 'h.example' }, 'friendly_name'],
    ] as const) {
      const bad = await send<ErrorBody>('POST', '/v1/trunks', body);
      assert.equal(bad.status, 400, JSON.stringify(body));
      assert.equal(problem(bad.body).field, field, JSON.stringify(bad.body));
    }
    const badHost = await send<ErrorBody>('POST', '/v1/trunks', { friendly_name: 'x', host: 'not a host!' });
    assert.equal(badHost.status, 400);
    assert.match(problem(badHost.body).message, /not a host name or IP address/);
    const half = await send<ErrorBody>('POST', '/v1/trunks', { friendly_name: 'x', host: 'h.example', username: 'only' });
    assert.equal(half.status, 400);
    assert.match(problem(half.body).message, /username needs a password/);
    assert.equal((await s.store.trunks.list(s.account.sid)).length, 2, 'nothing refused was stored');
  });

  it('lists trunks by priority, filters (enabled, transport) and never offers the password as a field', async () => {
    const theirs = await s.store.trunks.create(s.other.sid, { friendlyName: 'theirs', host: 'their.example' });
    const list = await get<Page<{ friendly_name: string }>>('/v1/trunks');
    assert.deepEqual(list.body.data.map((t) => t.friendly_name), ['pbx', 'carrier-a'], 'lowest priority first; not another account’s');
    assert.equal(list.body.meta.sort, 'priority');
    assert.deepEqual((await get<Page<{ friendly_name: string }>>('/v1/trunks?enabled=false')).body.data.map((t) => t.friendly_name), ['pbx']);
    assert.deepEqual((await get<Page<{ friendly_name: string }>>('/v1/trunks?enabled=true&transport=udp')).body.data.map((t) => t.friendly_name), ['carrier-a']);
    assert.deepEqual((await get<Page<{ port: number }>>('/v1/trunks?port=5080&fields=port')).body.data, [{ port: 5080 }]);
    assert.equal(problem((await get<ErrorBody>('/v1/trunks?enabled=maybe')).body).field, 'enabled');
    assert.equal(problem((await get<ErrorBody>('/v1/trunks?password=s3cret-pass')).body).field, 'password');
    assert.equal(problem((await get<ErrorBody>('/v1/trunks?fields=id,password')).body).field, 'fields');
    assert.equal((await get<ErrorBody>('/v1/trunks?sort=password')).status, 400);
    assert.equal((await get(`/v1/trunks/${theirs.sid}`)).status, 404);
    assert.equal((await get('/v1/trunks/carrier-a')).status, 404, 'addressed by id, not by name');
  });

  it('updates trunks (If-Match): given fields change, the password is kept unless replaced, null clears the credentials', async () => {
    const [carrier] = (await get<Page<{ id: string; friendly_name: string }>>('/v1/trunks?friendly_name=carrier-a')).body.data;
    const current = await get<Item<Record<string, unknown>>>(`/v1/trunks/${carrier!.id}`);
    const stale = await send<ErrorBody>('PUT', `/v1/trunks/${carrier!.id}`, { priority: 1 }, { 'if-match': '"stale"' });
    assert.equal(stale.status, 412);

    const moved = await send<Item<Record<string, unknown>>>('PUT', `/v1/trunks/${carrier!.id}`, { host: '192.0.2.10', port: 5070, priority: 0 }, { 'if-match': `"${current.body.meta.Etag}"` });
    assert.equal(moved.status, 200, JSON.stringify(moved.body));
    assert.deepEqual([moved.body.data.host, moved.body.data.port, moved.body.data.priority, moved.body.data.username, moved.body.data.add_prefix], ['192.0.2.10', 5070, 0, 'dialtone', '00']);
    assert.notEqual(moved.body.meta.Etag, current.body.meta.Etag);
    const route = await new StoredTrunkRoutes(s.store.trunks).route('+442071234567', s.account.sid);
    assert.equal(route?.uri, 'sip:00442071234567@192.0.2.10:5070;transport=udp', 'the next dial uses the change');
    assert.deepEqual(route?.credentials, { username: 'dialtone', password: 's3cret-pass' }, 'a PUT without a password keeps it');

    const rekeyed = await send<Item<Record<string, unknown>>>('PUT', `/v1/trunks/${carrier!.id}`, { password: 'n3w-pass' });
    assert.equal(rekeyed.status, 200);
    assert.equal(JSON.stringify(rekeyed.body).includes('n3w-pass'), false);
    assert.equal((await s.store.trunks.get(s.account.sid, carrier!.id))?.password, 'n3w-pass');
    const newUserOnly = await send<ErrorBody>('PUT', `/v1/trunks/${carrier!.id}`, { username: 'someone-else' });
    assert.equal(newUserOnly.status, 400, 'a new username needs its password');

    const cleared = await send<Item<Record<string, unknown>>>('PUT', `/v1/trunks/${carrier!.id}`, { username: null, password: null, strip_prefix: null, add_prefix: null });
    assert.equal(cleared.status, 200);
    assert.deepEqual([cleared.body.data.username, cleared.body.data.strip_prefix, cleared.body.data.add_prefix], [null, null, null]);
    const stored = await s.store.trunks.get(s.account.sid, carrier!.id);
    assert.deepEqual([stored?.username, stored?.password], [null, null]);

    const renamed = await send<ErrorBody>('PUT', `/v1/trunks/${carrier!.id}`, { friendly_name: 'pbx' });
    assert.equal(renamed.status, 409);
    assert.equal(problem(renamed.body).field, 'friendly_name');
    const ok = await send<Item<{ friendly_name: string }>>('PUT', `/v1/trunks/${carrier!.id}`, { friendly_name: 'carrier-b' });
    assert.equal(ok.body.data.friendly_name, 'carrier-b');
    assert.equal((await send<ErrorBody>('PUT', `/v1/trunks/${carrier!.id}`, { port: 0 })).status, 400);
    assert.equal((await send<ErrorBody>('PUT', `/v1/trunks/TK${'0'.repeat(32)}`, { port: 5060 })).status, 404);
  });

  it('deletes trunks: the next dial no longer routes through them', async () => {
    const [carrier] = (await get<Page<{ id: string }>>('/v1/trunks?friendly_name=carrier-b')).body.data;
    assert.equal((await send('DELETE', `/v1/trunks/${carrier!.id}`, undefined, { 'if-match': '"stale"' })).status, 412);
    assert.equal((await send('DELETE', `/v1/trunks/${carrier!.id}`)).status, 204);
    assert.equal((await get(`/v1/trunks/${carrier!.id}`)).status, 404);
    assert.equal((await send('DELETE', `/v1/trunks/${carrier!.id}`)).status, 404);
    assert.equal(await new StoredTrunkRoutes(s.store.trunks).route('+442071234567', s.account.sid), undefined, 'the pbx is disabled, so nothing takes the number');
  });

  it('describes recordings and trunks in /openapi.json and kept to it in every request and answer above', async () => {
    const doc = (await (await fetch(`${s.base}/openapi.json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    assert.deepEqual(Object.keys(doc.paths['/v1/recordings']!).sort(), ['get']);
    assert.deepEqual(Object.keys(doc.paths['/v1/recordings/{id}']!).sort(), ['delete', 'get']);
    assert.deepEqual(Object.keys(doc.paths['/v1/trunks']!).sort(), ['get', 'post']);
    assert.deepEqual(Object.keys(doc.paths['/v1/trunks/{id}']!).sort(), ['delete', 'get', 'put']);
    await assertConformance(s);
  });
});
