/**
 * The whisper of `<Dial><Sip url>` end to end: baresip (real, its voice a 600 Hz tone)
 * calls a number of `dialtone start` whose document dials a second baresip (its voice a
 * 1 kHz tone) with a whisper URL. What a user sees is checked:
 *
 * - the whisper request describes the child call (its CallSid is the action's
 *   DialCallSid, ParentCallSid the caller's, Direction outbound-dial, CallStatus
 *   in-progress, and for `<Sip>` its SipCallId) and carries a valid Twilio signature;
 * - the callee heard the whisper (a 1.6 kHz tone played by its `<Play>`) before the
 *   caller's voice, in what baresip dumped of its call; the caller never heard the
 *   whisper, and did hear the callee once bridged; the action says completed, bridged;
 * - a whisper that asks the callee to accept with `<Gather>`, under `answerOnBridge`: the
 *   caller is answered only after the callee pressed 1 (its Digits reached the Gather's
 *   action), and the two are bridged then;
 * - a whisper that answers `<Hangup/>`: the callee is dropped (baresip's call closes), the
 *   caller never hears it, and the action says DialCallStatus=no-answer, DialBridged=false;
 * - the caller hanging up while the whisper runs: the callee gets BYE, and the action (still
 *   requested, SEM-X4) says canceled, unbridged.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { goertzel, RATE, readPcm, rms, sine, wavBytes } from '../support/audio.js';
import { Baresip, baresipSkip } from '../support/baresip.js';
import { Dialtone } from '../support/dialtone.js';
import { startWebApp, type WebApp } from '../support/web-app.js';

const ACCOUNT_SID = `AC${'3e'.repeat(16)}`;
const AUTH_TOKEN = 'f'.repeat(32);
const CALLER_HZ = 600;
const CALLEE_HZ = 1000;
const WHISPER_HZ = 1600;
const NUMBERS = { bridged: '+15550171', declined: '+15550172', gather: '+15550173', callerLeaves: '+15550174' } as const;
const FRAME = RATE / 25;

/** Start of the first 40 ms frame where `hz` is loud and stands well above `others`; -1 when none. */
function firstFrameWith(pcm: Int16Array, hz: number, others: readonly number[]): number {
  for (let i = 0; i + FRAME <= pcm.length; i += FRAME) {
    if (rms(pcm, i, i + FRAME) < 0.05 * 32767) continue;
    const own = goertzel(pcm, hz, i, i + FRAME);
    if (others.every((o) => own > 10 * goertzel(pcm, o, i, i + FRAME))) return i;
  }
  return -1;
}

/** How many 40 ms frames hold `hz` above `others`. */
function framesWith(pcm: Int16Array, hz: number, others: readonly number[]): number {
  let n = 0;
  for (let i = 0; i + FRAME <= pcm.length; i += FRAME) {
    if (rms(pcm, i, i + FRAME) < 0.05 * 32767) continue;
    const own = goertzel(pcm, hz, i, i + FRAME);
    if (others.every((o) => own > 10 * goertzel(pcm, o, i, i + FRAME))) n++;
  }
  return n;
}

/** What baresip heard of its one call. */
function heard(dumps: string): Int16Array {
  const file = readdirSync(dumps).find((f) => f.endsWith('-dec.wav'));
  assert.ok(file, `baresip's dumps: ${readdirSync(dumps).join(', ')}`);
  return readPcm(join(dumps, file));
}

describe('<Dial><Sip url> whisper on real calls (baresip → dialtone start → baresip)', { skip: baresipSkip, timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'dialtone-whisper-e2e-'));
  let app: WebApp;
  let dialtone: Dialtone;
  const callerVoice = join(dir, 'caller.wav');
  const calleeVoice = join(dir, 'callee.wav');

  before(async () => {
    writeFileSync(callerVoice, wavBytes(sine(CALLER_HZ, 30, 0.5)));
    writeFileSync(calleeVoice, wavBytes(sine(CALLEE_HZ, 30, 0.5)));
    app = await startWebApp({ authToken: AUTH_TOKEN });
    app.wavs.set('/whisper.wav', wavBytes(sine(WHISPER_HZ, 1.5, 0.5)));
    dialtone = await Dialtone.prepare({ name: 'whisper', rtpBase: 18000, env: { DIALTONE_ACCOUNT_SID: ACCOUNT_SID, DIALTONE_AUTH_TOKEN: AUTH_TOKEN } });
    await dialtone.addNumber(NUMBERS.bridged, `${app.base}/bridged`);
    await dialtone.addNumber(NUMBERS.declined, `${app.base}/declined`);
    await dialtone.addNumber(NUMBERS.gather, `${app.base}/gather`);
    await dialtone.addNumber(NUMBERS.callerLeaves, `${app.base}/leaves`);
    await dialtone.start();
  });

  after(async () => {
    await dialtone?.stop();
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the callee hears the whisper, then the caller; the whisper request describes the child, signed; the caller never hears it', async (t) => {
    const calleeDumps = mkdtempSync(join(dir, 'callee-'));
    const callerDumps = mkdtempSync(join(dir, 'caller-'));
    const callee = await Baresip.start({ audioSource: calleeVoice, dumpAudioTo: calleeDumps, killAfterMs: 60_000 });
    const caller = await Baresip.start({ audioSource: callerVoice, dumpAudioTo: callerDumps, commands: true, killAfterMs: 60_000 });
    const context = (): string => `--- dialtone start ---\n${dialtone.output()}\n--- caller ---\n${caller.log}\n--- callee ---\n${callee.log}`;
    try {
      app.documents.set('/bridged', `<Response><Dial action="/bridged-after" timeLimit="4"><Sip url="/whisper">${callee.uri}</Sip></Dial></Response>`);
      app.documents.set('/whisper', '<Response><Play>/whisper.wav</Play></Response>');
      app.documents.set('/bridged-after', '<Response><Hangup/></Response>');
      await caller.command('dial', `sip:${NUMBERS.bridged}@127.0.0.1:${dialtone.sipPort}`);

      const action = await app.hit('/bridged-after', { context, timeoutMs: 30_000 });
      assert.equal(action.params.DialCallStatus, 'completed', JSON.stringify(action.params));
      assert.equal(action.params.DialBridged, 'true');
      const whisper = await app.hit('/whisper', { context });
      const p = whisper.params;
      assert.equal(whisper.method, 'POST');
      assert.equal(whisper.signatureValid, true, 'the whisper request is signed with the account token');
      assert.equal(p.CallSid, action.params.DialCallSid, JSON.stringify(p));
      assert.equal(p.ParentCallSid, action.params.CallSid);
      assert.equal(p.Direction, 'outbound-dial');
      assert.equal(p.CallStatus, 'in-progress');
      assert.equal(p.AccountSid, ACCOUNT_SID);
      assert.equal(p.To, callee.uri);
      assert.equal(p.From, action.params.From);
      assert.equal(p.SipCallId, action.params.DialSipCallId, 'a <Sip> whisper names the SIP call');
      await callee.waitForEvent('CALL_CLOSED', 15_000);
      await caller.waitForEvent('CALL_CLOSED', 15_000);
    } finally {
      await callee.stop();
      await caller.stop();
    }

    const atCallee = heard(calleeDumps);
    const whisperAt = firstFrameWith(atCallee, WHISPER_HZ, [CALLER_HZ, CALLEE_HZ]);
    const callerAt = firstFrameWith(atCallee, CALLER_HZ, [WHISPER_HZ, CALLEE_HZ]);
    t.diagnostic(`the callee heard the whisper at ${(whisperAt / RATE).toFixed(2)} s, the caller at ${(callerAt / RATE).toFixed(2)} s`);
    assert.ok(whisperAt >= 0, 'the callee heard the whisper');
    assert.ok(callerAt > whisperAt, 'the callee heard the caller, after the whisper');
    assert.ok(framesWith(atCallee, WHISPER_HZ, [CALLER_HZ]) * FRAME >= RATE, 'the callee heard at least 1 s of the 1.5 s whisper');

    const atCaller = heard(callerDumps);
    assert.equal(framesWith(atCaller, WHISPER_HZ, [CALLEE_HZ, CALLER_HZ]), 0, 'the caller never heard the whisper');
    assert.ok(framesWith(atCaller, CALLEE_HZ, [WHISPER_HZ]) * FRAME >= 2 * RATE, 'the caller heard the callee once bridged');
  });

  it('answerOnBridge and a <Gather> whisper: the caller is answered only once the callee pressed 1; then they are bridged', async () => {
    const callee = await Baresip.start({ audioSource: calleeVoice, commands: true, killAfterMs: 60_000 });
    const caller = await Baresip.start({ audioSource: callerVoice, commands: true, killAfterMs: 60_000 });
    const context = (): string => `--- dialtone start ---\n${dialtone.output()}\n--- caller ---\n${caller.log}\n--- callee ---\n${callee.log}`;
    try {
      app.documents.set('/gather', `<Response><Dial answerOnBridge="true" action="/gather-after" timeLimit="2"><Sip url="/screen">${callee.uri}</Sip></Dial></Response>`);
      app.documents.set('/screen', '<Response><Gather numDigits="1" action="/accept" timeout="20"><Say>Press 1 to take the call.</Say></Gather><Hangup/></Response>');
      app.documents.set('/accept', '<Response/>');
      app.documents.set('/gather-after', '<Response><Hangup/></Response>');
      await caller.command('dial', `sip:${NUMBERS.gather}@127.0.0.1:${dialtone.sipPort}`);
      await app.hit('/screen', { context });
      await callee.waitForEvent('CALL_ESTABLISHED', 5000);
      assert.equal(caller.eventsOf('CALL_ESTABLISHED').length, 0, 'the caller is not answered while the whisper runs');
      await callee.command('sndcode', '1');
      const accept = await app.hit('/accept', { context });
      assert.equal(accept.params.Digits, '1');
      assert.equal(accept.params.Direction, 'outbound-dial');
      await caller.waitForEvent('CALL_ESTABLISHED', 10_000);
      const action = await app.hit('/gather-after', { context, timeoutMs: 30_000 });
      assert.equal(action.params.DialCallStatus, 'completed', JSON.stringify(action.params));
      assert.equal(action.params.DialBridged, 'true');
      assert.equal(action.params.DialCallSid, accept.params.CallSid);
    } finally {
      await callee.stop();
      await caller.stop();
    }
  });

  it('a whisper answering <Hangup/> drops the callee unbridged: the action says no-answer, DialBridged=false', async () => {
    const callerDumps = mkdtempSync(join(dir, 'caller-'));
    const callee = await Baresip.start({ audioSource: calleeVoice, killAfterMs: 60_000 });
    const caller = await Baresip.start({ audioSource: callerVoice, dumpAudioTo: callerDumps, commands: true, killAfterMs: 60_000 });
    const context = (): string => `--- dialtone start ---\n${dialtone.output()}\n--- caller ---\n${caller.log}\n--- callee ---\n${callee.log}`;
    try {
      app.documents.set('/declined', `<Response><Dial action="/declined-after"><Sip url="/decline">${callee.uri}</Sip></Dial></Response>`);
      app.documents.set('/decline', '<Response><Hangup/></Response>');
      app.documents.set('/declined-after', '<Response><Hangup/></Response>');
      await caller.command('dial', `sip:${NUMBERS.declined}@127.0.0.1:${dialtone.sipPort}`);

      const action = await app.hit('/declined-after', { context, timeoutMs: 30_000 });
      const p = action.params;
      assert.equal(p.DialCallStatus, 'no-answer', JSON.stringify(p));
      assert.equal(p.DialBridged, 'false');
      assert.equal(p.DialCallDuration, undefined);
      const whisper = await app.hit('/decline', { context });
      assert.equal(whisper.params.CallSid, p.DialCallSid);
      await callee.waitForEvent('CALL_ESTABLISHED', 5000);
      await callee.waitForEvent('CALL_CLOSED', 10_000);
      await caller.waitForEvent('CALL_CLOSED', 15_000);
    } finally {
      await callee.stop();
      await caller.stop();
    }
    assert.equal(framesWith(heard(callerDumps), CALLEE_HZ, [CALLER_HZ]), 0, 'the caller never heard the callee');
  });

  it('the caller hangs up during the whisper: the callee gets BYE; the action says canceled, unbridged', async () => {
    const callee = await Baresip.start({ audioSource: calleeVoice, killAfterMs: 60_000 });
    const caller = await Baresip.start({ audioSource: callerVoice, commands: true, killAfterMs: 60_000 });
    const context = (): string => `--- dialtone start ---\n${dialtone.output()}\n--- caller ---\n${caller.log}\n--- callee ---\n${callee.log}`;
    try {
      app.documents.set('/leaves', `<Response><Dial action="/leaves-after"><Sip url="/long-whisper">${callee.uri}</Sip></Dial></Response>`);
      app.documents.set('/long-whisper', '<Response><Gather numDigits="1" timeout="30"><Say>Press 1 to take the call.</Say></Gather></Response>');
      app.documents.set('/leaves-after', '<Response><Say>Never said.</Say></Response>');
      await caller.command('dial', `sip:${NUMBERS.callerLeaves}@127.0.0.1:${dialtone.sipPort}`);
      const whisper = await app.hit('/long-whisper', { context });
      await callee.waitForEvent('CALL_ESTABLISHED', 5000);
      await caller.waitForEvent('CALL_ESTABLISHED', 5000);
      await caller.command('hangup');
      await callee.waitForEvent('CALL_CLOSED', 10_000);
      const action = await app.hit('/leaves-after', { context, timeoutMs: 15_000 });
      assert.equal(action.params.DialCallStatus, 'canceled', JSON.stringify(action.params));
      assert.equal(action.params.DialBridged, 'false');
      assert.equal(action.params.CallStatus, 'completed');
      assert.equal(action.params.DialCallSid, whisper.params.CallSid);
    } finally {
      await callee.stop();
      await caller.stop();
    }
  });
});
