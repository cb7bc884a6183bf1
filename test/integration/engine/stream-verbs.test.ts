/**
 * `<Start><Stream>`, `<Stop><Stream>` and `<Connect><Stream>` in the engine, on the
 * recording leg: what the engine asks of the call (the stream request, with the call's
 * SIDs and the `<Parameter>`s), where the document goes next, the timeline, and the
 * stream status callbacks the application receives (signed, checked with the twilio
 * library) through the outbox, over an in-memory SQLite store. The streams themselves
 * run over SIP and WebSockets in the e2e tests.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startEngineFixture, type EngineFixture } from '../../support/engine-fixture.js';
import { RecordingCallLeg } from '../../support/recording-call-leg.js';
import type { Hit } from '../../support/web-app.js';

const TOKEN = 'token-0123456789';
/** Where the documents ask for stream status callbacks. */
const CALLBACKS = new Set(['/s', '/stream-status']);
const FACTS = { from: '+15550199', to: '+15550100', direction: 'inbound', apiVersion: '2010-04-01' } as const;

describe('stream verbs (on a recording leg)', () => {
  let fixture: EngineFixture;
  let CALL: typeof FACTS & { callSid: string; accountSid: string };
  before(async () => {
    fixture = await startEngineFixture({ authToken: TOKEN, missing: 404, name: 'stream-verbs' });
  });
  after(() => fixture.close());
  beforeEach(async () => {
    fixture.reset();
    // Status callbacks are answered 200, or the outbox would send them again.
    for (const path of CALLBACKS) fixture.app.documents.set(path, '');
    const callSid = await fixture.createCall(FACTS.from, FACTS.to);
    CALL = { ...FACTS, callSid, accountSid: fixture.accountSid };
  });

  function run(leg: RecordingCallLeg, document: string) {
    fixture.app.documents.set('/voice', document);
    return fixture.runCall(leg, { callSid: CALL.callSid, from: CALL.from, to: CALL.to, streamCallbacks: true });
  }


  /** Status callbacks arrive after the call; wait for `n` of them at `path`. */
  async function callbacks(path: string, n: number): Promise<Hit[]> {
    for (let i = 0; i < 200 && fixture.app.hits.filter((h) => h.path === path).length < n; i++) await new Promise((r) => setTimeout(r, 10));
    return fixture.app.hits.filter((h) => h.path === path);
  }

  it('<Start><Stream> forks with its Parameters and the call\'s SIDs, the document goes on, <Stop><Stream name> ends it; callbacks say started and stopped', async () => {
    const leg = new RecordingCallLeg();
    await run(
      leg,
      `<Response>
        <Start><Stream name="fork" url="wss://agent.example/audio" track="both_tracks" statusCallback="/stream-status">
          <Parameter name="customer" value="42"/><Parameter name="topic" value="billing"/>
        </Stream></Start>
        <Say>While we listen</Say>
        <Stop><Stream name="fork"/></Stop>
      </Response>`,
    );
    assert.deepEqual(leg.actions.map((a) => a.type), ['answer', 'stream-start', 'play', 'stream-stop', 'hangup']);
    const started = leg.actions[1]!;
    assert.ok(started.type === 'stream-start');
    assert.deepEqual(started.request, {
      url: 'wss://agent.example/audio',
      name: 'fork',
      track: 'both_tracks',
      customParameters: { customer: '42', topic: 'billing' },
      callSid: CALL.callSid,
      accountSid: CALL.accountSid,
    });
    assert.deepEqual(leg.actions[3], { type: 'stream-stop', name: 'fork', stopped: 1 });
    const status = await callbacks('/stream-status', 2);
    assert.deepEqual(status.map((h) => h.params.StreamEvent), ['stream-started', 'stream-stopped']);
    for (const hit of status) {
      assert.ok(hit.signatureValid);
      assert.equal(hit.params.StreamSid, started.streamSid);
      assert.equal(hit.params.StreamName, 'fork');
      assert.equal(hit.params.CallSid, CALL.callSid);
      assert.equal(hit.params.AccountSid, CALL.accountSid);
      assert.ok(!Number.isNaN(Date.parse(hit.params.Timestamp ?? '')));
    }
  });

  it('<Stop><Stream/> without a name stops every fork; a fork still running when the call ends is stopped with it', async () => {
    const leg = new RecordingCallLeg();
    await run(leg, '<Response><Start><Stream url="ws://127.0.0.1:9/a"/><Stream url="ws://127.0.0.1:9/b"/></Start><Stop><Stream/></Stop><Start><Stream url="ws://127.0.0.1:9/c" statusCallback="/s"/></Start></Response>');
    assert.deepEqual(leg.actions.map((a) => a.type), ['answer', 'stream-start', 'stream-start', 'stream-stop', 'stream-start', 'hangup']);
    assert.deepEqual(leg.actions[3], { type: 'stream-stop', name: undefined, stopped: 2 });
    const status = await callbacks('/s', 2);
    const third = leg.actions[4]!;
    assert.ok(third.type === 'stream-start');
    assert.deepEqual(status.map((h) => h.params.StreamEvent), ['stream-started', 'stream-stopped']);
    assert.equal(status[0]!.params.StreamName, third.streamSid, 'an unnamed stream is named by its SID');
    assert.equal(status[1]!.params.CallStatus, 'completed', 'stopped with the call');
  });

  it('SEM-O4: <Connect><Stream> blocks until the WebSocket closes, then requests action; the track is the inbound one', async () => {
    const leg = new RecordingCallLeg();
    fixture.app.documents.set('/after-agent', '<Response><Say>Back from the agent</Say></Response>');
    await run(leg, '<Response><Connect action="/after-agent"><Stream url="ws://127.0.0.1:9/agent"><Parameter name="lang" value="en"/></Stream></Connect><Say>not reached</Say></Response>');
    assert.deepEqual(leg.actions.map((a) => a.type), ['answer', 'stream-connect', 'play', 'hangup']);
    const connected = leg.actions[1]!;
    assert.ok(connected.type === 'stream-connect');
    assert.equal(connected.request.track, 'inbound_track');
    assert.deepEqual(connected.request.customParameters, { lang: 'en' });
    assert.deepEqual(leg.spoken(), ['Back from the agent']);
    assert.equal(fixture.app.hits.at(-1)!.path, '/after-agent');
  });

  it('<Connect><Stream> without action: the next verb runs when the stream ends', async () => {
    const leg = new RecordingCallLeg();
    await run(leg, '<Response><Connect><Stream url="wss://agent.example/x"/></Connect><Say>After the stream</Say></Response>');
    assert.deepEqual(leg.spoken(), ['After the stream']);
  });

  it('a stream that fails to connect: the error and its code on the timeline, a stream-error callback, and the document goes on', async () => {
    const leg = new RecordingCallLeg().connectEndsWith({ reason: 'failed', error: 'connect ECONNREFUSED 127.0.0.1:9', errorCode: 31902 });
    const events = await run(leg, '<Response><Connect><Stream url="ws://127.0.0.1:9/agent" statusCallback="/s" statusCallbackMethod="POST"/></Connect><Say>The agent is away</Say></Response>');
    assert.deepEqual(leg.spoken(), ['The agent is away']);
    const error = events.find((e) => e.type === 'error');
    assert.equal(error?.data.code, 31902);
    const [status] = await callbacks('/s', 1);
    assert.equal(status?.params.StreamEvent, 'stream-error');
    assert.match(status?.params.StreamError ?? '', /ECONNREFUSED/);
  });

  it('a URL that is not ws:// or wss:// is refused with 31922 and no stream starts; the rest runs', async () => {
    const leg = new RecordingCallLeg();
    const events = await run(leg, '<Response><Start><Stream url="https://agent.example/audio"/></Start><Connect><Stream url="/relative"/></Connect><Say>Still here</Say></Response>');
    assert.deepEqual(leg.actions.map((a) => a.type), ['answer', 'play', 'hangup']);
    assert.deepEqual(events.filter((e) => e.type === 'error').map((e) => e.data.code), [31922, 31923]);
  });
});
