import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { apifonSignature } from '../../../src/api/v1/auth.js';
import { OpenApiChecker, type OpenApiDocument } from '../../support/openapi-conformance.js';
import { assertConformance, startCompatServer, type CompatServer, type ErrorBody, type Item, type Page } from './compat-support.js';

describe('native v1 API (seed conventions over a real server)', () => {
  let s: CompatServer;
  const calls: string[] = [];
  const get = async <T>(path: string, init: Parameters<CompatServer['request']>[2] = {}): Promise<{ status: number; body: T; headers: Headers }> => {
    const res = await s.request('GET', path, init);
    return { status: res.status, body: (res.status === 304 ? undefined : await res.json()) as T, headers: res.headers };
  };
  const send = async <T>(method: string, path: string, json?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T; headers: Headers }> => {
    const res = await s.request(method, path, { ...(json !== undefined ? { json } : {}), headers });
    const text = await res.text();
    return { status: res.status, body: (text === '' ? undefined : JSON.parse(text)) as T, headers: res.headers };
  };
  const problem = (body: unknown) => (body as ErrorBody).errors[0]!;

  before(async () => {
    s = await startCompatServer();
    for (let i = 0; i < 23; i++) {
      const call = await s.store.calls.create({
        accountSid: s.account.sid,
        from: `+1555100${String(i).padStart(4, '0')}`,
        to: i % 2 ? '+15552000001' : '+15552000002',
        direction: 'inbound',
        ...(i >= 20 ? { parentCallSid: calls[0]! } : {}),
      });
      calls.push(call.sid);
      if (i % 5 === 0) await s.store.calls.update(call.sid, { status: 'completed', startTime: '2026-03-01T10:00:00.000Z', endTime: '2026-03-01T10:01:00.000Z', duration: 60 + i });
    }
    await s.store.calls.create({ accountSid: s.other.sid, from: '+15559999999', to: '+15552000001', direction: 'inbound' });
  });
  after(async () => s.close());

  it('pages with page and size, meta totals and first/last/prev/next links that lead through every call once', async () => {
    const first = await get<Page>('/v1/calls?size=10');
    assert.equal(first.status, 200);
    assert.equal(first.body.data.length, 10);
    assert.deepEqual({ ...first.body.meta, Etags: undefined }, { total: 23, page: 1, size: 10, pages: 3, sort: 'date_created', sort_dir: 'DESC', Etags: undefined });
    assert.equal(first.body.links.prev, null);
    assert.equal(first.body.links.first, '/v1/calls?size=10&page=1');
    assert.equal(first.body.links.last, '/v1/calls?size=10&page=3');
    const seen: string[] = [];
    let next: string | null = first.body.links.first;
    let pages = 0;
    while (next !== null) {
      const page: { body: Page } = await get<Page>(next);
      seen.push(...page.body.data.map((c) => String(c.id)));
      if (pages > 0) assert.ok(page.body.links.prev, 'pages after the first link back');
      next = page.body.links.next;
      pages++;
    }
    assert.equal(pages, 3);
    assert.deepEqual([...seen].sort(), [...calls].sort(), 'every call once, none of the other account');
    const third = await get<Page>('/v1/calls?size=10&page=3');
    assert.equal(third.body.data.length, 3);
    assert.equal(third.body.links.next, null);
    assert.equal(third.body.links.prev, '/v1/calls?size=10&page=2');
    const beyond = await get<Page>('/v1/calls?size=10&page=9');
    assert.deepEqual(beyond.body.data, []);
    assert.equal(beyond.body.links.prev, '/v1/calls?size=10&page=3');
    const defaults = await get<Page>('/v1/calls');
    assert.equal(defaults.body.meta.size, 50);
    assert.equal(defaults.body.data.length, 23);
  });

  it('sorts on any field in either direction, ties broken by id', async () => {
    const asc = await get<Page<{ from: string }>>('/v1/calls?sort=from&sort_dir=ASC&size=100');
    const froms = asc.body.data.map((c) => c.from);
    assert.deepEqual(froms, [...froms].sort());
    assert.equal(asc.body.meta.sort, 'from');
    assert.equal(asc.body.meta.sort_dir, 'ASC');
    const desc = await get<Page<{ from: string }>>('/v1/calls?sort=from&sort_dir=desc&size=100');
    assert.deepEqual(desc.body.data.map((c) => c.from), [...froms].reverse());
    const byDuration = await get<Page<{ duration: number | null }>>('/v1/calls?sort=duration&sort_dir=DESC&status=completed');
    assert.deepEqual(byDuration.body.data.map((c) => c.duration), [80, 75, 70, 65, 60]);
    const bad = await get<ErrorBody>('/v1/calls?sort=colour');
    assert.equal(bad.status, 400);
    assert.equal(problem(bad.body).field, 'sort');
    assert.match(problem(bad.body).message, /must be one of id, /);
    assert.equal((await get<ErrorBody>('/v1/calls?sort_dir=sideways')).status, 400);
  });

  it('filters on any listed field, all filters at once; null matches an empty field', async () => {
    const completed = await get<Page<{ status: string; to: string }>>('/v1/calls?status=completed&to=%2B15552000002');
    assert.equal(completed.status, 200);
    assert.equal(completed.body.meta.total, 3, 'calls 0, 10, 20 are completed and to …0002');
    assert.ok(completed.body.data.every((c) => c.status === 'completed' && c.to === '+15552000002'));
    assert.equal((await get<Page>('/v1/calls?duration=75')).body.meta.total, 1);
    assert.equal((await get<Page>(`/v1/calls?parent_call_id=${calls[0]}`)).body.meta.total, 3);
    assert.equal((await get<Page>('/v1/calls?parent_call_id=null')).body.meta.total, 20);
    assert.equal((await get<Page>('/v1/calls?from=%2B15551000007&size=1')).body.links.last, '/v1/calls?from=%2B15551000007&size=1&page=1');
    const unknown = await get<ErrorBody>('/v1/calls?colour=blue');
    assert.equal(unknown.status, 400);
    assert.equal(problem(unknown.body).field, 'colour');
    const notNumber = await get<ErrorBody>('/v1/calls?duration=long');
    assert.equal(notNumber.status, 400);
    assert.equal(problem(notNumber.body).field, 'duration');
  });

  it('narrows answers to `fields` (and the seed’s `field`), and refuses an unknown field', async () => {
    const list = await get<Page>('/v1/calls?fields=id,status&size=2');
    assert.deepEqual(Object.keys(list.body.data[0]!), ['id', 'status']);
    const item = await get<Item>(`/v1/calls/${calls[3]}?field=to,from`);
    assert.deepEqual(item.body.data, { to: '+15552000001', from: '+15551000003' });
    const bad = await get<ErrorBody>('/v1/calls?fields=id,colour');
    assert.equal(bad.status, 400);
    assert.deepEqual(bad.body.result_info, { status_code: 400, description: 'Bad Request' });
    assert.equal(problem(bad.body).field, 'fields');
    assert.match(problem(bad.body).message, /Unknown field colour/);
    assert.equal((await get<ErrorBody>(`/v1/calls/${calls[3]}?fields=secret`)).status, 400);
  });

  it('gives each resource an Etag in meta (and the ETag header), per resource on lists, and 304 to If-None-Match', async () => {
    const item = await get<Item>(`/v1/calls/${calls[5]}`);
    assert.match(item.body.meta.Etag, /^[0-9a-f]{32}$/);
    assert.equal(item.headers.get('etag'), `"${item.body.meta.Etag}"`);
    const partial = await get<Item>(`/v1/calls/${calls[5]}?fields=id`);
    assert.equal(partial.body.meta.Etag, item.body.meta.Etag, 'the tag is of the resource, not of the narrowed answer');
    const list = await get<Page>('/v1/calls?size=100');
    assert.equal(list.body.meta.Etags[calls[5]!], item.body.meta.Etag);
    assert.equal(Object.keys(list.body.meta.Etags).length, 23);
    const cached = await get<undefined>(`/v1/calls/${calls[5]}`, { headers: { 'if-none-match': `"${item.body.meta.Etag}"` } });
    assert.equal(cached.status, 304);
    await s.store.calls.update(calls[5]!, { answeredBy: 'human' });
    const changed = await get<Item>(`/v1/calls/${calls[5]}`, { headers: { 'if-none-match': `"${item.body.meta.Etag}"` } });
    assert.equal(changed.status, 200);
    assert.notEqual(changed.body.meta.Etag, item.body.meta.Etag);
  });

  it('fetches and deletes calls: 404 for a missing or foreign call, 409 for a live one, 412 for a stale If-Match', async () => {
    const missing = await get<ErrorBody>(`/v1/calls/CA${'0'.repeat(32)}`);
    assert.equal(missing.status, 404);
    assert.deepEqual(missing.body.result_info, { status_code: 404, description: 'Not Found' });
    assert.equal(problem(missing.body).code, 20404);
    const foreign = (await s.store.calls.list(s.other.sid))[0]!;
    assert.equal((await get(`/v1/calls/${foreign.sid}`)).status, 404);
    const live = await send<ErrorBody>('DELETE', `/v1/calls/${calls[1]}`);
    assert.equal(live.status, 409);
    assert.equal(problem(live.body).code, 20009);
    const current = (await get<Item>(`/v1/calls/${calls[15]}`)).body.meta.Etag;
    const stale = await send<ErrorBody>('DELETE', `/v1/calls/${calls[15]}`, undefined, { 'if-match': '"0123456789abcdef0123456789abcdef"' });
    assert.equal(stale.status, 412);
    assert.equal(problem(stale.body).code, 20412);
    assert.equal(problem(stale.body).field, 'If-Match');
    assert.ok(problem(stale.body).message.includes(current));
    const gone = await send('DELETE', `/v1/calls/${calls[15]}`, undefined, { 'if-match': `"${current}"` });
    assert.equal(gone.status, 204);
    assert.equal((await get(`/v1/calls/${calls[15]}`)).status, 404);
    calls.splice(15, 1);
    const create = await send<ErrorBody>('POST', '/v1/calls', { to: '+15550000000' });
    assert.equal(create.status, 404, 'starting calls is not offered until telephony/ provides it');
  });

  it('creates, lists, fetches, updates (If-Match) and deletes numbers with their URLs, dialect and applications', async () => {
    const app = await send<Item<{ id: string }>>('POST', '/v1/applications', { friendly_name: 'IVR', voice_url: 'https://ivr.example/voice' });
    assert.equal(app.status, 201);
    const created = await send<Item<Record<string, unknown>>>('POST', '/v1/numbers', {
      phone_number: '+15557000001',
      friendly_name: 'Main line',
      voice_url: 'https://app.example/voice',
      voice_method: 'GET',
      dialect: 'apifonica',
    });
    assert.equal(created.status, 201);
    assert.equal(created.headers.get('etag'), `"${created.body.meta.Etag}"`);
    const n = created.body.data;
    assert.match(String(n.id), /^PN[0-9a-f]{32}$/);
    assert.equal(n.voice_method, 'GET');
    assert.equal(n.dialect, 'apifonica');
    assert.equal(n.sms_url, null);
    assert.equal((await send<ErrorBody>('POST', '/v1/numbers', { phone_number: '+15557000001' })).status, 409);
    await send('POST', '/v1/numbers', { phone_number: '+15557000002', friendly_name: 'Second' });

    const listed = await get<Page<{ phone_number: string }>>('/v1/numbers');
    assert.deepEqual(listed.body.data.map((x) => x.phone_number), ['+15557000001', '+15557000002'], 'oldest first by default');
    assert.equal((await get<Page>('/v1/numbers?dialect=apifonica')).body.meta.total, 1);

    const stale = await send<ErrorBody>('PUT', `/v1/numbers/${n.id}`, { friendly_name: 'x' }, { 'if-match': '"not-the-tag"' });
    assert.equal(stale.status, 412);
    const updated = await send<Item<Record<string, unknown>>>('PUT', `/v1/numbers/${n.id}`, { voice_application_id: app.body.data.id, voice_url: null }, { 'if-match': `"${created.body.meta.Etag}"` });
    assert.equal(updated.status, 200);
    assert.equal(updated.body.data.voice_application_id, app.body.data.id);
    assert.equal(updated.body.data.voice_url, null);
    assert.equal(updated.body.data.friendly_name, 'Main line', 'fields left out keep their value');
    assert.notEqual(updated.body.meta.Etag, created.body.meta.Etag);
    const lost = await send<ErrorBody>('PUT', `/v1/numbers/${n.id}`, { friendly_name: 'late' }, { 'if-match': `"${created.body.meta.Etag}"` });
    assert.equal(lost.status, 412, 'a second writer holding the old tag loses');
    assert.equal((await get<Item<{ friendly_name: string }>>(`/v1/numbers/${n.id}`)).body.data.friendly_name, 'Main line');

    const theirs = await s.store.applications.create(s.other.sid, { friendlyName: 'not yours' });
    const foreignApp = await send<ErrorBody>('PUT', `/v1/numbers/${n.id}`, { sms_application_id: theirs.sid });
    assert.equal(foreignApp.status, 400);
    assert.equal(problem(foreignApp.body).field, 'sms_application_id');

    assert.equal((await send('DELETE', `/v1/numbers/${n.id}`, undefined, { 'if-match': `"${updated.body.meta.Etag}"` })).status, 204);
    assert.equal((await get(`/v1/numbers/${n.id}`)).status, 404);
  });

  it('answers body problems in the seed’s error shape, naming the field', async () => {
    const badNumber = await send<ErrorBody>('POST', '/v1/numbers', { phone_number: '555-CALL-NOW' });
    assert.equal(badNumber.status, 400);
    assert.equal(problem(badNumber.body).field, 'phone_number');
    assert.equal(problem(badNumber.body).code, 20001);
    const extra = await send<ErrorBody>('POST', '/v1/numbers', { phone_number: '+15557000009', colour: 'red' });
    assert.equal(extra.status, 400);
    assert.equal(problem(extra.body).field, 'colour');
    const badUrl = await send<ErrorBody>('POST', '/v1/applications', { voice_url: 'ftp://nope' });
    assert.equal(problem(badUrl.body).field, 'voice_url');
    const badMethod = await send<ErrorBody>('POST', '/v1/applications', { voice_method: 'PATCH' });
    assert.match(problem(badMethod.body).message, /must be one of GET, POST/);
    const missing = await send<ErrorBody>('POST', '/v1/numbers', {});
    assert.equal(problem(missing.body).field, 'phone_number');
    const notJson = await s.request('POST', '/v1/applications', { body: '{"friendly_name": ', headers: { 'content-type': 'application/json' } });
    assert.equal(notJson.status, 400);
    assert.equal(((await notJson.json()) as ErrorBody).errors[0]!.code, 20001);
    const form = await s.request('POST', '/v1/applications', { body: new URLSearchParams({ friendly_name: 'x' }) });
    assert.equal(form.status, 415);
    const formBody = (await form.json()) as ErrorBody;
    assert.deepEqual(formBody.result_info, { status_code: 415, description: 'Unsupported Media Type' });
    const nowhere = await get<ErrorBody>('/v1/nowhere');
    assert.equal(nowhere.status, 404);
    assert.equal(problem(nowhere.body).code, 20404);
  });

  it('creates, updates and deletes applications', async () => {
    const a = await send<Item<Record<string, unknown>>>('POST', '/v1/applications', {
      friendly_name: 'Support',
      voice_url: 'https://support.example/voice',
      message_status_callback: 'https://support.example/status',
    });
    assert.equal(a.status, 201);
    assert.match(String(a.body.data.id), /^AP[0-9a-f]{32}$/);
    assert.equal(a.body.data.message_status_callback, 'https://support.example/status');
    const u = await send<Item<Record<string, unknown>>>('PUT', `/v1/applications/${a.body.data.id}`, { friendly_name: 'Support 2' }, { 'if-match': a.body.meta.Etag });
    assert.equal(u.status, 200, 'an unquoted tag matches too');
    assert.equal(u.body.data.voice_url, 'https://support.example/voice');
    assert.equal((await get<Page>('/v1/applications?friendly_name=Support%202')).body.meta.total, 1);
    // Visible on the compatible API too: one store, two APIs.
    const compat = await s.client().applications(String(a.body.data.id)).fetch();
    assert.equal(compat.friendlyName, 'Support 2');
    assert.equal((await send('DELETE', `/v1/applications/${a.body.data.id}`)).status, 204);
    assert.equal((await send('DELETE', `/v1/applications/${a.body.data.id}`)).status, 404);
  });

  it('sends messages (queued), lists them with filters, refuses a sender that is not the account’s', async () => {
    await s.store.numbers.add(s.account.sid, { phoneNumber: '+15553000001' });
    const m = await send<Item<Record<string, unknown>>>('POST', '/v1/messages', { to: '+15554000001', from: '+15553000001', body: 'Hello' });
    assert.equal(m.status, 201);
    assert.equal(m.body.data.status, 'queued');
    assert.equal(m.body.data.direction, 'outbound-api');
    assert.equal(m.body.data.num_segments, 1);
    const mms = await send<Item<Record<string, unknown>>>('POST', '/v1/messages', { to: '+15554000002', from: 'Dialtone', media_urls: ['https://media.example/a.png'] });
    assert.match(String(mms.body.data.id), /^MM/);
    assert.deepEqual(mms.body.data.media_urls, ['https://media.example/a.png']);
    assert.equal((await get<Page>('/v1/messages?to=%2B15554000001')).body.meta.total, 1);
    assert.equal((await get<Page>('/v1/messages?status=queued')).body.meta.total, 2);
    const byMedia = await get<ErrorBody>('/v1/messages?media_urls=x');
    assert.equal(byMedia.status, 400, 'a list field is shown, not filtered');
    const foreign = await send<ErrorBody>('POST', '/v1/messages', { to: '+15554000001', from: '+15553999999', body: 'x' });
    assert.equal(problem(foreign.body).code, 21606);
    assert.equal(problem(foreign.body).field, 'from');
    const empty = await send<ErrorBody>('POST', '/v1/messages', { to: '+15554000001', from: '+15553000001' });
    assert.equal(problem(empty.body).code, 21602);
    const long = await send<ErrorBody>('POST', '/v1/messages', { to: '+15554000001', from: '+15553000001', body: 'x'.repeat(1601) });
    assert.equal(problem(long.body).field, 'body');
    assert.equal((await send('DELETE', `/v1/messages/${m.body.data.id}`)).status, 204);
    assert.equal((await get(`/v1/messages/${m.body.data.id}`)).status, 404);
  });

  it('authenticates with Basic (auth token or API key) and answers 401 in the seed shape with a challenge', async () => {
    const none = await fetch(`${s.base}/v1/calls`);
    assert.equal(none.status, 401);
    assert.match(String(none.headers.get('www-authenticate')), /^Basic realm=/);
    const body = (await none.json()) as ErrorBody;
    assert.deepEqual(body.result_info, { status_code: 401, description: 'Unauthorized' });
    assert.equal(body.errors[0]!.code, 20003);
    assert.equal((await s.request('GET', '/v1/calls', { auth: [s.account.sid, 'wrong'] })).status, 401);
    const unauthenticatedBadBody = await fetch(`${s.base}/v1/numbers`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"colour":1}' });
    assert.equal(unauthenticatedBadBody.status, 401, 'a stranger learns nothing of the schema');

    const key = await send<Item<{ id: string; secret: string }>>('POST', '/v1/keys', { friendly_name: 'deploy' });
    assert.equal(key.status, 201);
    assert.match(key.body.data.secret, /^[A-Za-z0-9]{32}$/);
    const viaKey = await s.request('GET', '/v1/calls?size=1', { auth: [key.body.data.id, key.body.data.secret] });
    assert.equal(viaKey.status, 200);
    const fetched = await get<Item<Record<string, unknown>>>(`/v1/keys/${key.body.data.id}`);
    assert.equal(fetched.body.data.secret, undefined, 'the secret is shown once');
    assert.equal((await s.request('GET', '/v1/keys', { auth: [key.body.data.id, key.body.data.secret] })).status, 401, 'a key cannot manage keys');
    assert.equal((await send('DELETE', `/v1/keys/${key.body.data.id}`)).status, 204);
    assert.equal((await s.request('GET', '/v1/calls', { auth: [key.body.data.id, key.body.data.secret] })).status, 401);
  });

  it('authenticates Apifon-signed requests (ApifonWS token:signature with X-ApifonWS-Date) and refuses bad or stale signatures', async () => {
    const signed = async (method: string, path: string, body: string, opts: { secret?: string; date?: Date; tamper?: string } = {}) => {
      const date = (opts.date ?? new Date()).toUTCString();
      const signature = apifonSignature(opts.secret ?? s.account.authToken, { method, path: path.split('?')[0]!, body, date });
      return fetch(`${s.base}${path}`, {
        method,
        headers: {
          authorization: `ApifonWS ${s.account.sid}:${signature}`,
          'x-apifonws-date': date,
          ...(body !== '' ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== '' ? { body: opts.tamper ?? body } : {}),
      });
    };
    const list = await signed('GET', '/v1/calls?size=1', '');
    assert.equal(list.status, 200);
    const created = await signed('POST', '/v1/applications', JSON.stringify({ friendly_name: 'signed' }));
    assert.equal(created.status, 201);
    assert.equal(((await created.json()) as Item<{ friendly_name: string }>).data.friendly_name, 'signed');
    assert.equal((await signed('GET', '/v1/calls', '', { secret: 'not-the-token' })).status, 401);
    assert.equal((await signed('POST', '/v1/applications', '{"friendly_name":"a"}', { tamper: '{"friendly_name":"b"}' })).status, 401, 'the signature covers the body');
    const stale = await signed('GET', '/v1/calls', '', { date: new Date(Date.now() - 60 * 60 * 1000) });
    assert.equal(stale.status, 401);
    assert.match(((await stale.json()) as ErrorBody).errors[0]!.message, /X-ApifonWS-Date/);
  });

  it('keeps POST /v1/validate working without credentials', async () => {
    const res = await fetch(`${s.base}/v1/validate`, { method: 'POST', headers: { 'content-type': 'application/xml' }, body: '<Response><Say>Hi</Say></Response>' });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { valid: boolean }).valid, true);
  });

  it('serves /openapi.json describing both APIs', async () => {
    const doc = (await (await fetch(`${s.base}/openapi.json`)).json()) as { openapi: string; paths: Record<string, Record<string, unknown>> };
    assert.match(doc.openapi, /^3\./);
    for (const path of ['/v1/calls', '/v1/calls/{id}', '/v1/numbers/{id}', '/v1/applications', '/v1/messages', '/v1/keys', '/v1/validate', '/2010-04-01/Accounts/{AccountSid}/Calls.json', '/2010-04-01/Accounts/{AccountSid}/Messages.json']) {
      assert.ok(doc.paths[path], `${path} is described`);
    }
    assert.deepEqual(Object.keys(doc.paths['/v1/calls/{id}']!).sort(), ['delete', 'get'], 'no route that cannot work yet');
    assert.equal(doc.paths['/v1/calls']!.post, undefined);
  });

  it('has a checker that notices when answers and the document part ways', async () => {
    const doc = (await (await fetch(`${s.base}/openapi.json`)).json()) as OpenApiDocument & { paths: Record<string, Record<string, { responses: Record<string, { content: Record<string, { schema: { properties: Record<string, { properties: Record<string, unknown> }> } }> }> }>> };
    // The document forgets the calls' `to` field and says a number's dialect is a number.
    const callItem = doc.paths['/v1/calls/{id}']!.get!.responses['200']!.content['application/json']!.schema.properties.data!;
    delete callItem.properties.to;
    doc.paths['/v1/numbers']!.post!.responses['201']!.content['application/json']!.schema.properties.data!.properties.dialect = { type: 'integer' };
    const result = new OpenApiChecker(doc).check(s.traffic);
    assert.ok(result.problems.some((p) => p.startsWith('GET /v1/calls/CA') && p.includes('must NOT have additional properties')), 'an undocumented field is caught');
    assert.ok(result.problems.some((p) => p.startsWith('POST /v1/numbers') && p.includes('dialect must be integer')), 'a wrong type is caught');
    const refused = s.traffic.find((e) => e.url === '/v1/calls?colour=blue')!;
    const accepted = new OpenApiChecker(doc).check([{ ...refused, status: 200 }]).problems;
    assert.ok(accepted.some((p) => p.includes('query colour is not a parameter of this operation') && p.includes('yet was not refused')), 'a request that breaks the document must be refused');
  });

  it('kept to /openapi.json in every request and answer above', async () => {
    await assertConformance(s);
  });
});
