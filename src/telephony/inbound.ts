/**
 * Incoming calls: an INVITE to one of our numbers becomes a Call record, a media leg,
 * an SDP answer and a CallSession running the number's application. The INVITE gets
 * 404 when no number matches, 488 when no codec does, 503 with Retry-After when this node
 * cannot take another call (capacity.ts) or its media fails to start.
 */
import type { Logger } from 'pino';
import type { AudioUrlCache } from './audio-url-cache.js';
import type { MediaHost } from '../media/host.js';
import { answerOffer, parseSdp, SdpError, writeSdp } from '../sip/sdp/index.js';
import type { IncomingInvite, InviteSession, UserAgent } from '../sip/ua/index.js';
import { formatUri, parseUri } from '../sip/message/uri.js';
import type { SpeechRecognizer } from '../speech/index.js';
import type { Store } from '../store/index.js';
import type { CallStatus } from '../store/schema.js';
import type { TextToSpeech } from '../tts/index.js';
import type { WebhookClient } from '../engine/webhook/client.js';
import type { MessageQueue } from '../engine/message-queue.js';
import { callOutcome, inboundProgress } from './call-progress.js';
import { callTimeline } from './call-timeline.js';
import { callWiring } from './call-wiring.js';
import type { CallCapacity } from './capacity.js';
import { MediaError } from '../media/errors.js';
import { normaliseE164 } from './e164.js';
import type { Dialer } from './dialer.js';
import type { LiveCalls } from './live-calls.js';
import { answeredInvite } from './outbound-call-leg.js';
import { RedirectableDocuments } from './redirectable-documents.js';
import { SipCallLeg } from './sip-call-leg.js';

export interface InboundDeps {
  readonly ua: UserAgent;
  readonly media: MediaHost;
  readonly store: Store;
  readonly webhooks: WebhookClient;
  readonly tts: TextToSpeech;
  readonly audio: AudioUrlCache;
  readonly logger: Logger;
  readonly mode: 'development' | 'production';
  /** The address our SDP offers media on. */
  readonly mediaAddress: string;
  /** Where status callbacks are queued (the durable outbox); none sends none. */
  readonly callbacks?: MessageQueue;
  /** Places the calls of `<Dial>`. */
  readonly dialer?: Dialer;
  /** Where recordings are written and the base of their URLs; without it `<Record>` fails. */
  readonly recordings?: { readonly dataDir: string; readonly publicUrl: string };
  /** What transcribes `<Gather input="speech">`; none: Gather listens for keys only. */
  readonly speech?: SpeechRecognizer;
  /** Where the REST API finds calls in progress (to hang them up). */
  readonly live?: LiveCalls;
  /** Refuses INVITEs this node cannot carry (503 at once); none takes every call. */
  readonly capacity?: CallCapacity;
}

/** The user part of a SIP URI, or the whole text when it is not one. */
function userOf(value: string): string {
  const uri = parseUri(value);
  if (uri && uri.kind === 'sip' && uri.user) return decodeURIComponent(uri.user);
  if (uri && uri.kind === 'tel') return uri.number;
  return value;
}

export class InboundCalls {
  readonly #deps: InboundDeps;
  readonly #running = new Set<Promise<void>>();

  constructor(deps: InboundDeps) {
    this.#deps = deps;
    deps.ua.on('incoming', (invite) => {
      // Decided before any await, so a refusal costs the caller no wait (and us no store query).
      const slot = deps.capacity?.admit('inbound');
      if (slot?.refused) {
        invite.reject(503, 'Service Unavailable', { headers: [['Retry-After', String(slot.retryAfterSeconds)]] });
        return;
      }
      const run = this.#handle(invite).catch((err: unknown) => {
        deps.logger.error({ err, callId: invite.callId }, 'incoming call failed');
        if (invite.state !== 'pending' && invite.state !== 'early') return;
        // Media that would not start (a worker behind or gone) is ours to fix: the carrier may try elsewhere.
        if (err instanceof MediaError) invite.reject(503, 'Service Unavailable', { headers: [['Retry-After', String(deps.capacity?.limits.retryAfterSeconds ?? 5)]] });
        else invite.reject(500);
      });
      this.#running.add(run);
      void run.finally(() => {
        slot?.release();
        this.#running.delete(run);
      });
    });
  }

  /** Resolves when every call in progress has ended. */
  async drained(): Promise<void> {
    await Promise.all([...this.#running]);
  }

  async #handle(invite: IncomingInvite): Promise<void> {
    const { store, logger } = this.#deps;
    const dialled = normaliseE164(userOf(invite.request.uri)) ?? normaliseE164(userOf(formatUri(invite.to.uri)));
    const number = dialled ? await store.numbers.findByNumber(dialled) : undefined;
    if (!number || !number.voiceUrl) {
      logger.info({ to: invite.request.uri }, 'no number for this INVITE');
      invite.reject(404, 'Not Found');
      return;
    }
    const account = await store.accounts.get(number.accountSid);
    if (!account) {
      invite.reject(404, 'Not Found');
      return;
    }
    if (invite.offer === undefined) {
      // Late offer (no SDP in the INVITE) is a later slice.
      invite.reject(488, 'Not Acceptable Here');
      return;
    }
    const offer = parseSdp(invite.offer);
    if (offer instanceof SdpError) {
      invite.reject(offer.responseStatus(), offer.message);
      return;
    }
    const media = await this.#deps.media.createLeg();
    const negotiated = answerOffer(offer, {
      address: this.#deps.mediaAddress,
      port: media.local.port,
      sessionId: String(Date.now()),
      username: 'dialtone',
    });
    if (!negotiated.ok) {
      await media.close();
      invite.reject(488, 'Not Acceptable Here', { headers: [['Warning', `${negotiated.warning.code} dialtone "${negotiated.warning.text}"`]] });
      return;
    }
    const { selected } = negotiated;
    await media.setRemote(selected.remote, { codec: selected.codec, telephoneEventPt: selected.telephoneEvent ?? null });

    // A number when the caller's user part is one; else the caller's SIP URI, as Twilio reports SIP callers.
    const fromUri = formatUri(invite.from.uri);
    const call = await store.calls.create({
      accountSid: account.sid,
      phoneNumberSid: number.sid,
      from: normaliseE164(userOf(fromUri)) ?? fromUri.split(';')[0]!,
      to: number.phoneNumber,
      direction: 'inbound',
      status: 'ringing',
      sipCallId: invite.callId,
    });
    const timeline = callTimeline(store, call.sid, account.sid, logger);
    const facts = { callSid: call.sid, accountSid: account.sid, from: call.from, to: call.to, direction: 'inbound', apiVersion: call.apiVersion } as const;
    const progress = inboundProgress(this.#deps.callbacks, number, facts, logger);
    progress?.initiated();
    timeline.append('sip', { event: 'invite', from: formatUri(invite.from.uri), to: invite.request.uri, codec: selected.codec, telephoneEvent: selected.telephoneEvent ?? null });
    invite.ringing();
    progress?.ringing();

    // Set once a leg answers the INVITE: the legs of later documents (REST redirects) go on over it.
    let accepted: InviteSession | undefined;
    let answeredAt: number | undefined;
    const legFor = (): SipCallLeg => {
      const leg = new SipCallLeg({
        invite: accepted ? answeredInvite(accepted) : invite,
        media,
        answerSdp: writeSdp(negotiated.answer),
        tts: this.#deps.tts,
        audio: this.#deps.audio,
        note: (type, data) => timeline.append(type, data),
        ...(accepted
          ? {}
          : {
              onAnswered: (at: number) => {
                answeredAt = at;
                accepted = leg.session;
                void store.calls.update(call.sid, { status: 'in-progress', startTime: new Date(at).toISOString() });
                progress?.answered();
              },
            }),
        ...(this.#deps.dialer ? { dialer: this.#deps.dialer, call: { sid: call.sid, accountSid: account.sid, from: call.from } } : {}),
      });
      return leg;
    };
    const wiring = callWiring(this.#deps, facts, account.authToken, timeline);
    const app = {
      url: number.voiceUrl,
      method: number.voiceMethod,
      fallbackUrl: number.voiceFallbackUrl,
      fallbackMethod: number.voiceFallbackMethod,
      dialect: number.dialect,
    } as const;
    const documents = new RedirectableDocuments();
    const startedAt = Date.now();
    let finished!: () => void;
    this.#deps.live?.add({
      sid: call.sid,
      accountSid: account.sid,
      get answered() {
        return accepted !== undefined && accepted.state !== 'terminated';
      },
      cancel: async () => accepted === undefined && (await documents.stop()?.hangup(), true),
      hangup: async () => documents.stop()?.hangup(),
      redirect: (next) => {
        if (!documents.redirect(next)) return false;
        timeline.append('api', { event: 'redirect', url: next.url, inline: next.twiml !== undefined });
        return true;
      },
      finished: new Promise<void>((resolve) => (finished = resolve)),
    });
    let leg: SipCallLeg | undefined;
    try {
      leg = await documents.run(app, {
        wiring,
        legFor,
        // A later document's leg is over an answered call: marked so before its document asks for the call's status.
        prepare: async (next) => {
          if (accepted && !next.answered) await next.answer();
        },
        over: () => (accepted ? accepted.state === 'terminated' : invite.state !== 'pending' && invite.state !== 'early'),
      });
      // A leg released for a redirect that never ran (the API hung up meanwhile) leaves the call up: end it.
      if (accepted) await accepted.bye();
      else if (invite.state === 'pending' || invite.state === 'early') invite.reject(603);
    } finally {
      const end = (leg ?? documents.leg)?.endedWith;
      const stats = await media.close().catch(() => null);
      if (stats) timeline.append('media', { event: 'closed', ...stats });
      const status: CallStatus = answeredAt !== undefined ? 'completed' : end?.sipStatus === 486 ? 'busy' : end?.sipStatus === 487 ? 'canceled' : 'no-answer';
      const endTime = new Date();
      const duration = answeredAt !== undefined ? Math.round((endTime.getTime() - answeredAt) / 1000) : 0;
      await store.calls.update(call.sid, {
        status,
        endTime: endTime.toISOString(),
        duration,
        ...(answeredAt !== undefined ? { startTime: new Date(answeredAt).toISOString() } : { startTime: new Date(startedAt).toISOString() }),
      });
      // After the record is final, so an application that reads the call on its callback sees it ended.
      progress?.completed(callOutcome(status, duration, end, answeredAt !== undefined, stats));
      await timeline.flushed();
      await progress?.flushed();
      finished();
    }
  }
}
