/**
 * `<Dial>` on a live call: ring the targets (all at once; the first to answer wins and the
 * others are cancelled), then bridge the caller and the callee in one media worker until
 * either hangs up, `timeLimit` runs out, or the caller presses `*` with `hangupOnStar`.
 *
 * Each target that gets an INVITE is a child call: a row in the calls table
 * (`outbound-dial`, ParentCallSid) with its own timeline. While it rings the caller hears
 * ringback (`ringTone`) when answered already; with `answerOnBridge` the caller stays
 * unanswered, and early media from the callee (a 183 with SDP) is relayed to it.
 *
 * A target with a whisper (`<Number url>`) runs that document on the callee's leg once it
 * answers, the caller still hearing ringback; its end bridges the two, and a callee who
 * declines (`<Hangup/>`) or leaves is dropped and the Dial ends unanswered.
 */
import type { CallEnd, DialCallStatus, DialOptions, DialResult, DialTarget } from '../engine/call-leg.js';
import type { Timeline } from '../engine/timeline.js';
import type { LegDigit, MediaLeg } from '../media/host.js';
import type { Logger } from '../observability/logger.js';
import type { Store } from '../store/index.js';
import type { CallStatus } from '../store/schema.js';
import { callTimeline } from './call-timeline.js';
import type { CallCapacity, CallSlot } from './capacity.js';
import { startDialRecording, type DialRecorder } from './dial-recording.js';
import type { DialPlan, SipRoute } from './dial-plan.js';
import type { OutboundCall, OutboundCallDeps, RingOutcome } from './outbound-call.js';
import { ringbackPcm } from './ringback.js';
import { followCall, placeRoutedCall } from './routed-call.js';
import { sendDigitRuns } from './send-digits.js';
import type { WhisperRunner } from './whisper.js';

/** The call that dials, as the dialer needs it. */
export interface DialParent {
  readonly callSid: string;
  readonly accountSid: string;
  /** The caller's number (or SIP URI): the default caller ID. */
  readonly from: string;
  readonly media: MediaLeg;
  readonly answered: boolean;
  answer(): Promise<void>;
  /** Sends 183 with our SDP so the caller hears media before the answer; false when it cannot. */
  earlyMedia(): boolean;
  readonly ended: Promise<CallEnd>;
  note(type: string, data: Readonly<Record<string, unknown>>): void;
}

export interface DialerDeps {
  readonly outbound: OutboundCallDeps;
  readonly plan: DialPlan;
  readonly store: Pick<Store, 'calls' | 'callEvents'>;
  /** The host for our From URIs (`sip:+15550100@HOST`). */
  readonly fromHost: string;
  readonly logger?: Logger;
  /** Refuses children this node cannot carry (the attempt fails, noted on the parent); none takes every one. */
  readonly capacity?: CallCapacity;
  /** Runs a noun's whisper document on the callee's leg; without it, a callee with one is bridged at once. */
  readonly whisper?: WhisperRunner;
}

/** Why a bridged Dial ended. */
type DialEndedBy = 'caller' | 'callee' | 'time-limit' | 'hangup-on-star';

/** Twilio rings at most 10 nouns at once. */
const MAX_TARGETS = 10;

interface Attempt {
  readonly target: DialTarget;
  readonly route: SipRoute;
  readonly call: OutboundCall;
  readonly sid: string;
  /** The child call's From, and its API version, as its record holds them. */
  readonly from: string;
  readonly apiVersion: string;
  readonly timeline: Timeline;
  /** The child's place in this node's capacity, given back when it is closed. */
  readonly slot: CallSlot | undefined;
  outcome?: RingOutcome;
}

/** The attempt that was answered first, with its answer. */
interface Answered {
  readonly attempt: Attempt;
  readonly outcome: Extract<RingOutcome, { answered: true }>;
}

export class Dialer {
  readonly #deps: DialerDeps;

  constructor(deps: DialerDeps) {
    this.#deps = deps;
  }

  async dial(parent: DialParent, targets: readonly DialTarget[], options: DialOptions): Promise<DialResult> {
    let parentEnd: CallEnd | undefined;
    void parent.ended.then((end) => (parentEnd = end));
    const callerId = options.callerId !== '' ? options.callerId : parent.from;
    const attempts: Attempt[] = [];
    for (const target of targets.slice(0, MAX_TARGETS)) {
      const route = await this.#deps.plan.route(target, parent.accountSid);
      if (route.kind === 'none') {
        parent.note('dial', { target: target.address, kind: target.kind, status: 'failed', reason: route.reason, ...(route.code ? { code: route.code } : {}) });
        continue;
      }
      if (parentEnd !== undefined) break;
      const slot = this.#deps.capacity?.admit('outbound-dial');
      if (slot?.refused) {
        parent.note('dial', { target: target.address, kind: target.kind, status: 'failed', reason: `this server cannot take another call now: ${slot.message}`, overload: slot.reason });
        continue;
      }
      const attempt = await this.#start(parent, target, route, callerId, options, slot).catch((err: unknown) => {
        slot?.release();
        parent.note('dial', { target: target.address, kind: target.kind, status: 'failed', reason: (err as Error).message });
        return undefined;
      });
      if (attempt !== undefined) attempts.push(attempt);
    }
    if (attempts.length === 0) return { status: 'failed', durationSeconds: 0, bridged: false, ...(parentEnd ? { callerHungUp: true } : {}) };

    // record-from-ringing takes the ringback too; the callee alone (outbound track) has nothing to give before the answer.
    const ringing = options.recording?.from === 'ringing' && options.recording.track !== 'outbound';
    const recorder = ringing ? await startDialRecording(parent.media, options.recording!, recordingLimitMs(options), parent.note) : undefined;
    const ringback = parent.answered ? this.#ringback(parent, options.ringTone) : undefined;
    let relayed: Attempt | undefined;
    if (options.answerOnBridge && !parent.answered) {
      // Early media from a callee reaches the caller, who is not answered yet (SEM-A5).
      for (const a of attempts) {
        a.call.once('earlymedia', () => {
          if (relayed !== undefined || a.outcome !== undefined || !parent.earlyMedia()) return;
          relayed = a;
          parent.note('dial', { event: 'early-media', target: a.target.address });
          void parent.media.bridge(a.call.media).catch(() => undefined);
        });
      }
    }

    const answered = await this.#firstAnswer(parent, attempts);
    const whisper = answered?.attempt.target.whisper !== undefined && this.#deps.whisper !== undefined;
    if (!whisper) await ringback?.stop();
    if (answered === undefined) {
      if (relayed !== undefined) await parent.media.unbridge().catch(() => undefined);
      // Whatever still rings (the caller left first) is cancelled.
      await Promise.all(attempts.map(async (a) => {
        await a.call.hangup();
        await this.#close(a);
      }));
      const recording = await recorder?.stop();
      const status = unansweredStatus(attempts, parentEnd !== undefined);
      const single = attempts.length === 1 ? attempts[0] : undefined;
      const sipCode = single?.outcome !== undefined && !single.outcome.answered ? single.outcome.sipStatus : undefined;
      return {
        status,
        durationSeconds: 0,
        bridged: false,
        ...(single ? { childCallSid: single.sid, sipCallId: single.call.callId } : {}),
        ...(sipCode !== undefined ? { sipResponseCode: sipCode } : {}),
        ...(parentEnd !== undefined ? { callerHungUp: true } : {}),
        ...(recording ? { recording } : {}),
      };
    }
    const winner = answered.attempt;
    // The others are cancelled (or, answered at the same moment, hung up).
    for (const a of attempts) if (a !== winner) void a.call.hangup().then(() => this.#close(a));
    // The whisper is for the callee alone: a callee whose early media reached the caller is cut off from it.
    if (relayed !== undefined && (relayed !== winner || whisper)) await parent.media.unbridge().catch(() => undefined);
    if (whisper) {
      const declined = await this.#whisper(parent, winner);
      await ringback?.stop();
      if (declined !== undefined) {
        await this.#close(winner);
        const recording = await recorder?.stop();
        return { ...declined, ...(recording ? { recording } : {}) };
      }
    }
    return this.#talk(parent, winner, answered.outcome, options, relayed === winner && !whisper, recorder);
  }

  /**
   * Runs the winner's whisper; undefined when the two are to be bridged, else what the Dial
   * reports: the callee declined (or left) and is dropped, unbridged, as if nobody answered
   * (`no-answer`, dialects.md §3.5.1); the caller leaving first cancels it.
   */
  async #whisper(parent: DialParent, winner: Attempt): Promise<DialResult | undefined> {
    const { call } = winner;
    const facts = {
      callSid: winner.sid,
      accountSid: parent.accountSid,
      from: winner.from,
      to: winner.target.address,
      direction: 'outbound-dial',
      apiVersion: winner.apiVersion,
      parentCallSid: parent.callSid,
    } as const;
    parent.note('dial', { event: 'whisper', childCallSid: winner.sid, url: winner.target.whisper!.url });
    let callerLeft = false;
    // Twilio's `<Sip url>` request names the SIP call too.
    const params = winner.target.kind === 'sip' ? { params: { SipCallId: call.callId } } : {};
    const running = this.#deps.whisper!.run({ call, facts, document: winner.target.whisper!, timeline: winner.timeline, ...params }).catch((err: unknown) => {
      winner.timeline.append('error', { message: `the whisper failed: ${(err as Error).message}` });
      return 'declined' as const;
    });
    const first = await Promise.race([running, parent.ended.then(() => 'caller-left' as const)]);
    if (first === 'caller-left') {
      callerLeft = true;
      await call.hangup();
      await running;
    }
    const base = { childCallSid: winner.sid, sipCallId: call.callId, durationSeconds: 0, bridged: false } as const;
    if (callerLeft) return { status: 'canceled', ...base, callerHungUp: true };
    if (first === 'bridge') return undefined;
    await call.hangup();
    parent.note('dial', { event: 'whisper-declined', childCallSid: winner.sid });
    winner.timeline.append('call-ended', { by: 'whisper' });
    return { status: 'no-answer', ...base };
  }

  async #start(parent: DialParent, target: DialTarget, route: SipRoute, callerId: string, options: DialOptions, slot: CallSlot | undefined): Promise<Attempt> {
    const { store } = this.#deps;
    const placed = await placeRoutedCall(this.#deps.outbound, route, {
      callerId,
      fromHost: this.#deps.fromHost,
      ringTimeoutMs: options.timeoutMs,
      colocateWith: parent.media,
    });
    const { call } = placed;
    const row = await store.calls.create({
      accountSid: parent.accountSid,
      parentCallSid: parent.callSid,
      from: placed.callerId,
      to: target.address,
      direction: 'outbound-dial',
      status: 'queued',
      sipCallId: call.callId,
    });
    const timeline = callTimeline(store, row.sid, parent.accountSid, this.#deps.logger);
    const attempt: Attempt = { target, route, call, sid: row.sid, from: row.from, apiVersion: row.apiVersion, timeline, slot };
    followCall(call, route, timeline, () => void store.calls.update(row.sid, { status: 'ringing' }));
    const trunk = route.trunk ? { trunk: route.trunk.name, trunkSid: route.trunk.sid } : {};
    parent.note('dial', { event: 'ringing-out', target: target.address, via: route.via, childCallSid: row.sid, ...trunk });
    void call.outcome.then((outcome) => {
      attempt.outcome = outcome;
      if (!outcome.answered) return;
      timeline.append('sip', { event: 'answered', codec: outcome.negotiated.codec });
      void store.calls.update(row.sid, { status: 'in-progress', startTime: new Date(outcome.answeredAt).toISOString() });
    });
    return attempt;
  }

  /** The first attempt answered; undefined when none was (or the caller left first). */
  async #firstAnswer(parent: DialParent, attempts: readonly Attempt[]): Promise<Answered | undefined> {
    let pending = attempts.length;
    return new Promise<Answered | undefined>((resolve) => {
      let done = false;
      const finish = (a: Answered | undefined): void => {
        if (done) return;
        done = true;
        resolve(a);
      };
      void parent.ended.then(() => finish(undefined));
      for (const a of attempts) {
        void a.call.outcome.then((outcome) => {
          if (outcome.answered) finish({ attempt: a, outcome });
          else if (--pending === 0) finish(undefined);
        });
      }
    });
  }

  /** Caller and callee talk until one leaves, the time limit, or `*` with hangupOnStar. */
  async #talk(
    parent: DialParent,
    winner: Attempt,
    answered: Extract<RingOutcome, { answered: true }>,
    options: DialOptions,
    alreadyBridged: boolean,
    ringingRecorder: DialRecorder | undefined,
  ): Promise<DialResult> {
    const { call } = winner;
    const base = { childCallSid: winner.sid, sipCallId: call.callId, sipResponseCode: answered.sipStatus };
    let callerLeft = false;
    try {
      if (!parent.answered) await parent.answer();
    } catch {
      callerLeft = true;
    }
    if (!callerLeft && winner.target.sendDigits) await sendDigitRuns(call.media, winner.target.sendDigits, call.ended).catch(() => undefined);
    let endedBy: DialEndedBy = 'callee';
    let bridged = false;
    let recorder = ringingRecorder;
    if (!callerLeft) {
      try {
        if (!alreadyBridged) await parent.media.bridge(call.media);
        bridged = true;
        parent.note('dial', { event: 'bridged', childCallSid: winner.sid });
        winner.timeline.append('media', { event: 'bridged', parentCallSid: parent.callSid });
      } catch (err) {
        parent.note('error', { message: `could not bridge the calls: ${(err as Error).message}` });
      }
      if (bridged && recorder === undefined && options.recording !== undefined) {
        const media = options.recording.track === 'outbound' ? call.media : parent.media;
        recorder = await startDialRecording(media, options.recording, recordingLimitMs(options), parent.note);
      }
      const stops: Promise<DialEndedBy>[] = [call.ended.then(() => 'callee' as const), parent.ended.then(() => 'caller' as const)];
      let limit: ReturnType<typeof setTimeout> | undefined;
      stops.push(new Promise((resolve) => (limit = setTimeout(() => resolve('time-limit'), options.timeLimitMs))));
      let onDigit: ((d: LegDigit) => void) | undefined;
      if (options.hangupOnStar) {
        stops.push(
          new Promise((resolve) => {
            onDigit = (d) => {
              if (d.digit === '*') resolve('hangup-on-star');
            };
            parent.media.on('digit', onDigit);
          }),
        );
      }
      if (bridged) endedBy = await Promise.race(stops);
      clearTimeout(limit);
      if (onDigit) parent.media.off('digit', onDigit);
    } else {
      endedBy = 'caller';
    }
    const end = Date.now();
    const recording = await recorder?.stop();
    if (endedBy !== 'callee') await call.hangup();
    if (endedBy === 'caller') callerLeft = true;
    if (!callerLeft) await parent.media.unbridge().catch(() => undefined);
    const duration = Math.max(0, Math.round((end - answered.answeredAt) / 1000));
    parent.note('dial', { event: 'ended', childCallSid: winner.sid, by: endedBy, durationSeconds: duration });
    winner.timeline.append('call-ended', { by: endedBy });
    await this.#close(winner, end, duration);
    return { status: 'completed', durationSeconds: duration, bridged, ...base, ...(callerLeft ? { callerHungUp: true } : {}), ...(recording ? { recording } : {}) };
  }

  /** Ends a child for good: media closed, its row final, its timeline written. */
  async #close(a: Attempt, endMs = Date.now(), duration?: number): Promise<void> {
    const stats = await a.call.close().finally(() => a.slot?.release());
    if (stats) a.timeline.append('media', { event: 'closed', ...stats });
    const outcome = a.outcome ?? (await a.call.outcome);
    const status: CallStatus = outcome.answered ? 'completed' : outcome.status;
    await this.#deps.store.calls
      .update(a.sid, {
        status,
        endTime: new Date(endMs).toISOString(),
        duration: duration ?? 0,
        ...(outcome.answered ? {} : { startTime: new Date(endMs).toISOString() }),
      })
      .catch((err: unknown) => this.#deps.logger?.warn({ err, callSid: a.sid }, 'child call update failed'));
    await a.timeline.flushed();
  }

  #ringback(parent: DialParent, country: string | undefined): { stop(): Promise<void> } {
    const playing = parent.media.play({ kind: 'pcm', pcm: ringbackPcm(country) }, { loop: 0 }).catch(() => undefined);
    return {
      stop: async () => {
        const id = await playing;
        if (id !== undefined) await parent.media.stopPlay(id).catch(() => undefined);
      },
    };
  }
}

/** The longest a Dial recording can run: the ringing, the time limit, and a margin. */
function recordingLimitMs(options: DialOptions): number {
  return options.timeoutMs + options.timeLimitMs + 60_000;
}

/** What a Dial that nobody answered reports: canceled when the caller left, else the most telling of its attempts. */
function unansweredStatus(attempts: readonly Attempt[], callerLeft: boolean): DialCallStatus {
  if (callerLeft) return 'canceled';
  const statuses = attempts.map((a) => (a.outcome !== undefined && !a.outcome.answered ? a.outcome.status : 'failed'));
  for (const s of ['busy', 'no-answer', 'canceled'] as const) if (statuses.includes(s)) return s;
  return 'failed';
}
