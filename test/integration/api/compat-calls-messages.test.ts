import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { assertConformance, restError, startCompatServer, type CompatServer } from './compat-support.js';

describe('Twilio-compatible API: calls and messages (official twilio client)', () => {
  let s: CompatServer;
  const seeded: string[] = [];
  let parentSid = '';
  before(async () => {
    s = await startCompatServer();
    // 120 calls through the store, as telephony/ would record them.
    for (let i = 0; i < 120; i++) {
      const call = await s.store.calls.create({
        accountSid: s.account.sid,
        from: `+1555100${String(i % 4).padStart(4, '0')}`,
        to: i % 2 ? '+15552000001' : '+15552000002',
        direction: 'inbound',
        ...(i >= 100 && parentSid ? { parentCallSid: parentSid } : {}),
      });
      if (i === 0) parentSid = call.sid;
      seeded.push(call.sid);
      if (i % 10 === 0) {
        const day = i < 60 ? '2026-03-01' : '2026-03-02';
        await s.store.calls.update(call.sid, { status: 'completed', startTime: `${day}T10:00:00.000Z`, endTime: `${day}T10:01:00.000Z`, duration: 60 });
      }
    }
    await s.store.calls.create({ accountSid: s.other.sid, from: '+15559999999', to: '+15552000001', direction: 'inbound' });
    await s.store.numbers.add(s.account.sid, { phoneNumber: '+15553000001' });
  });
  after(async () => s.close());

  it('pages through 120 calls, 50 at a time, without gaps or repeats', async () => {
    const client = s.client();
    const all = await client.calls.list({ pageSize: 50 });
    assert.equal(all.length, 120);
    assert.deepEqual(new Set(all.map((c) => c.sid)), new Set(seeded));
    const first = await client.calls.page({ pageSize: 50 });
    assert.equal(first.instances.length, 50);
    const second = await first.nextPage();
    assert.ok(second);
    assert.equal(second.instances.length, 50);
    const third = await second.nextPage();
    assert.ok(third);
    assert.equal(third.instances.length, 20);
    assert.equal(await third.nextPage(), undefined, 'the last page has no next_page_uri');
    const back = await third.previousPage();
    assert.ok(back);
    assert.deepEqual(back.instances.map((c) => c.sid), second.instances.map((c) => c.sid), 'previous_page_uri goes back to the same rows');
  });

  it('answers the list envelope with relative URIs, one list key and the full call key set', async () => {
    const res = await s.request('GET', `/2010-04-01/Accounts/${s.account.sid}/Calls.json?Status=completed&PageSize=5`);
    assert.equal(res.status, 200);
    const page = (await res.json()) as Record<string, unknown>;
    assert.deepEqual(Object.keys(page).sort(), ['calls', 'end', 'first_page_uri', 'next_page_uri', 'page', 'page_size', 'previous_page_uri', 'start', 'uri']);
    const path = `/2010-04-01/Accounts/${s.account.sid}/Calls.json`;
    assert.equal(page.first_page_uri, `${path}?Status=completed&PageSize=5&Page=0`);
    assert.match(String(page.next_page_uri), new RegExp(`^${path}\\?Status=completed&PageSize=5&Page=1&PageToken=PA`));
    assert.equal(page.previous_page_uri, null);
    assert.deepEqual([page.page, page.page_size, page.start, page.end], [0, 5, 0, 4]);
    const call = (page.calls as Record<string, unknown>[])[0]!;
    assert.equal(Object.keys(call).length, 26);
    assert.equal(call.status, 'completed');
    assert.equal(call.duration, '60');
    assert.equal(call.to_formatted, '(555) 200-0002');
    assert.equal(call.uri, `${path.slice(0, -5)}/${call.sid}.json`);
    assert.match(String(call.sid), /^CA[0-9a-f]{32}$/);
  });

  it('filters calls by To, From, Status, ParentCallSid, StartTime and EndTime', async () => {
    const client = s.client();
    assert.equal((await client.calls.list({ to: '+15552000001' })).length, 60);
    assert.equal((await client.calls.list({ from: '+15551000001' })).length, 30);
    assert.equal((await client.calls.list({ status: 'completed' })).length, 12);
    assert.equal((await client.calls.list({ parentCallSid: parentSid })).length, 20);
    assert.equal((await client.calls.list({ startTime: new Date('2026-03-01T00:00:00Z') })).length, 6);
    assert.equal((await client.calls.list({ startTimeAfter: new Date('2026-03-02T00:00:00Z') })).length, 6);
    assert.equal((await client.calls.list({ endTimeBefore: new Date('2026-03-01T23:00:00Z') })).length, 6);
    const raw = await s.request('GET', `/2010-04-01/Accounts/${s.account.sid}/Calls.json?${new URLSearchParams({ 'StartTime>': '2026-03-01', 'StartTime<': '2026-03-01' })}`);
    assert.equal(((await raw.json()) as { calls: unknown[] }).calls.length, 6, 'YYYY-MM-DD bounds are whole days');
    const bad = await restError(client.calls.list({ status: 'sleeping' as 'queued' }));
    assert.equal(bad.status, 400);
  });

  it('fetches a call, answers 20404 for a missing one and for another account’s, deletes only finished calls', async () => {
    const client = s.client();
    const fetched = await client.calls(seeded[10]!).fetch();
    assert.equal(fetched.sid, seeded[10]);
    assert.equal(fetched.status, 'completed');
    assert.ok(fetched.startTime instanceof Date);
    assert.equal((await restError(client.calls(`CA${'0'.repeat(32)}`).fetch())).code, 20404);
    const theirs = (await s.store.calls.list(s.other.sid))[0]!;
    const e = await restError(client.calls(theirs.sid).fetch());
    assert.equal(e.status, 404);
    assert.equal(e.code, 20404);
    const busy = await restError(client.calls(seeded[11]!).remove());
    assert.equal(busy.status, 409);
    assert.equal(busy.code, 20009);
    assert.equal(await client.calls(seeded[20]!).remove(), true);
    assert.equal((await restError(client.calls(seeded[20]!).fetch())).code, 20404);
    seeded.splice(20, 1);
  });

  it('creates, lists, fetches and deletes messages; they stay queued', async () => {
    const client = s.client();
    const m = await client.messages.create({ to: '+15554000001', from: '+15553000001', body: 'Hello from Dialtone' });
    assert.match(m.sid, /^SM[0-9a-f]{32}$/);
    assert.equal(m.status, 'queued');
    assert.equal(m.direction, 'outbound-api');
    assert.equal(m.numSegments, '1');
    assert.equal(m.dateSent, null);
    const long = await client.messages.create({ to: '+15554000002', from: 'Dialtone', body: 'ü'.repeat(10) + 'λ'.repeat(100) });
    assert.equal(long.numSegments, '2', 'UCS-2 text of 110 characters takes two parts');
    const mms = await client.messages.create({ to: '+15554000001', from: '+15553000001', mediaUrl: ['https://media.example/a.png', 'https://media.example/b.png'] });
    assert.match(mms.sid, /^MM/);
    assert.equal(mms.numMedia, '2');
    assert.equal((await client.messages(m.sid).fetch()).body, 'Hello from Dialtone');
    assert.equal((await client.messages.list({ to: '+15554000001' })).length, 2);
    assert.equal((await client.messages.list()).length, 3);
    assert.equal(await client.messages(m.sid).remove(), true);
    assert.equal((await restError(client.messages(m.sid).fetch())).code, 20404);
  });

  it('answers 21xxx on bad message input', async () => {
    const client = s.client();
    const code = async (p: Parameters<typeof client.messages.create>[0]) => (await restError(client.messages.create(p))).code;
    assert.equal(await code({ to: 'not-a-number', from: '+15553000001', body: 'x' }), 21211);
    assert.equal(await code({ to: '', from: '+15553000001', body: 'x' } as Parameters<typeof client.messages.create>[0]), 21604);
    assert.equal(await code({ to: '+15554000001', body: 'x' } as Parameters<typeof client.messages.create>[0]), 21603);
    assert.equal(await code({ to: '+15554000001', from: '+15553999999', body: 'x' }), 21606);
    assert.equal(await code({ to: '+15554000001', from: 'no!such#sender', body: 'x' }), 21212);
    assert.equal(await code({ to: '+15554000001', from: '+15553000001' } as Parameters<typeof client.messages.create>[0]), 21602);
    assert.equal(await code({ to: '+15554000001', from: '+15553000001', body: 'x'.repeat(1601) }), 21617);
    assert.equal(await code({ to: '+15554000001', from: '+15553000001', mediaUrl: ['ftp://x'] }), 21620);
  });

  it('replays a message create with the same Idempotency-Key and creates nothing', async () => {
    const path = `/2010-04-01/Accounts/${s.account.sid}/Messages.json`;
    const before = (await s.store.messages.page(s.account.sid, {}, { limit: 1000 })).length;
    const send = (key: string, body = 'Once only') =>
      s.request('POST', path, { body: new URLSearchParams({ To: '+15554000009', From: '+15553000001', Body: body }), headers: { 'idempotency-key': key } });
    const first = await send('order-42');
    assert.equal(first.status, 201);
    const firstBody = (await first.json()) as { sid: string };
    const again = await send('order-42', 'a different body');
    assert.equal(again.status, 201);
    assert.equal(again.headers.get('idempotent-replayed'), 'true');
    assert.deepEqual(await again.json(), firstBody);
    assert.equal((await s.store.messages.page(s.account.sid, {}, { limit: 1000 })).length, before + 1);
    // Keys belong to one account: the same key elsewhere is a different request.
    const elsewhere = await s.store.numbers.add(s.other.sid, { phoneNumber: '+15553000002' });
    const theirs = await s.request('POST', `/2010-04-01/Accounts/${s.other.sid}/Messages.json`, {
      body: new URLSearchParams({ To: '+15554000009', From: elsewhere.phoneNumber, Body: 'x' }),
      headers: { 'idempotency-key': 'order-42' },
      auth: [s.other.sid, s.other.authToken],
    });
    assert.equal(theirs.status, 201);
    assert.equal(theirs.headers.get('idempotent-replayed'), null);
    // A create that fails records nothing: the corrected retry with the same key goes through.
    const failed = await s.request('POST', path, { body: new URLSearchParams({ To: 'bad', From: '+15553000001', Body: 'x' }), headers: { 'idempotency-key': 'order-43' } });
    assert.equal(failed.status, 400);
    const fixed = await send('order-43');
    assert.equal(fixed.status, 201);
    assert.equal(fixed.headers.get('idempotent-replayed'), null);
  });

  it('takes a JSON message body with a list of media URLs', async () => {
    const res = await s.request('POST', `/2010-04-01/Accounts/${s.account.sid}/Messages.json`, {
      json: { To: '+15554000010', From: '+15553000001', Body: 'json', MediaUrl: ['https://media.example/c.png'] },
    });
    assert.equal(res.status, 201);
    const body = (await res.json()) as Record<string, unknown>;
    assert.equal(body.num_media, '1');
    assert.equal(Object.keys(body).length, 20);
  });
  it('kept to /openapi.json in every request and answer above', async () => {
    await assertConformance(s);
  });
});

describe('Twilio-compatible API: the SignalWire mount with a project UUID', () => {
  let s: CompatServer;
  const project = '6b2a3b4e-1f2a-4c3d-9e8f-0a1b2c3d4e5f';
  before(async () => {
    s = await startCompatServer();
    await s.store.accounts.create({ sid: project, authToken: 'PTsecret-token', friendlyName: 'SignalWire project' });
    for (let i = 0; i < 3; i++) await s.store.calls.create({ accountSid: project, from: '+15551000000', to: '+15552000000', direction: 'inbound' });
  });
  after(async () => s.close());

  it('answers under /api/laml/2010-04-01 with URIs that follow the mount', async () => {
    const auth: [string, string] = [project, 'PTsecret-token'];
    const account = (await (await s.request('GET', `/api/laml/2010-04-01/Accounts/${project}.json`, { auth })).json()) as Record<string, unknown>;
    assert.equal(account.sid, project);
    assert.equal(account.uri, `/api/laml/2010-04-01/Accounts/${project}.json`);
    const page = (await (await s.request('GET', `/api/laml/2010-04-01/Accounts/${project}/Calls.json?PageSize=2`, { auth })).json()) as {
      calls: { uri: string }[];
      next_page_uri: string;
    };
    assert.equal(page.calls.length, 2);
    assert.ok(page.calls[0]!.uri.startsWith(`/api/laml/2010-04-01/Accounts/${project}/Calls/CA`));
    // Clients resolve next_page_uri against the host, as twilio-node's absoluteUrl does.
    const next = (await (await s.request('GET', page.next_page_uri, { auth })).json()) as { calls: unknown[]; next_page_uri: string | null };
    assert.equal(next.calls.length, 1);
    assert.equal(next.next_page_uri, null);
  });

  it('answers under /2010-04-01 for the same UUID account (what the SignalWire SDK requests)', async () => {
    const res = await s.request('GET', `/2010-04-01/Accounts/${project}/Calls.json`, { auth: [project, 'PTsecret-token'] });
    assert.equal(res.status, 200);
    assert.equal(((await res.json()) as { calls: unknown[] }).calls.length, 3);
  });
  it('kept to /openapi.json in every request and answer above', async () => {
    await assertConformance(s);
  });
});

describe('Twilio-compatible API: placing and changing calls before telephony has started', () => {
  let s: CompatServer;
  let finished = '';
  before(async () => {
    s = await startCompatServer({ callControl: true });
    const call = await s.store.calls.create({ accountSid: s.account.sid, from: '+15551000000', to: '+15552000000', direction: 'outbound-api' });
    await s.store.calls.update(call.sid, { status: 'completed', startTime: '2026-03-01T10:00:00.000Z', endTime: '2026-03-01T10:01:00.000Z', duration: 60 });
    finished = call.sid;
  });
  after(async () => s.close());

  it('refuses to place a call with a 503 until telephony is up', async () => {
    await assert.rejects(s.client().calls.create({ to: '+15552000001', from: '+15553000001', url: 'https://app.example/voice' }), (e: { status: number; code: number }) => e.status === 503 && e.code === 20503);
  });

  it('answers an update of a finished call with the call as it stands, and refuses a status it cannot set', async () => {
    const call = await s.client().calls(finished).update({ status: 'completed' });
    assert.equal(call.sid, finished);
    assert.equal(call.status, 'completed');
    await assert.rejects(s.client().calls(finished).update({ status: 'busy' as 'completed' }), (e: { status: number }) => e.status === 400);
    await assert.rejects(s.client().calls(`CA${'0'.repeat(32)}`).update({ status: 'completed' }), (e: { status: number }) => e.status === 404);
  });

  it('kept to /openapi.json in every request and answer above', async () => {
    await assertConformance(s);
  });
});
