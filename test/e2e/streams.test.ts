/**
 * Media streams over real SIP: a running `dialtone start` whose numbers point at a web
 * application in this test, and this test's own `ws` server as the voice agent.
 *
 * - `<Connect><Stream>`: baresip calls, sending a 1 kHz tone. The agent checks `connected`
 *   and `start` (streamSid, the CallSid the application saw, customParameters,
 *   mediaFormat), hears the caller's tone in the 20 ms µ-law frames (Goertzel), sends back
 *   600 Hz and a mark, gets the mark back once it has played, and closes the WebSocket;
 *   the document then goes on (`<Hangup/>`). What baresip heard (its `sndfile` dump)
 *   holds the 600 Hz tone.
 * - `<Start><Stream>` + `<Say>` + `<Stop><Stream>`: `dialtone call --digits` calls; the
 *   agent gets the speech on the outbound track, the digits as `dtmf` events, then `stop`
 *   when the document stops the stream, while the call goes on to its end.
 * - `<Start><Stream>` still running when the caller hangs up: the fork ends with the
 *   call, and its stream-stopped callback says the call is completed.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import wavefile from 'wavefile';
import type { CallReport } from '../../src/cli/commands/call.js';
import { Baresip, baresipSkip } from '../support/baresip.js';
import { Dialtone } from '../support/dialtone.js';
import { startWebApp, type WebApp } from '../support/web-app.js';
import { sine, VoiceAgent } from '../support/voice-agent.js';
import { loudFrames, meanSquare, powerAt } from '../integration/media/support.js';

const ACCOUNT = 'AC' + 'f'.repeat(32);
const TOKEN = 'streams-token-0123456789abcdef';

function readWav(path: string): Int16Array {
  const wav = new wavefile.WaveFile(readFileSync(path));
  wav.toBitDepth('16');
  if ((wav.fmt as { sampleRate: number }).sampleRate !== 8000) wav.toSampleRate(8000);
  return wav.getSamples(false, Int16Array) as unknown as Int16Array;
}

describe('media streams over SIP', { timeout: 180_000 }, () => {
  let app: WebApp;
  let agent: VoiceAgent;
  let dialtone: Dialtone;

  before(async () => {
    agent = await VoiceAgent.start();
    app = await startWebApp({ missing: 404 });
    app.documents.set(
      '/connect',
      `<Response><Connect><Stream url="${agent.url('/agent')}"><Parameter name="greeting" value="hello"/><Parameter name="caller" value="tone"/></Stream></Connect><Hangup/></Response>`,
    );
    app.documents.set(
      '/fork',
      `<Response>
        <Start><Stream name="listener" url="${agent.url('/fork')}" track="both_tracks" statusCallback="/stream-status"/></Start>
        <Say voice="kal">Thank you for calling. Please enter your account number now, while this prompt plays to the end.</Say>
        <Stop><Stream name="listener"/></Stop>
        <Say voice="kal">Goodbye.</Say>
      </Response>`,
    );
    app.documents.set(
      '/held',
      `<Response>
        <Start><Stream name="held" url="${agent.url('/held')}" statusCallback="/held-status"/></Start>
        <Say voice="kal">Please hold while this prompt plays for a while, the caller hangs up before it ends.</Say>
        <Pause length="30"/>
      </Response>`,
    );
    app.documents.set('/stream-status', '<Response/>');
    app.documents.set('/held-status', '<Response/>');
    dialtone = await Dialtone.prepare({ name: 'streams', rtpBase: 42000, env: { DIALTONE_ACCOUNT_SID: ACCOUNT, DIALTONE_AUTH_TOKEN: TOKEN } });
    await dialtone.addNumber('+15550131', `${app.base}/connect`);
    await dialtone.addNumber('+15550132', `${app.base}/fork`);
    await dialtone.addNumber('+15550133', `${app.base}/held`);
    await dialtone.start();
  });

  after(async () => {
    await dialtone?.stop();
    await agent?.stop();
    await app?.close();
  });

  it('<Connect><Stream>: the agent hears the caller\'s tone, its own audio reaches the caller, its mark comes back, closing it ends the Connect', { skip: baresipSkip }, async (t) => {
    const tonePath = join(dialtone.dataDir, 'caller-1000hz.wav');
    const wav = new wavefile.WaveFile();
    wav.fromScratch(1, 8000, '16', sine(1000, 20_000, 8000));
    writeFileSync(tonePath, wav.toBuffer());
    const dumps = mkdtempSync(join(dialtone.dataDir, 'baresip-'));
    const baresip = await Baresip.start({ audioSource: tonePath, dumpAudioTo: dumps, commands: true, killAfterMs: 60_000 });
    const n = agent.connections.length;
    try {
      await baresip.command('dial', `sip:+15550131@127.0.0.1:${dialtone.sipPort}`);
      const ws = await agent.connection(n, 20_000).catch((err: Error) => {
        throw new Error(`${err.message}\n--- baresip ---\n${baresip.log}\n--- dialtone ---\n${dialtone.output()}\n--- app.hits ---\n${JSON.stringify(app.hits)}`);
      });
      assert.equal(ws.path, '/agent');
      await ws.until((m) => m.filter((x) => x.event === 'media').length >= 100, 20_000, '100 media frames');

      const callSid = app.hits.find((h) => h.path === '/connect')?.params.CallSid;
      const [connected, start] = ws.messages;
      assert.deepEqual(connected, { event: 'connected', protocol: 'Call', version: '1.0.0' });
      const streamSid = String(start?.streamSid);
      assert.match(streamSid, /^MZ[0-9a-f]{32}$/);
      assert.deepEqual(start, {
        event: 'start',
        sequenceNumber: '1',
        start: {
          accountSid: ACCOUNT,
          streamSid,
          callSid,
          tracks: ['inbound'],
          customParameters: { greeting: 'hello', caller: 'tone' },
          mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
        },
        streamSid,
      });
      const frames = ws.of('media').map((m) => m.media as { track: string; payload: string });
      assert.ok(frames.every((f) => f.track === 'inbound' && Buffer.from(f.payload, 'base64').length === 160), 'every frame: 20 ms of µ-law, inbound');
      const heardByAgent = loudFrames(ws.audio('inbound'), 1e5);
      const share1000 = powerAt(heardByAgent, 1000) / meanSquare(heardByAgent);
      t.diagnostic(`agent: ${frames.length} frames, ${heardByAgent.length / 160} loud; 1 kHz holds ${share1000.toFixed(3)} of their power`);
      assert.ok(heardByAgent.length >= 160 * 50, 'the caller\'s tone reached the agent');
      assert.ok(share1000 > 0.8, `the agent hears the caller's 1 kHz tone (${share1000.toFixed(3)})`);

      // The agent answers: 1.5 s of 600 Hz, then a mark.
      ws.sendAudio(streamSid, sine(600, 1500, 8000), 640);
      ws.send({ event: 'mark', streamSid, mark: { name: 'reply-played' } });
      await ws.until((m) => m.some((x) => x.event === 'mark'), 10_000, 'the mark echoed');
      const markAt = ws.messages.findIndex((m) => m.event === 'mark');
      assert.deepEqual(ws.messages[markAt], { event: 'mark', sequenceNumber: ws.messages[markAt]!.sequenceNumber, streamSid, mark: { name: 'reply-played' } });
      await new Promise((r) => setTimeout(r, 300));
      ws.close();
      // The Connect ends; <Hangup/> runs.
      await baresip.waitForEvent('CALL_CLOSED', 15_000);
    } finally {
      await baresip.stop();
    }
    const decoded = readdirSync(dumps).filter((f) => f.endsWith('-dec.wav'));
    assert.equal(decoded.length, 1, `baresip's dump of what it heard: ${readdirSync(dumps).join(', ')}`);
    const heardByCaller = loudFrames(readWav(join(dumps, decoded[0]!)), 1e5);
    const share600 = powerAt(heardByCaller, 600) / meanSquare(heardByCaller);
    t.diagnostic(`caller heard ${heardByCaller.length / 160} loud frames; 600 Hz holds ${share600.toFixed(3)} of their power`);
    assert.ok(heardByCaller.length >= 160 * 60, `the caller heard the agent's reply: ${heardByCaller.length / 160} loud frames`);
    assert.ok(share600 > 0.8, `the caller hears the agent's 600 Hz (${share600.toFixed(3)})`);

    const show = await dialtone.lastCall();
    const verbs = show.timeline.filter((e) => e.type === 'verb-start').map((e) => e.data.verb);
    assert.deepEqual(verbs, ['Connect', 'Hangup'], 'the document went on after the WebSocket closed');
    const ended = show.timeline.find((e) => e.type === 'stream' && e.data.event === 'connect-end');
    assert.equal(ended?.data.reason, 'closed-by-application');
  });

  it('<Start><Stream> + <Say> + <Stop><Stream>: the prompt on the outbound track, --digits as dtmf events, stop when stopped; callbacks', async (t) => {
    const n = agent.connections.length;
    const run = await dialtone.call('+15550132', ['--digits', 'W12#']);
    const output = `${run.stdout}\n${run.stderr}\n--- dialtone start ---\n${dialtone.output()}`;
    assert.equal(run.code, 0, output);
    const report = JSON.parse(run.stdout) as CallReport;
    assert.equal(report.digitsSent, '12#');
    const ws = await agent.connection(n);
    await ws.closed;
    assert.equal(ws.path, '/fork');
    const start = ws.of('start')[0]!.start as { tracks: string[]; callSid: string };
    assert.deepEqual(start.tracks, ['inbound', 'outbound']);
    assert.equal(start.callSid, app.hits.find((h) => h.path === '/fork')?.params.CallSid);
    assert.deepEqual(ws.of('dtmf').map((m) => (m.dtmf as { digit: string }).digit), ['1', '2', '#']);
    assert.deepEqual(ws.of('dtmf')[0]!.dtmf, { track: 'inbound_track', digit: '1' });
    const speech = loudFrames(ws.audio('outbound'), 1e5);
    t.diagnostic(`fork: ${ws.of('media').length} media messages, ${speech.length / 160} loud outbound frames`);
    assert.ok(speech.length >= 160 * 50, 'the <Say> prompt is on the outbound track');
    assert.equal(ws.messages.at(-1)?.event, 'stop', 'stop is the last message');
    const status = app.hits.filter((h) => h.path === '/stream-status').map((h) => h.params.StreamEvent);
    assert.deepEqual(status, ['stream-started', 'stream-stopped']);
    // The goodbye after <Stop> is not streamed: the stream stopped first.
    assert.deepEqual(report.ended, { by: 'remote', reason: 'remote-bye' }, output);
  });

  it('<Start><Stream> running when the caller hangs up: stopped with the call, its callback says CallStatus=completed', async () => {
    const n = agent.connections.length;
    const run = await dialtone.call('+15550133', ['--hangup-after', '2']);
    const output = `${run.stdout}\n${run.stderr}\n--- dialtone start ---\n${dialtone.output()}`;
    assert.equal(run.code, 0, output);
    const ws = await agent.connection(n);
    await ws.closed;
    assert.equal(ws.path, '/held');
    const deadline = Date.now() + 20_000;
    while (app.hits.filter((h) => h.path === '/held-status').length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const status = app.hits.filter((h) => h.path === '/held-status');
    assert.deepEqual(status.map((h) => h.params.StreamEvent), ['stream-started', 'stream-stopped'], output);
    assert.equal(status[0]!.params.CallStatus, 'in-progress');
    assert.equal(status[1]!.params.CallStatus, 'completed', 'the fork ended with the call');
    assert.equal(status[1]!.params.CallSid, app.hits.find((h) => h.path === '/held')?.params.CallSid);
  });
});
