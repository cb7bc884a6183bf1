/**
 * `<Record>` in the engine, on the recording test leg, with the real recordings port
 * (an in-memory SQLite store, files under a temporary data directory) and a web
 * application that checks every signature with the twilio library. The leg's side
 * (beep, silence, keys, the file itself) is tested over real SIP in test/e2e/record.test.ts.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startEngineFixture, type EngineFixture } from '../../../support/engine-fixture.js';
import { RecordingCallLeg, type LegAction } from '../../../support/recording-call-leg.js';

const TOKEN = 'token-0123456789';
const PUBLIC = 'https://dialtone.example.org';

function recordOptions(leg: RecordingCallLeg) {
  return leg.actions.filter((a): a is Extract<LegAction, { type: 'record' }> => a.type === 'record').map((a) => a.options);
}

describe('<Record> (engine, SEM-R1..R6)', () => {
  let fixture: EngineFixture;
  let callSid = '';

  before(async () => {
    fixture = await startEngineFixture({ authToken: TOKEN, missing: '<Response/>', name: 'record-verb' });
  });
  after(() => fixture.close());
  beforeEach(async () => {
    fixture.reset();
    callSid = await fixture.createCall('+15550199', '+15550100');
  });

  const run = (leg: RecordingCallLeg) => fixture.runCall(leg, { callSid, from: '+15550199', to: '+15550100', recordingsUrl: PUBLIC });


  it('beeps, records, requests action with RecordingUrl/RecordingDuration/RecordingSid/Digits; verbs after it are unreachable (SEM-R2)', async () => {
    fixture.app.documents.set(
      '/voice',
      '<Response><Say>Leave a message</Say><Record action="/after" maxLength="20" finishOnKey="#" recordingStatusCallback="/rsc"/><Say>unreachable</Say></Response>',
    );
    fixture.app.documents.set('/after', '<Response><Say>Thanks</Say></Response>');
    const leg = new RecordingCallLeg().recordWith({ durationMs: 4200, endedBy: '#', reason: 'finish-key', voicedMs: 3900, channels: 1 });
    await run(leg);

    const [options] = recordOptions(leg);
    assert.ok(options);
    assert.deepEqual(
      { ...options, path: undefined },
      { maxLengthMs: 20_000, silenceTimeoutMs: 5000, finishOnKeys: '#', playBeep: true, trimSilence: true, channels: 'mono', path: undefined },
      'Twilio defaults: 5 s of silence, beep, trim-silence',
    );
    assert.deepEqual(leg.spoken(), ['Leave a message', 'Thanks']);

    const action = fixture.app.hits.find((h) => h.path === '/after')!;
    assert.ok(action.signatureValid);
    const sid = action.params.RecordingSid!;
    assert.match(sid, /^RE[0-9a-f]{32}$/);
    assert.equal(action.params.RecordingUrl, `${PUBLIC}/2010-04-01/Accounts/${fixture.accountSid}/Recordings/${sid}`);
    assert.equal(action.params.RecordingDuration, '4');
    assert.equal(action.params.Digits, '#');
    assert.equal(action.params.CallSid, callSid, 'with the standard parameters');
    assert.equal(options.path, join(fixture.dataDir, 'recordings', fixture.accountSid, `${sid}.wav`));

    const row = await fixture.store.recordings.get(sid, fixture.accountSid);
    assert.deepEqual(
      [row?.status, row?.duration, row?.channels, row?.source, row?.callSid, row?.filePath],
      ['completed', 4, 1, 'RecordVerb', callSid, `recordings/${fixture.accountSid}/${sid}.wav`],
    );

    const callback = fixture.app.hits.filter((h) => h.path === '/rsc');
    assert.equal(callback.length, 1, 'only completed by default');
    const p = callback[0]!.params;
    assert.ok(callback[0]!.signatureValid);
    assert.deepEqual(
      [p.AccountSid, p.CallSid, p.RecordingSid, p.RecordingUrl, p.RecordingStatus, p.RecordingDuration, p.RecordingChannels, p.RecordingSource],
      [fixture.accountSid, callSid, sid, action.params.RecordingUrl, 'completed', '4', '1', 'RecordVerb'],
    );
    assert.match(p.RecordingStartTime!, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
  });

  it('without action it requests the current document URL; an empty recording requests nothing and falls through (SEM-R3)', async () => {
    let fetched = 0;
    fixture.app.documents.set('/voice', () => {
      fetched++;
      return '<Response><Record timeout="0" playBeep="false" trim="do-not-trim" method="GET"/><Say>I did not receive a recording</Say></Response>';
    });
    const leg = new RecordingCallLeg().recordWith(
      { durationMs: 3000, endedBy: '', reason: 'max-length', voicedMs: 2500 },
      { durationMs: 5000, endedBy: '', reason: 'silence', voicedMs: 0 },
    );
    await run(leg);
    assert.equal(fetched, 2);
    const second = fixture.app.hits[1]!;
    assert.equal(second.method, 'GET');
    assert.equal(second.params.RecordingDuration, '3');
    assert.equal('Digits' in second.params, false, 'no key ended it');
    const [first, again] = recordOptions(leg);
    assert.deepEqual([first?.silenceTimeoutMs, first?.playBeep, first?.trimSilence], [0, false, false]);
    assert.ok(again);
    assert.deepEqual(leg.spoken(), ['I did not receive a recording'], 'the silent one fell through to the next verb');
    assert.equal(fixture.app.hits.length, 2, 'no action for the silent recording');
    const rows = await fixture.store.recordings.listByCall(callSid, fixture.accountSid);
    assert.deepEqual(
      rows.map((r) => [r.status, r.errorCode]),
      [
        ['completed', null],
        ['absent', 16102],
      ],
    );
    assert.equal(rows[1]!.filePath, null, 'nothing to download');
  });

  it('SEM-R4: trimmed to under a second is absent (16101) and announced when asked; do-not-trim keeps it', async () => {
    fixture.app.documents.set(
      '/voice',
      '<Response><Record action="/a" recordingStatusCallback="/rsc" recordingStatusCallbackEvent="in-progress completed absent"/><Say>Short</Say><Record action="/a" trim="do-not-trim"/></Response>',
    );
    fixture.app.documents.set('/a', '<Response><Hangup/></Response>');
    const leg = new RecordingCallLeg().recordWith(
      { durationMs: 600, endedBy: '1', reason: 'finish-key', voicedMs: 600 },
      { durationMs: 600, endedBy: '1', reason: 'finish-key', voicedMs: 600 },
    );
    const events = await run(leg);
    assert.deepEqual(leg.spoken(), ['Short']);
    const statuses = fixture.app.hits.filter((h) => h.path === '/rsc').map((h) => [h.params.RecordingStatus, h.params.ErrorCode]);
    assert.deepEqual(statuses, [
      ['in-progress', undefined],
      ['absent', '16101'],
    ]);
    const action = fixture.app.hits.find((h) => h.path === '/a')!;
    assert.equal(action.params.RecordingDuration, '1', 'a kept recording lasts at least a second');
    assert.ok(events.some((e) => e.type === 'warning' && e.data.code === 16101));
  });

  it('the caller hanging up still requests action with Digits=hangup and CallStatus=completed; its answer is not run (SEM-R6)', async () => {
    fixture.app.documents.set('/voice', '<Response><Record action="/after"/><Say>unreachable</Say></Response>');
    fixture.app.documents.set('/after', '<Response><Say>Nobody hears this</Say><Redirect>/again</Redirect></Response>');
    const leg = new RecordingCallLeg().recordWith({ durationMs: 2000, endedBy: 'hangup', reason: 'hangup', voicedMs: 1800 });
    const events = await run(leg);
    const action = fixture.app.hits.find((h) => h.path === '/after')!;
    assert.equal(action.params.Digits, 'hangup');
    assert.equal(action.params.CallStatus, 'completed');
    assert.deepEqual(leg.spoken(), []);
    assert.equal(fixture.app.hits.some((h) => h.path === '/again'), false, 'the answer is not run');
    assert.ok(!leg.actions.some((a) => a.type === 'hangup'), 'the caller hung up; we send nothing');
    assert.ok(events.some((e) => e.type === 'call-ended'));
  });

  it('fileFormat="mp3" (TeXML): RecordingUrl names the .mp3 media URL, in the action and the status callback; no warning', async () => {
    fixture.app.documents.set('/voice', '<Response><Record action="/after" fileFormat="mp3" recordingStatusCallback="/rsc"/></Response>');
    fixture.app.documents.set('/after', '<Response><Hangup/></Response>');
    const leg = new RecordingCallLeg().recordWith({ durationMs: 2400, endedBy: '', reason: 'silence', voicedMs: 2000, channels: 1 });
    const events = await run(leg);
    const action = fixture.app.hits.find((h) => h.path === '/after')!;
    const sid = action.params.RecordingSid!;
    assert.equal(action.params.RecordingUrl, `${PUBLIC}/2010-04-01/Accounts/${fixture.accountSid}/Recordings/${sid}.mp3`);
    const callback = fixture.app.hits.find((h) => h.path === '/rsc' && h.params.RecordingSid === sid);
    assert.equal(callback?.params.RecordingUrl, action.params.RecordingUrl);
    assert.equal(events.some((e) => e.type === 'warning' && e.data.code === 13699), false, JSON.stringify(events.filter((e) => e.type === 'warning')));
  });

  it('transcribe: a warning that transcription is not available; the recording is kept; dual channels (TeXML)', async () => {
    fixture.app.documents.set('/voice', '<Response><Record action="/after" transcribe="true" transcribeCallback="/t" channels="dual"/></Response>');
    fixture.app.documents.set('/after', '<Response><Hangup/></Response>');
    const leg = new RecordingCallLeg().recordWith({ durationMs: 2400, endedBy: '', reason: 'silence', voicedMs: 2000, channels: 2 });
    const events = await run(leg);
    const warning = events.find((e) => e.type === 'warning' && e.data.code === 13618);
    assert.match(String(warning?.data.message), /Transcription is not available/);
    assert.equal(recordOptions(leg)[0]?.channels, 'dual');
    const sid = fixture.app.hits.find((h) => h.path === '/after')!.params.RecordingSid!;
    assert.equal((await fixture.store.recordings.get(sid))?.channels, 2);
    assert.equal(fixture.app.hits.some((h) => h.path === '/t'), false);
  });
});
