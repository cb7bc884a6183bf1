/**
 * Through the engine (issue 4): the time from an INVITE to the first RTP packet of a
 * cached `<Play>` (the first carrying the prompt's audio, not the silence a leg sends
 * before it has anything to say), and full calls per second, each against the bare SIP
 * figure in the same run.
 *
 * Dialtone runs as `dialtone start` pinned to core 0, its number bound to a web
 * application in this process (`<Play>` of a WAV it serves with `max-age`, then
 * `<Hangup/>`). The caller is Dialtone's own SIP stack in this process on core 1, with a
 * UDP socket per call for RTP: a call's first-packet time is from the moment just before
 * the INVITE is sent to the first datagram arriving on that socket, as the caller sees it,
 * nothing subtracted (it covers the number lookup, the call record, the webhook, the
 * document, the media leg and the 200).
 *
 * Latency: LATENCY_CALLS calls, paced at LATENCY_RATE per second after a warm-up (the
 * prompt cached, the JIT settled). Goal: p50 ≤ 10 ms, p99 ≤ 30 ms.
 *
 * Throughput: THROUGHPUT_CALLS calls with CONCURRENCY in flight (a new one as soon as one
 * ends), each held by the engine as long as the prompt plays; calls per second is
 * completed calls over the wall time. The ceiling is the same caller against our own SIP
 * stack answering without the engine (bench/engine/bare-uas.ts, same core, the same hold):
 * rather than sipp's UAS, so that the ratio is what the engine — store, webhook, document,
 * media — costs over the SIP stack it runs on, and both sides of it share the caller's
 * limits. `dialtone start`'s CPU per call (all threads, from /proc) is reported too: it
 * holds up better than rates on a shared machine.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createSocket, type Socket } from 'node:dgram';
import { once } from 'node:events';
import { loadavg } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Rate } from '../harness.js';
import { cpuSeconds, NUMBER, percentile, pinned, startApp, startDialtone } from '../calls.js';
import { createSipStack, type SipStack } from '../../src/sip/index.js';
import { createOffer, writeSdp } from '../../src/sip/sdp/index.js';

const LATENCY_CALLS = Number(process.env.ENGINE_BENCH_CALLS ?? 200);
const LATENCY_RATE = Number(process.env.ENGINE_BENCH_RATE ?? 20);
const THROUGHPUT_CALLS = Number(process.env.ENGINE_BENCH_THROUGHPUT_CALLS ?? 1500);
const CONCURRENCY = Number(process.env.ENGINE_BENCH_CONCURRENCY ?? 150);
const PROMPT_MS = 200;
const GOAL = { p50: 10, p99: 30 };
const here = fileURLToPath(new URL('.', import.meta.url));
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

interface CallTiming {
  /** INVITE sent → first RTP datagram received, ms (silence counts); undefined when none came. */
  readonly firstRtpMs: number | undefined;
  /** INVITE sent → first RTP packet with the prompt's audio in it, ms. */
  readonly firstAudioMs: number | undefined;
  /** INVITE sent → 200 received, ms. */
  readonly answerMs: number;
  readonly ok: boolean;
}

/**
 * Whether an RTP packet carries sound: its µ-law payload holds a sample away from zero
 * (silence is 0xFF or 0x7F, and a tone's samples are far from both).
 */
function carriesSound(packet: Buffer): boolean {
  const payloadStart = 12 + 4 * (packet[0]! & 0x0f);
  for (let i = payloadStart; i < packet.length; i++) {
    const magnitude = ~packet[i]! & 0x7f;
    if (magnitude > 8) return true;
  }
  return false;
}

/** One call from `stack` to `remote`: INVITE with an offer, wait for the callee's BYE. */
async function placeCall(stack: SipStack, remote: { host: string; port: number }): Promise<CallTiming> {
  const rtp: Socket = createSocket('udp4');
  await new Promise<void>((resolve) => rtp.bind(0, '127.0.0.1', resolve));
  let firstRtp: number | undefined;
  let firstAudio: number | undefined;
  const onPacket = (packet: Buffer): void => {
    const now = performance.now();
    firstRtp ??= now;
    if (carriesSound(packet)) {
      firstAudio = now;
      rtp.off('message', onPacket);
    }
  };
  rtp.on('message', onPacket);
  const offer = createOffer({ address: '127.0.0.1', port: rtp.address().port, codecs: ['PCMU'], telephoneEvent: { payloadType: 101 }, sessionId: '1', username: 'bench' });
  const started = performance.now();
  const invite = stack.ua.invite(`sip:${NUMBER}@${remote.host}:${remote.port}`, {
    from: 'sip:+15550199@127.0.0.1',
    body: writeSdp(offer),
    destination: { host: remote.host, port: remote.port, transport: 'UDP' },
  });
  try {
    const session = await invite.session;
    const answerMs = performance.now() - started;
    const ended = new Promise<void>((resolve) => session.once('ended', () => resolve()));
    await Promise.race([ended, sleep(30_000).then(() => session.bye().catch(() => undefined))]);
    const since = (at: number | undefined): number | undefined => (at === undefined ? undefined : at - started);
    return { firstRtpMs: since(firstRtp), firstAudioMs: since(firstAudio), answerMs, ok: true };
  } catch {
    return { firstRtpMs: undefined, firstAudioMs: undefined, answerMs: performance.now() - started, ok: false };
  } finally {
    rtp.close();
  }
}

/** Calls paced at `rate` per second. */
async function paced(stack: SipStack, remote: { host: string; port: number }, calls: number, rate: number): Promise<CallTiming[]> {
  const running: Promise<CallTiming>[] = [];
  const start = performance.now();
  for (let i = 0; i < calls; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await sleep(wait);
    running.push(placeCall(stack, remote));
  }
  return Promise.all(running);
}

interface Throughput {
  readonly calls: number;
  readonly failed: number;
  readonly callsPerSecond: number;
  readonly answerMs: { p50: number | null; p99: number | null };
  /** The callee's CPU (all threads) per call, ms. */
  readonly calleeCpuMsPerCall: number;
  /** The callee's CPU over the wall time, percent of one core. */
  readonly calleeCpuPercent: number;
  readonly loadAverage: number;
}

/** `calls` calls, `concurrency` at a time. */
async function closedLoop(stack: SipStack, remote: { host: string; port: number }, calleePid: number, calls: number, concurrency: number): Promise<Throughput> {
  const cpuBefore = cpuSeconds(calleePid);
  const start = performance.now();
  let next = 0;
  const timings: CallTiming[] = [];
  const worker = async (): Promise<void> => {
    while (next < calls) {
      next++;
      timings.push(await placeCall(stack, remote));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  const wall = (performance.now() - start) / 1000;
  const cpu = cpuSeconds(calleePid) - cpuBefore;
  const ok = timings.filter((t) => t.ok);
  const answers = ok.map((t) => t.answerMs).sort((a, b) => a - b);
  return {
    calls,
    failed: calls - ok.length,
    callsPerSecond: Math.round(ok.length / wall),
    answerMs: { p50: round(percentile(answers, 50)), p99: round(percentile(answers, 99)) },
    calleeCpuMsPerCall: Math.round((cpu * 1000 * 100) / calls) / 100,
    calleeCpuPercent: Math.round((cpu / wall) * 100),
    loadAverage: Math.round(loadavg()[0]! * 100) / 100,
  };
}

const round = (n: number | null | undefined): number | null => (n === null || n === undefined ? null : Math.round(n * 10) / 10);

async function startBareUas(holdMs: number): Promise<{ child: ChildProcess; port: number; stop: () => Promise<void> }> {
  const [cmd, args] = pinned(0, process.execPath, ['--import', 'tsx', join(here, 'bare-uas.ts'), String(holdMs)]);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  const deadline = Date.now() + 30_000;
  while (!/ready \d+/.test(out)) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error(`the bare UAS did not start: ${out}`);
    await sleep(50);
  }
  const port = Number(/ready (\d+)/.exec(out)![1]);
  return {
    child,
    port,
    async stop() {
      if (child.exitCode === null) {
        child.kill('SIGTERM');
        await once(child, 'close');
      }
    },
  };
}

export default async function engineBench(): Promise<{ figures: Record<string, unknown>; rates: Rate[] }> {
  const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
  const app = await startApp((base) => `<Response><Play>${base}/prompt.wav</Play><Hangup/></Response>`, PROMPT_MS);
  const stack = await createSipStack({ bindAddress: '127.0.0.1', udpPort: 0, tcpPort: false });
  const dialtone = await startDialtone(app.url, undefined);
  const [host, port] = dialtone.remote.split(':') as [string, string];
  const remote = { host, port: Number(port) };
  let latency: CallTiming[];
  let engine: Throughput;
  let bare: Throughput;
  try {
    const warm = await paced(stack, remote, 60, 20);
    if (warm.some((t) => !t.ok)) throw new Error('warm-up calls failed');
    latency = await paced(stack, remote, LATENCY_CALLS, LATENCY_RATE);
    await sleep(1000);
    engine = await closedLoop(stack, remote, dialtone.child.pid!, THROUGHPUT_CALLS, CONCURRENCY);
    console.error(`engine: ${JSON.stringify(engine)}`);
  } finally {
    await dialtone.stop();
  }
  const uas = await startBareUas(PROMPT_MS);
  try {
    await closedLoop(stack, { host: '127.0.0.1', port: uas.port }, uas.child.pid!, 100, 20);
    bare = await closedLoop(stack, { host: '127.0.0.1', port: uas.port }, uas.child.pid!, THROUGHPUT_CALLS, CONCURRENCY);
    console.error(`bare SIP: ${JSON.stringify(bare)}`);
  } finally {
    await uas.stop();
    await stack.close();
    await app.close();
  }
  const sorted = (key: 'firstRtpMs' | 'firstAudioMs'): number[] =>
    latency.filter((t) => t[key] !== undefined).map((t) => t[key]!).sort((a, b) => a - b);
  const first = sorted('firstAudioMs');
  const anyPacket = sorted('firstRtpMs');
  const p50 = round(percentile(first, 50));
  const p99 = round(percentile(first, 99));
  return {
    figures: {
      goal: `INVITE → first RTP of a cached <Play>: p50 <= ${GOAL.p50} ms, p99 <= ${GOAL.p99} ms over ${LATENCY_CALLS} calls; calls/s through the engine vs bare SIP`,
      firstAudioMs: { calls: LATENCY_CALLS, ratePerSecond: LATENCY_RATE, measured: first.length, p50, p90: round(percentile(first, 90)), p99, max: round(first.at(-1)) },
      firstRtpMs: { measured: anyPacket.length, p50: round(percentile(anyPacket, 50)), p99: round(percentile(anyPacket, 99)), note: 'any packet, the silence sent before the prompt included' },
      meetsLatencyGoal: p50 !== null && p99 !== null && p50 <= GOAL.p50 && p99 <= GOAL.p99,
      failedLatencyCalls: latency.filter((t) => !t.ok).length,
      throughput: { concurrency: CONCURRENCY, holdMs: PROMPT_MS, engine, bareSip: bare },
      engineToBareRatio: bare.callsPerSecond > 0 ? Math.round((engine.callsPerSecond / bare.callsPerSecond) * 100) / 100 : null,
      ceiling: 'bare SIP: our own SIP stack answering on the same core without the engine (bench/engine/bare-uas.ts), the same caller and hold',
      pinned: 'dialtone (or the bare UAS) on core 0 when taskset exists; the caller (our SIP stack) and the web app in this process',
      loadAverageAtStart: loadAtStart,
    },
    rates: [
      { name: 'engine calls/s (one core)', perSecond: engine.callsPerSecond, rounds: [engine.callsPerSecond], unit: 'calls/s' },
      { name: 'bare SIP calls/s (one core)', perSecond: bare.callsPerSecond, rounds: [bare.callsPerSecond], unit: 'calls/s' },
    ],
  };
}
