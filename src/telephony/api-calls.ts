/**
 * Calls the REST API places (`POST Calls`, direction `outbound-api`): a Call record
 * (queued), a route through the dial plan, an `OutboundCall` that rings the callee, and,
 * once answered, a CallSession running the request's application on an outbound
 * `SipCallLeg`. Status callbacks follow the request's StatusCallbackEvent through the
 * outbox; the call sits in the live registry until its record is final, so the API can
 * cancel it, hang it up, or redirect it to another document.
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AudioUrlCache } from './audio-url-cache.js';
import type { ApplicationRef } from '../engine/session.js';
import type { StatusCallbackConfig } from '../engine/status-callbacks.js';
import type { Timeline } from '../engine/timeline.js';
import type { WebhookClient } from '../engine/webhook/client.js';
import type { MessageQueue } from '../engine/message-queue.js';
import type { SpeechRecognizer } from '../speech/index.js';
import type { Call, Store } from '../store/index.js';
import type { CallStatus } from '../store/schema.js';
import type { TextToSpeech } from '../tts/index.js';
import { callOutcome, callProgress } from './call-progress.js';
import { callTimeline } from './call-timeline.js';
import type { StoredCallRecordings } from './call-recordings.js';
import { callWiring } from './call-wiring.js';
import type { CallCapacity } from './capacity.js';
import type { DialPlan, RouteTarget, SipRoute } from './dial-plan.js';
import type { Dialer } from './dialer.js';
import type { LiveCall, LiveCalls } from './live-calls.js';
import type { OutboundCall, OutboundCallDeps } from './outbound-call.js';
import { outboundCallLeg } from './outbound-call-leg.js';
import { RedirectableDocuments } from './redirectable-documents.js';
import { followCall, placeRoutedCall } from './routed-call.js';
import type { SipCallLeg } from './sip-call-leg.js';

export interface ApiCallsDeps {
  readonly outbound: OutboundCallDeps;
  readonly plan: DialPlan;
  readonly store: Store;
  readonly webhooks: WebhookClient;
  readonly tts: TextToSpeech;
  readonly audio: AudioUrlCache;
  readonly logger: Logger;
  readonly mode: 'development' | 'production';
  readonly live: LiveCalls;
  /** The host of our From URIs (`sip:+15550100@HOST`). */
  readonly fromHost: string;
  readonly callbacks?: MessageQueue;
  readonly dialer?: Dialer;
  readonly recordings?: { readonly dataDir: string; readonly publicUrl: string };
  /** What transcribes `<Gather input="speech">`; none: Gather listens for keys only. */
  readonly speech?: SpeechRecognizer;
  /** Refuses calls this node cannot carry (`CapacityError`, nothing created); none takes every call. */
  readonly capacity?: CallCapacity;
}

/** What the API asks for, checked already. */
export interface PlaceCallRequest {
  readonly accountSid: string;
  readonly authToken: string;
  /** As the call record shows them: E.164, `sip:…`, `client:NAME`. */
  readonly to: string;
  readonly from: string;
  readonly target: RouteTarget;
  readonly app: ApplicationRef;
  readonly statusCallback?: StatusCallbackConfig;
  /** Ring this long before giving up (`no-answer`). */
  readonly timeoutMs: number;
  /** Hang up this long after the answer. */
  readonly timeLimitMs?: number;
  /** DTMF sent as soon as the call is answered, before the application runs. */
  readonly sendDigits?: string;
  /** Record the whole call from the answer (`Record=true`). */
  readonly record?: { readonly channels: 'mono' | 'dual' };
  readonly phoneNumberSid?: string | null;
}

/** The target has no route: Twilio's code and a sentence. */
export class NoRouteError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** Twilio's longest call: four hours. */
const MAX_CALL_MS = 4 * 60 * 60 * 1000;

export class ApiCalls {
  readonly #deps: ApiCallsDeps;
  readonly #running = new Set<Promise<void>>();

  constructor(deps: ApiCallsDeps) {
    this.#deps = deps;
  }

  /**
   * Creates the call (queued) and starts it in the background. Throws `NoRouteError`
   * when a number has no route at all (not ours, no trunk), and `CapacityError` when this
   * node cannot take another call: nothing is created then.
   */
  async place(request: PlaceCallRequest): Promise<Call> {
    const { store, plan } = this.#deps;
    const route = await plan.route(request.target, request.accountSid);
    if (route.kind === 'none' && request.target.kind === 'number') throw new NoRouteError(route.code ?? 21215, route.reason);
    const slot = this.#deps.capacity?.take('outbound-api');
    const call = await store.calls.create({
      accountSid: request.accountSid,
      from: request.from,
      to: request.to,
      direction: 'outbound-api',
      status: 'queued',
      ...(request.phoneNumberSid ? { phoneNumberSid: request.phoneNumberSid } : {}),
    }).catch((err: unknown) => {
      slot?.release();
      throw err;
    });
    const run = new ApiCallRun(this.#deps, request, call);
    this.#deps.live.add(run);
    const running = run.run(route.kind === 'none' ? route.reason : route).catch((err: unknown) => {
      this.#deps.logger.error({ err, callSid: call.sid }, 'outbound API call failed');
    });
    this.#running.add(running);
    void running.finally(() => {
      slot?.release();
      this.#running.delete(running);
    });
    return call;
  }

  /** Resolves when every call placed so far is over. */
  async drained(): Promise<void> {
    await Promise.all([...this.#running]);
  }
}

/** One API call from queued to its final record. */
class ApiCallRun implements LiveCall {
  readonly sid: string;
  readonly accountSid: string;
  readonly finished: Promise<void>;
  readonly #deps: ApiCallsDeps;
  readonly #request: PlaceCallRequest;
  readonly #call: Call;
  readonly #timeline: Timeline;
  #resolveFinished!: () => void;
  #outbound: OutboundCall | undefined;
  readonly #documents = new RedirectableDocuments();
  #answered = false;
  #over = false;
  /** Cancelled before the INVITE went out. */
  #cancelledEarly = false;
  #pendingApp: ApplicationRef | undefined;

  constructor(deps: ApiCallsDeps, request: PlaceCallRequest, call: Call) {
    this.#deps = deps;
    this.#request = request;
    this.#call = call;
    this.sid = call.sid;
    this.accountSid = call.accountSid;
    this.finished = new Promise((resolve) => (this.#resolveFinished = resolve));
    this.#timeline = callTimeline(deps.store, call.sid, call.accountSid, deps.logger);
  }

  get answered(): boolean {
    return this.#answered && !this.#over;
  }

  async cancel(): Promise<boolean> {
    if (this.#answered || this.#over) return false;
    this.#timeline.append('api', { event: 'cancel' });
    if (this.#outbound === undefined) {
      this.#cancelledEarly = true;
      return true;
    }
    await this.#outbound.hangup();
    return true;
  }

  async hangup(): Promise<void> {
    if (this.#over) return;
    if (!this.#answered) {
      await this.cancel();
      return;
    }
    this.#timeline.append('api', { event: 'hangup' });
    const leg = this.#documents.stop();
    if (leg !== undefined) await leg.hangup();
    else await this.#outbound?.hangup();
  }

  redirect(app: ApplicationRef): boolean {
    if (!this.#answered && !this.#over) {
      // Not answered yet: the new document is the one that runs on the answer.
      this.#timeline.append('api', { event: 'redirect', url: app.url, inline: app.twiml !== undefined, before: 'answer' });
      this.#pendingApp = app;
      return true;
    }
    if (!this.answered || !this.#documents.redirect(app)) return false;
    this.#timeline.append('api', { event: 'redirect', url: app.url, inline: app.twiml !== undefined });
    return true;
  }

  async run(route: SipRoute | string): Promise<void> {
    const { store, logger } = this.#deps;
    const request = this.#request;
    const call = this.#call;
    const facts = { callSid: call.sid, accountSid: call.accountSid, from: call.from, to: call.to, direction: 'outbound-api', apiVersion: call.apiVersion } as const;
    const progress =
      this.#deps.callbacks && request.statusCallback ? callProgress(this.#deps.callbacks, request.statusCallback, request.app.dialect, facts, logger) : undefined;
    const finish = async (status: CallStatus, sipStatus: number | undefined): Promise<void> => {
      this.#over = true;
      await store.calls.update(call.sid, { status, endTime: new Date().toISOString(), duration: 0 });
      progress?.completed(callOutcome(status, 0, sipStatus === undefined ? undefined : { by: 'system', sipStatus }, false, null));
    };
    try {
      if (typeof route === 'string') {
        this.#timeline.append('dial', { target: request.to, status: 'failed', reason: route });
        progress?.initiated();
        await finish('failed', undefined);
        return;
      }
      if (this.#cancelledEarly) {
        await finish('canceled', undefined);
        return;
      }
      const callerId = request.from.startsWith('client:') ? request.from.slice('client:'.length) : request.from;
      let outbound: OutboundCall;
      try {
        ({ call: outbound } = await placeRoutedCall(this.#deps.outbound, route, { callerId, fromHost: this.#deps.fromHost, ringTimeoutMs: request.timeoutMs }));
      } catch (err) {
        this.#timeline.append('dial', { target: route.uri, status: 'failed', reason: (err as Error).message });
        progress?.initiated();
        await finish('failed', undefined);
        return;
      }
      this.#outbound = outbound;
      followCall(outbound, route, this.#timeline, () => {
        void store.calls.update(call.sid, { status: 'ringing' });
        progress?.ringing();
      });
      progress?.initiated();
      void store.calls.update(call.sid, { sipCallId: outbound.callId });
      const outcome = await outbound.outcome;
      if (!outcome.answered) {
        await outbound.close();
        const status: CallStatus = outcome.status === 'canceled' ? 'canceled' : outcome.status;
        await finish(status, outcome.sipStatus);
        return;
      }
      await this.#answeredCall(outbound, outcome.answeredAt, progress);
    } finally {
      this.#over = true;
      await this.#timeline.flushed();
      await progress?.flushed();
      this.#resolveFinished();
    }
  }

  async #answeredCall(outbound: OutboundCall, answeredAt: number, progress: ReturnType<typeof callProgress> | undefined): Promise<void> {
    const { store } = this.#deps;
    const request = this.#request;
    const call = this.#call;
    this.#answered = true;
    this.#timeline.append('sip', { event: 'answered' });
    await store.calls.update(call.sid, { status: 'in-progress', startTime: new Date(answeredAt).toISOString() });
    progress?.answered();
    const limit = setTimeout(() => {
      this.#timeline.append('api', { event: 'time-limit', timeLimitMs: request.timeLimitMs ?? MAX_CALL_MS });
      void (this.#documents.stop() ?? outbound).hangup();
    }, Math.min(request.timeLimitMs ?? MAX_CALL_MS, MAX_CALL_MS));
    const facts = { callSid: call.sid, accountSid: call.accountSid, from: call.from, to: call.to, direction: 'outbound-api', apiVersion: call.apiVersion } as const;
    const wiring = callWiring(this.#deps, facts, request.authToken, this.#timeline);
    const { recordings } = wiring;
    const whole = request.record && recordings ? await this.#startRecording(outbound, recordings, request.record.channels) : undefined;
    let leg: SipCallLeg | undefined;
    try {
      leg = await this.#documents.run(this.#pendingApp ?? request.app, {
        wiring,
        legFor: () =>
          outboundCallLeg(outbound, {
            tts: this.#deps.tts,
            audio: this.#deps.audio,
            note: (type, data) => this.#timeline.append(type, data),
            ...(this.#deps.dialer ? { dialer: this.#deps.dialer, call: { sid: call.sid, accountSid: call.accountSid, from: call.from } } : {}),
          }),
        prepare: async (next, first) => {
          await next.answer();
          if (first && request.sendDigits) await next.sendDigits(request.sendDigits).catch(() => undefined);
        },
        over: () => outbound.session?.state === 'terminated',
      });
      // A session that ended without hanging up (released, with no redirect to follow) must not leave the call up.
      await outbound.hangup();
    } finally {
      clearTimeout(limit);
      const end = await outbound.ended;
      const endedWith = (leg ?? this.#documents.leg)?.endedWith;
      const by = end?.by === 'remote' ? 'callee' : endedWith?.by === 'callee' ? 'callee' : 'application';
      if (whole) await whole.stop();
      const stats = await outbound.close();
      if (stats) this.#timeline.append('media', { event: 'closed', ...stats });
      const endTime = new Date();
      const duration = Math.round((endTime.getTime() - answeredAt) / 1000);
      this.#over = true;
      await store.calls.update(call.sid, { status: 'completed', endTime: endTime.toISOString(), duration });
      progress?.completed(callOutcome('completed', duration, { by }, true, stats));
    }
  }

  /** Records the call from the answer to the hangup (`Record=true`), as an `OutboundAPI` recording. */
  async #startRecording(outbound: OutboundCall, recordings: StoredCallRecordings, channels: 'mono' | 'dual'): Promise<{ stop(): Promise<void> } | undefined> {
    const count = channels === 'dual' ? 2 : 1;
    try {
      const slot = await recordings.begin('OutboundAPI', count);
      const id = randomUUID();
      // Twilio's mono call recording holds both parties mixed, not the far end alone.
      await outbound.media.startRecord(id, slot.path, { mode: channels === 'dual' ? 'dual' : 'mixed', maxDurationMs: MAX_CALL_MS });
      this.#timeline.append('media', { event: 'record-started', recordId: id, recordingSid: slot.sid });
      return {
        stop: async () => {
          const info = await outbound.media.stopRecord(id).catch(() => null);
          await recordings.end(slot.sid, info === null ? { status: 'failed' } : { status: 'completed', durationSeconds: Math.round(info.durationMs / 1000), channels: info.channels });
        },
      };
    } catch (err) {
      this.#timeline.append('warning', { message: `the call could not be recorded: ${(err as Error).message}` });
      return undefined;
    }
  }
}

// What the REST edge needs of a call's application and callbacks; api/ reaches the engine through here.
export type { ApplicationRef, StatusCallbackConfig };
export { parseStatusCallbackEvents } from '../engine/status-callbacks.js';
