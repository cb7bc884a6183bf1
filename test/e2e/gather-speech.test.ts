/**
 * `<Gather input="speech">` end to end: baresip (its own process) calls a running
 * `dialtone start` and speaks from a WAV file: silence, then a phrase that Flite said,
 * then silence. Dialtone listens on the real call (RTP, G.711), cuts the utterance at
 * the silence after the voice, and Debian's pocketsphinx transcribes it. The tests
 * assert what the web application received: SpeechResult, Digits, or the next document.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { findPocketsphinx } from '../../src/speech/index.js';
import { FliteProvider } from '../../src/tts/index.js';
import { RATE, writeWav } from '../support/audio.js';
import { Baresip, baresipSkip } from '../support/baresip.js';
import { Dialtone } from '../support/dialtone.js';
import { startWebApp, type WebApp } from '../support/web-app.js';

const SPEAKS = '+15550181';
const PRESSES = '+15550182';
const SILENT = '+15550183';
const ACCOUNT = 'AC' + 'e'.repeat(32);
const TOKEN = 'gather-speech-token-0123456789';
const HINTS = 'sales, billing, technical support, operator';
const found = findPocketsphinx();
const skip = baresipSkip || ('missing' in found ? `pocketsphinx is not installed here: ${found.missing}` : false);

const silence = (seconds: number): Int16Array => new Int16Array(Math.round(seconds * RATE));

describe('<Gather input="speech"> over SIP (baresip → dialtone start → pocketsphinx)', { skip, timeout: 120_000 }, () => {
  let app: WebApp;
  let dialtone: Dialtone;
  let tts: FliteProvider;

  before(async () => {
    app = await startWebApp({ missing: 404, authToken: TOKEN });
    // The prompt plays until something stops it: only the caller's voice (or a key) can.
    app.documents.set('/speaks', `<Response><Gather input="speech" hints="${HINTS}" speechTimeout="1" action="/speech"><Say loop="0">Which department would you like?</Say></Gather></Response>`);
    app.documents.set('/presses', '<Response><Gather input="dtmf speech" numDigits="1" action="/input"><Say loop="0">Say a department or press a key.</Say></Gather></Response>');
    app.documents.set('/silent', '<Response><Gather input="speech" timeout="2" action="/speech"><Say>Say something.</Say></Gather><Redirect>/nothing</Redirect></Response>');
    for (const path of ['/speech', '/input', '/nothing']) app.documents.set(path, '<Response><Hangup/></Response>');
    dialtone = await Dialtone.prepare({ name: 'gather-speech', rtpBase: 6000, env: { DIALTONE_ACCOUNT_SID: ACCOUNT, DIALTONE_AUTH_TOKEN: TOKEN } });
    await dialtone.addNumber(SPEAKS, `${app.base}/speaks`);
    await dialtone.addNumber(PRESSES, `${app.base}/presses`);
    await dialtone.addNumber(SILENT, `${app.base}/silent`);
    await dialtone.start();
    tts = new FliteProvider();
  });

  after(async () => {
    await dialtone?.stop();
    await app?.close();
    await tts?.close();
  });

  async function call(number: string, source: string): Promise<{ baresip: Baresip; context: () => string }> {
    const baresip = await Baresip.start({ audioSource: source, commands: true, killAfterMs: 60_000 });
    await baresip.command('dial', `sip:${number}@127.0.0.1:${dialtone.sipPort}`);
    return { baresip, context: () => `--- baresip ---\n${baresip.log}\n--- dialtone ---\n${dialtone.output()}` };
  }

  it('SEM-G1, SEM-G3: the caller\'s voice stops the endless prompt; the utterance ends at the silence after it and action gets its words', async (t) => {
    const phrase = await tts.synthesize('technical support', { voice: 'rms' });
    const source = writeWav(join(dialtone.dataDir, 'speaks.wav'), silence(2.5), phrase, silence(8));
    const { baresip, context } = await call(SPEAKS, source);
    try {
      const hit = await app.hit('/speech', { timeoutMs: 30_000, context });
      t.diagnostic(`SpeechResult "${hit.params.SpeechResult}", Confidence ${hit.params.Confidence}`);
      assert.equal(hit.params.SpeechResult, 'technical support');
      assert.ok(Number(hit.params.Confidence) > 0 && Number(hit.params.Confidence) <= 1);
      assert.equal(hit.params.Digits, undefined);
      assert.ok(hit.signatureValid);
      await baresip.waitForEvent('CALL_CLOSED', 10_000);
    } finally {
      await baresip.stop();
    }
    const shown = await dialtone.lastCall();
    assert.ok(shown.timeline.some((e) => e.type === 'media' && e.data.event === 'voice-started'), 'the timeline shows where the voice began');
    const gathered = shown.timeline.find((e) => e.type === 'gather');
    assert.equal(gathered?.data.speech, 'technical support');
    assert.equal(gathered?.data.reason, 'silence');
  });

  it('SEM-G7: with input="dtmf speech", a key pressed first is what action gets', async () => {
    const source = writeWav(join(dialtone.dataDir, 'quiet.wav'), silence(15));
    const { baresip, context } = await call(PRESSES, source);
    try {
      await baresip.waitForEvent('CALL_ESTABLISHED', 10_000);
      await new Promise((r) => setTimeout(r, 1500));
      await baresip.command('sndcode', '5');
      const hit = await app.hit('/input', { timeoutMs: 20_000, context });
      assert.equal(hit.params.Digits, '5');
      assert.equal(hit.params.SpeechResult, undefined);
    } finally {
      await baresip.stop();
    }
  });

  it('SEM-G5: nothing said within timeout falls through to the next verb, and action is not requested', async () => {
    const before = app.hits.filter((h) => h.path === '/speech').length;
    const source = writeWav(join(dialtone.dataDir, 'silent.wav'), silence(15));
    const { baresip, context } = await call(SILENT, source);
    try {
      await app.hit('/nothing', { timeoutMs: 20_000, context });
      assert.equal(app.hits.filter((h) => h.path === '/speech').length, before);
    } finally {
      await baresip.stop();
    }
  });
});
