/**
 * `<Dial record>` in the engine, on the recording test leg, with the real recordings port
 * (an in-memory SQLite store, files under a temporary data directory) and a web
 * application that checks every signature with the twilio library: what the leg is asked
 * to record, the `DialVerb` row, the action's and the status callback's parameters. The
 * recording itself (two channels, the bridged time) is tested over real SIP in
 * test/e2e/dial-record.test.ts.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEngineFixture, type EngineFixture } from '../../../support/engine-fixture.js';
import { RecordingCallLeg, type LegAction } from '../../../support/recording-call-leg.js';

const TOKEN = 'token-0123456789';
const PUBLIC = 'https://dialtone.example.org';

const CHILD = 'CA' + '3'.repeat(32);

function dialOptions(leg: RecordingCallLeg) {
  const a = leg.actions.find((x): x is Extract<LegAction, { type: 'dial' }> => x.type === 'dial');
  assert.ok(a, 'dial() was called');
  return a.options;
}

describe('<Dial record> (engine)', () => {
  let fixture: EngineFixture;
  let callSid = '';

  before(async () => {
    fixture = await startEngineFixture({ authToken: TOKEN, missing: '<Response/>', name: 'dial-record' });
  });
  after(() => fixture.close());
  beforeEach(async () => {
    fixture.reset();
    callSid = await fixture.createCall('+15550199', '+15550100');
  });

  const run = (leg: RecordingCallLeg, withRecordings = true) =>
    fixture.runCall(leg, { callSid, from: '+15550199', to: '+15550100', ...(withRecordings ? { recordingsUrl: PUBLIC } : {}) });


  const bridged = (durationMs: number, channels: 1 | 2) =>
    ({ status: 'completed', childCallSid: CHILD, durationSeconds: Math.round(durationMs / 1000), bridged: true, recording: { file: '', durationMs, endedBy: '', channels } }) as const;

  it('SEM-X7: record-from-answer-dual: the leg records both tracks in two channels; the action and the callbacks get the DialVerb recording', async () => {
    fixture.app.documents.set(
      '/voice',
      '<Response><Dial action="/after" record="record-from-answer-dual" recordingStatusCallback="/rsc" recordingStatusCallbackEvent="in-progress completed"><Number>+15550123</Number></Dial><Say>unreachable</Say></Response>',
    );
    fixture.app.documents.set('/after', '<Response><Say>Bye</Say></Response>');
    const leg = new RecordingCallLeg().dialResult(bridged(7400, 2));
    await run(leg);

    const options = dialOptions(leg);
    assert.equal(options.record, 'dual');
    assert.ok(options.recording);
    assert.deepEqual(
      { from: options.recording.from, channels: options.recording.channels, track: options.recording.track, trimSilence: options.recording.trimSilence },
      { from: 'answer', channels: 'dual', track: 'both', trimSilence: false },
    );

    const action = fixture.app.hits.find((h) => h.path === '/after')!;
    assert.ok(action.signatureValid);
    const sid = action.params.RecordingSid!;
    assert.match(sid, /^RE[0-9a-f]{32}$/);
    assert.equal(action.params.RecordingUrl, `${PUBLIC}/2010-04-01/Accounts/${fixture.accountSid}/Recordings/${sid}`);
    assert.equal(action.params.RecordingDuration, '7');
    assert.equal(action.params.DialCallStatus, 'completed');
    assert.equal(action.params.DialCallDuration, '7');
    assert.deepEqual(leg.spoken(), ['Bye']);

    const row = await fixture.store.recordings.get(sid, fixture.accountSid);
    assert.deepEqual([row?.status, row?.duration, row?.channels, row?.source, row?.callSid], ['completed', 7, 2, 'DialVerb', callSid]);

    const callbacks = fixture.app.hits.filter((h) => h.path === '/rsc');
    assert.deepEqual(callbacks.map((c) => c.params.RecordingStatus), ['in-progress', 'completed']);
    for (const c of callbacks) {
      assert.ok(c.signatureValid);
      assert.deepEqual([c.params.RecordingSid, c.params.RecordingSource, c.params.RecordingChannels, c.params.CallSid], [sid, 'DialVerb', '2', callSid]);
    }
    assert.equal(callbacks[1]!.params.RecordingDuration, '7');
    assert.equal(callbacks[1]!.params.RecordingUrl, action.params.RecordingUrl);
  });

  it('legacy record="true" is record-from-answer, mono (both tracks mixed); nobody answered: no recording, no RecordingUrl', async () => {
    fixture.app.documents.set('/voice', '<Response><Dial action="/after" record="true" recordingStatusCallback="/rsc">+15550123</Dial></Response>');
    const leg = new RecordingCallLeg().dialResult({ status: 'no-answer', childCallSid: CHILD, durationSeconds: 0 });
    await run(leg);
    const options = dialOptions(leg);
    assert.equal(options.record, 'mono');
    assert.deepEqual([options.recording?.from, options.recording?.channels, options.recording?.track], ['answer', 'mono', 'both']);
    const action = fixture.app.hits.find((h) => h.path === '/after')!;
    assert.equal(action.params.DialCallStatus, 'no-answer');
    assert.equal('RecordingUrl' in action.params, false);
    assert.deepEqual(await fixture.store.recordings.listByCall(callSid, fixture.accountSid), [], 'a recording that never started leaves no row');
    assert.equal(fixture.app.hits.filter((h) => h.path === '/rsc').length, 0);
  });

  it('record-from-ringing-dual with recordingTrack="inbound": from the ringing, one channel (13622), trim-silence passed on', async () => {
    fixture.app.documents.set('/voice', '<Response><Dial action="/after" record="record-from-ringing-dual" recordingTrack="inbound" trim="trim-silence">+15550123</Dial></Response>');
    const leg = new RecordingCallLeg().dialResult(bridged(3000, 1));
    const events = await run(leg);
    const options = dialOptions(leg);
    assert.equal(options.record, 'mono');
    assert.deepEqual([options.recording?.from, options.recording?.channels, options.recording?.track, options.recording?.trimSilence], ['ringing', 'mono', 'inbound', true]);
    assert.ok(events.some((e) => e.type === 'warning' && e.data.code === 13622));
    const action = fixture.app.hits.find((h) => h.path === '/after')!;
    const row = await fixture.store.recordings.get(action.params.RecordingSid!, fixture.accountSid);
    assert.deepEqual([row?.status, row?.channels, row?.source], ['completed', 1, 'DialVerb']);
  });

  it('a recording under half a second is absent (16101): the action gets no RecordingUrl, the callback says absent', async () => {
    fixture.app.documents.set('/voice', '<Response><Dial action="/after" record="record-from-answer" recordingStatusCallback="/rsc" recordingStatusCallbackEvent="absent completed">+15550123</Dial></Response>');
    const leg = new RecordingCallLeg().dialResult(bridged(200, 1));
    await run(leg);
    const action = fixture.app.hits.find((h) => h.path === '/after')!;
    assert.equal('RecordingUrl' in action.params, false);
    const rows = await fixture.store.recordings.listByCall(callSid, fixture.accountSid);
    assert.deepEqual(rows.map((r) => [r.status, r.errorCode, r.source]), [['absent', 16101, 'DialVerb']]);
    const callbacks = fixture.app.hits.filter((h) => h.path === '/rsc');
    assert.deepEqual(callbacks.map((c) => [c.params.RecordingStatus, c.params.ErrorCode]), [['absent', '16101']]);
  });

  it('do-not-record asks for nothing; without recording storage the dial goes on unrecorded with warning 13217', async () => {
    fixture.app.documents.set('/voice', '<Response><Dial action="/after" record="do-not-record">+15550123</Dial></Response>');
    const plain = new RecordingCallLeg().dialResult(bridged(3000, 1));
    await run(plain);
    assert.equal(dialOptions(plain).record, 'none');
    assert.equal(dialOptions(plain).recording, undefined);

    fixture.app.hits.length = 0;
    fixture.app.documents.set('/voice', '<Response><Dial action="/after" record="record-from-answer">+15550123</Dial></Response>');
    const leg = new RecordingCallLeg().dialResult(bridged(3000, 1));
    const events = await run(leg, false);
    assert.equal(dialOptions(leg).recording, undefined);
    assert.ok(events.some((e) => e.type === 'warning' && e.data.code === 13217));
    assert.equal(fixture.app.hits.find((h) => h.path === '/after')?.params.DialCallStatus, 'completed');
  });
});
