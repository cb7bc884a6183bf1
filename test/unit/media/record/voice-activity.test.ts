import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pcm8kToWav } from '../../../../src/media/audio/wav-header.js';
import { trimWavFile } from '../../../../src/media/record/trim.js';
import { EnergyVoiceActivity } from '../../../../src/media/record/voice-activity.js';

function frame(dbfs: number | null, hz = 600): Int16Array {
  const out = new Int16Array(160);
  if (dbfs === null) return out;
  const amplitude = 32768 * 10 ** (dbfs / 20) * Math.SQRT2;
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / 8000));
  return out;
}

describe('EnergyVoiceActivity', () => {
  it('calls frames above −40 dBFS voiced, and counts silence from the start and after the last voice', () => {
    const vad = new EnergyVoiceActivity();
    for (let i = 0; i < 3; i++) assert.equal(vad.push(frame(null)), false);
    assert.equal(vad.silentRun, 3);
    assert.equal(vad.push(frame(-46)), false, 'line noise is not voice');
    assert.equal(vad.push(frame(-30)), true);
    assert.equal(vad.push(frame(-20)), true);
    assert.equal(vad.silentRun, 0);
    vad.push(frame(null));
    vad.push(frame(null));
    assert.deepEqual(
      { frames: vad.frames, voiced: vad.voicedFrames, first: vad.firstVoiced, last: vad.lastVoiced, run: vad.silentRun },
      { frames: 8, voiced: 2, first: 4, last: 5, run: 2 },
    );
  });

  it('takes another threshold, and refuses one above full scale', () => {
    assert.equal(new EnergyVoiceActivity({ thresholdDbfs: -50 }).push(frame(-46)), true);
    assert.throws(() => new EnergyVoiceActivity({ thresholdDbfs: 3 }), RangeError);
  });
});

describe('trimWavFile', () => {
  it('keeps a range of frames and patches the header; a range of nothing leaves a header', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'dialtone-trim-'));
    try {
      const pcm = Int16Array.from({ length: 800 }, (_v, i) => i);
      const path = join(dir, 'a.wav');
      await writeFile(path, pcm8kToWav(pcm));
      assert.equal(await trimWavFile(path, 1, 160, 480), 320);
      const bytes = await readFile(path);
      assert.equal(bytes.readUInt32LE(40), 640);
      assert.equal(bytes.length, 44 + 640);
      assert.equal(bytes.readInt16LE(44), 160);
      assert.equal(bytes.readInt16LE(bytes.length - 2), 479);
      assert.equal(await trimWavFile(path, 1, 0, 0), 0);
      assert.equal((await readFile(path)).length, 44);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
