/**
 * The "whisper" of `<Dial><Number url>` (and `<Sip url>`, `<Client url>`): once the callee
 * answers, and before the bridge, the noun's document runs on the callee's leg (SEM-X6):
 * a `<Say>` only they hear, or a `<Gather>` to accept the call. Its end bridges the two;
 * a `<Hangup>` (or the callee hanging up) declines the call. The session is the one every
 * call runs (call-wiring.ts) on the same outbound leg API-placed calls use, given the
 * child call's facts, so the request describes the child (its CallSid, ParentCallSid,
 * Direction `outbound-dial`) and is signed with the account's token.
 */
import type { WhisperDocument } from '../engine/call-leg.js';
import type { CallFacts } from '../engine/params.js';
import type { Timeline } from '../engine/timeline.js';
import type { AudioUrlCache } from './audio-url-cache.js';
import { callWiring, type CallWiringDeps } from './call-wiring.js';
import type { OutboundCall } from './outbound-call.js';
import { outboundCallLeg } from './outbound-call-leg.js';
import type { TextToSpeech } from '../tts/index.js';

/** The answered child call a whisper runs on. */
export interface WhisperCall {
  readonly call: OutboundCall;
  /** The child call as its requests describe it. */
  readonly facts: CallFacts;
  readonly document: WhisperDocument;
  /** The child call's timeline: the whisper's requests and verbs go there. */
  readonly timeline: Timeline;
  /** What the request adds to the child's parameters (a `<Sip>` callee's SipCallId). */
  readonly params?: Readonly<Record<string, string>>;
}

/** `bridge`: the document ended with the callee still there; `declined`: the callee's leg ended. */
export type WhisperOutcome = 'bridge' | 'declined';

/** What the dialer needs to run a whisper. */
export interface WhisperRunner {
  run(whisper: WhisperCall): Promise<WhisperOutcome>;
}

export interface CallWhisperDeps extends CallWiringDeps {
  readonly tts: TextToSpeech;
  readonly audio: AudioUrlCache;
}

export class CallWhispers implements WhisperRunner {
  readonly #deps: CallWhisperDeps;

  constructor(deps: CallWhisperDeps) {
    this.#deps = deps;
  }

  async run({ call, facts, document, timeline, params }: WhisperCall): Promise<WhisperOutcome> {
    const account = await this.#deps.store.accounts.get(facts.accountSid);
    if (account === undefined) {
      timeline.append('error', { message: `the whisper was not run: account ${facts.accountSid} is gone` });
      await call.hangup();
      return 'declined';
    }
    // No dialer: a `<Dial>` in a whisper is refused (Twilio's 13201) and ends the callee's leg.
    const leg = outboundCallLeg(call, { tts: this.#deps.tts, audio: this.#deps.audio, note: (type, data) => timeline.append(type, data) });
    timeline.append('whisper', { event: 'started', url: document.url, method: document.method });
    await leg.answer();
    const wiring = callWiring(this.#deps, facts, account.authToken, timeline);
    const app = { url: document.url, method: document.method, dialect: 'twiml', ...(params ? { params } : {}) } as const;
    await wiring.session(leg, app, { endOfDocument: 'keep-call' }).run();
    const declined = leg.endedWith !== undefined || call.session?.state === 'terminated';
    // The leg stops listening to the call's digits: from here on they are for the caller.
    leg.release();
    timeline.append('whisper', { event: 'ended', outcome: declined ? 'declined' : 'bridge' });
    return declined ? 'declined' : 'bridge';
  }
}
