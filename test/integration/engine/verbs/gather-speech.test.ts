/**
 * `<Gather input="speech">` in the engine, on the recording leg: the caller's utterance
 * is real audio (Flite, through G.711 µ-law) transcribed by Debian's pocketsphinx, and
 * the test asserts what the application received. The listening itself (voice, silence,
 * barge-in on a real call) runs over SIP in the e2e test. Tests that need pocketsphinx
 * are skipped, saying so, where it is not installed.
 */
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { findPocketsphinx, SpeechError, type SpeechRecognizer, type Transcript } from '../../../../src/speech/index.js';
import { FliteProvider } from '../../../../src/tts/index.js';
import { throughUlaw } from '../../../support/audio.js';
import { startEngineFixture, type EngineFixture, type TimelineEvent } from '../../../support/engine-fixture.js';
import { RecordingCallLeg } from '../../../support/recording-call-leg.js';
import type { Hit } from '../../../support/web-app.js';

const TOKEN = 'token-0123456789';
const FACTS = { from: '+15550199', to: '+15550100' } as const;
const found = findPocketsphinx();
const noRecognizer = 'missing' in found ? `pocketsphinx is not installed here: ${found.missing}` : false;

/** FAKE recognizer: fails every time, a fault no working engine produces on demand. */
class FailingRecognizerFake implements SpeechRecognizer {
  readonly name = 'failing-fake';
  supports(): boolean {
    return true;
  }
  async recognize(): Promise<Transcript | null> {
    throw new SpeechError('failed', 'the engine crashed');
  }
  async close(): Promise<void> {}
}

describe('<Gather input="speech"> (on a recording leg)', { timeout: 120_000 }, () => {
  let fixture: EngineFixture;
  let tts: FliteProvider;
  let callSid: string;
  const recognizer = 'recognizer' in found ? found.recognizer : undefined;
  before(async () => {
    fixture = await startEngineFixture({ authToken: TOKEN, missing: 404, name: 'gather-speech' });
    tts = new FliteProvider();
  });
  after(async () => {
    await fixture.close();
    await tts.close();
    await recognizer?.close();
  });
  beforeEach(async () => {
    fixture.reset();
    fixture.app.documents.set('/partial', '<Response><Say>ignored</Say><Hangup/></Response>');
    for (const action of ['/speech', '/input']) fixture.app.documents.set(action, '<Response><Hangup/></Response>');
    callSid = await fixture.createCall(FACTS.from, FACTS.to);
  });

  /** A phrase as a caller says it down a phone line. */
  async function said(text: string): Promise<Int16Array> {
    const line = throughUlaw(await tts.synthesize(text, { voice: 'rms' }));
    // A quarter of a second of silence on each side, as a caller pauses.
    const padded = new Int16Array(line.length + 4000);
    padded.set(line, 2000);
    return padded;
  }

  /** Runs the call with `speech` as the node's recognizer (null: none). */
  function run(leg: RecordingCallLeg, document: string, speech: SpeechRecognizer | null = recognizer ?? null): Promise<TimelineEvent[]> {
    fixture.app.documents.set('/voice', document);
    return fixture.runCall(leg, { callSid, ...FACTS, streamCallbacks: true, ...(speech ? { speech } : {}) });
  }

  const hitsAt = (path: string): Hit[] => fixture.app.hits.filter((h) => h.path === path);

  it('SEM-G6: the utterance is transcribed and SpeechResult and Confidence go to action, without Digits', { skip: noRecognizer }, async () => {
    const leg = new RecordingCallLeg().speakWith({ pcm: await said('billing') });
    const events = await run(leg, '<Response><Gather input="speech" hints="sales, billing, technical support" action="/speech"><Say>Which department?</Say></Gather></Response>');
    const [hit] = hitsAt('/speech');
    assert.ok(hit, 'action requested');
    assert.equal(hit.params.SpeechResult, 'billing');
    const confidence = Number(hit.params.Confidence);
    assert.ok(confidence > 0 && confidence <= 1, `Confidence ${hit.params.Confidence}`);
    assert.equal(hit.params.Language, 'en-US');
    assert.equal(hit.params.Digits, undefined);
    assert.ok(hit.signatureValid);
    const gathered = events.find((e) => e.type === 'gather');
    assert.equal(gathered?.data.speech, 'billing');
    assert.equal(gathered?.data.recognizer, 'pocketsphinx');
  });

  it('SEM-G1: the caller\'s voice stops the nested prompts (bargeIn), and what they said is taken', { skip: noRecognizer }, async () => {
    const leg = new RecordingCallLeg().speakWith({ pcm: await said('technical support'), duringPrompt: 0 });
    await run(leg, '<Response><Gather input="speech" hints="sales, billing, technical support" action="/speech"><Say>First prompt</Say><Say>Second prompt</Say></Gather></Response>');
    assert.deepEqual(leg.spoken(), ['First prompt'], 'the second prompt never played');
    assert.equal(hitsAt('/speech')[0]?.params.SpeechResult, 'technical support');
    assert.deepEqual(leg.actions.map((a) => a.type).slice(0, 3), ['answer', 'listen', 'play'], 'listening began with the prompts');
  });

  it('bargeIn="false": the prompts play out and listening begins after them', { skip: noRecognizer }, async () => {
    const leg = new RecordingCallLeg().speakWith({ pcm: await said('sales') });
    await run(leg, '<Response><Gather input="speech" bargeIn="false" hints="sales, billing" action="/speech"><Say>One</Say><Say>Two</Say></Gather></Response>');
    assert.deepEqual(leg.actions.map((a) => a.type).slice(0, 4), ['answer', 'play', 'play', 'listen']);
    assert.equal(hitsAt('/speech')[0]?.params.SpeechResult, 'sales');
  });

  it('SEM-G7: with input="dtmf speech" a key pressed first wins: keys are collected and listening stops', { skip: noRecognizer }, async () => {
    const leg = new RecordingCallLeg().pressDuringPrompt(0, '42#');
    await run(leg, '<Response><Gather input="dtmf speech" action="/input"><Say>Say or press</Say></Gather></Response>');
    const [hit] = hitsAt('/input');
    assert.equal(hit?.params.Digits, '42');
    assert.equal(hit?.params.SpeechResult, undefined);
    assert.ok(leg.actions.some((a) => a.type === 'listen-stop'), 'listening stopped');
  });

  it('SEM-G7: with input="dtmf speech" speech first wins and finishOnKey is not waited for', { skip: noRecognizer }, async () => {
    const leg = new RecordingCallLeg().speakWith({ pcm: await said('operator') });
    await run(leg, '<Response><Gather input="dtmf speech" hints="operator, billing" action="/input"><Say>Say or press</Say></Gather></Response>');
    const [hit] = hitsAt('/input');
    assert.equal(hit?.params.SpeechResult, 'operator');
    assert.equal(hit?.params.Digits, undefined);
  });

  it('SEM-G5: nothing said falls through to the next verb; actionOnEmptyResult requests action with no SpeechResult', { skip: noRecognizer }, async () => {
    const quiet = new RecordingCallLeg();
    await run(quiet, '<Response><Gather input="speech" action="/speech"><Say>Anything?</Say></Gather><Say>Nothing heard</Say></Response>');
    assert.deepEqual(quiet.spoken(), ['Anything?', 'Nothing heard']);
    assert.equal(hitsAt('/speech').length, 0);

    fixture.reset();
    const empty = new RecordingCallLeg();
    await run(empty, '<Response><Gather input="speech" actionOnEmptyResult="true" action="/speech"><Say>Anything?</Say></Gather></Response>');
    const [hit] = hitsAt('/speech');
    assert.ok(hit, 'action requested anyway');
    assert.equal(hit.params.SpeechResult, undefined);
  });

  it('SEM-G8: speechTimeout defaults to timeout, "auto" is a short pause; maxSpeechTime bounds the listening', { skip: noRecognizer }, async () => {
    const listens = async (attributes: string): Promise<unknown> => {
      fixture.reset();
      const leg = new RecordingCallLeg();
      await run(leg, `<Response><Gather input="speech" ${attributes}/></Response>`);
      const listen = leg.actions.find((a) => a.type === 'listen');
      assert.ok(listen?.type === 'listen');
      return listen.options;
    };
    assert.deepEqual(await listens('timeout="7"'), { endSilenceMs: 7000, maxMs: 60_000 });
    assert.deepEqual(await listens('timeout="7" speechTimeout="2" maxSpeechTime="20"'), { endSilenceMs: 2000, maxMs: 20_000 });
    assert.deepEqual(await listens('speechTimeout="auto"'), { endSilenceMs: 1000, maxMs: 60_000 });
  });

  it('SEM-G10: partialResultCallback gets the words so far while the caller speaks, and its answers are ignored', { skip: noRecognizer }, async () => {
    const leg = new RecordingCallLeg().speakWith({ pcm: await said('I would like support please'), lastsMs: 1500 });
    await run(
      leg,
      '<Response><Gather input="speech" hints="sales, I would like support please" partialResultCallback="/partial" action="/speech"><Say>How can I help?</Say></Gather></Response>',
    );
    await fixture.callbacksSent(callSid);
    const [partial] = hitsAt('/partial');
    assert.ok(partial, 'a partial result was sent');
    assert.equal(partial.params.UnstableSpeechResult, 'i would like support please');
    assert.equal(partial.params.SequenceNumber, '1');
    assert.equal(partial.params.CallSid, callSid);
    assert.ok(partial.signatureValid);
    assert.equal(hitsAt('/speech')[0]?.params.SpeechResult, 'i would like support please');
    assert.deepEqual(leg.spoken(), ['How can I help?'], 'the partial callback\'s document was not run');
  });

  it('without a recognizer: a 13326 warning, and keys are listened for instead', async () => {
    const leg = new RecordingCallLeg().pressDuringPrompt(0, '7');
    const events = await run(leg, '<Response><Gather input="speech" numDigits="1" action="/input"><Say>Say something</Say></Gather></Response>', null);
    const warning = events.find((e) => e.type === 'warning' && e.data.code === 13326);
    assert.match(String(warning?.data.message), /pocketsphinx/);
    assert.equal(hitsAt('/input')[0]?.params.Digits, '7');
    assert.ok(!leg.actions.some((a) => a.type === 'listen'));
  });

  it('a language the recognizer has no model for: a 13331 warning, and keys instead', { skip: noRecognizer }, async () => {
    const leg = new RecordingCallLeg().pressDuringPrompt(0, '3');
    const events = await run(leg, '<Response><Gather input="speech" language="fr-FR" numDigits="1" action="/input"><Say>Dites quelque chose</Say></Gather></Response>');
    assert.ok(events.some((e) => e.type === 'warning' && e.data.code === 13331));
    assert.equal(hitsAt('/input')[0]?.params.Digits, '3');
  });

  it('a recognizer that fails: a 13340 warning and the Gather falls through as if nothing was said', async () => {
    const leg = new RecordingCallLeg().speakWith({ pcm: new Int16Array(8000).fill(3000) });
    const events = await run(leg, '<Response><Gather input="speech" action="/speech"/><Say>Sorry</Say></Response>', new FailingRecognizerFake());
    assert.match(String(events.find((e) => e.type === 'warning' && e.data.code === 13340)?.data.message), /crashed/);
    assert.equal(hitsAt('/speech').length, 0);
    assert.deepEqual(leg.spoken(), ['Sorry']);
  });
});
