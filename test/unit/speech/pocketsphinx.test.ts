/**
 * The offline recognizer on telephone audio: Flite speaks a phrase, it goes through
 * G.711 µ-law as it would on a call, and Debian's pocketsphinx must hear the phrase
 * among the hints. Skipped, saying so, where pocketsphinx is not installed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FliteProvider } from '../../../src/tts/index.js';
import { findPocketsphinx, PocketsphinxRecognizer, SpeechError, splitHints } from '../../../src/speech/index.js';
import { jsgfGrammar, normalizePhrase, parseTimedOutput } from '../../../src/speech/pocketsphinx.js';
import { upsample2x } from '../../../src/speech/upsample.js';
import { throughUlaw } from '../../support/audio.js';

const found = findPocketsphinx();
const skip = 'missing' in found ? `pocketsphinx is not installed here: ${found.missing}` : false;

function withSilence(pcm: Int16Array, ms: number): Int16Array {
  const pad = (ms * 8000) / 1000;
  const out = new Int16Array(pcm.length + 2 * pad);
  out.set(pcm, pad);
  return out;
}

const MENU = ['sales', 'billing', 'support', 'technical support', 'I would like support please', 'operator', 'yes', 'no'];

describe('pocketsphinx recognizer', { skip, timeout: 120_000 }, () => {
  let tts: FliteProvider;
  let recognizer: PocketsphinxRecognizer;
  before(() => {
    tts = new FliteProvider();
    recognizer = (found as { recognizer: PocketsphinxRecognizer }).recognizer;
  });
  after(async () => {
    await tts.close();
    await recognizer.close();
  });

  async function spoken(text: string): Promise<Int16Array> {
    return withSilence(throughUlaw(await tts.synthesize(text, { voice: 'rms' })), 300);
  }

  it('hears each phrase of a menu, said over a µ-law line, among the hints', async () => {
    for (const phrase of MENU) {
      const transcript = await recognizer.recognize(await spoken(phrase), { language: 'en-US', hints: MENU });
      assert.equal(transcript?.text, phrase.toLowerCase(), `"${phrase}"`);
      assert.ok(transcript.confidence > 0 && transcript.confidence <= 1);
    }
  });

  it('hears nothing in silence, with or without hints', async () => {
    const silence = new Int16Array(8000);
    assert.equal(await recognizer.recognize(silence, { language: 'en-US', hints: MENU }), null);
    assert.equal(await recognizer.recognize(silence, { language: 'en-US', hints: [] }), null);
  });

  it('without hints uses the general model and gives words with their mean posterior', async () => {
    const transcript = await recognizer.recognize(await spoken('I would like support please'), { language: 'en-US', hints: [] });
    assert.ok(transcript !== null && transcript.text.split(' ').length >= 3, `heard ${JSON.stringify(transcript)}`);
    assert.ok(transcript.confidence > 0 && transcript.confidence <= 1);
  });

  it('leaves out hints with words it cannot say, and falls back to the general model when none is left', async () => {
    const transcript = await recognizer.recognize(await spoken('billing'), { language: 'en-US', hints: ['zorblax', 'billing', 'qwxz sales'] });
    assert.equal(transcript?.text, 'billing');
    const general = await recognizer.recognize(await spoken('billing'), { language: 'en-US', hints: ['zorblax'] });
    assert.ok(general !== null, 'the general model still answers');
  });

  it('recognizes English only', () => {
    assert.equal(recognizer.supports('en-US'), true);
    assert.equal(recognizer.supports('en-GB'), true);
    assert.equal(recognizer.supports('fr-FR'), false);
  });

  it('runs at most `concurrency` processes and serves every request', async () => {
    const phrases = ['yes', 'no', 'sales', 'billing', 'operator'];
    const audio = await Promise.all(phrases.map((p) => spoken(p)));
    const heard = await Promise.all(audio.map((pcm) => recognizer.recognize(pcm, { language: 'en-US', hints: MENU })));
    assert.deepEqual(
      heard.map((t) => t?.text),
      phrases,
    );
  });
});

describe('pocketsphinx recognizer, failures', () => {
  it('says what is missing when the binary or the model is not there', () => {
    const noBinary = findPocketsphinx({ binary: '/nonexistent/pocketsphinx_continuous' });
    assert.ok('missing' in noBinary && /not installed/.test(noBinary.missing));
    const noModel = findPocketsphinx({ binary: process.execPath, modelDir: '/nonexistent/model' });
    assert.ok('missing' in noModel && /no pocketsphinx model/.test(noModel.missing));
  });

  it('rejects with a SpeechError when the engine fails, and after close', async () => {
    // FAKE engine: /bin/false exits 1 at once, a failure no working pocketsphinx produces on demand.
    const broken = new PocketsphinxRecognizer({ binary: '/bin/false', modelDir: '/nonexistent/model' });
    await assert.rejects(broken.recognize(new Int16Array(800), { language: 'en-US', hints: [] }), (e: unknown) => e instanceof SpeechError && e.code === 'failed');
    await broken.close();
    await assert.rejects(broken.recognize(new Int16Array(800), { language: 'en-US', hints: [] }), (e: unknown) => e instanceof SpeechError && e.code === 'closed');
  });
});

describe('speech helpers', () => {
  it('splits hints on commas and drops class tokens', () => {
    assert.deepEqual(splitHints(' sales , billing,, $OOV_CLASS_DIGIT_SEQUENCE, I want support '), ['sales', 'billing', 'I want support']);
    assert.deepEqual(splitHints(undefined), []);
  });

  it('builds a JSGF grammar of the phrases it can say', () => {
    const words = new Set(['sales', 'i', 'want', "don't", 'know']);
    assert.equal(normalizePhrase("I DON'T know!").join(' '), "i don't know");
    assert.equal(jsgfGrammar(['Sales', 'I want zorblax', "I don't know"], words), "#JSGF V1.0;\ngrammar hints;\npublic <hint> = sales | i don't know;\n");
    assert.equal(jsgfGrammar(['zorblax'], words), undefined);
  });

  it('reads timed output: words across utterances, fillers out, the mean posterior', () => {
    const output = 'i would\n<s> 0.0 0.1 1.0\ni 0.1 0.2 0.8\nwould 0.2 0.5 0.6\n</s> 0.5 0.6 1.0\nsales\n<sil> 0.0 0.2 1.0\nsales(2) 0.7 1.0 1.0\n[NOISE] 1.0 1.1 0.5\n';
    assert.deepEqual(parseTimedOutput(output), { text: 'i would sales', confidence: 0.8 });
    assert.equal(parseTimedOutput(''), null);
    assert.equal(parseTimedOutput('<s> 0 0.1 1\n</s> 0.1 0.2 1\n'), null);
  });

  it('upsamples to 16 kHz keeping the band and adding no image above it', () => {
    const n = 8000;
    const tone = new Int16Array(n);
    for (let i = 0; i < n; i++) tone[i] = Math.round(10000 * Math.sin((2 * Math.PI * 1000 * i) / 8000));
    const up = upsample2x(tone);
    assert.equal(up.length, 2 * n);
    const power = (f: number): number => {
      let re = 0;
      let im = 0;
      for (let i = 1000; i < up.length - 1000; i++) {
        re += up[i]! * Math.cos((2 * Math.PI * f * i) / 16000);
        im += up[i]! * Math.sin((2 * Math.PI * f * i) / 16000);
      }
      return re * re + im * im;
    };
    const dB = 10 * Math.log10(power(7000) / power(1000));
    assert.ok(dB < -40, `the 7 kHz image is ${dB.toFixed(1)} dB below the tone`);
    // Every input sample is kept in place.
    for (let i = 0; i < n; i += 97) assert.equal(up[2 * i], tone[i]);
  });
});
