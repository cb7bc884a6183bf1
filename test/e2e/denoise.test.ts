/**
 * `<Denoise>` end to end: baresip (its own process) calls a running `dialtone start`
 * twice with the same WAV, a 440 Hz beep (300 ms on, 200 ms off) in white noise, and is
 * recorded: once by `<Record>` alone, once after `<Denoise>on</Denoise>`. The two
 * recordings, downloaded from RecordingUrl as a client would, are measured with
 * Goertzel filters: with Denoise the noise (1–3.5 kHz, away from the tone) is far
 * lower, and the beep is as loud as without.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { RATE, readWav, sine, writeWav } from '../support/audio.js';
import { Baresip, baresipSkip } from '../support/baresip.js';
import { Dialtone } from '../support/dialtone.js';
import { noiseDb, toneDb } from '../support/noise.js';
import { startWebApp, type WebApp } from '../support/web-app.js';
import { mixInto, whiteNoise } from '../unit/media/signals.js';

const PLAIN = '+15550171';
const DENOISED = '+15550172';
const RECORD = '<Record action="/recorded" maxLength="5" timeout="0" playBeep="false" trim="do-not-trim"/>';

/** 10 s of a 440 Hz beep (0.1 of full scale) in white noise at -30 dBm0. */
function beepInNoise(): Int16Array {
  const tone = sine(440, 10, 0.1);
  for (let i = 0; i < tone.length; i++) if (i % 4000 >= 2400) tone[i] = 0;
  return mixInto(tone, whiteNoise(tone.length, -30, 5));
}

describe('<Denoise> (baresip → dialtone start → <Record>)', { timeout: 120_000 }, () => {
  let app: WebApp;
  let dialtone: Dialtone;

  before(async () => {
    app = await startWebApp({ missing: 404 });
    app.documents.set('/plain', `<Response>${RECORD}</Response>`);
    app.documents.set('/denoised', `<Response><Denoise>on</Denoise>${RECORD}</Response>`);
    app.documents.set('/recorded', '<Response><Hangup/></Response>');
    dialtone = await Dialtone.prepare({ name: 'denoise', rtpBase: 16000 });
    await dialtone.addNumber(PLAIN, `${app.base}/plain`);
    await dialtone.addNumber(DENOISED, `${app.base}/denoised`);
    await dialtone.start();
  });

  after(async () => {
    await dialtone?.stop();
    await app?.close();
  });

  /** Calls `number` with `source` and returns the recording its document made. */
  async function recordCall(number: string, source: string, nth: number): Promise<Int16Array> {
    const baresip = await Baresip.start({ audioSource: source, commands: true, killAfterMs: 60_000 });
    const context = (): string => `--- baresip ---\n${baresip.log}\n--- dialtone ---\n${dialtone.output()}`;
    try {
      await baresip.command('dial', `sip:${number}@127.0.0.1:${dialtone.sipPort}`);
      const hit = await app.hit('/recorded', { nth, timeoutMs: 30_000, context });
      const res = await fetch(`${hit.params.RecordingUrl}.wav`);
      assert.equal(res.status, 200, `GET ${hit.params.RecordingUrl}.wav`);
      const wav = readWav(new Uint8Array(await res.arrayBuffer()));
      assert.deepEqual([wav.channels, wav.rate], [1, RATE]);
      await baresip.waitForEvent('CALL_CLOSED', 10_000).catch(() => undefined);
      return wav.samples;
    } finally {
      await baresip.stop();
    }
  }

  it('the recording after <Denoise>on holds far less noise and the same beep', { skip: baresipSkip }, async (t) => {
    const source = writeWav(join(dialtone.dataDir, 'beep-in-noise.wav'), beepInNoise());
    const plain = await recordCall(PLAIN, source, 1);
    const denoised = await recordCall(DENOISED, source, 2);
    // The first second aside (the denoiser adapts to the noise), the same length of both.
    const to = Math.min(plain.length, denoised.length);
    assert.ok(to >= 4 * RATE, `recordings of ${plain.length} and ${denoised.length} samples`);
    const noiseDrop = noiseDb(plain, RATE, to) - noiseDb(denoised, RATE, to);
    const toneChange = toneDb(denoised, 440, RATE, to) - toneDb(plain, 440, RATE, to);
    t.diagnostic(`noise ${noiseDrop.toFixed(1)} dB lower with Denoise; beep ${toneChange >= 0 ? '+' : ''}${toneChange.toFixed(2)} dB`);
    assert.ok(noiseDrop >= 8, `noise only ${noiseDrop.toFixed(1)} dB lower`);
    assert.ok(Math.abs(toneChange) <= 3, `the beep changed by ${toneChange.toFixed(1)} dB`);
    const call = await dialtone.lastCall();
    assert.deepEqual(
      call.timeline.filter((e) => e.type === 'verb-start').map((e) => e.data.verb),
      ['Denoise', 'Record', 'Hangup'],
    );
  });
});
