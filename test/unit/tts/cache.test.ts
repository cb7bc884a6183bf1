/**
 * The prompt cache in front of the real Flite provider. `CountingProvider`
 * passes every call through to Flite and counts them; `FaultyProvider` injects
 * a failure a real engine would not produce on demand.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Pcm8k } from '../../../src/media/audio/pcm.js';
import { PromptCache, promptKeyHash } from '../../../src/tts/cache.js';
import { FliteProvider } from '../../../src/tts/flite.js';
import { TextToSpeech } from '../../../src/tts/index.js';
import { type SynthesizeOptions, TtsError, type TtsProvider, type Voice } from '../../../src/tts/provider.js';

const TEXT = 'Hello, this is Dialtone.';

class CountingProvider implements TtsProvider {
  readonly name: string;
  calls = 0;
  constructor(readonly inner: TtsProvider) {
    this.name = inner.name;
  }
  voices(): readonly Voice[] {
    return this.inner.voices();
  }
  synthesize(text: string, options: SynthesizeOptions): Promise<Pcm8k> {
    this.calls++;
    return this.inner.synthesize(text, options);
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** Fails its first `failures` calls, then delegates. */
class FaultyProvider extends CountingProvider {
  constructor(
    inner: TtsProvider,
    public failures: number,
  ) {
    super(inner);
  }
  override synthesize(text: string, options: SynthesizeOptions): Promise<Pcm8k> {
    if (this.failures > 0) {
      this.failures--;
      this.calls++;
      return Promise.reject(new TtsError('failed', 'injected failure'));
    }
    return super.synthesize(text, options);
  }
}

function scratch(): { dir: string; done: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'dialtone-prompts-'));
  return { dir, done: () => rmSync(dir, { recursive: true, force: true }) };
}

describe('PromptCache', () => {
  const flite = new FliteProvider();
  after(() => flite.close());

  it('returns the identical samples on a hit without synthesizing again', async () => {
    const provider = new CountingProvider(flite);
    const cache = new PromptCache();
    const first = await cache.get(provider, TEXT, { voice: 'kal' });
    const second = await cache.get(provider, TEXT, { voice: 'kal' });
    assert.equal(provider.calls, 1);
    assert.equal(second, first);
    assert.ok(first.buffer instanceof SharedArrayBuffer, 'playable in place by the media worker');
    assert.equal(cache.stats.memoryHits, 1);
    // Voice, language and text are all part of the key.
    await cache.get(provider, TEXT, { voice: 'slt' });
    await cache.get(provider, TEXT, { voice: 'kal', language: 'en-GB' });
    await cache.get(provider, `${TEXT} `, { voice: 'kal' });
    assert.equal(provider.calls, 4);
  });

  it('synthesizes once for concurrent requests of the same prompt', async () => {
    const provider = new CountingProvider(flite);
    const cache = new PromptCache();
    const results = await Promise.all(Array.from({ length: 5 }, () => cache.get(provider, 'Please hold.', { voice: 'rms' })));
    assert.equal(provider.calls, 1);
    for (const r of results) assert.equal(r, results[0]);
    assert.equal(cache.stats.shared, 4);
  });

  it('keeps prompts on disk under SHA-256 names and reads them back after a restart', async () => {
    const { dir, done } = scratch();
    try {
      const provider = new CountingProvider(flite);
      const cache = new PromptCache({ directory: join(dir, 'prompts') });
      const spoken = await cache.get(provider, TEXT, { voice: 'awb' });
      await cache.idle();
      const key = { provider: 'flite', voice: 'awb', language: '', text: TEXT };
      assert.deepEqual(readdirSync(join(dir, 'prompts')), [`${promptKeyHash(key)}.wav`]);
      assert.match(promptKeyHash(key), /^[0-9a-f]{64}$/);
      assert.equal(cache.pathOf(key), join(dir, 'prompts', `${promptKeyHash(key)}.wav`));

      const restarted = new PromptCache({ directory: join(dir, 'prompts') });
      const again = await restarted.get(provider, TEXT, { voice: 'awb' });
      assert.equal(provider.calls, 1, 'served from disk');
      assert.equal(restarted.stats.diskHits, 1);
      assert.deepEqual(again, spoken);
    } finally {
      done();
    }
  });

  it('replaces a damaged cache file', async () => {
    const { dir, done } = scratch();
    try {
      const provider = new CountingProvider(flite);
      const cache = new PromptCache({ directory: dir });
      const path = cache.pathOf({ provider: 'flite', voice: 'kal', language: '', text: TEXT })!;
      writeFileSync(path, 'garbage');
      const pcm = await cache.get(provider, TEXT, { voice: 'kal' });
      await cache.idle();
      assert.equal(provider.calls, 1);
      assert.equal(cache.stats.diskErrors, 1);
      const reread = await new PromptCache({ directory: dir }).get(provider, TEXT, { voice: 'kal' });
      assert.deepEqual(reread, pcm);
      assert.equal(provider.calls, 1);
    } finally {
      done();
    }
  });

  it('evicts the least recently used prompts beyond its byte budget', async () => {
    const provider = new CountingProvider(flite);
    const one = await flite.synthesize('One.', { voice: 'kal' });
    const cache = new PromptCache({ maxMemoryBytes: Math.floor(one.byteLength * 2.5) });
    await cache.get(provider, 'One.', { voice: 'kal' });
    await cache.get(provider, 'Two.', { voice: 'kal' });
    await cache.get(provider, 'One.', { voice: 'kal' }); // "One." is now the most recent
    await cache.get(provider, 'Three.', { voice: 'kal' });
    assert.ok(cache.stats.memoryBytes <= cache.maxMemoryBytes);
    const before = provider.calls;
    await cache.get(provider, 'One.', { voice: 'kal' });
    assert.equal(provider.calls, before, '"One." stayed');
    await cache.get(provider, 'Two.', { voice: 'kal' });
    assert.equal(provider.calls, before + 1, '"Two." was evicted');
  });

  it('does not cache failures', async () => {
    const provider = new FaultyProvider(flite, 1);
    const cache = new PromptCache();
    await assert.rejects(cache.get(provider, TEXT, { voice: 'kal' }), /injected failure/);
    const pcm = await cache.get(provider, TEXT, { voice: 'kal' });
    assert.ok(pcm.length > 0);
    assert.equal(provider.calls, 2);
  });

  it('lets one caller stop waiting while the shared synthesis completes', async () => {
    const provider = new CountingProvider(flite);
    const cache = new PromptCache();
    const controller = new AbortController();
    const impatient = cache.get(provider, 'Goodbye.', { voice: 'slt', signal: controller.signal });
    const patient = cache.get(provider, 'Goodbye.', { voice: 'slt' });
    controller.abort();
    await assert.rejects(impatient, (e: unknown) => e instanceof TtsError && e.code === 'aborted');
    assert.ok((await patient).length > 0);
    assert.equal(provider.calls, 1);
  });
});

describe('TextToSpeech', () => {
  it('maps Twilio voices, caches, and reports substitutions', async () => {
    const provider = new CountingProvider(new FliteProvider());
    const tts = new TextToSpeech({ provider });
    try {
      const joanna = await tts.say(TEXT, { voice: 'Polly.Joanna' });
      assert.equal(joanna.voice, 'slt');
      assert.equal(joanna.provider, 'flite');
      assert.match(joanna.note!, /Polly\.Joanna/);
      const woman = await tts.say(TEXT, { voice: 'woman' });
      assert.equal(woman.note, undefined);
      assert.equal(woman.pcm, joanna.pcm, 'same voice and text: one prompt');
      assert.equal(provider.calls, 1);
      const man = await tts.say(TEXT);
      assert.equal(man.voice, 'rms');
    } finally {
      await tts.close();
      await provider.inner.close();
    }
  });
});
