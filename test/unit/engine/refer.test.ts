/**
 * `<Refer>` in the engine, on a recording leg (the real REFER is in test/e2e/refer.test.ts):
 * what reaches the leg, when the call ends, and what the action request carries
 * (dialects.md §3.13, SEM-O5).
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ReferResult } from '../../../src/engine/call-leg.js';
import { referCallStatus } from '../../../src/engine/verbs/refer.js';
import { startAppFixture, type AppFixture } from '../../support/engine-fixture.js';
import { RecordingCallLeg } from '../../support/recording-call-leg.js';

const TRANSFERRED: ReferResult = { referStatus: 202, notifyStatus: 200, notifyFinal: true, callerHungUp: false };
const BUSY: ReferResult = { referStatus: 202, notifyStatus: 486, notifyFinal: true, callerHungUp: false };

describe('<Refer> in the engine (recording leg, SEM-O5)', () => {
  let fixture: AppFixture;

  before(async () => {
    fixture = await startAppFixture();
  });
  after(() => fixture.close());
  beforeEach(() => fixture.reset());

  async function run(leg: RecordingCallLeg, document: string): Promise<void> {
    await fixture.runDocument(leg, document);
  }

  it('a transfer made: answers, refers to the <Sip> URI, hangs up, requests the action with the outcome; its answer is not run', async () => {
    const leg = new RecordingCallLeg().referResult(TRANSFERRED);
    fixture.app.documents.set('/after', '<Response><Say>Never heard</Say></Response>');
    await run(leg, '<Response><Refer action="/after"><Sip>sip:alice@pbx.example.com?X-Case=42</Sip></Refer><Say>Never</Say></Response>');
    assert.deepEqual(leg.actions.map((a) => a.type), ['answer', 'refer', 'hangup']);
    assert.deepEqual(leg.actions[1], { type: 'refer', target: 'sip:alice@pbx.example.com?X-Case=42' });
    assert.equal(fixture.app.hits.length, 2);
    const action = fixture.app.hits[1]!;
    assert.equal(action.path, '/after');
    assert.equal(action.params.ReferCallStatus, 'in-progress');
    assert.equal(action.params.ReferSipResponseCode, '202');
    assert.equal(action.params.NotifySipResponseCode, '200');
    assert.equal(action.params.ReferTransferTarget, 'sip:alice@pbx.example.com?X-Case=42');
    assert.equal(action.params.CallStatus, 'completed');
    assert.deepEqual(leg.spoken(), []);
  });

  it('a failed transfer with action: the action document runs on the call that is still up', async () => {
    const leg = new RecordingCallLeg().referResult(BUSY);
    fixture.app.documents.set('/after', '<Response><Say>They are busy</Say></Response>');
    await run(leg, '<Response><Refer action="/after"><Sip>sip:alice@pbx.example.com</Sip></Refer></Response>');
    assert.equal(fixture.app.hits[1]?.params.ReferCallStatus, 'busy');
    assert.equal(fixture.app.hits[1]?.params.NotifySipResponseCode, '486');
    assert.equal(fixture.app.hits[1]?.params.CallStatus, 'in-progress');
    assert.deepEqual(leg.spoken(), ['They are busy']);
  });

  it('a failed transfer without action goes on with the next verb; a made one ends the document', async () => {
    const failed = new RecordingCallLeg().referResult({ referStatus: 603, notifyFinal: false, callerHungUp: false });
    await run(failed, '<Response><Refer><Sip>sip:alice@pbx.example.com</Sip></Refer><Say>Still here</Say></Response>');
    assert.deepEqual(failed.spoken(), ['Still here']);
    const made = new RecordingCallLeg().referResult(TRANSFERRED);
    await run(made, '<Response><Refer><Sip>sip:alice@pbx.example.com</Sip></Refer><Say>Never</Say></Response>');
    assert.deepEqual(made.spoken(), []);
    assert.deepEqual(made.actions.map((a) => a.type), ['answer', 'refer', 'hangup']);
  });

  it('the caller hanging up after accepting: in-progress, no BYE from us, the action still requested', async () => {
    const leg = new RecordingCallLeg().referResult({ referStatus: 202, notifyStatus: 100, notifyFinal: false, callerHungUp: true });
    await run(leg, '<Response><Refer action="/after"><Sip>sip:alice@pbx.example.com</Sip></Refer></Response>');
    assert.deepEqual(leg.actions.map((a) => a.type), ['answer', 'refer']);
    assert.equal(fixture.app.hits[1]?.params.ReferCallStatus, 'in-progress');
    assert.equal(fixture.app.hits[1]?.params.NotifySipResponseCode, '100');
  });

  it('maps reports to ReferCallStatus', () => {
    const r = (referStatus: number | undefined, notifyStatus: number | undefined, notifyFinal = true, callerHungUp = false): string =>
      referCallStatus({ ...(referStatus === undefined ? {} : { referStatus }), ...(notifyStatus === undefined ? {} : { notifyStatus }), notifyFinal, callerHungUp });
    assert.equal(r(202, 200), 'in-progress');
    assert.equal(r(202, 486), 'busy');
    assert.equal(r(202, 600), 'busy');
    assert.equal(r(202, 480), 'no-answer');
    assert.equal(r(202, 408), 'no-answer');
    assert.equal(r(202, 487), 'canceled');
    assert.equal(r(202, 503), 'failed');
    assert.equal(r(603, undefined, false), 'failed');
    assert.equal(r(undefined, undefined, false), 'failed');
    assert.equal(r(202, 180, false), 'failed');
  });
});
