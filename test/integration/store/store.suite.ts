import { it } from 'node:test';
import assert from 'node:assert/strict';
import { NumberInUseError, isSid, type Store } from '../../../src/store/index.js';

/** The behaviour every driver must show; run by one test file per driver. */
export function storeSuite(open: () => Promise<Store>): void {
  it('creates accounts with 34-character SIDs, or keeps a given id', async () => {
    const store = await open();
    try {
      const a = await store.accounts.create();
      assert.ok(isSid(a.sid, 'AC'), a.sid);
      assert.match(a.authToken, /^[0-9a-f]{32}$/);
      const sw = await store.accounts.create({ sid: '6b2a3b4e-1f2a-4c3d-9e8f-0a1b2c3d4e5f', authToken: 'PTsecret' });
      assert.equal((await store.accounts.get(sw.sid))?.authToken, 'PTsecret');
    } finally {
      await store.close();
    }
  });

  it('adds, finds, updates and removes numbers; a number is unique on the node', async () => {
    const store = await open();
    try {
      const a = await store.accounts.create();
      const n = await store.numbers.add(a.sid, { phoneNumber: '+15550100', voiceUrl: 'http://127.0.0.1:3000/voice', voiceMethod: 'GET' });
      assert.ok(isSid(n.sid, 'PN'));
      assert.equal(n.voiceMethod, 'GET');
      assert.equal(n.voiceFallbackMethod, 'POST');
      assert.equal(n.dialect, 'twiml');
      assert.deepEqual((await store.numbers.findByNumber('+15550100'))?.sid, n.sid);
      await assert.rejects(store.numbers.add(a.sid, { phoneNumber: '+15550100' }), NumberInUseError);
      const updated = await store.numbers.update(a.sid, n.sid, { dialect: 'apifonica', statusCallback: 'http://x.example/s' });
      assert.equal(updated?.dialect, 'apifonica');
      assert.equal(updated?.voiceUrl, 'http://127.0.0.1:3000/voice', 'untouched fields stay');
      assert.equal(await store.numbers.remove('+15550100'), true);
      assert.equal(await store.numbers.findByNumber('+15550100'), undefined);
      assert.equal(await store.numbers.remove('+15550100'), false);
    } finally {
      await store.close();
    }
  });

  it('keeps accounts apart', async () => {
    const store = await open();
    try {
      const a = await store.accounts.create();
      const b = await store.accounts.create();
      const n = await store.numbers.add(a.sid, { phoneNumber: '+15550111' });
      assert.equal(await store.numbers.get(b.sid, n.sid), undefined);
      assert.equal((await store.numbers.list(b.sid)).length, 0);
      const app = await store.applications.create(a.sid, { voiceUrl: 'http://a.example/v' });
      assert.equal(await store.applications.get(b.sid, app.sid), undefined);
      const call = await store.calls.create({ accountSid: a.sid, from: '+1', to: '+2', direction: 'inbound' });
      assert.equal(await store.calls.get(call.sid, b.sid), undefined);
      assert.equal(await store.calls.remove(call.sid, b.sid), false);
    } finally {
      await store.close();
    }
  });

  it('pages calls newest first without gaps or repeats, and filters them', async () => {
    const store = await open();
    try {
      const a = await store.accounts.create();
      const sids = new Set<string>();
      for (let i = 0; i < 25; i++) {
        const c = await store.calls.create({ accountSid: a.sid, from: `+1555000${i % 3}`, to: '+15550100', direction: 'inbound' });
        sids.add(c.sid);
        if (i % 5 === 0) await store.calls.update(c.sid, { status: 'completed', startTime: c.dateCreated, duration: i });
      }
      const seen: string[] = [];
      let page = await store.calls.list(a.sid, {}, 10);
      while (page.length > 0) {
        seen.push(...page.map((c) => c.sid));
        const last = page[page.length - 1]!;
        page = await store.calls.list(a.sid, {}, 10, { dateCreated: last.dateCreated, sid: last.sid });
      }
      assert.equal(seen.length, 25);
      assert.deepEqual(new Set(seen), sids);
      const completed = await store.calls.list(a.sid, { status: 'completed' });
      assert.equal(completed.length, 5);
      assert.ok(completed.every((c) => c.startTime !== null && c.duration !== null));
      assert.equal((await store.calls.list(a.sid, { from: '+15550001' })).length, 8);
    } finally {
      await store.close();
    }
  });

  it('reads a call again as it is now, however soon it changed after it was last read', async () => {
    const store = await open();
    try {
      const a = await store.accounts.create();
      const c = await store.calls.create({ accountSid: a.sid, from: '+15550001', to: '+15550100', direction: 'inbound' });
      assert.equal((await store.calls.get(c.sid, a.sid))?.status, 'queued');
      assert.equal((await store.calls.list(a.sid))[0]?.status, 'queued');
      // Within the same millisecond, most likely: the update time alone could not tell these apart.
      await store.calls.update(c.sid, { status: 'ringing' });
      assert.equal((await store.calls.get(c.sid, a.sid))?.status, 'ringing');
      await store.calls.update(c.sid, { status: 'in-progress' });
      assert.equal((await store.calls.get(c.sid, a.sid))?.status, 'in-progress');
      assert.equal((await store.calls.list(a.sid))[0]?.status, 'in-progress');
      await store.calls.update(c.sid, { status: 'completed', duration: 7 });
      const [listed] = await store.calls.list(a.sid);
      assert.deepEqual([listed?.status, listed?.duration], ['completed', 7]);
      assert.equal((await store.calls.get(c.sid, 'AC-someone-else')), undefined, 'another account does not see it, read before or not');
      assert.equal(await store.calls.remove(c.sid, a.sid), true);
      assert.equal(await store.calls.get(c.sid, a.sid), undefined);
      assert.deepEqual(await store.calls.list(a.sid), []);
    } finally {
      await store.close();
    }
  });

  it('writes the events of many calls appended at once, each call in order, and a bad one fails alone', async () => {
    const store = await open();
    try {
      const a = await store.accounts.create();
      const calls = await Promise.all([1, 2, 3].map((i) => store.calls.create({ accountSid: a.sid, from: `+${i}`, to: '+2', direction: 'inbound' })));
      // Appended in one turn of the event loop: written together.
      const written = calls.flatMap((c) => [0, 1, 2].map((k) => store.callEvents.append(c.sid, a.sid, 'step', { k })));
      const orphan = store.callEvents.append('CA-no-such-call', a.sid, 'step', { k: 0 });
      assert.deepEqual(await Promise.all(written), [0, 1, 2, 0, 1, 2, 0, 1, 2]);
      await assert.rejects(orphan);
      for (const c of calls) {
        assert.deepEqual(
          (await store.callEvents.list(c.sid)).map((e) => [e.seq, e.data]),
          [0, 1, 2].map((k) => [k, { k }]),
        );
      }
    } finally {
      await store.close();
    }
  });

  it('appends a call timeline in order', async () => {
    const store = await open();
    try {
      const a = await store.accounts.create();
      const call = await store.calls.create({ accountSid: a.sid, from: '+1', to: '+2', direction: 'inbound' });
      assert.equal(await store.callEvents.append(call.sid, a.sid, 'request', { url: 'http://x/v', signed: 'http://x/vCallSidCA1' }), 0);
      assert.equal(await store.callEvents.append(call.sid, a.sid, 'verb-start', { verb: 'Say' }), 1);
      assert.equal(await store.callEvents.append(call.sid, a.sid, 'error', { code: 11200 }), 2);
      const events = await store.callEvents.list(call.sid);
      assert.deepEqual(
        events.map((e) => [e.seq, e.type]),
        [
          [0, 'request'],
          [1, 'verb-start'],
          [2, 'error'],
        ],
      );
      assert.deepEqual(events[0]!.data, { url: 'http://x/v', signed: 'http://x/vCallSidCA1' });
    } finally {
      await store.close();
    }
  });

  it('creates a recording in progress, completes it, finds it by call; accounts stay apart', async () => {
    const store = await open();
    try {
      const a = await store.accounts.create();
      const b = await store.accounts.create();
      const call = await store.calls.create({ accountSid: a.sid, from: '+1', to: '+2', direction: 'inbound' });
      const rec = await store.recordings.create({ accountSid: a.sid, callSid: call.sid, source: 'RecordVerb', filePath: 'recordings/x.wav' });
      assert.ok(isSid(rec.sid, 'RE'), rec.sid);
      assert.deepEqual([rec.status, rec.channels, rec.duration, rec.errorCode], ['in-progress', 1, null, null]);
      await store.recordings.update(rec.sid, { status: 'completed', duration: 7 });
      const done = await store.recordings.get(rec.sid, a.sid);
      assert.deepEqual([done?.status, done?.duration, done?.filePath, done?.source], ['completed', 7, 'recordings/x.wav', 'RecordVerb']);
      assert.equal(await store.recordings.get(rec.sid, b.sid), undefined);
      const silent = await store.recordings.create({ accountSid: a.sid, callSid: call.sid, source: 'RecordVerb', channels: 2 });
      await store.recordings.update(silent.sid, { status: 'absent', errorCode: 16102, duration: 0 });
      const listed = await store.recordings.listByCall(call.sid, a.sid);
      assert.equal(listed.length, 2);
      const absent = listed.find((r) => r.sid === silent.sid);
      assert.deepEqual([absent?.status, absent?.errorCode], ['absent', 16102]);
      assert.equal((await store.recordings.listByCall(call.sid, b.sid)).length, 0);
      // The native API's lists: filtered and sorted on columns, one page, one account.
      const page = await store.recordings.query(a.sid, { filters: [{ column: 'error_code', value: 16102 }], sort: { column: 'duration', direction: 'asc' }, offset: 0, limit: 10 });
      assert.deepEqual([page.total, page.rows.map((r) => r.sid)], [1, [silent.sid]]);
      const byDuration = await store.recordings.query(a.sid, { filters: [{ column: 'call_sid', value: call.sid }], sort: { column: 'duration', direction: 'desc' }, offset: 0, limit: 1 });
      assert.deepEqual([byDuration.total, byDuration.rows.map((r) => r.sid)], [2, [rec.sid]]);
      assert.equal((await store.recordings.query(b.sid, { filters: [], sort: { column: 'sid', direction: 'asc' }, offset: 0, limit: 10 })).total, 0);
    } finally {
      await store.close();
    }
  });
}
