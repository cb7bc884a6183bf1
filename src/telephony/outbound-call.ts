/**
 * One outbound call: a media leg, our SDP offer, a SIP INVITE, and the life of the call
 * that follows. `<Dial>` rings its targets with it; the REST API (POST Calls) will start
 * calls with it too, so it knows nothing of documents or of a parent call.
 *
 * - The media leg can be created on another leg's worker (`colocateWith`) so the two can
 *   be bridged there.
 * - Provisional responses come out as `progress`; a 18x with SDP (early media) points the
 *   media leg at the callee at once, so its ringback or announcement can be relayed.
 * - A 401/407 is answered once with digest credentials when the request carries them.
 * - No answer within `ringTimeoutMs`: CANCEL, and the attempt ends `no-answer` at once
 *   (the 487 is waited for in the background; an answer that crosses the CANCEL gets BYE).
 * - `hangup()` cancels a ringing call (`canceled`) or sends BYE; the callee's BYE ends it too.
 *
 * The final status is Twilio's DialCallStatus vocabulary, and the SIP code is kept
 * (`DialSipResponseCode`).
 */
import { randomBytes, randomInt } from 'node:crypto';
import type { DialCallStatus } from '../engine/call-leg.js';
import { TypedEmitter } from '../events/typed-emitter.js';
import type { MediaHost, MediaLeg } from '../media/host.js';
import type { LegStats } from '../media/protocol.js';
import { answerChallenge, pickChallenge } from '../sip/auth/index.js';
import { getProxyAuthenticate, getWwwAuthenticate, type SipResponse } from '../sip/message/index.js';
import { type NegotiatedAudio, type SessionDescription, SdpError, acceptAnswer, createOffer, parseSdp, writeSdp } from '../sip/sdp/index.js';
import type { Destination } from '../sip/transport/types.js';
import {
  InviteCancelledError,
  InviteRejectedError,
  type InviteSession,
  type OutgoingInvite,
  RequestTimeoutError,
  type SessionEnd,
  type UserAgent,
} from '../sip/ua/index.js';

/** What an unanswered attempt came to. */
export type UnansweredStatus = Exclude<DialCallStatus, 'completed' | 'answered'>;

export interface OutboundCallDeps {
  readonly ua: UserAgent;
  readonly media: MediaHost;
  /** The address our SDP offers media on. */
  readonly mediaAddress: string;
}

export interface SipCredentials {
  readonly username: string;
  readonly password: string;
}

export interface OutboundCallRequest {
  /** The Request-URI (`sip:bob@example.com:5080;transport=tcp`). */
  readonly target: string;
  /** Our address for From: a SIP URI or name-addr. */
  readonly from: string;
  /** Where the INVITE goes; default from the target URI. */
  readonly destination?: Destination;
  /** Put the media leg on this leg's worker (to bridge the two). */
  readonly colocateWith?: MediaLeg;
  /** Ring this long before giving up with CANCEL (`no-answer`). */
  readonly ringTimeoutMs: number;
  /** Answer a 401/407 challenge with these (once). */
  readonly credentials?: SipCredentials;
  /** Extra headers for the INVITE (X- headers). */
  readonly headers?: readonly (readonly [string, string])[];
}

/** The attempt settled: answered, or not and why. */
export type RingOutcome =
  | { readonly answered: true; readonly session: InviteSession; readonly sipStatus: number; readonly answeredAt: number; readonly negotiated: NegotiatedAudio }
  | { readonly answered: false; readonly status: UnansweredStatus; readonly sipStatus?: number; readonly reason: string };

/** How an answered call ended. */
export interface OutboundCallEnd {
  /** `remote`: the callee's BYE; `local`: our `hangup()`; `system`: the dialog failed or the UA closed. */
  readonly by: 'remote' | 'local' | 'system';
  readonly reason: SessionEnd['reason'];
  readonly at: number;
}

export interface OutboundCallEvents {
  /** A provisional response (180, 183…). */
  progress: [status: number, reason: string];
  /** A provisional response carried SDP: the media leg now sends to, and hears, the callee. */
  earlymedia: [negotiated: NegotiatedAudio];
  /** Timeline notes (a digest challenge answered, media not agreed…). */
  note: [type: string, data: Readonly<Record<string, unknown>>];
}

export class OutboundCall extends TypedEmitter<OutboundCallEvents> {
  readonly media: MediaLeg;
  readonly request: OutboundCallRequest;
  /** Settles once: answered, or the reason it was not. Never rejects. */
  readonly outcome: Promise<RingOutcome>;
  /** Settles when the call is over (answered and ended, or never answered). */
  readonly ended: Promise<OutboundCallEnd | undefined>;
  readonly #deps: OutboundCallDeps;
  readonly #offer: SessionDescription;
  #invite: OutgoingInvite;
  #settle!: (outcome: RingOutcome) => void;
  #settled: RingOutcome | undefined;
  #resolveEnded!: (end: OutboundCallEnd | undefined) => void;
  #session: InviteSession | undefined;
  #timer: ReturnType<typeof setTimeout> | undefined;
  /** Why we cancelled, when we did. */
  #cancelledAs: UnansweredStatus | undefined;
  #challenged = false;
  #hangingUp = false;
  #earlyMedia = false;

  /** Creates the media leg and sends the INVITE. Throws on a target that is not a SIP URI (the leg is closed again). */
  static async start(deps: OutboundCallDeps, request: OutboundCallRequest): Promise<OutboundCall> {
    const media = await deps.media.createLeg(request.colocateWith === undefined ? {} : { colocateWith: request.colocateWith });
    try {
      return new OutboundCall(deps, request, media);
    } catch (err) {
      await media.close().catch(() => undefined);
      throw err;
    }
  }

  private constructor(deps: OutboundCallDeps, request: OutboundCallRequest, media: MediaLeg) {
    super({ name: 'OutboundCall' });
    this.#deps = deps;
    this.request = request;
    this.media = media;
    this.outcome = new Promise((resolve) => (this.#settle = resolve));
    this.ended = new Promise((resolve) => (this.#resolveEnded = resolve));
    this.#offer = createOffer({
      address: deps.mediaAddress,
      port: media.local.port,
      codecs: ['PCMU', 'PCMA'],
      telephoneEvent: { payloadType: 101 },
      sessionId: String(randomInt(1, 2 ** 47)),
      username: 'dialtone',
    });
    this.#invite = this.#send([]);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.safeEmit('note', 'dial', { event: 'ring-timeout', target: request.target, timeoutMs: request.ringTimeoutMs });
      void this.#cancel('no-answer');
    }, request.ringTimeoutMs);
  }

  /** The SIP Call-ID of the (latest) INVITE. */
  get callId(): string {
    return this.#invite.callId;
  }

  /** The session once answered. */
  get session(): InviteSession | undefined {
    return this.#session;
  }

  /** Ends the call: CANCEL while ringing (`canceled`), BYE once answered. */
  async hangup(): Promise<void> {
    if (this.#settled === undefined) {
      await this.#cancel('canceled');
      return;
    }
    if (this.#session !== undefined && !this.#hangingUp) {
      this.#hangingUp = true;
      await this.#session.bye().catch(() => undefined);
    }
  }

  /** Closes the media leg (after the call); resolves with its figures. */
  close(): Promise<LegStats | null> {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    return this.media.close().catch(() => null);
  }

  #send(extra: readonly (readonly [string, string])[]): OutgoingInvite {
    const { request } = this;
    const invite = this.#deps.ua.invite(request.target, {
      from: request.from,
      body: writeSdp(this.#offer),
      headers: [...(request.headers ?? []), ...extra],
      ...(request.destination === undefined ? {} : { destination: request.destination }),
      ...(this.#invite === undefined ? {} : { callId: this.#invite.callId }),
    });
    invite.on('progress', (res) => this.#onProgress(res));
    invite.session.then(
      (session) => void this.#onAnswer(session),
      (err: unknown) => this.#onFailure(invite, err),
    );
    return invite;
  }

  #onProgress(res: SipResponse): void {
    if (res.status === 100) return;
    this.safeEmit('progress', res.status, res.reason);
    if (this.#earlyMedia || res.body.byteLength === 0) return;
    const negotiated = this.#negotiate(Buffer.from(res.body).toString('utf8'));
    if (negotiated === undefined) return;
    this.#earlyMedia = true;
    void this.#applyRemote(negotiated).then(() => this.safeEmit('earlymedia', negotiated));
  }

  async #onAnswer(session: InviteSession): Promise<void> {
    if (this.#settled !== undefined) {
      // Answered after we gave up (the answer crossed our CANCEL): not wanted.
      void session.bye().catch(() => undefined);
      return;
    }
    const negotiated = session.remoteSdp === undefined ? undefined : this.#negotiate(session.remoteSdp);
    if (negotiated === undefined) {
      this.safeEmit('note', 'warning', { message: `the callee ${this.request.target} answered without usable SDP; hanging up` });
      void session.bye().catch(() => undefined);
      this.#finish({ answered: false, status: 'failed', sipStatus: 488, reason: 'media not agreed' });
      return;
    }
    this.#session = session;
    session.once('ended', (end) => {
      const by = end.reason === 'remote-bye' ? 'remote' : end.reason === 'local-bye' ? 'local' : 'system';
      this.#resolveEnded({ by, reason: end.reason, at: Date.now() });
    });
    const answeredAt = Date.now();
    await this.#applyRemote(negotiated);
    this.#finish({ answered: true, session, sipStatus: 200, answeredAt, negotiated });
  }

  #onFailure(invite: OutgoingInvite, err: unknown): void {
    if (invite !== this.#invite) return;
    if (err instanceof InviteRejectedError && (err.status === 401 || err.status === 407) && this.#answerChallenge(err.response)) return;
    if (this.#settled !== undefined) return;
    if (err instanceof InviteCancelledError || this.#cancelledAs !== undefined) {
      const status = this.#cancelledAs ?? 'canceled';
      this.#finish({ answered: false, status, sipStatus: err instanceof InviteCancelledError ? (err.response?.status ?? 487) : 487, reason: 'cancelled' });
      return;
    }
    if (err instanceof InviteRejectedError) {
      this.#finish({ answered: false, status: err.callOutcome(), sipStatus: err.status, reason: `${err.status} ${err.reason}` });
      return;
    }
    if (err instanceof RequestTimeoutError) {
      this.#finish({ answered: false, status: 'no-answer', sipStatus: 408, reason: 'no response to the INVITE' });
      return;
    }
    this.#finish({ answered: false, status: 'failed', reason: err instanceof Error ? err.message : String(err) });
  }

  /** Sends the INVITE again with credentials; false when there are none, or they were refused already. */
  #answerChallenge(res: SipResponse): boolean {
    const credentials = this.request.credentials;
    if (credentials === undefined || this.#challenged || this.#cancelledAs !== undefined) return false;
    const proxy = res.status === 407;
    const challenges = (proxy ? getProxyAuthenticate(res) : getWwwAuthenticate(res)) ?? [];
    const challenge = pickChallenge(challenges);
    if (challenge === undefined) return false;
    const value = answerChallenge(challenge, {
      username: credentials.username,
      password: credentials.password,
      method: 'INVITE',
      uri: this.request.target,
      cnonce: () => randomBytes(8).toString('hex'),
      nc: 1,
    });
    if (value === undefined) return false;
    this.#challenged = true;
    this.safeEmit('note', 'sip', { event: 'auth-challenge', status: res.status, realm: challenge.realm, username: credentials.username });
    this.#invite = this.#send([[proxy ? 'Proxy-Authorization' : 'Authorization', value]]);
    return true;
  }

  async #cancel(as: UnansweredStatus): Promise<void> {
    if (this.#settled !== undefined || this.#cancelledAs !== undefined) return;
    this.#cancelledAs = as;
    const invite = this.#invite;
    // The attempt is over now; the 487 (or a crossing 200, then BYE) follows in the background.
    this.#finish({ answered: false, status: as, sipStatus: 487, reason: as === 'no-answer' ? 'no answer before the timeout' : 'cancelled' });
    await invite.cancel();
  }

  #finish(outcome: RingOutcome): void {
    if (this.#settled !== undefined) return;
    this.#settled = outcome;
    if (this.#timer !== undefined) {
      clearTimeout(this.#timer);
      this.#timer = undefined;
    }
    this.#settle(outcome);
    if (!outcome.answered) this.#resolveEnded(undefined);
  }

  #negotiate(sdp: string): NegotiatedAudio | undefined {
    const answer = parseSdp(sdp);
    if (answer instanceof SdpError) {
      this.safeEmit('note', 'warning', { message: `unreadable SDP from ${this.request.target}: ${answer.message}` });
      return undefined;
    }
    const accepted = acceptAnswer(this.#offer, answer);
    if (!accepted.ok) {
      this.safeEmit('note', 'warning', { message: `media not agreed with ${this.request.target}: ${accepted.detail}` });
      return undefined;
    }
    return accepted.selected;
  }

  async #applyRemote(selected: NegotiatedAudio): Promise<void> {
    await this.media
      .setRemote(selected.remote, { codec: selected.codec, telephoneEventPt: selected.telephoneEvent ?? null })
      .catch((err: unknown) => this.safeEmit('note', 'warning', { message: `media leg: ${(err as Error).message}` }));
  }
}
