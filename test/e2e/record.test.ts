/**
 * `<Record>` end to end: `dialtone start` (spawned as a user runs it) answers calls from
 * baresip (real, /usr/bin/baresip) whose voice is a WAV file of a 600 Hz tone, and
 * records them. Each test checks what a user sees: the action request of the web
 * application in this test (RecordingUrl, RecordingDuration, RecordingSid, Digits), and
 * the recording itself downloaded over HTTP from RecordingUrl + `.wav`, measured with sox
 * and with a Goertzel filter: the tone the caller sent, about as long as expected.
 *
 * - finishOnKey: baresip presses # (RFC 4733) a few seconds in;
 * - maxLength="2" ends a longer tone at 2 s;
 * - the caller hanging up (baresip at the end of its file) still requests action, Digits=hangup;
 * - timeout="2" ends 2 s after the tone stops; the silence is trimmed;
 * - the beep is heard (`dialtone call --record`, which sends no voice): 1 kHz; and that
 *   empty recording requests no action and falls through to the next verb;
 * - the demo IVR (the first-start number): 2, a message, #, and the recording played back.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { goertzel, loudFrames, RATE, readWav, rms, sine, soxStat, writeWav } from '../support/audio.js';
import { Baresip, baresipSkip } from '../support/baresip.js';
import { runCli, startCli } from '../support/run-cli.js';
import { freeTcpPort, freeUdpPort } from '../support/sipp.js';
import { eventually } from '../support/wait.js';

const TONE_HZ = 600;

interface Hit {
  readonly path: string;
  readonly params: Record<string, string>;
}

describe('<Record> over SIP: baresip calls dialtone start', { skip: baresipSkip, timeout: 180_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'dialtone-record-e2e-'));
  const dataDir = join(dir, 'data');
  const hits: Hit[] = [];
  const waiters = new Set<() => void>();
  let app: Server;
  let appBase = '';
  let sipPort = 0;
  let dialtone: Awaited<ReturnType<typeof startCli>> | undefined;
  let peer: Baresip | undefined;
  let env: NodeJS.ProcessEnv = {};

  const DOCS: Readonly<Record<string, string>> = {
    '/finish': '<Response><Record action="/recorded" maxLength="20" finishOnKey="#" timeout="0"/></Response>',
    '/maxlength': '<Response><Record action="/recorded" maxLength="2" timeout="0"/></Response>',
    '/hangup': '<Response><Record action="/recorded" maxLength="30" timeout="0" recordingStatusCallback="/status"/><Say>unreachable</Say></Response>',
    '/silence': '<Response><Record action="/recorded" maxLength="30" timeout="2"/></Response>',
    '/beep': '<Response><Record action="/recorded" maxLength="10" timeout="1"/><Hangup/></Response>',
    '/recorded': '<Response><Hangup/></Response>',
    '/status': '',
  };
  const NUMBERS = { '/finish': '+15550131', '/maxlength': '+15550132', '/hangup': '+15550133', '/silence': '+15550134', '/beep': '+15550135' } as const;

  /** The first request to `path` (waiting for it up to `timeoutMs`). */
  function request(path: string, timeoutMs = 20_000): Promise<Hit> {
    const find = (): Hit | undefined => hits.find((h) => h.path === path);
    const found = find();
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        waiters.delete(check);
        reject(new Error(`no request to ${path} in ${timeoutMs} ms; got ${hits.map((h) => h.path).join(', ')}\n${dialtone?.output() ?? ''}`));
      }, timeoutMs);
      const check = (): void => {
        const hit = find();
        if (!hit) return;
        clearTimeout(timer);
        waiters.delete(check);
        resolve(hit);
      };
      waiters.add(check);
    });
  }

  /** Downloads RecordingUrl + `.wav` as a client would, and keeps it for sox. */
  async function download(recordingUrl: string, name: string): Promise<{ path: string; samples: Int16Array; seconds: number }> {
    const res = await fetch(`${recordingUrl}.wav`);
    assert.equal(res.status, 200, `GET ${recordingUrl}.wav`);
    assert.equal(res.headers.get('content-type'), 'audio/x-wav');
    const bytes = new Uint8Array(await res.arrayBuffer());
    const path = join(dir, `${name}.wav`);
    writeFileSync(path, bytes);
    const wav = readWav(bytes);
    assert.deepEqual([wav.channels, wav.rate], [1, RATE]);
    return { path, samples: wav.samples, seconds: wav.samples.length / RATE };
  }

  /** The recording holds the caller's tone: loud, at 600 Hz (Goertzel against 1 kHz and 400 Hz; sox's rough frequency). */
  function assertTone(t: { diagnostic: (s: string) => void }, file: { path: string; samples: Int16Array; seconds: number }): void {
    const { samples } = file;
    const level = rms(samples) / 32768;
    const at600 = goertzel(samples, TONE_HZ);
    const stat = soxStat(file.path);
    t.diagnostic(
      `recording ${file.seconds.toFixed(2)} s, RMS ${level.toFixed(3)} FS; sox: length ${stat.get('Length (seconds)')} s, rough frequency ${stat.get('Rough frequency')} Hz`,
    );
    assert.ok(level > 0.1, `the recording is too quiet: RMS ${level}`);
    assert.ok(at600 > 100 * goertzel(samples, 1000) && at600 > 100 * goertzel(samples, 400), 'the energy is at 600 Hz');
    const rough = stat.get('Rough frequency') ?? 0;
    assert.ok(Math.abs(rough - TONE_HZ) < 60, `sox rough frequency ${rough} Hz`);
    assert.ok(Math.abs((stat.get('Length (seconds)') ?? 0) - file.seconds) < 0.01, 'sox reads the same length');
  }

  /** Resolves once the latest call to `number` has started `verb` (its timeline, through the CLI). */
  async function verbStarted(number: string, verb: string): Promise<void> {
    let seen = '';
    await eventually(
      async () => {
        const listed = await runCli(['calls', 'list', '--json'], { env });
        const call = (JSON.parse(listed.stdout || '[]') as { sid: string; to: string }[]).find((c) => c.to === number);
        if (call === undefined) return false;
        const shown = await runCli(['calls', 'show', call.sid, '--json'], { env });
        const { timeline } = JSON.parse(shown.stdout || '{"timeline":[]}') as { timeline: { type: string; data: Record<string, unknown> }[] };
        seen = timeline.map((e) => `${e.type} ${String(e.data.verb ?? '')}`).join(', ');
        return timeline.some((e) => e.type === 'verb-start' && e.data.verb === verb);
      },
      () => `<${verb}> to start on the call to ${number}; timeline: ${seen}`,
      30_000,
      250,
    );
  }

  async function callFrom(audio: string, number: string): Promise<Baresip> {
    peer = await Baresip.start({ audioSource: audio, commands: true, killAfterMs: 60_000 });
    await peer.command('dial', `sip:${number}@127.0.0.1:${sipPort}`);
    await peer.waitForEvent('CALL_ESTABLISHED', 10_000);
    return peer;
  }

  before(async () => {
    app = createServer((req, res) => {
      let body = '';
      req.on('data', (d: Buffer) => (body += d.toString()));
      req.on('end', () => {
        const path = new URL(req.url ?? '/', appBase).pathname;
        hits.push({ path, params: Object.fromEntries(new URLSearchParams(body)) });
        for (const wake of [...waiters]) wake();
        const doc = DOCS[path];
        if (doc === undefined) res.statusCode = 404;
        else res.setHeader('content-type', 'text/xml');
        res.end(doc ?? '');
      });
    });
    await new Promise<void>((r) => app.listen(0, '127.0.0.1', r));
    appBase = `http://127.0.0.1:${(app.address() as AddressInfo).port}`;
    sipPort = await freeUdpPort();
    // A fixed port: the demo number made by the first command that opens the store points at it.
    const httpPort = await freeTcpPort();
    const rtp = 52000 + (process.pid % 100) * 20;
    env = {
      DIALTONE_DATA_DIR: dataDir,
      DIALTONE_HTTP_PORT: String(httpPort),
      DIALTONE_SIP_PORT: String(sipPort),
      DIALTONE_RTP_PORTS: `${rtp}-${rtp + 19}`,
      DIALTONE_BIND_ADDRESS: '127.0.0.1',
      DIALTONE_LOG_LEVEL: 'warn',
    };
    for (const [path, number] of Object.entries(NUMBERS)) {
      const added = await runCli(['numbers', 'add', number, '--voice-url', `${appBase}${path}`], { env });
      assert.equal(added.code, 0, added.stderr);
    }
    dialtone = await startCli(['start'], /Dialtone is running at/, env);
  });

  afterEach(async () => {
    await peer?.stop();
    peer = undefined;
  });

  after(async () => {
    await dialtone?.stop();
    await new Promise<void>((r) => app.close(() => r()));
    rmSync(dir, { recursive: true, force: true });
  });

  it('finishOnKey="#": the key ends it; action gets RecordingUrl, RecordingSid, RecordingDuration and Digits=#; the WAV holds the tone', async (t) => {
    const caller = await callFrom(writeWav(join(dir, 'tone10.wav'), sine(TONE_HZ, 10, 0.5)), NUMBERS['/finish']);
    await new Promise((r) => setTimeout(r, 3000));
    await caller.command('sndcode', '#');
    const action = await request('/recorded');
    assert.equal(action.params.Digits, '#');
    assert.match(action.params.RecordingSid ?? '', /^RE[0-9a-f]{32}$/);
    assert.match(action.params.RecordingUrl ?? '', new RegExp(`/2010-04-01/Accounts/AC[0-9a-f]{32}/Recordings/${action.params.RecordingSid}$`));
    const file = await download(action.params.RecordingUrl!, 'finish');
    assertTone(t, file);
    // Pressed about 3 s after the answer, less the half-second beep.
    assert.ok(file.seconds > 1.5 && file.seconds < 3.5, `recorded ${file.seconds} s`);
    assert.equal(action.params.RecordingDuration, String(Math.round(file.seconds)));
    await caller.waitForEvent('CALL_CLOSED', 10_000);
  });

  it('maxLength="2" ends a longer tone at 2 s; no Digits', async (t) => {
    const caller = await callFrom(join(dir, 'tone10.wav'), NUMBERS['/maxlength']);
    const action = hits.filter((h) => h.path === '/recorded').length;
    const hit = await waitForNth('/recorded', action + 1);
    assert.equal(hit.params.RecordingDuration, '2');
    assert.equal(hit.params.Digits, undefined);
    const file = await download(hit.params.RecordingUrl!, 'maxlength');
    assertTone(t, file);
    // Two seconds were recorded; trimming may take off the first frames before the tone arrives.
    assert.ok(file.seconds <= 2 && file.seconds > 1.8, `recorded ${file.seconds} s`);
    await caller.waitForEvent('CALL_CLOSED', 10_000);
  });

  it('the caller hanging up ends it: action still requested with Digits=hangup; the status callback says completed', async (t) => {
    const before = hits.filter((h) => h.path === '/recorded').length;
    const caller = await callFrom(writeWav(join(dir, 'tone3.wav'), sine(TONE_HZ, 3, 0.5)), NUMBERS['/hangup']);
    const hit = await waitForNth('/recorded', before + 1);
    assert.equal(hit.params.Digits, 'hangup');
    assert.equal(hit.params.CallStatus, 'completed');
    const file = await download(hit.params.RecordingUrl!, 'hangup');
    assertTone(t, file);
    assert.ok(file.seconds > 1.5 && file.seconds < 3.2, `recorded ${file.seconds} s`);
    const status = await request('/status');
    assert.deepEqual(
      [status.params.RecordingStatus, status.params.RecordingSid, status.params.RecordingSource, status.params.RecordingDuration],
      ['completed', hit.params.RecordingSid, 'RecordVerb', hit.params.RecordingDuration],
    );
    await caller.waitForEvent('CALL_CLOSED', 10_000);
  });

  it('timeout="2": 2 s of silence after the tone end it, and the silence is trimmed', async (t) => {
    const before = hits.filter((h) => h.path === '/recorded').length;
    const audio = writeWav(join(dir, 'tone-then-silence.wav'), sine(TONE_HZ, 3, 0.5), new Int16Array(RATE * 10));
    const caller = await callFrom(audio, NUMBERS['/silence']);
    const hit = await waitForNth('/recorded', before + 1);
    assert.equal(hit.params.Digits, undefined);
    const file = await download(hit.params.RecordingUrl!, 'silence');
    assertTone(t, file);
    // The tone plays 3 s from the answer; the half-second beep goes first.
    assert.ok(file.seconds > 2 && file.seconds < 3.2, `recorded ${file.seconds} s`);
    const span = loudFrames(file.samples, 0.05 * 32768);
    assert.ok(span.end >= file.samples.length - RATE / 10, 'no trailing silence was kept');
    await caller.waitForEvent('CALL_CLOSED', 10_000);
  });

  it('playBeep: the caller hears a 1 kHz beep; saying nothing makes an empty recording: no action, the next verb runs', async (t) => {
    const before = hits.filter((h) => h.path === '/recorded').length;
    const heard = join(dir, 'beep-heard.wav');
    const run = await runCli(['call', NUMBERS['/beep'], '--server', `127.0.0.1:${sipPort}`, '--record', heard, '--json', '--timeout', '20']);
    assert.equal(run.code, 0, `${run.stdout}\n${run.stderr}\n${dialtone?.output() ?? ''}`);
    const report = JSON.parse(run.stdout) as { ended: { by: string } };
    assert.equal(report.ended.by, 'remote', 'the <Hangup/> after <Record> ended the call');
    assert.equal(hits.filter((h) => h.path === '/recorded').length, before, 'no action for an empty recording');
    const { samples } = readWav(readFileSync(heard));
    const beep = loudFrames(samples, 0.05 * 32768);
    const ms = beep.frames * 20;
    t.diagnostic(`beep heard: ${ms} ms of sound, starting ${(beep.start / RATE).toFixed(2)} s into the call`);
    assert.ok(ms >= 400 && ms <= 600, `the beep lasts ${ms} ms`);
    const at1k = goertzel(samples, 1000, beep.start, beep.end);
    assert.ok(at1k > 100 * goertzel(samples, 600, beep.start, beep.end) && at1k > 100 * goertzel(samples, 1400, beep.start, beep.end), 'at 1 kHz');
  });

  it('the demo IVR: 2 leaves a recording, # ends it, the demo plays it back from its RecordingUrl', async () => {
    const caller = await callFrom(writeWav(join(dir, 'tone30.wav'), sine(TONE_HZ, 30, 0.5)), '+15550100');
    // Each key goes once the verb that reads it runs: fixed sleeps miss on a loaded machine.
    await verbStarted('+15550100', 'Gather');
    await caller.command('sndcode', '2');
    // "Leave a message after the beep…", then the beep; then a few seconds of tone.
    await verbStarted('+15550100', 'Record');
    await new Promise((r) => setTimeout(r, 2500));
    await caller.command('sndcode', '#');
    await caller.waitForEvent('CALL_CLOSED', 30_000);

    const listed = await runCli(['calls', 'list', '--json'], { env });
    const call = (JSON.parse(listed.stdout) as { sid: string; to: string }[]).find((c) => c.to === '+15550100');
    assert.ok(call, listed.stdout + listed.stderr);
    const shown = await runCli(['calls', 'show', call.sid, '--json'], { env });
    const { timeline } = JSON.parse(shown.stdout) as { timeline: { type: string; data: Record<string, unknown> }[] };
    const story = timeline.map((e) => `${e.type} ${JSON.stringify(e.data).slice(0, 160)}`).join('\n');
    assert.ok(!timeline.some((e) => e.type === 'error' || e.type === 'application-error'), story);
    const recorded = timeline.find((e) => e.type === 'request' && String(e.data.url).endsWith('/demo/recorded'));
    assert.ok(recorded, story);
    const params = recorded.data.params as Record<string, string>;
    assert.equal(params.Digits, '#');
    const played = timeline.filter((e) => e.type === 'verb-end' && e.data.verb === 'Play');
    assert.equal(played.length, 1, story);
    // The recording played back is the one downloadable at RecordingUrl: about as long as the Play took.
    const file = await download(params.RecordingUrl!, 'demo');
    assert.ok(file.seconds > 1, `recorded ${file.seconds} s`);
    assert.ok(Math.abs(Number(played[0]!.data.durationMs) / 1000 - file.seconds) < 1, `${story}\nrecording ${file.seconds} s`);
  });

  /** The `n`th request to `path` (1-based). */
  async function waitForNth(path: string, n: number, timeoutMs = 20_000): Promise<Hit> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const matching = hits.filter((h) => h.path === path);
      if (matching.length >= n) return matching[n - 1]!;
      if (Date.now() > deadline) throw new Error(`no request #${n} to ${path}; got ${hits.map((h) => h.path).join(', ')}\n${dialtone?.output() ?? ''}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
});
