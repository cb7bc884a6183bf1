/**
 * The built-in Flite provider, for real: flite.wasm in a worker thread.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { FLITE_VOICES, FliteProvider } from '../../../src/tts/flite.js';
import { TtsError } from '../../../src/tts/provider.js';

const TEXT = 'Hello, this is Dialtone.';

function rms(pcm: Int16Array): number {
  let sum = 0;
  for (const x of pcm) sum += x * x;
  return Math.sqrt(sum / Math.max(1, pcm.length));
}

function ttsError(code: string, twilioCode?: number) {
  return (error: unknown): boolean => {
    assert.ok(error instanceof TtsError, `expected TtsError, got ${String(error)}`);
    assert.equal(error.code, code);
    assert.equal(error.twilioCode, twilioCode);
    return true;
  };
}

describe('FliteProvider', () => {
  const flite = new FliteProvider();
  after(() => flite.close());

  it('lists its built-in voices', () => {
    assert.deepEqual(
      flite.voices().map((v) => v.id),
      ['kal', 'kal16', 'rms', 'awb', 'slt'],
    );
    assert.equal(flite.name, 'flite');
  });

  for (const voice of FLITE_VOICES) {
    it(`speaks "${TEXT}" with ${voice.id}: audible, 0.8–4 s at 8 kHz`, async (t) => {
      const pcm = await flite.synthesize(TEXT, { voice: voice.id });
      const seconds = pcm.length / 8000;
      assert.ok(seconds >= 0.8 && seconds <= 4, `${seconds} s`);
      assert.ok(rms(pcm) > 300, `RMS ${rms(pcm)}`);
      t.diagnostic(`${voice.id}: ${seconds.toFixed(2)} s, RMS ${rms(pcm).toFixed(0)}`);
    });
  }

  it('is deterministic and serves concurrent requests', async () => {
    const results = await Promise.all([
      flite.synthesize(TEXT, { voice: 'kal' }),
      flite.synthesize('Press one for sales.', { voice: 'slt' }),
      flite.synthesize(TEXT, { voice: 'kal' }),
    ]);
    assert.deepEqual(results[0], results[2]);
    assert.notDeepEqual(results[0], results[1]);
  });

  it('measures its speed (informational)', async (t) => {
    const text =
      'Thank you for calling. Your call is important to us. Press one for sales, two for support, or stay on the line.';
    for (const voice of ['kal', 'slt']) {
      const before = flite.stats;
      const pcm = await flite.synthesize(text, { voice });
      const after = flite.stats;
      const seconds = pcm.length / 8000;
      t.diagnostic(`${voice}: ${((after.busyMs - before.busyMs) / seconds).toFixed(1)} ms of worker time per second of speech`);
    }
  });

  it('rejects unknown voices, empty and overlong text with Twilio codes', async () => {
    await assert.rejects(flite.synthesize(TEXT, { voice: 'Polly.Joanna' }), ttsError('unknown-voice', 13511));
    await assert.rejects(flite.synthesize('  \u0000 ', { voice: 'kal' }), ttsError('empty-text', 13520));
    const short = new FliteProvider({ maxTextLength: 10 });
    await assert.rejects(short.synthesize('far too long for this', { voice: 'kal' }), ttsError('text-too-long', 13521));
    await short.close();
  });

  it('abandons a queued request when its signal aborts', async () => {
    const controller = new AbortController();
    const first = flite.synthesize('One moment please.', { voice: 'kal' });
    const second = flite.synthesize('This one is cancelled.', { voice: 'kal', signal: controller.signal });
    controller.abort();
    await assert.rejects(second, ttsError('aborted'));
    assert.ok((await first).length > 0);
  });

  it('fails queued and later requests once closed', async () => {
    const provider = new FliteProvider();
    const pending = assert.rejects(provider.synthesize(TEXT, { voice: 'kal' }), ttsError('closed'));
    await provider.close();
    await pending;
    await assert.rejects(provider.synthesize(TEXT, { voice: 'kal' }), ttsError('closed'));
  });

  it('fails a request that overruns its time limit and recovers with a new worker', async () => {
    const hasty = new FliteProvider({ timeoutMs: 1 });
    try {
      await assert.rejects(hasty.synthesize(TEXT, { voice: 'slt' }), (error: unknown) => {
        assert.ok(error instanceof TtsError);
        assert.equal(error.code, 'failed');
        assert.match(error.message, /exceeded 1 ms/);
        return true;
      });
      await assert.rejects(hasty.synthesize(TEXT, { voice: 'slt' }), /exceeded 1 ms/);
    } finally {
      await hasty.close();
    }
  });

  it('reports a broken installation instead of hanging', async () => {
    const provider = new FliteProvider({ wasmPath: '/nonexistent/flite.wasm' });
    await assert.rejects(provider.synthesize(TEXT, { voice: 'kal' }), ttsError('failed'));
    await provider.close();
  });
});
