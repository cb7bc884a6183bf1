/**
 * Media streams from the worker to a real WebSocket server (the `ws` package as
 * the application): two legs on loopback, one of them streamed. What the server
 * receives is checked as audio (Goertzel at the tone's frequency), and what the
 * server sends is checked as what the other leg hears.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeUlaw } from '../../../src/media/codec/g711.js';
import { MediaHost, type MediaLeg } from '../../../src/media/host.js';
import { delay, loudFrames, meanSquare, nextEvent, powerAt } from './support.js';
import { sine, VoiceAgent, type StreamMessage } from '../../support/voice-agent.js';

const START = { accountSid: 'AC' + 'a'.repeat(32), callSid: 'CA' + 'c'.repeat(32), customParameters: { caller: 'Alice', topic: 'billing' } };

describe('media streams (WebSocket in the worker)', { timeout: 60_000 }, () => {
  let host: MediaHost;
  let agent: VoiceAgent;
  before(async () => {
    host = await MediaHost.start({ workers: 1, ports: { min: 31900, max: 31999 } });
    agent = await VoiceAgent.start();
  });
  after(async () => {
    await host.close();
    await agent.stop();
  });

  /** Two legs sending to each other; digits as RFC 4733 events. */
  async function pair(): Promise<[MediaLeg, MediaLeg]> {
    const a = await host.createLeg({ telephoneEventPt: 101 });
    const b = await host.createLeg({ remote: a.local, telephoneEventPt: 101 });
    await a.setRemote(b.local);
    return [a, b];
  }

  it('forks the received audio: connected, start, 20 ms µ-law media of the caller\'s tone, dtmf, then stop', async () => {
    const [a, b] = await pair();
    const n = agent.connections.length;
    const started = nextEvent(b, 'streamstarted');
    await b.startStream({ streamId: 'MZ' + '1'.repeat(32), url: agent.url('/fork'), tracks: 'inbound', bidirectional: false, start: START });
    await started;
    const ws = await agent.connection(n);
    assert.equal(ws.path, '/fork');
    await a.playAndWait({ kind: 'tone', frequencies: [1000], durationMs: 600 });
    await a.sendDigits('7');
    await ws.until((m) => m.some((x) => x.event === 'dtmf'), 5000, 'dtmf');
    const ended = nextEvent(b, 'streamended');
    assert.equal(await b.stopStream('MZ' + '1'.repeat(32)), true);
    const [, reason, counts] = await ended;
    assert.equal(reason, 'stopped');
    await ws.closed;

    const [connected, start] = ws.messages as [StreamMessage, StreamMessage];
    assert.deepEqual(connected, { event: 'connected', protocol: 'Call', version: '1.0.0' });
    assert.deepEqual(start, {
      event: 'start',
      sequenceNumber: '1',
      start: {
        accountSid: START.accountSid,
        streamSid: 'MZ' + '1'.repeat(32),
        callSid: START.callSid,
        tracks: ['inbound'],
        customParameters: { caller: 'Alice', topic: 'billing' },
        mediaFormat: { encoding: 'audio/x-mulaw', sampleRate: 8000, channels: 1 },
      },
      streamSid: 'MZ' + '1'.repeat(32),
    });
    const sequence = ws.messages.slice(1).map((m) => Number(m.sequenceNumber));
    assert.deepEqual(sequence, sequence.map((_, i) => i + 1), 'sequenceNumber counts from 1 without a gap');
    const media = ws.of('media').map((m) => m.media as Record<string, string>);
    assert.ok(media.every((m) => m.track === 'inbound' && Buffer.from(m.payload!, 'base64').length === 160), 'every frame is 160 bytes of the inbound track');
    assert.deepEqual(media.map((m) => Number(m.chunk)), media.map((_, i) => i + 1));
    const stamps = media.map((m) => Number(m.timestamp));
    assert.ok(stamps.every((t, i) => t % 20 === 0 && (i === 0 || t > stamps[i - 1]!)), 'timestamps: ms since the stream started, in 20 ms steps');
    assert.equal(counts.mediaSent, media.length);
    const tone = loudFrames(ws.audio('inbound'));
    assert.ok(tone.length >= 160 * 25, `${tone.length / 160} loud frames`);
    const at1000 = powerAt(tone, 1000);
    assert.ok(at1000 > 0.8 * meanSquare(tone), `1 kHz holds ${(at1000 / meanSquare(tone)).toFixed(3)} of the power`);
    assert.ok(powerAt(tone, 600) < 0.01 * at1000);
    assert.deepEqual(ws.of('dtmf').map((m) => m.dtmf), [{ track: 'inbound_track', digit: '7' }]);
    const stop = ws.messages.at(-1)!;
    assert.deepEqual(stop, { event: 'stop', sequenceNumber: stop.sequenceNumber, stop: { accountSid: START.accountSid, callSid: START.callSid }, streamSid: 'MZ' + '1'.repeat(32) });
    await a.close();
    await b.close();
  });

  it('both_tracks: what the leg sends arrives as the outbound track', async () => {
    const [a, b] = await pair();
    const n = agent.connections.length;
    await b.startStream({ streamId: 'MZ' + '2'.repeat(32), url: agent.url(), tracks: 'both', bidirectional: false, start: START });
    const ws = await agent.connection(n);
    await ws.until((m) => m.some((x) => x.event === 'start'));
    await Promise.all([a.playAndWait({ kind: 'tone', frequencies: [1000], durationMs: 400 }), b.playAndWait({ kind: 'tone', frequencies: [1500], durationMs: 400 })]);
    await b.close();
    await ws.closed;
    assert.deepEqual((ws.of('start')[0]!.start as { tracks: string[] }).tracks, ['inbound', 'outbound']);
    const inbound = loudFrames(ws.audio('inbound'));
    const outbound = loudFrames(ws.audio('outbound'));
    assert.ok(powerAt(inbound, 1000) > 0.8 * meanSquare(inbound));
    assert.ok(powerAt(outbound, 1500) > 0.8 * meanSquare(outbound), 'the outbound track is what b played');
    assert.equal(ws.of('stop').length, 1, 'the leg closing stops the stream');
    await a.close();
  });

  it('bidirectional: the application\'s audio is played in order, its mark comes back after it, clear empties the queue and returns the marks', async () => {
    const [a, b] = await pair();
    const n = agent.connections.length;
    const sid = 'MZ' + '3'.repeat(32);
    // Both tracks, so that what the leg sent shows in the stream, in order with the mark.
    await b.startStream({ streamId: sid, url: agent.url(), tracks: 'both', bidirectional: true, start: START });
    const ws = await agent.connection(n);
    await ws.until((m) => m.some((x) => x.event === 'start'));
    await a.captureStart(20_000);
    // 800 ms of 600 Hz in odd-sized chunks, then a mark.
    ws.sendAudio(sid, sine(600, 800), 333);
    ws.send({ event: 'mark', streamSid: sid, mark: { name: 'greeting-done' } });
    await ws.until((m) => m.some((x) => x.event === 'mark'), 5000, 'the mark');
    await delay(300);
    const heard1 = loudFrames(await a.captureStop(), 1e5);
    assert.ok(heard1.length >= 160 * 38, `the other leg heard the greeting: ${heard1.length / 160} frames`);
    assert.ok(powerAt(heard1, 600) > 0.8 * meanSquare(heard1));
    const markAt = ws.messages.findIndex((m) => m.event === 'mark');
    assert.deepEqual(ws.messages[markAt]!.mark, { name: 'greeting-done' });
    const sentBeforeMark = ws.messages
      .slice(0, markAt)
      .filter((m) => m.event === 'media' && (m.media as { track: string }).track === 'outbound')
      .filter((m) => {
        const pcm = new Int16Array(160);
        decodeUlaw(new Uint8Array(Buffer.from((m.media as { payload: string }).payload, 'base64')), pcm);
        return meanSquare(pcm) > 1e5;
      });
    assert.equal(sentBeforeMark.length, 40, 'the mark came back after all 800 ms had been sent, not before');

    // 10 s queued, then clear: the mark behind it comes back at once and the audio stops.
    await a.captureStart(20_000);
    ws.sendAudio(sid, sine(600, 10_000), 8000);
    ws.send({ event: 'mark', streamSid: sid, mark: { name: 'long' } });
    await delay(300);
    ws.send({ event: 'clear', streamSid: sid });
    await ws.until((m) => m.filter((x) => x.event === 'mark').length === 2, 3000, 'the cleared mark');
    assert.deepEqual(ws.of('mark')[1]!.mark, { name: 'long' });
    await delay(400);
    const heard = await a.captureStop();
    const tone = loudFrames(heard, 1e5);
    assert.ok(tone.length < 160 * 50, `the cleared audio stopped: ${tone.length / 160} loud frames heard`);

    // The application hangs up the stream.
    const ended = nextEvent(b, 'streamended');
    ws.close();
    const [, reason, counts] = await ended;
    assert.equal(reason, 'remote-closed');
    assert.ok(counts.marksEchoed === 2 && counts.mediaReceived > 0);
    await a.close();
    await b.close();
  });

  it('a PCMA call still streams µ-law', async () => {
    const a = await host.createLeg({ codec: 'PCMA' });
    const b = await host.createLeg({ codec: 'PCMA', remote: a.local });
    await a.setRemote(b.local);
    const n = agent.connections.length;
    await b.startStream({ streamId: 'MZ' + '7'.repeat(32), url: agent.url(), tracks: 'inbound', bidirectional: false, start: START });
    const ws = await agent.connection(n);
    await ws.until((m) => m.some((x) => x.event === 'start'));
    await a.playAndWait({ kind: 'tone', frequencies: [1000], durationMs: 400 });
    await b.close();
    await ws.closed;
    const tone = loudFrames(ws.audio('inbound'));
    assert.ok(tone.length >= 160 * 15, `${tone.length / 160} loud frames`);
    assert.ok(powerAt(tone, 1000) > 0.8 * meanSquare(tone), 'decoded as µ-law, the frames are the 1 kHz tone');
    await a.close();
  });

  it('a stream that cannot connect ends as failed; a bad URL is refused; the leg goes on', async () => {
    const [a, b] = await pair();
    const ended = nextEvent(b, 'streamended', 10_000);
    await b.startStream({ streamId: 'MZ' + '4'.repeat(32), url: 'ws://127.0.0.1:1/nothing', tracks: 'inbound', bidirectional: true, start: START });
    const [, reason, , message] = await ended;
    assert.equal(reason, 'failed');
    assert.match(message ?? '', /ECONNREFUSED/);
    await assert.rejects(
      b.startStream({ streamId: 'MZ' + '5'.repeat(32), url: 'http://127.0.0.1/x', tracks: 'inbound', bidirectional: false, start: START }),
      (e: Error & { code?: string }) => e.code === 'invalid-command' && /ws:\/\/ or wss:\/\//.test(e.message),
    );
    await assert.rejects(b.stopStream('MZ' + '6'.repeat(32)), (e: Error & { code?: string }) => e.code === 'stream-not-found');
    await a.playAndWait({ kind: 'tone', frequencies: [1000], durationMs: 100 });
    await a.close();
    await b.close();
  });
});
