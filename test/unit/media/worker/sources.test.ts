import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createSource } from '../../../../src/media/worker/sources.js';
import { Player } from '../../../../src/media/worker/player.js';
import { CommandError } from '../../../../src/media/worker/command-error.js';
import type { PlayEndReason } from '../../../../src/media/protocol.js';
import { ToneGenerator, testTone } from '../../../../src/media/source/tone.js';
import { dbm0ToPeak } from '../../../../src/media/codec/level.js';

function dtmfLike(f1: number, f2: number): ToneGenerator {
  return new ToneGenerator({ frequencies: [f1, f2], levelDbm0: -7 });
}

/** Sample `n` of the tone, straight from the sine. */
function exact(freqs: readonly number[], levelDbm0: number, n: number): number {
  let v = 0;
  for (const f of freqs) v += dbm0ToPeak(levelDbm0) * Math.sin((2 * Math.PI * f * n) / 8000);
  return Math.round(v);
}

function frames(source: { read(dst: Int16Array): boolean }, max = 1000): Int16Array[] {
  const out: Int16Array[] = [];
  const dst = new Int16Array(160);
  while (out.length < max && source.read(dst)) out.push(dst.slice());
  return out;
}

describe('play sources', () => {
  it('a tone lasts its duration times its loops, the last frame padded', () => {
    const source = createSource({ kind: 'tone', frequencies: [1000], durationMs: 50 }, 2);
    const got = frames(source);
    assert.equal(got.length, 6); // 400 samples per loop: 160 + 160 + 80(+80 silence), twice
    assert.ok(got[2]!.subarray(80).every((s) => s === 0));
    assert.ok(got[2]!.subarray(0, 80).some((s) => s !== 0));
    assert.match(source.describe(), /tone\(1000Hz,-10dBm0\) 0\.05s x2/);
  });

  it('a tone of whole hertz plays from a shared period table, matching the synthesizer', () => {
    for (const freqs of [[1000], [697, 1209], [440, 480], [350, 440]] as const) {
      const fromTable = frames(createSource({ kind: 'tone', frequencies: freqs, levelDbm0: -7 }, 1), 60);
      const synth = testTone(freqs[0], -7);
      const reference = freqs.length === 1 ? synth : dtmfLike(freqs[0], freqs[1]!);
      const expected = new Int16Array(160);
      fromTable.forEach((frame, k) => {
        reference.fill(expected);
        for (let i = 0; i < 160; i++) {
          assert.ok(Math.abs(frame[i]! - expected[i]!) <= 1, `${freqs} sample ${i}`);
          assert.ok(Math.abs(frame[i]! - exact(freqs, -7, k * 160 + i)) <= 1, `${freqs} sample ${i} of frame ${k} against the sine`);
        }
      });
    }
    // A frequency that is not whole hertz is synthesized frame by frame.
    const synthesized = frames(createSource({ kind: 'tone', frequencies: [1000.5] }, 1), 10);
    assert.equal(synthesized.length, 10);
    synthesized.forEach((frame, k) => {
      for (let i = 0; i < 160; i++) {
        assert.ok(Math.abs(frame[i]! - exact([1000.5], -10, k * 160 + i)) <= 1, `1000.5 Hz sample ${i} of frame ${k}`);
      }
    });
  });

  it('a tone without duration plays until stopped', () => {
    assert.equal(frames(createSource({ kind: 'tone', frequencies: [350, 440] }, 1), 500).length, 500);
  });

  it('PCM loops without a gap and pads only the very end', () => {
    const pcm = new Int16Array(200).map((_, i) => i + 1);
    const got = frames(createSource({ kind: 'pcm', buffer: pcm.buffer, byteOffset: 0, samples: 200 }, 3));
    assert.equal(got.length, 4); // 600 samples
    const joined = new Int16Array(640);
    got.forEach((f, i) => joined.set(f, i * 160));
    for (let i = 0; i < 600; i++) assert.equal(joined[i], (i % 200) + 1);
    assert.ok(joined.subarray(600).every((s) => s === 0));
  });

  it('silence lasts whole frames; loop 0 means forever', () => {
    assert.equal(frames(createSource({ kind: 'silence', durationMs: 50 }, 1)).length, 3);
    assert.equal(frames(createSource({ kind: 'silence', durationMs: 20 }, 0), 300).length, 300);
  });

  it('refuses bad descriptions with invalid-command', () => {
    const bad = [
      () => createSource({ kind: 'tone', frequencies: [4000] }, 1),
      () => createSource({ kind: 'tone', frequencies: [440], durationMs: 0 }, 1),
      () => createSource({ kind: 'pcm', buffer: new ArrayBuffer(10), byteOffset: 1, samples: 2 }, 1),
      () => createSource({ kind: 'pcm', buffer: new ArrayBuffer(10), byteOffset: 0, samples: 6 }, 1),
      () => createSource({ kind: 'silence', durationMs: 20 }, -1),
    ];
    for (const f of bad) assert.throws(f, (e: unknown) => e instanceof CommandError && e.code === 'invalid-command');
  });
});

describe('Player', () => {
  function player(): { player: Player; log: string[] } {
    const log: string[] = [];
    return {
      log,
      player: new Player({
        started: (id) => log.push(`start ${id}`),
        ended: (id, reason: PlayEndReason) => log.push(`end ${id} ${reason}`),
      }),
    };
  }

  it('starts queued sources in the same tick the previous one ends', () => {
    const { player: p, log } = player();
    const dst = new Int16Array(160);
    p.play('a', createSource({ kind: 'tone', frequencies: [500], durationMs: 40 }, 1), false);
    assert.equal(p.play('b', createSource({ kind: 'tone', frequencies: [700], durationMs: 20 }, 1), true), true);
    const reads = [p.read(dst), p.read(dst), p.read(dst), p.read(dst)];
    assert.deepEqual(reads, [true, true, true, false]);
    assert.deepEqual(log, ['start a', 'end a finished', 'start b', 'end b finished']);
    assert.equal(p.active, false);
  });

  it('replaces, stops one or all, closes', () => {
    const { player: p, log } = player();
    const tone = () => createSource({ kind: 'tone', frequencies: [500] }, 1);
    p.play('a', tone(), false);
    p.play('b', tone(), true);
    p.play('c', tone(), false);
    assert.deepEqual(log.splice(0), ['start a', 'end a replaced', 'end b replaced', 'start c']);
    p.play('d', tone(), true);
    assert.equal(p.stop('nope'), 0);
    assert.equal(p.stop('c'), 1);
    assert.deepEqual(log.splice(0), ['end c stopped', 'start d']);
    p.play('e', tone(), true);
    p.close();
    assert.deepEqual(log.splice(0), ['end d closed', 'end e closed']);
  });
});
