/**
 * `<Dial record>` end to end: baresip (real, its voice a 600 Hz tone) calls a number of
 * `dialtone start` whose document dials a second baresip (its voice a 1 kHz tone) with
 * `record="record-from-answer-dual"` and a `timeLimit`, so the bridge lasts a known time.
 * What a user sees is checked: the Dial action gets RecordingUrl, RecordingSid and
 * RecordingDuration; the recording status callback says completed, source DialVerb; the
 * official twilio client lists the recording under the call; and the WAV downloaded from
 * RecordingUrl has two channels, the caller's tone on the first and the callee's on the
 * second (energy per channel, Goertzel and sox), and lasts as long as the bridge.
 *
 * `record-from-ringing-dual` to sipp that rings and never answers: the recording covers
 * the ringing, the caller on the first channel, the US ringback (440 + 480 Hz) they heard
 * on the second; the action says no-answer and still gets the recording.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import twilio from 'twilio';
import wavefile from 'wavefile';
import { goertzel, RATE, readWav, rms, SOX, sine, soxStat, wavBytes } from '../support/audio.js';
import { Baresip, baresipSkip } from '../support/baresip.js';
import { Dialtone } from '../support/dialtone.js';
import { freeUdpPort, sippScenario, sippSkip, startSipp, waitForUdpBind } from '../support/sipp.js';
import { startWebApp, type WebApp } from '../support/web-app.js';

delete process.env.TWILIO_REGION;
delete process.env.TWILIO_EDGE;

const ACCOUNT_SID = `AC${'7d'.repeat(16)}`;
const AUTH_TOKEN = 'e'.repeat(32);
const CALLER_HZ = 600;
const CALLEE_HZ = 1000;
const NUMBER = '+15550161';
const RINGING_NUMBER = '+15550162';
/** The shortest `timeout` Twilio takes. */
const RING_TIMEOUT_S = 5;
const TIME_LIMIT_S = 4;

/** The channels of a WAV, each on its own. */
function channelsOf(bytes: Uint8Array): Int16Array[] {
  const samples = new wavefile.WaveFile(bytes).getSamples(false, Int16Array) as unknown as Int16Array | Int16Array[];
  return Array.isArray(samples) ? samples : [samples];
}

describe('<Dial record> on real calls (baresip → dialtone start → baresip)', { skip: baresipSkip, timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'dialtone-dial-record-e2e-'));
  let app: WebApp;
  let dialtone: Dialtone;
  let client: twilio.Twilio;

  before(async () => {
    app = await startWebApp();
    dialtone = await Dialtone.prepare({ name: 'dial-record', rtpBase: 10000, env: { DIALTONE_ACCOUNT_SID: ACCOUNT_SID, DIALTONE_AUTH_TOKEN: AUTH_TOKEN } });
    await dialtone.addNumber(NUMBER, `${app.base}/voice`);
    await dialtone.addNumber(RINGING_NUMBER, `${app.base}/ringing`);
    const [, apiBase] = await dialtone.start(/Dialtone is running at (\S+)/);
    client = twilio(ACCOUNT_SID, AUTH_TOKEN);
    client.api.baseUrl = apiBase!;
  });

  after(async () => {
    await dialtone?.stop();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('record-from-answer-dual: the action gets the recording; its WAV holds the caller on channel 1, the callee on channel 2, for the bridged time', async (t) => {
    const callerVoice = join(dir, 'caller.wav');
    const calleeVoice = join(dir, 'callee.wav');
    writeFileSync(callerVoice, wavBytes(sine(CALLER_HZ, 30, 0.5)));
    writeFileSync(calleeVoice, wavBytes(sine(CALLEE_HZ, 30, 0.5)));
    const callee = await Baresip.start({ audioSource: calleeVoice, killAfterMs: 60_000 });
    const caller = await Baresip.start({ audioSource: callerVoice, commands: true, killAfterMs: 60_000 });
    const context = (): string => `--- dialtone start ---\n${dialtone.output()}\n--- caller ---\n${caller.log}\n--- callee ---\n${callee.log}`;
    try {
      app.documents.set(
        '/voice',
        `<Response><Dial action="/after" timeLimit="${TIME_LIMIT_S}" record="record-from-answer-dual" recordingStatusCallback="/rsc"><Sip>${callee.uri}</Sip></Dial></Response>`,
      );
      app.documents.set('/after', '<Response><Hangup/></Response>');
      app.documents.set('/rsc', '<Response/>');
      await caller.command('dial', `sip:${NUMBER}@127.0.0.1:${dialtone.sipPort}`);

      const action = await app.hit('/after', { context, timeoutMs: 30_000 });
      const p = action.params;
      assert.equal(p.DialCallStatus, 'completed', JSON.stringify(p));
      const sid = p.RecordingSid ?? '';
      assert.match(sid, /^RE[0-9a-f]{32}$/, JSON.stringify(p));
      assert.match(p.RecordingUrl ?? '', new RegExp(`/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${sid}$`));
      const bridged = Number(p.DialCallDuration);
      const recorded = Number(p.RecordingDuration);
      t.diagnostic(`DialCallDuration ${bridged} s, RecordingDuration ${recorded} s`);
      assert.ok(Math.abs(bridged - TIME_LIMIT_S) <= 1, `DialCallDuration ${bridged}`);
      assert.ok(Math.abs(recorded - bridged) <= 1, `RecordingDuration ${recorded} against DialCallDuration ${bridged}`);

      const status = await app.hit('/rsc', { context, timeoutMs: 10_000 });
      assert.deepEqual(
        [status.params.RecordingSid, status.params.RecordingStatus, status.params.RecordingSource, status.params.RecordingChannels, status.params.CallSid],
        [sid, 'completed', 'DialVerb', '2', p.CallSid],
      );

      // The REST API lists it under the call, as the twilio client reads it.
      const listed = await client.calls(p.CallSid!).recordings.list();
      assert.deepEqual(
        listed.map((r) => [r.sid, r.source, r.status, r.channels, r.duration]),
        [[sid, 'DialVerb', 'completed', 2, String(recorded)]],
      );

      const res = await fetch(`${p.RecordingUrl}.wav`);
      assert.equal(res.status, 200);
      const bytes = new Uint8Array(await res.arrayBuffer());
      const file = join(dir, 'dial.wav');
      writeFileSync(file, bytes);
      const wav = readWav(bytes);
      assert.deepEqual([wav.channels, wav.rate], [2, RATE]);
      const [left, right] = channelsOf(bytes);
      assert.ok(left && right);
      const seconds = left.length / RATE;
      assert.ok(Math.abs(seconds - bridged) <= 1, `the WAV lasts ${seconds.toFixed(2)} s; the bridge ${bridged} s`);

      const stat = soxStat(file);
      assert.ok(Math.abs((stat.get('Length (seconds)') ?? 0) - seconds) < 0.01, 'sox reads the same length');
      const lines: string[] = [];
      for (const [name, pcm, hz, other] of [
        ['caller (channel 1)', left, CALLER_HZ, CALLEE_HZ],
        ['callee (channel 2)', right, CALLEE_HZ, CALLER_HZ],
      ] as const) {
        const level = rms(pcm) / 32768;
        const own = goertzel(pcm, hz);
        const leak = goertzel(pcm, other);
        lines.push(`${name}: RMS ${level.toFixed(3)} FS, ${hz} Hz / ${other} Hz energy ${(own / Math.max(leak, 1e-9)).toExponential(1)}`);
        assert.ok(level > 0.1, `${name} is too quiet: RMS ${level}`);
        assert.ok(own > 100 * leak, `${name}: the energy is at ${hz} Hz, not ${other} Hz`);
      }
      // sox agrees, channel by channel.
      for (const [index, hz] of [[1, CALLER_HZ], [2, CALLEE_HZ]] as const) {
        const run = spawnSync(SOX, [file, '-n', 'remix', String(index), 'stat'], { encoding: 'utf8', timeout: 10_000 });
        const rough = Number(/Rough\s+frequency:\s+(\d+)/.exec(run.stderr)?.[1]);
        lines.push(`sox channel ${index}: rough frequency ${rough} Hz`);
        assert.ok(Math.abs(rough - hz) < 60, `sox channel ${index}: rough frequency ${rough} Hz, expected ${hz}`);
      }
      t.diagnostic(`recording ${seconds.toFixed(2)} s; ${lines.join('; ')}`);
    } finally {
      await caller.stop();
      await callee.stop();
    }
  });

  it('record-from-ringing-dual, nobody answers: the ringing is recorded (caller, ringback) and the no-answer action gets it', { skip: sippSkip }, async (t) => {
    const callerVoice = join(dir, 'caller-ringing.wav');
    writeFileSync(callerVoice, wavBytes(sine(CALLER_HZ, 30, 0.5)));
    const port = await freeUdpPort();
    const sipp = startSipp({ scenario: { file: sippScenario('uas-ring-expect-cancel.xml') }, port, timeoutSec: 30 });
    await waitForUdpBind(port);
    const caller = await Baresip.start({ audioSource: callerVoice, commands: true, killAfterMs: 60_000 });
    const context = (): string => `--- dialtone start ---\n${dialtone.output()}\n--- caller ---\n${caller.log}`;
    try {
      app.documents.set(
        '/ringing',
        `<Response><Dial action="/ringing-after" timeout="${RING_TIMEOUT_S}" record="record-from-ringing-dual"><Sip>sip:bob@127.0.0.1:${port}</Sip></Dial></Response>`,
      );
      app.documents.set('/ringing-after', '<Response><Hangup/></Response>');
      await caller.command('dial', `sip:${RINGING_NUMBER}@127.0.0.1:${dialtone.sipPort}`);
      const action = await app.hit('/ringing-after', { context, timeoutMs: 30_000 });
      const p = action.params;
      assert.equal(p.DialCallStatus, 'no-answer', JSON.stringify(p));
      assert.match(p.RecordingSid ?? '', /^RE[0-9a-f]{32}$/, JSON.stringify(p));
      const res = await fetch(`${p.RecordingUrl}.wav`);
      assert.equal(res.status, 200);
      const [left, right] = channelsOf(new Uint8Array(await res.arrayBuffer()));
      assert.ok(left && right, 'two channels');
      const seconds = left.length / RATE;
      assert.ok(Math.abs(seconds - RING_TIMEOUT_S) <= 1, `the WAV lasts ${seconds.toFixed(2)} s; it rang ${RING_TIMEOUT_S} s`);
      assert.ok(Math.abs(Number(p.RecordingDuration) - seconds) <= 1, `RecordingDuration ${p.RecordingDuration}`);
      const callerOwn = goertzel(left, CALLER_HZ);
      const ringback = goertzel(right, 440) + goertzel(right, 480);
      t.diagnostic(`recording ${seconds.toFixed(2)} s; caller RMS ${(rms(left) / 32768).toFixed(3)} FS, ringback channel RMS ${(rms(right) / 32768).toFixed(3)} FS`);
      assert.ok(callerOwn > 100 * (goertzel(left, 440) + goertzel(left, 480)), 'the caller channel is the caller, not the ringback');
      assert.ok(ringback > 100 * goertzel(right, CALLER_HZ), 'the second channel is the ringback the caller heard, not the caller');
      assert.ok(rms(right) / 32768 > 0.01, 'the ringback is audible');
      const sippRun = await sipp.done;
      assert.equal(sippRun.code, 0, `sipp did not get its CANCEL\n${sippRun.report}\n${context()}`);
    } finally {
      await caller.stop();
      sipp.kill();
    }
  });
});
