/**
 * Recording a leg to WAV in the worker: the received audio, both directions
 * mixed or apart, a maximum duration, and files finished when the leg closes;
 * for <Record>: stopping after a silence, and trimming the silence around the voice.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MediaHost, type MediaLeg } from '../../../src/media/host.js';
import { dbRelativeTo, delay, loudFrames, nextEvent, powerAt } from './support.js';

/** The channels of an 8 kHz 16-bit PCM WAV file. */
async function readWav(path: string): Promise<{ channels: Int16Array[]; rate: number }> {
  const bytes = await readFile(path);
  assert.equal(bytes.toString('ascii', 0, 4), 'RIFF');
  assert.equal(bytes.toString('ascii', 8, 12), 'WAVE');
  const channelCount = bytes.readUInt16LE(22);
  const rate = bytes.readUInt32LE(24);
  assert.equal(bytes.readUInt16LE(34), 16);
  assert.equal(bytes.toString('ascii', 36, 40), 'data');
  const dataBytes = bytes.readUInt32LE(40);
  assert.equal(dataBytes, bytes.length - 44, 'the header was patched with the data size');
  const frames = dataBytes / (2 * channelCount);
  const channels = Array.from({ length: channelCount }, () => new Int16Array(frames));
  for (let i = 0; i < frames; i++) {
    for (let c = 0; c < channelCount; c++) channels[c]![i] = bytes.readInt16LE(44 + 2 * (i * channelCount + c));
  }
  return { channels, rate };
}

describe('media recording', { timeout: 60_000 }, () => {
  let host: MediaHost;
  let dir: string;
  before(async () => {
    host = await MediaHost.start({ workers: 1, ports: { min: 31700, max: 31799 } });
    dir = await mkdtemp(join(tmpdir(), 'dialtone-record-'));
  });
  after(async () => {
    await host.close();
    await rm(dir, { recursive: true, force: true });
  });

  async function pair(): Promise<[MediaLeg, MediaLeg]> {
    const a = await host.createLeg();
    const b = await host.createLeg({ remote: a.local });
    await a.setRemote(b.local);
    return [a, b];
  }

  it('records the received audio', async () => {
    const [a, b] = await pair();
    const path = join(dir, 'inbound.wav');
    await b.startRecord('r1', path);
    await a.playAndWait({ kind: 'tone', frequencies: [1000], durationMs: 600 });
    await delay(300);
    const info = await b.stopRecord('r1');
    assert.equal(info.channels, 1);
    assert.equal(info.path, path);
    assert.ok(info.durationMs >= 800, `recorded ${info.durationMs} ms`);
    const { channels, rate } = await readWav(path);
    assert.equal(rate, 8000);
    assert.equal(channels[0]!.length, (info.durationMs * 8000) / 1000);
    const tone = loudFrames(channels[0]!);
    assert.ok(tone.length >= 28 * 160, `${tone.length / 160} frames of tone`);
    assert.ok(Math.abs(dbRelativeTo(powerAt(tone, 1000), -10)) < 0.5);
    await Promise.all([a.close(), b.close()]);
  });

  it('records both directions apart (dual) and together (mixed)', async () => {
    const [a, b] = await pair();
    const dual = join(dir, 'dual.wav');
    const mixed = join(dir, 'mixed.wav');
    await b.startRecord('dual', dual, { mode: 'dual' });
    await b.startRecord('mixed', mixed, { mode: 'mixed' });
    await Promise.all([
      a.playAndWait({ kind: 'tone', frequencies: [1000], durationMs: 600 }),
      b.playAndWait({ kind: 'tone', frequencies: [600], levelDbm0: -12, durationMs: 600 }),
    ]);
    await delay(300);
    await b.stopRecord('dual');
    await b.stopRecord('mixed');
    const { channels } = await readWav(dual);
    assert.equal(channels.length, 2);
    const [received, sent] = [loudFrames(channels[0]!), loudFrames(channels[1]!)];
    assert.ok(powerAt(received, 1000) > 1000 * powerAt(received, 600), 'left: what B received');
    assert.ok(powerAt(sent, 600) > 1000 * powerAt(sent, 1000), 'right: what B sent');
    assert.ok(Math.abs(dbRelativeTo(powerAt(sent, 600), -12)) < 0.5);
    const mono = (await readWav(mixed)).channels[0]!;
    assert.ok(powerAt(mono, 1000) > 0 && powerAt(mono, 600) > 0);
    assert.ok(Math.abs(10 * Math.log10(powerAt(mono, 1000) / powerAt(mono, 600)) - 2) < 1.5, 'both, at their levels');
    await Promise.all([a.close(), b.close()]);
  });

  it('stops by itself at maxDurationMs, and finishes files when the leg closes', async () => {
    const [a, b] = await pair();
    const stopped = nextEvent(b, 'recordstopped', 3000, (id) => id === 'short');
    await b.startRecord('short', join(dir, 'short.wav'), { maxDurationMs: 300 });
    const [, reason, recording] = await stopped;
    assert.equal(reason, 'max-duration');
    assert.equal(recording?.durationMs, 300);
    assert.equal((await readWav(join(dir, 'short.wav'))).channels[0]!.length, 2400);

    const events: string[] = [];
    b.on('recordstopped', (id, why) => events.push(`${id}:${why}`));
    b.on('close', (why) => events.push(`close:${why}`));
    await b.startRecord('long', join(dir, 'long.wav'));
    await delay(200);
    const closed = nextEvent(b, 'close');
    await b.close();
    await closed;
    assert.deepEqual(events, ['long:closed', 'close:closed']);
    const { channels } = await readWav(join(dir, 'long.wav'));
    assert.ok(channels[0]!.length >= 160 * 8);
    await a.close();
  });

  it('stops after silenceTimeoutMs without voice, trimmed to the voice; counts voice', async () => {
    const [a, b] = await pair();
    const path = join(dir, 'silence.wav');
    const stopped = nextEvent(b, 'recordstopped', 5000, (id) => id === 'quiet');
    await b.startRecord('quiet', path, { silenceTimeoutMs: 600, trimSilence: true, maxDurationMs: 4000 });
    await delay(200);
    await a.playAndWait({ kind: 'tone', frequencies: [600], durationMs: 800 });
    const [, reason, recording] = await stopped;
    assert.equal(reason, 'silence');
    assert.ok(recording !== null);
    // 200 ms of silence before the tone and 600 ms after it were recorded, then cut.
    assert.ok(Math.abs(recording.durationMs - 800) <= 60, `trimmed to ${recording.durationMs} ms`);
    assert.ok((recording.untrimmedMs ?? 0) >= recording.durationMs + 600, `untrimmed ${recording.untrimmedMs} ms`);
    assert.ok(Math.abs((recording.voicedMs ?? 0) - 800) <= 60, `voiced ${recording.voicedMs} ms`);
    const samples = (await readWav(path)).channels[0]!;
    assert.equal(samples.length, (recording.durationMs * 8000) / 1000);
    assert.ok(loudFrames(samples).length >= samples.length - 2 * 160, 'what is left is the tone');

    // Nothing said at all: it ends after the timeout, trimmed to nothing.
    const silent = nextEvent(b, 'recordstopped', 5000, (id) => id === 'mute');
    await b.startRecord('mute', join(dir, 'mute.wav'), { silenceTimeoutMs: 300, trimSilence: true });
    const [, why, empty] = await silent;
    assert.equal(why, 'silence');
    assert.equal(empty?.voicedMs, 0);
    assert.equal(empty?.durationMs, 0);
    assert.equal(empty?.untrimmedMs, 300);
    await Promise.all([a.close(), b.close()]);
  });

  it("with silenceFrom 'voice', waits through silence for the voice, reports its start, and ends on the silence after it", async () => {
    const [a, b] = await pair();
    const path = join(dir, 'utterance.wav');
    const voice = nextEvent(b, 'recordvoice', 5000, (id) => id === 'utt');
    const stopped = nextEvent(b, 'recordstopped', 5000, (id) => id === 'utt');
    await b.startRecord('utt', path, { silenceTimeoutMs: 300, silenceFrom: 'voice', maxDurationMs: 4000 });
    let heard = false;
    void voice.then(() => (heard = true));
    // Four times the silence timeout of silence first: not the end of an utterance that has not begun.
    await delay(1200);
    assert.equal(heard, false, 'no voice reported in silence');
    await a.playAndWait({ kind: 'tone', frequencies: [600], durationMs: 500 });
    await voice;
    const [, reason, recording] = await stopped;
    assert.equal(reason, 'silence');
    assert.ok(Math.abs((recording?.voicedMs ?? 0) - 500) <= 60, `voiced ${recording?.voicedMs} ms`);
    assert.ok((recording?.durationMs ?? 0) >= 1200 + 500 + 300 - 60, `the file holds the wait, the voice and the silence: ${recording?.durationMs} ms`);
    await Promise.all([a.close(), b.close()]);
  });
});
