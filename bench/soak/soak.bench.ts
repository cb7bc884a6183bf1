/**
 * The soak (issue 5): many calls through a real document, then many calls held with media,
 * on this 2-core machine. Goal: no failed call.
 *
 * `dialtone start` runs with its number bound to a web application in this process; sipp,
 * the caller, echoes every RTP packet it gets back to Dialtone (`-rtp_echo`), so each leg
 * both sends and receives audio. The goal is for the machine, not a core: nothing is
 * pinned (the ceiling's sipp UAS excepted, which has core 0 while the caller has core 1).
 *
 * 1. Through the engine: SOAK_CALLS calls (default 10,000) at SOAK_RATE per second (default
 *    100) through `<Say>Hi.</Say><Gather numDigits="1" timeout="1"/><Hangup/>` — the prompt
 *    from the TTS cache, the Gather waiting a second for a digit that never comes, then
 *    Dialtone's BYE. The ceiling, in the same run: the same caller against a sipp UAS on
 *    core 0 that answers at once and hangs up after Dialtone's median hold time.
 * 2. Held: SOAK_HELD calls (default 1,000) placed at the same rate, each hearing a looped
 *    `<Play>` and sending it back for SOAK_HOLD_SECONDS (default 60), then the caller's BYE.
 *    Dialtone's CPU and resident memory are read from /proc while all of them are up.
 *
 * SOAK_PROFILE=1 starts Dialtone with --cpu-prof (the profiles' folder is printed).
 */
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Rate } from '../harness.js';
import { freeUdpPort, SIPP_PATH } from '../../test/support/sipp.js';
import { callFigures, cpuSeconds, runSippCaller, startApp, startDialtone, startSippUas, type CallFigures } from '../calls.js';

const CALLS = Number(process.env.SOAK_CALLS ?? 10_000);
const RATE = Number(process.env.SOAK_RATE ?? 100);
const HELD = Number(process.env.SOAK_HELD ?? 1_000);
const HOLD_SECONDS = Number(process.env.SOAK_HOLD_SECONDS ?? 60);
const PROMPT_MS = 1_000;
const PROFILE = process.env.SOAK_PROFILE === '1';

const here = fileURLToPath(new URL('.', import.meta.url));
/** The SIP bench's caller (the callee hangs up) and callee; the held call's caller. */
const UAC = join(here, '../sip/uac.xml');
const UAS = join(here, '../sip/uas.xml');
const HOLD = join(here, 'hold.xml');

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Resident memory of a process (all its threads), in MB. */
function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return Math.round(kb / 102.4) / 10;
}

export default async function soakBench(): Promise<{ figures: Record<string, unknown>; rates: Rate[] }> {
  if (!existsSync(SIPP_PATH)) throw new Error('the soak bench needs sipp (Debian package sip-tester)');
  const loadAtStart = loadavg().map((l) => Math.round(l * 100) / 100);
  const app = await startApp(() => '<Response><Say>Hi.</Say><Gather numDigits="1" timeout="1"/><Hangup/></Response>', PROMPT_MS);
  const profileDir = PROFILE ? mkdtempSync(join(tmpdir(), 'dialtone-soak-profiles-')) : undefined;
  const dialtone = await startDialtone(app.url, profileDir, null);
  const pid = dialtone.child.pid!;
  const rtpEchoPort = await freeUdpPort();
  let engine: CallFigures;
  let ceiling: CallFigures;
  let held: CallFigures & { readonly concurrentCpuPercent: number; readonly rssMbIdle: number; readonly rssMbHeld: number; readonly kbPerHeldCall: number };
  try {
    // Warm-up: the prompt enters the TTS cache and the JIT settles.
    await runSippCaller({ remote: dialtone.remote, scenario: UAC, rate: 20, calls: 60, rtpEchoPort, core: null });

    let cpu = cpuSeconds(pid);
    const through = await runSippCaller({ remote: dialtone.remote, scenario: UAC, rate: RATE, calls: CALLS, rtpEchoPort, core: null });
    engine = callFigures(through, CALLS, cpuSeconds(pid) - cpu);
    console.error(`through the engine: ${JSON.stringify(engine)}`);

    const uas = await startSippUas(UAS, engine.holdMs.p50 ?? 3_000);
    try {
      cpu = cpuSeconds(uas.child.pid!);
      const bare = await runSippCaller({ remote: uas.remote, scenario: UAC, rate: RATE, calls: CALLS });
      ceiling = callFigures(bare, CALLS, cpuSeconds(uas.child.pid!) - cpu);
      console.error(`sipp UAS: ${JSON.stringify(ceiling)}`);
    } finally {
      await uas.stop();
    }

    app.serve((base) => `<Response><Play loop="0">${base}/prompt.wav</Play></Response>`);
    await sleep(2_000);
    const rssIdle = rssMb(pid);
    cpu = cpuSeconds(pid);
    const holding = runSippCaller({ remote: dialtone.remote, scenario: HOLD, rate: RATE, calls: HELD, rtpEchoPort, pauseMs: HOLD_SECONDS * 1000, core: null });
    // All calls are up once the ramp is over; read the plateau's middle.
    const ramp = (HELD / RATE) * 1000;
    await sleep(ramp + 5_000);
    const plateauCpu = cpuSeconds(pid);
    const plateauStart = performance.now();
    await sleep(Math.max(1_000, HOLD_SECONDS * 1000 - ramp - 10_000));
    const concurrentCpuPercent = Math.round(((cpuSeconds(pid) - plateauCpu) / ((performance.now() - plateauStart) / 1000)) * 100);
    const rssHeld = rssMb(pid);
    const result = await holding;
    held = {
      ...callFigures(result, HELD, cpuSeconds(pid) - cpu),
      concurrentCpuPercent,
      rssMbIdle: rssIdle,
      rssMbHeld: rssHeld,
      kbPerHeldCall: Math.round(((rssHeld - rssIdle) * 1024) / HELD),
    };
    console.error(`held: ${JSON.stringify(held)}`);
  } finally {
    await dialtone.stop();
    await app.close();
  }
  const failed = engine.failed + held.failed;
  return {
    figures: {
      goal: 'no failed call: 10,000 calls at >= 100/s through Say + Gather + Hangup, then 1,000 concurrent calls with media for a minute, on this 2-core machine',
      meetsGoal: failed === 0 && CALLS >= 10_000 && HELD >= 1_000 && RATE >= 100,
      calls: CALLS,
      rate: RATE,
      throughTheEngine: engine,
      ceilingSippUas: ceiling,
      held: { calls: HELD, holdSeconds: HOLD_SECONDS, ...held },
      webhookRequests: app.requests(),
      pinned: 'nothing, except the ceiling: the sipp UAS on core 0, its caller on core 1',
      loadAverageAtStart: loadAtStart,
      ...(profileDir ? { profiles: profileDir } : {}),
    },
    rates: [
      { name: 'calls through the engine, answered per second', perSecond: engine.answeredPerSecond, rounds: [engine.answeredPerSecond], unit: 'calls/s' },
      { name: 'sipp UAS ceiling, answered per second', perSecond: ceiling.answeredPerSecond, rounds: [ceiling.answeredPerSecond], unit: 'calls/s' },
    ],
  };
}
