/**
 * `POST Calls.json` and `POST Calls/{Sid}.json` over telephony/: the request's
 * parameters checked in Twilio's order and with its codes, then a call placed through
 * `ApiCalls`, or a live call (from `LiveCalls`) cancelled, hung up or redirected.
 */
import { isFinalCallStatus, type Call, type Store } from '../../store/index.js';
import { NoRouteError, parseStatusCallbackEvents, type ApiCalls, type ApplicationRef, type PlaceCallRequest, type StatusCallbackConfig } from '../../telephony/api-calls.js';
import { CapacityError } from '../../telephony/capacity.js';
import type { RouteTarget } from '../../telephony/dial-plan.js';
import { normaliseE164 } from '../../telephony/e164.js';
import type { LiveCalls } from '../../telephony/live-calls.js';
import { ApiError } from '../errors.js';
import type { Principal } from '../principal.js';
import { invalid, invalidParameter } from './errors.js';
import { many, one, optionalBoolean, optionalMethod, optionalUrl, type Params } from './params.js';

type Dialect = ApplicationRef['dialect'];

/** Twilio's limit on the `Twiml` parameter. */
const MAX_TWIML = 4000;
const SEND_DIGITS = /^[0-9A-D#*wW]{1,32}$/;
/** How long an update that ends a call waits for the call to be over before answering. */
const SETTLE_MS = 10_000;

export interface TelephonyCallControlDeps {
  readonly store: Store;
  /** The call placer once telephony is up; undefined before (503). */
  readonly calls: () => ApiCalls | undefined;
  readonly live: LiveCalls;
}

export class TelephonyCallControl {
  readonly #deps: TelephonyCallControlDeps;

  constructor(deps: TelephonyCallControlDeps) {
    this.#deps = deps;
  }

  /**
   * Checks Twilio-named parameters and places the call: the one way in for every REST
   * dialect (Twilio's POST Calls, Telnyx's and Apifonica's make-call), which translate
   * their bodies to these names. `dialect` runs the application as that dialect whatever
   * the application says (Apifonica's make-call runs an Apifonica controller).
   */
  async place(principal: Principal, params: Params, options: { readonly dialect?: Dialect } = {}): Promise<Call> {
    const placer = this.#deps.calls();
    if (placer === undefined) throw new ApiError(503, 20503, 'Calls cannot be placed until telephony has started');
    const { store } = this.#deps;
    const { account } = principal;
    const accountSid = account.sid;
    const to = readTo(params);
    const from = one(params, 'From');
    if (from === undefined || from === '') throw invalid(21213, "No 'From' number is specified");
    let phoneNumberSid: string | null = null;
    if (to.target.kind === 'number') {
      const number = normaliseE164(from);
      if (number === undefined || from.startsWith('client:')) throw invalid(21212, `The 'From' number ${from} is not a valid phone number`);
      const owned = await store.numbers.findByNumber(number);
      if (!owned || owned.accountSid !== accountSid) throw invalid(21210, `The source phone number provided, ${from}, is not yet verified for your account`);
      phoneNumberSid = owned.sid;
    }
    const read = await readApplication(store, accountSid, params);
    const app = options.dialect === undefined ? read : { ...read, ref: { ...read.ref, dialect: options.dialect } };
    const statusCallback = readStatusCallback(params) ?? app.statusCallback;
    const timeout = seconds(params, 'Timeout', 60, 600);
    const timeLimit = seconds(params, 'TimeLimit', 14_400, 14_400);
    const sendDigits = one(params, 'SendDigits');
    if (sendDigits !== undefined && sendDigits !== '' && !SEND_DIGITS.test(sendDigits)) {
      throw invalidParameter('SendDigits', 'must be up to 32 of 0-9, A-D, #, * and the pauses w and W');
    }
    const record = optionalBoolean(params, 'Record') ?? false;
    const channels = one(params, 'RecordingChannels') ?? 'mono';
    if (channels !== 'mono' && channels !== 'dual') throw invalidParameter('RecordingChannels', 'must be mono or dual');
    const placing: PlaceCallRequest = {
      accountSid,
      authToken: account.authToken,
      to: to.display,
      from,
      target: to.target,
      app: app.ref,
      timeoutMs: timeout * 1000,
      timeLimitMs: timeLimit * 1000,
      phoneNumberSid,
      ...(statusCallback ? { statusCallback } : {}),
      ...(sendDigits ? { sendDigits } : {}),
      ...(record ? { record: { channels } } : {}),
    };
    try {
      return await placer.place(placing);
    } catch (err) {
      if (err instanceof NoRouteError) throw invalid(21215, `Account not authorized to call ${to.display}: ${err.message}`);
      if (err instanceof CapacityError) throw overCapacity(err);
      throw err;
    }
  }

  /** Cancels, hangs up or redirects a live call (`POST Calls/{Sid}.json`); answers the call as it then stands. */
  async update(call: Call, params: Params): Promise<Call> {
    const { store } = this.#deps;
    const live = this.#deps.live.get(call.sid, call.accountSid);
    const status = one(params, 'Status');
    if (status !== undefined && status !== '') {
      if (status !== 'canceled' && status !== 'completed') throw invalidParameter('Status', 'must be canceled or completed');
      if (live === undefined) {
        if (isFinalCallStatus(call.status)) return call;
        throw invalid(21220, `Call ${call.sid} is not in progress on this server and cannot be changed`);
      }
      if (status === 'completed') await live.hangup();
      else if (!(await live.cancel())) return (await store.calls.get(call.sid, call.accountSid)) ?? call;
      await Promise.race([live.finished, new Promise((r) => setTimeout(r, SETTLE_MS).unref())]);
      return (await store.calls.get(call.sid, call.accountSid)) ?? call;
    }
    const url = optionalUrl(params, 'Url', 21205);
    const twiml = one(params, 'Twiml');
    if (url || (twiml !== undefined && twiml !== '')) {
      const ref = redirectRef(params, url ?? undefined, twiml);
      if (live === undefined || !live.redirect(ref)) throw invalid(21220, `Call ${call.sid} is not in-progress. Cannot redirect.`);
    }
    return (await store.calls.get(call.sid, call.accountSid)) ?? call;
  }
}

/** `To` as the record shows it and as the dial plan routes it. */
function readTo(params: Params): { display: string; target: RouteTarget } {
  const to = one(params, 'To');
  if (to === undefined || to === '') throw invalid(21201, "No 'To' number is specified");
  if (/^sips?:/i.test(to)) {
    const username = one(params, 'SipAuthUsername');
    const password = one(params, 'SipAuthPassword');
    const credentials = username && password ? { username, password } : {};
    return { display: to, target: { kind: 'sip', address: to, ...credentials } };
  }
  if (to.startsWith('client:')) {
    const name = to.slice('client:'.length);
    if (!/^[A-Za-z0-9_.@-]{1,256}$/.test(name)) throw invalid(21211, `Invalid 'To' Phone Number: ${to}`);
    return { display: to, target: { kind: 'client', address: name } };
  }
  const number = /^[+\d][\d\s().-]*$/.test(to) ? normaliseE164(to) : undefined;
  if (number === undefined) throw invalid(21211, `Invalid 'To' Phone Number: ${to}`);
  return { display: number, target: { kind: 'number', address: number } };
}

/** Exactly one of Url, Twiml, ApplicationSid (Twilio's conditional), as the session's application. */
async function readApplication(
  store: Store,
  accountSid: string,
  params: Params,
): Promise<{ ref: ApplicationRef; statusCallback?: StatusCallbackConfig }> {
  const url = optionalUrl(params, 'Url', 21205) ?? undefined;
  const twiml = one(params, 'Twiml') || undefined;
  const applicationSid = one(params, 'ApplicationSid') || undefined;
  const given = [url, twiml, applicationSid].filter((v) => v !== undefined).length;
  if (given === 0) throw invalid(21205, 'A Url, Twiml or ApplicationSid parameter is required');
  if (given > 1) throw invalid(21205, 'Give only one of Url, Twiml and ApplicationSid');
  if (applicationSid !== undefined) {
    const application = await store.applications.get(accountSid, applicationSid);
    if (!application) throw invalid(21218, `Invalid ApplicationSid: ${applicationSid}`);
    if (!application.voiceUrl) throw invalid(21205, `Application ${applicationSid} has no VoiceUrl`);
    const ref: ApplicationRef = {
      url: application.voiceUrl,
      method: application.voiceMethod,
      fallbackUrl: application.voiceFallbackUrl,
      fallbackMethod: application.voiceFallbackMethod,
      dialect: application.dialect,
    };
    const statusCallback = application.statusCallback
      ? { url: application.statusCallback, method: application.statusCallbackMethod, events: parseStatusCallbackEvents(many(params, 'StatusCallbackEvent')).events }
      : undefined;
    return statusCallback ? { ref, statusCallback } : { ref };
  }
  return { ref: redirectRef(params, url, twiml) };
}

/** A document to run: a URL (Method, FallbackUrl) or inline TwiML. */
function redirectRef(params: Params, url: string | undefined, twiml: string | undefined): ApplicationRef {
  const fallbackUrl = optionalUrl(params, 'FallbackUrl', 21205) ?? null;
  const fallbackMethod = optionalMethod(params, 'FallbackMethod') ?? 'POST';
  if (twiml !== undefined && twiml !== '') {
    if (twiml.length > MAX_TWIML) throw invalidParameter('Twiml', `must be at most ${MAX_TWIML} characters`);
    // Relative URLs in inline TwiML have no document to resolve against; Twilio's answer is the same.
    return { url: 'about:blank', method: 'POST', twiml, fallbackUrl, fallbackMethod, dialect: 'twiml' };
  }
  return { url: url!, method: optionalMethod(params, 'Method') ?? 'POST', fallbackUrl, fallbackMethod, dialect: 'twiml' };
}

function readStatusCallback(params: Params): StatusCallbackConfig | undefined {
  const url = optionalUrl(params, 'StatusCallback', 21609);
  if (!url) return undefined;
  const { events, unknown } = parseStatusCallbackEvents(many(params, 'StatusCallbackEvent'));
  if (unknown.length > 0) throw invalidParameter('StatusCallbackEvent', `unknown event ${unknown.join(', ')}; use initiated, ringing, answered, completed`);
  return { url, method: optionalMethod(params, 'StatusCallbackMethod') ?? 'POST', events };
}

/** Whole seconds, at least 1; larger values are capped at `max` as Twilio does. */
function seconds(params: Params, name: string, fallback: number, max: number): number {
  const raw = one(params, name);
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw) || Number(raw) < 1) throw invalidParameter(name, `must be a whole number of seconds, not ${raw}`);
  return Math.min(Number(raw), max);
}

/**
 * A call this server cannot take now: over its call limit is Twilio's REST concurrency
 * refusal (429, 20429); media that cannot keep up is the server's own trouble (503, 20503).
 * Both say when to try again.
 */
function overCapacity(err: CapacityError): ApiError {
  const { refusal } = err;
  return refusal.reason === 'max-calls'
    ? new ApiError(429, 20429, `Too Many Requests: ${refusal.message}`, refusal.retryAfterSeconds)
    : new ApiError(503, 20503, `Service Unavailable: ${refusal.message}`, refusal.retryAfterSeconds);
}
