/**
 * `dialtone call` against a running `dialtone start` (both spawned as processes, as a
 * user would run them), whose numbers point at a web application in this test:
 *
 * - `<Say voice="kal">`: the prompt arrives non-silent, its speech as long as the same text
 *   synthesised here with the same voice, and matching it window by window; the engine
 *   hangs up at the end of the document and the call exits 0;
 * - `<Gather numDigits="2">`: `--digits WW42` reaches the application as `Digits=42`.
 *
 * Needs no external binary: both ends are ours.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import type { CallReport } from '../../src/cli/commands/call.js';
import { FliteProvider } from '../../src/tts/index.js';
import { activeSpan, RATE, readPcm, rms, windowMatch } from '../support/audio.js';
import { Dialtone } from '../support/dialtone.js';
import { startWebApp, type WebApp } from '../support/web-app.js';

const PROMPT = 'Thank you for calling. This prompt is checked at the other end.';

describe('dialtone call → dialtone start (the engine, over UDP)', { timeout: 120_000 }, () => {
  let app: WebApp;
  let dialtone: Dialtone;

  before(async () => {
    app = await startWebApp({ missing: 404 });
    app.documents.set('/say', `<Response><Say voice="kal">${PROMPT}</Say><Hangup/></Response>`);
    app.documents.set('/gather', '<Response><Gather numDigits="2" timeout="5" action="/digits"/><Say voice="kal">Nothing.</Say></Response>');
    app.documents.set('/digits', '<Response><Hangup/></Response>');
    app.documents.set('/countdown', '<Response><Gather numDigits="1" timeout="2" action="/counted"><Pause length="4"/></Gather><Say voice="kal">Nothing.</Say></Response>');
    app.documents.set('/counted', '<Response><Hangup/></Response>');
    dialtone = await Dialtone.prepare({ name: 'call-engine', rtpBase: 34000 });
    await dialtone.addNumber('+15550121', `${app.base}/say`);
    await dialtone.addNumber('+15550122', `${app.base}/gather`);
    await dialtone.addNumber('+15550123', `${app.base}/countdown`);
    await dialtone.start();
  });

  after(async () => {
    await dialtone?.stop();
    await app?.close();
  });

  it('hears <Say>: non-silent, as long as the same text synthesised here, matching it; the engine hangs up → exit 0', async (t) => {
    const out = join(dialtone.dataDir, 'say-heard.wav');
    const flite = new FliteProvider();
    const synthesis = flite.synthesize(PROMPT, { voice: 'kal' });
    const run = await dialtone.call('+15550121', ['--record', out], 25);
    let source: Int16Array;
    try {
      source = await synthesis;
    } finally {
      await flite.close();
    }
    const output = `${run.stdout}\n${run.stderr}\n--- dialtone start ---\n${dialtone.output()}`;
    assert.equal(run.code, 0, output);
    const report = JSON.parse(run.stdout) as CallReport;
    assert.equal(report.answered, true);
    assert.deepEqual(report.ended, { by: 'remote', reason: 'remote-bye' }, output);
    assert.equal(app.hits.find((h) => h.path === '/say')?.params.From, '+15550199');

    const heard = readPcm(out);
    const threshold = 0.02 * 32768;
    const sentSpan = activeSpan(source, threshold);
    const heardSpan = activeSpan(heard, threshold);
    assert.ok(sentSpan !== undefined && heardSpan !== undefined, 'speech in both');
    const sentMs = ((sentSpan.end - sentSpan.start) / RATE) * 1000;
    const heardMs = ((heardSpan.end - heardSpan.start) / RATE) * 1000;
    const level = rms(heard, heardSpan.start, heardSpan.end) / 32768;
    // Align on the start of speech, then look a little either way.
    const offset = heardSpan.start - sentSpan.start;
    const correlations = windowMatch(source, heard, offset - RATE / 20, offset + RATE / 20, threshold).map((w) => w.correlation);
    const sorted = [...correlations].sort((a, b) => a - b);
    const median = sorted[Math.floor(sorted.length / 2)] ?? 0;
    t.diagnostic(
      `prompt: speech ${sentMs} ms synthesised, ${heardMs} ms heard (recording ${(heard.length / RATE).toFixed(2)} s), ` +
        `RMS ${level.toFixed(3)} FS; ${correlations.length} windows, median correlation ${median.toFixed(4)}, lowest ${sorted[0]?.toFixed(4)}`,
    );
    assert.ok(level > 0.02, `the prompt is too quiet: RMS ${level} of full scale`);
    assert.ok(Math.abs(heardMs - sentMs) <= 150, `speech lasts ${heardMs} ms heard, ${sentMs} ms synthesised`);
    assert.ok(median > 0.9, `median correlation with the local synthesis ${median}: ${correlations.map((c) => c.toFixed(2)).join(' ')}`);
  });

  it('<Gather numDigits="2">: --digits WW42 reaches the application as Digits=42', async () => {
    const run = await dialtone.call('+15550122', ['--digits', 'WW42'], 25);
    const output = `${run.stdout}\n${run.stderr}\n--- dialtone start ---\n${dialtone.output()}`;
    assert.equal(run.code, 0, output);
    const report = JSON.parse(run.stdout) as CallReport;
    assert.equal(report.telephoneEvent, 101);
    assert.equal(report.digitsSent, '42');
    assert.deepEqual(report.ended, { by: 'remote', reason: 'remote-bye' }, output);
    const digits = app.hits.find((h) => h.path === '/digits');
    assert.equal(digits?.params.Digits, '42', JSON.stringify(app.hits));
  });

  it('SEM-G2: the timeout counts from the end of the nested prompts: a key 5 s in, after a 4 s prompt, is within timeout="2"', async () => {
    const run = await dialtone.call('+15550123', ['--digits', 'WWWWW7'], 25);
    const output = `${run.stdout}\n${run.stderr}\n--- dialtone start ---\n${dialtone.output()}`;
    assert.equal(run.code, 0, output);
    const counted = app.hits.find((h) => h.path === '/counted');
    assert.equal(counted?.params.Digits, '7', JSON.stringify(app.hits));
  });
});
