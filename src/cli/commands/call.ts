/**
 * `dialtone call TARGET`: a softphone in the terminal. It places one SIP call with our own
 * stack and media runtime, sends digits as RFC 4733 events once answered (`w` = 0.5 s,
 * `W` = 1 s of pause), records what it hears to a WAV file, hangs up after a while or
 * when the far end does, and prints the call's timeline: every SIP message sent and
 * received (from a trace on the transports), media start and stop with the RTP figures,
 * digits both ways, and the recording. `--json` prints the same as one JSON object.
 *
 * Exit codes (returned; only `main` exits): 0 the call was answered and ended cleanly
 * (the far end's BYE, or ours answered 2xx); 1 rejected, not answered, or failed; 2 a
 * usage mistake (thrown as `UsageError` by `parseCallOptions`).
 */
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { writeFile } from 'node:fs/promises';
import { isIP } from 'node:net';
import wavefile from 'wavefile';
import { MediaHost, type MediaLeg, type MediaLogger } from '../../media/host.js';
import type { LegStats, TransportAddress } from '../../media/protocol.js';
import { type Clock, systemClock } from '../../sip/clock.js';
import { uriDestination } from '../../sip/dialog/index.js';
import { type SipMessage, type SipResponse, getCallId, getCSeq, getTo, getTopVia, parseUri } from '../../sip/message/index.js';
import {
  type NegotiatedAudio,
  type SessionDescription,
  SdpError,
  acceptAnswer,
  createOffer,
  parseSdp,
  writeSdp,
} from '../../sip/sdp/index.js';
import { createSipStack, type SipStack } from '../../sip/index.js';
import {
  type Destination,
  type HostPort,
  type SipLogger,
  type TransportProtocol,
  formatHostPort,
} from '../../sip/transport/index.js';
import { InviteRejectedError, type InviteSession, type SessionEnd } from '../../sip/ua/index.js';
import { normaliseE164 } from '../../telephony/e164.js';
import { VERSION } from '../version.js';
import { UsageError } from './validate.js';

// ───────────────────────────── options ─────────────────────────────

/** One step of `--digits`: a digit to send, or a pause. */
export type DigitStep = { readonly kind: 'digit'; readonly digit: string } | { readonly kind: 'pause'; readonly ms: number };

export interface CallOptions {
  /** The Request-URI. */
  readonly target: string;
  /** Where the INVITE goes: `--server` when given (an outbound proxy), else from the URI. */
  readonly destination: Destination;
  /** Our number (or SIP URI) for the From header. */
  readonly from: string;
  readonly digits: readonly DigitStep[];
  /** WAV file to record what we hear to (8 kHz, 16-bit, mono). */
  readonly record?: string;
  /** Hang up this long after the answer; absent: wait for the far end's BYE. */
  readonly hangupAfterMs?: number;
  /** The whole call (ringing included) ends after this long whatever happens. */
  readonly timeoutMs: number;
  readonly json: boolean;
  /** Local address for SIP and RTP. */
  readonly bind: string;
  readonly transport: TransportProtocol;
}

/** The flags as commander hands them over (all strings). */
export interface CallFlags {
  readonly server?: string;
  readonly from?: string;
  readonly digits?: string;
  readonly record?: string;
  readonly hangupAfter?: string;
  readonly timeout?: string;
  readonly json?: boolean;
  readonly bind?: string;
  readonly transport?: string;
}

export const DEFAULT_SERVER = '127.0.0.1:5060';
export const DEFAULT_FROM = '+15550199';
const DEFAULT_TIMEOUT_S = 300;
const SHORT_PAUSE_MS = 500;
const LONG_PAUSE_MS = 1000;
const DIGIT_MS = 100;
const DIGIT_GAP_MS = 60;
/** Digits wait for the far end's media after the answer, at most this long. */
const DIGITS_SETTLE_MS = 1000;
/** The media worker caps one capture; longer recordings are taken in pieces. */
const CAPTURE_PIECE_MS = 100_000;
/** How long our BYE or CANCEL may take before we stop waiting. */
const END_WAIT_MS = 5000;
const RTP_TIMEOUT_MS = 5000;

/** `host`, `host:port`, `[v6]:port`. */
function parseHostPort(flag: string, text: string, defaultPort: number): HostPort {
  const bracket = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  let host: string;
  let port: string | undefined;
  if (bracket) {
    host = bracket[1] ?? '';
    port = bracket[2];
  } else if ((text.match(/:/g) ?? []).length === 1) {
    [host = '', port] = text.split(':');
  } else {
    host = text;
  }
  const n = port === undefined ? defaultPort : Number(port);
  if (host === '' || !Number.isInteger(n) || n < 1 || n > 65535) {
    throw new UsageError(`${flag} must be HOST or HOST:PORT, not "${text}"`);
  }
  return { host, port: n };
}

function seconds(flag: string, text: string): number {
  const s = Number(text);
  if (text.trim() === '' || !Number.isFinite(s) || s <= 0) throw new UsageError(`${flag} must be a number of seconds above 0, not "${text}"`);
  return Math.round(s * 1000);
}

/** `1w23#` → digits and pauses; `w` is half a second, `W` a second. */
export function parseDigits(text: string): DigitStep[] {
  const steps: DigitStep[] = [];
  for (const c of text) {
    if (c === 'w') steps.push({ kind: 'pause', ms: SHORT_PAUSE_MS });
    else if (c === 'W') steps.push({ kind: 'pause', ms: LONG_PAUSE_MS });
    else if (/^[0-9*#A-Da-d]$/.test(c)) steps.push({ kind: 'digit', digit: c.toUpperCase() });
    else if (c !== ' ' && c !== '-') {
      throw new UsageError(`--digits takes 0-9, *, #, A-D, w (half a second) and W (a second); not "${c}"`);
    }
  }
  return steps;
}

/** Checks the flags and works out where the call goes; throws `UsageError`. */
export function parseCallOptions(target: string, flags: CallFlags): CallOptions {
  const transportName = (flags.transport ?? 'udp').toLowerCase();
  if (transportName !== 'udp' && transportName !== 'tcp') throw new UsageError(`--transport must be udp or tcp, not "${flags.transport}"`);
  const transport: TransportProtocol = transportName === 'udp' ? 'UDP' : 'TCP';
  const server = parseHostPort('--server', flags.server ?? DEFAULT_SERVER, 5060);
  const bind = flags.bind ?? '127.0.0.1';
  if (isIP(bind) === 0) throw new UsageError(`--bind must be an IP address, not "${bind}"`);

  let uri: string;
  const trimmed = target.trim();
  if (/^sips:/i.test(trimmed)) throw new UsageError('sips: (SIP over TLS) is not supported by dialtone call yet');
  if (/^sip:/i.test(trimmed) || /^[^@\s]+@[^@\s]+$/.test(trimmed)) {
    uri = /^sip:/i.test(trimmed) ? trimmed : `sip:${trimmed}`;
    const parsed = parseUri(uri);
    if (parsed === undefined || parsed.kind !== 'sip') throw new UsageError(`"${target}" is not a SIP URI`);
  } else {
    // A number: E.164 with its +, or digits as typed (an extension, a short code).
    const compact = trimmed.replace(/[\s().-]/g, '');
    const number = compact.startsWith('+') ? normaliseE164(compact) : /^[0-9*#]+$/.test(compact) ? compact : undefined;
    if (number === undefined) throw new UsageError(`TARGET must be a phone number (like +15550100) or a SIP URI (sip:alice@host:port), not "${target}"`);
    uri = `sip:${number}@${formatHostPort(server)}`;
  }
  let destination: Destination;
  if (flags.server !== undefined) destination = { host: server.host, port: server.port, transport };
  else {
    destination = uriDestination(uri, transport);
    if (destination.transport !== transport) {
      throw new UsageError(`${uri} asks for ${destination.transport}; add --transport ${destination.transport.toLowerCase()}`);
    }
  }

  const from = flags.from ?? DEFAULT_FROM;
  if (/^sips?:/i.test(from)) {
    const parsed = parseUri(from);
    if (parsed === undefined || parsed.kind !== 'sip') throw new UsageError(`--from "${from}" is not a SIP URI`);
  } else if (!/^\+?[0-9*#]+$/.test(from.replace(/[\s().-]/g, ''))) {
    throw new UsageError(`--from must be a number (like ${DEFAULT_FROM}) or a SIP URI, not "${from}"`);
  }

  return {
    target: uri,
    destination,
    from: /^sips?:/i.test(from) ? from : from.replace(/[\s().-]/g, ''),
    digits: parseDigits(flags.digits ?? ''),
    ...(flags.record === undefined ? {} : { record: flags.record }),
    ...(flags.hangupAfter === undefined ? {} : { hangupAfterMs: seconds('--hangup-after', flags.hangupAfter) }),
    timeoutMs: flags.timeout === undefined ? DEFAULT_TIMEOUT_S * 1000 : seconds('--timeout', flags.timeout),
    json: flags.json === true,
    bind,
    transport,
  };
}

// ───────────────────────────── timeline ─────────────────────────────

interface EntryBase {
  /** Since the INVITE went, ms. */
  readonly atMs: number;
  /** The line as printed (without the time). */
  readonly text: string;
}

export type CallTimelineEntry =
  | (EntryBase & {
      readonly type: 'sip';
      readonly direction: 'sent' | 'received';
      readonly method?: string;
      readonly uri?: string;
      readonly status?: number;
      readonly reason?: string;
      /** `1 INVITE`. */
      readonly cseq?: string;
      /** Where it went or came from (`host:port`). */
      readonly peer: string;
      readonly retransmission?: true;
      /** For a 2xx to our INVITE: what the answer agreed. */
      readonly media?: { readonly codec: string; readonly telephoneEvent: number | null; readonly remote: string };
    })
  | (EntryBase & { readonly type: 'media'; readonly event: 'started'; readonly remote: string; readonly latched: boolean })
  | (EntryBase & { readonly type: 'media'; readonly event: 'timeout'; readonly silentMs: number })
  | (EntryBase & { readonly type: 'media'; readonly event: 'stopped'; readonly stats: LegStats | null })
  | (EntryBase & { readonly type: 'dtmf'; readonly direction: 'sent' | 'received'; readonly digit: string; readonly source?: string; readonly durationMs?: number })
  | (EntryBase & { readonly type: 'recording'; readonly path: string; readonly durationMs: number })
  | (EntryBase & { readonly type: 'note'; readonly level: 'info' | 'error' });

/** Distributes Omit over the entry union. */
type Unstamped<T> = T extends CallTimelineEntry ? Omit<T, 'atMs'> : never;

class Timeline {
  readonly entries: CallTimelineEntry[] = [];
  readonly #clock: Clock;
  readonly #print: ((line: string) => void) | undefined;
  #start: number;

  constructor(clock: Clock, print: ((line: string) => void) | undefined) {
    this.#clock = clock;
    this.#print = print;
    this.#start = clock.now();
  }

  /** Time zero: the INVITE. */
  restart(): void {
    this.#start = this.#clock.now();
  }

  now(): number {
    return Math.round(this.#clock.now() - this.#start);
  }

  add(entry: Unstamped<CallTimelineEntry>): void {
    const stamped = { atMs: this.now(), ...entry } as CallTimelineEntry;
    this.entries.push(stamped);
    this.#print?.(formatEntry(stamped));
  }

  note(text: string, level: 'info' | 'error' = 'info'): void {
    this.add({ type: 'note', level, text });
  }
}

export function formatEntry(entry: CallTimelineEntry): string {
  return `${`+${entry.atMs}ms`.padEnd(9)} ${entry.text}`;
}


/** The local address that routes toward `host` (for SDP and Contact when bound to any address). */
async function addressToward(host: string, port: number): Promise<string | undefined> {
  const family = isIP(host) === 6 ? 'udp6' : 'udp4';
  const socket = createSocket(family);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.connect(port, host, () => resolve());
    });
    return socket.address().address;
  } catch {
    return undefined;
  } finally {
    socket.close();
  }
}

// ───────────────────────────── describing ─────────────────────────────

function describeNegotiated(selected: NegotiatedAudio): string {
  const te = selected.telephoneEvent === undefined ? 'no telephone-event' : `telephone-event ${selected.telephoneEvent}`;
  return `${selected.codec}/${selected.clockRate}, ${te}`;
}

function negotiate(offer: SessionDescription, answerText: string | undefined): { ok: true; selected: NegotiatedAudio } | { ok: false; detail: string } {
  if (answerText === undefined || answerText.trim() === '') return { ok: false, detail: 'the answer carries no SDP' };
  const answer = parseSdp(answerText);
  if (answer instanceof SdpError) return { ok: false, detail: `unreadable SDP in the answer: ${answer.message}` };
  const accepted = acceptAnswer(offer, answer);
  return accepted.ok ? { ok: true, selected: accepted.selected } : { ok: false, detail: accepted.detail };
}

function bodyText(body: Uint8Array): string | undefined {
  return body.byteLength === 0 ? undefined : Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString('utf8');
}

/** Recognises messages seen before: the same object sent again, or the same response or request received again. */
class RetransmissionFilter {
  readonly #sent = new WeakSet<SipMessage>();
  readonly #received = new Set<string>();

  sent(message: SipMessage): boolean {
    if (this.#sent.has(message)) return true;
    this.#sent.add(message);
    return false;
  }

  received(message: SipMessage): boolean {
    const cseq = getCSeq(message);
    const key =
      message.kind === 'request'
        ? `q ${message.method} ${getTopVia(message)?.branch ?? ''} ${cseq?.seq ?? ''}`
        : `s ${message.status} ${getCallId(message) ?? ''} ${cseq?.seq ?? ''} ${cseq?.method ?? ''} ${getTo(message)?.tag ?? ''}`;
    if (this.#received.has(key)) return true;
    this.#received.add(key);
    return false;
  }
}

// ───────────────────────────── the call ─────────────────────────────

export interface CallIo {
  readonly stdout: (line: string) => void;
  readonly stderr: (line: string) => void;
  /** Aborting hangs up: CANCEL before the answer, BYE after (Ctrl-C). */
  readonly signal?: AbortSignal;
}

/** What `--json` prints. */
export interface CallReport {
  readonly target: string;
  readonly from: string;
  readonly callId: string | null;
  readonly answered: boolean;
  /** The final response to the INVITE; null when none came. */
  readonly status: number | null;
  readonly reason: string | null;
  /** INVITE → answer, ms; null when not answered. */
  readonly setupMs: number | null;
  /** Answer → end, ms; 0 when not answered. */
  readonly durationMs: number;
  /** Who ended an answered call and how. */
  readonly ended: { readonly by: 'local' | 'remote' | 'error'; readonly reason: string } | null;
  /** The agreed codec, e.g. `PCMU/8000`. */
  readonly codec: string | null;
  readonly telephoneEvent: number | null;
  readonly digitsSent: string;
  readonly digitsReceived: string;
  readonly timeline: readonly CallTimelineEntry[];
  readonly media: LegStats | null;
  readonly recording: { readonly path: string; readonly durationMs: number } | null;
  readonly error: string | null;
  readonly exitCode: 0 | 1;
}

type Ending =
  | { readonly kind: 'remote'; readonly end: SessionEnd }
  | { readonly kind: 'hangup-after' }
  | { readonly kind: 'interrupted' }
  | { readonly kind: 'timeout' };

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done(): void {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    }
    signal?.addEventListener('abort', done, { once: true });
  });
}

/** `promise`, or `undefined` once `ms` have passed. */
function bounded<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** Places the call described by `options`; resolves with the exit code (0 or 1). */
export async function runCall(options: CallOptions, io: CallIo): Promise<number> {
  const call = new CallRun(options, io);
  return call.run();
}

class CallRun {
  readonly #options: CallOptions;
  readonly #io: CallIo;
  readonly #timeline: Timeline;
  readonly #retransmissions = new RetransmissionFilter();
  /** Ends the call's waits: abort (Ctrl-C), the safety timeout, or the call's end. */
  readonly #stop = new AbortController();
  #host: MediaHost | undefined;
  #leg: MediaLeg | undefined;
  #stack: SipStack | undefined;
  #offer: SessionDescription | undefined;
  #callId: string | null = null;
  #status: number | null = null;
  #reason: string | null = null;
  #answeredAt: number | undefined;
  #endedAt: number | undefined;
  #selected: NegotiatedAudio | undefined;
  #ended: CallReport['ended'] = null;
  #stats: LegStats | null = null;
  #recording: CallReport['recording'] = null;
  #pieces: Int16Array[] = [];
  #capturing = false;
  #error: string | null = null;
  #digitsSent = '';
  #digitsReceived = '';
  #timedOut = false;
  /** Capture stops and restarts, one at a time. */
  #captureOps: Promise<void> = Promise.resolve();
  #mediaStarted = false;
  /** The safety timeout, armed when the INVITE goes. */
  #safety: NodeJS.Timeout | undefined;

  constructor(options: CallOptions, io: CallIo) {
    this.#options = options;
    this.#io = io;
    this.#timeline = new Timeline(systemClock, options.json ? undefined : io.stdout);
  }

  async run(): Promise<number> {
    const onAbort = (): void => this.#stop.abort();
    if (this.#io.signal?.aborted) onAbort();
    this.#io.signal?.addEventListener('abort', onAbort, { once: true });
    let code: 0 | 1 = 1;
    try {
      code = await this.#call();
    } catch (err) {
      this.#error = errorText(err);
      this.#timeline.note(`error: ${this.#error}`, 'error');
      code = 1;
    } finally {
      clearTimeout(this.#safety);
      this.#io.signal?.removeEventListener('abort', onAbort);
      await this.#cleanup();
    }
    if (code === 0 && this.#error !== null) code = 1;
    this.#report(code);
    return code;
  }

  async #call(): Promise<0 | 1> {
    const o = this.#options;
    const mediaLogger: MediaLogger = {
      warn: (_details, message) => this.#io.stderr(`dialtone: media: ${message}`),
      error: (_details, message) => this.#io.stderr(`dialtone: media: ${message}`),
    };
    const sipLogger: SipLogger = {
      debug: () => undefined,
      info: () => undefined,
      warn: (details: unknown, message?: string) => this.#io.stderr(`dialtone: sip: ${message ?? String(details)}`),
      error: (details: unknown, message?: string) => this.#io.stderr(`dialtone: sip: ${message ?? String(details)}`),
    };

    const anyAddress = o.bind === '0.0.0.0' || o.bind === '::';
    const advertised = anyAddress ? ((await addressToward(o.destination.host, o.destination.port)) ?? undefined) : undefined;
    const sdpAddress = advertised ?? o.bind;
    if (anyAddress && advertised === undefined) throw new Error(`no local address routes toward ${o.destination.host}`);

    this.#host = await MediaHost.start({ workers: 1, bindAddress: o.bind, respawn: false, logger: mediaLogger });
    const leg = await this.#host.createLeg({ codec: 'PCMU', symmetricRtp: true, rtpTimeoutMs: RTP_TIMEOUT_MS });
    this.#leg = leg;
    this.#watchMedia(leg);

    this.#stack = await createSipStack({
      bindAddress: o.bind,
      udpPort: o.transport === 'UDP' ? 0 : false,
      tcpPort: o.transport === 'TCP' ? 0 : false,
      ...(advertised === undefined ? {} : { advertisedHost: advertised }),
      logger: sipLogger,
      userAgent: { userAgent: `Dialtone/${VERSION} (dialtone call)` },
      trace: (direction, message, peer) => this.#trace(direction, message, peer),
    });

    const offer = createOffer({
      address: sdpAddress,
      port: leg.localPort,
      codecs: ['PCMU', 'PCMA'],
      telephoneEvent: { payloadType: 101 },
      sessionId: String(randomInt(1, 2 ** 47)),
      username: 'dialtone',
    });
    this.#offer = offer;
    const from = /^sips?:/i.test(o.from) ? o.from : `sip:${o.from}@${advertised ?? o.bind}`;

    this.#timeline.restart();
    this.#safety = setTimeout(() => {
      this.#timedOut = true;
      this.#stop.abort();
    }, o.timeoutMs);
    const invite = this.#stack.ua.invite(o.target, { from, body: writeSdp(offer), destination: o.destination });
    this.#callId = invite.callId;

    // Ringing: until the answer, a final refusal, Ctrl-C or the safety timeout.
    const stopped = new Promise<'stopped'>((resolve) => {
      if (this.#stop.signal.aborted) resolve('stopped');
      this.#stop.signal.addEventListener('abort', () => resolve('stopped'), { once: true });
    });
    const outcome = await Promise.race([invite.session.then((s) => ({ session: s }), (err: unknown) => ({ err })), stopped]);
    if (outcome === 'stopped') {
      this.#timeline.note(this.#timedOut ? `no answer within ${o.timeoutMs / 1000} s: cancelling` : 'interrupted: cancelling');
      // CANCEL needs a provisional response first (RFC 3261 §9.1): with none, there is nothing to wait for.
      if (invite.state === 'proceeding') {
        void invite.cancel();
        const late = await bounded(
          invite.session.then((s) => ({ session: s }), (err: unknown) => ({ err })),
          END_WAIT_MS,
        );
        if (late !== undefined && 'session' in late) await bounded(late.session.bye(), END_WAIT_MS); // the answer crossed our CANCEL
      }
      this.#error = this.#timedOut ? 'no answer' : 'cancelled';
      return 1;
    }
    if ('err' in outcome) {
      if (outcome.err instanceof InviteRejectedError) {
        this.#status = outcome.err.status;
        this.#reason = outcome.err.reason;
        this.#error = `${outcome.err.status} ${outcome.err.reason}`;
      } else {
        this.#error = errorText(outcome.err);
        this.#timeline.note(`call failed: ${this.#error}`, 'error');
      }
      return 1;
    }
    return this.#talk(outcome.session, leg);
  }

  /** The call is up: media, digits, recording, until one side hangs up. */
  async #talk(session: InviteSession, leg: MediaLeg): Promise<0 | 1> {
    const o = this.#options;
    this.#answeredAt ??= this.#timeline.now();
    this.#status ??= 200;
    const ended = new Promise<Ending>((resolve) => {
      session.once('ended', (end) => resolve({ kind: 'remote', end }));
    });
    const negotiated = negotiate(this.#offer!, session.remoteSdp);
    if (!negotiated.ok) {
      this.#timeline.note(`media not agreed: ${negotiated.detail}; hanging up`, 'error');
      this.#error = `media not agreed: ${negotiated.detail}`;
      await this.#hangup(session);
      return 1;
    }
    this.#selected = negotiated.selected;
    // Capture first: what the far end sends from its answer on is heard (and kept) at once.
    if (o.record !== undefined) {
      await leg.captureStart(CAPTURE_PIECE_MS + 20_000);
      this.#capturing = true;
    }
    await this.#applyRemote(leg, negotiated.selected);
    session.on('modified', (change) => {
      if (change.by !== 'remote') return;
      const again = negotiate(this.#offer!, change.remoteSdp);
      if (!again.ok) {
        this.#timeline.note(`re-INVITE: media not usable (${again.detail})`, 'error');
        return;
      }
      this.#selected = again.selected;
      const held = again.selected.direction === 'recvonly' || again.selected.direction === 'inactive';
      this.#timeline.note(`media changed: ${formatHostPort({ host: again.selected.remote.address, port: again.selected.remote.port })}, ${again.selected.direction}${held ? ' (we are on hold)' : ''}`);
      this.#applyRemote(leg, again.selected).catch((err: unknown) => this.#timeline.note(`media update failed: ${errorText(err)}`, 'error'));
    });
    session.on('dtmf', (dtmf) => {
      leg.injectDigit(dtmf.digit, dtmf.durationMs).catch(() => undefined);
    });

    const talking = new AbortController();
    const digits = this.#sendDigits(leg, talking.signal).catch((err: unknown) => {
      if (!talking.signal.aborted) this.#timeline.note(`digits failed: ${errorText(err)}`, 'error');
    });
    const rotation = o.record === undefined ? undefined : setInterval(() => void this.#rotateCapture(leg), CAPTURE_PIECE_MS);

    const waits: Promise<Ending>[] = [
      ended,
      new Promise<Ending>((resolve) => {
        const fire = (): void => resolve(this.#timedOut ? { kind: 'timeout' } : { kind: 'interrupted' });
        if (this.#stop.signal.aborted) fire();
        else this.#stop.signal.addEventListener('abort', fire, { once: true });
      }),
    ];
    let hangupTimer: NodeJS.Timeout | undefined;
    if (o.hangupAfterMs !== undefined) {
      const after = o.hangupAfterMs;
      waits.push(new Promise<Ending>((resolve) => (hangupTimer = setTimeout(() => resolve({ kind: 'hangup-after' }), after))));
    }
    const ending = await Promise.race(waits);
    clearTimeout(hangupTimer);
    if (rotation !== undefined) clearInterval(rotation);
    talking.abort();
    await this.#stopCapture(leg);

    let code: 0 | 1 = 0;
    if (ending.kind === 'remote') {
      const reason = ending.end.reason;
      this.#endedAt = this.#timeline.now();
      const by = reason === 'remote-bye' ? 'remote' : reason === 'local-bye' ? 'local' : 'error';
      this.#ended = { by, reason };
      if (reason !== 'remote-bye' && reason !== 'local-bye') {
        this.#error = `the session ended: ${reason}`;
        this.#timeline.note(`session ended: ${reason}`, 'error');
        code = 1;
      }
    } else {
      if (ending.kind === 'timeout') {
        this.#timeline.note(`no BYE within ${o.timeoutMs / 1000} s: hanging up`, 'error');
        this.#error = 'safety timeout';
        code = 1;
      } else if (ending.kind === 'interrupted') {
        this.#timeline.note('interrupted: hanging up');
      }
      this.#endedAt = this.#timeline.now();
      const response = await this.#hangup(session);
      const reason = ending.kind === 'hangup-after' ? 'hangup-after' : ending.kind;
      this.#ended = { by: 'local', reason };
      if (response === undefined || response.status >= 300) {
        this.#error ??= response === undefined ? 'no answer to our BYE' : `BYE answered ${response.status} ${response.reason}`;
        code = 1;
      }
    }
    await bounded(digits, 1000);
    return code;
  }

  async #applyRemote(leg: MediaLeg, selected: NegotiatedAudio): Promise<void> {
    await leg.setRemote(
      {
        address: selected.remote.address,
        port: selected.remote.port,
        ...(selected.remoteRtcp === undefined ? {} : { rtcpPort: selected.remoteRtcp.port }),
      },
      { codec: selected.codec, telephoneEventPt: selected.telephoneEvent ?? null },
    );
    await leg.setHold(selected.direction === 'recvonly' || selected.direction === 'inactive');
  }

  /** BYE, bounded; `undefined` when no final response came in time. */
  async #hangup(session: InviteSession): Promise<SipResponse | undefined> {
    return bounded(session.bye(), END_WAIT_MS);
  }

  async #sendDigits(leg: MediaLeg, signal: AbortSignal): Promise<void> {
    const steps = this.#options.digits;
    if (steps.length === 0) return;
    // Let the far end's media come up first (at most DIGITS_SETTLE_MS).
    if (!this.#mediaStarted) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, DIGITS_SETTLE_MS);
        const onStart = (): void => done();
        function done(): void {
          clearTimeout(timer);
          leg.off('rtpstarted', onStart);
          signal.removeEventListener('abort', done);
          resolve();
        }
        leg.on('rtpstarted', onStart);
        signal.addEventListener('abort', done, { once: true });
      });
    }
    const inband = this.#selected?.telephoneEvent === undefined;
    for (const step of steps) {
      if (signal.aborted) return;
      if (step.kind === 'pause') {
        await delay(step.ms, signal);
        continue;
      }
      const sent = new Promise<void>((resolve) => {
        const done = (): void => {
          leg.off('digitssent', done);
          leg.off('close', done);
          signal.removeEventListener('abort', done);
          resolve();
        };
        leg.on('digitssent', done);
        leg.on('close', done);
        signal.addEventListener('abort', done, { once: true });
      });
      this.#timeline.add({
        type: 'dtmf',
        direction: 'sent',
        digit: step.digit,
        source: inband ? 'inband' : 'rfc4733',
        durationMs: DIGIT_MS,
        text: `→ DTMF ${step.digit}${inband ? ' (in-band tones: no telephone-event agreed)' : ''}`,
      });
      this.#digitsSent += step.digit;
      await leg.sendDigits(step.digit, { durationMs: DIGIT_MS, gapMs: DIGIT_GAP_MS });
      await sent;
    }
  }

  #watchMedia(leg: MediaLeg): void {
    let lastSource: string | undefined;
    leg.on('rtpstarted', (remote: TransportAddress, latched: boolean) => {
      this.#mediaStarted = true;
      const from = formatHostPort({ host: remote.address, port: remote.port });
      // Symmetric RTP may latch again once the answer's address is set: report a change only.
      if (from === lastSource) return;
      const text = lastSource === undefined ? `media started from ${from}` : `media now from ${from}`;
      lastSource = from;
      this.#timeline.add({ type: 'media', event: 'started', remote: from, latched, text });
    });
    leg.on('rtptimeout', (silentMs: number) => {
      if (this.#answeredAt === undefined) return; // counted from the leg's creation: ringing is not silence
      this.#timeline.add({ type: 'media', event: 'timeout', silentMs, text: `media: no RTP for ${(silentMs / 1000).toFixed(1)} s` });
    });
    leg.on('digit', (d) => {
      this.#digitsReceived += d.digit;
      this.#timeline.add({
        type: 'dtmf',
        direction: 'received',
        digit: d.digit,
        source: d.source,
        durationMs: d.durationMs,
        text: `← DTMF ${d.digit} (${d.source}, ${d.durationMs} ms)`,
      });
    });
    leg.on('error', (err) => this.#timeline.note(`media error: ${err.message}`, 'error'));
  }

  #rotateCapture(leg: MediaLeg): Promise<void> {
    this.#captureOps = this.#captureOps.then(async () => {
      if (!this.#capturing) return;
      try {
        // Back to back, so that the worker handles both before its next tick.
        const stopped = leg.captureStop();
        const restarted = leg.captureStart(CAPTURE_PIECE_MS + 20_000);
        this.#pieces.push(await stopped);
        await restarted;
      } catch (err) {
        this.#capturing = false;
        this.#timeline.note(`recording interrupted: ${errorText(err)}`, 'error');
      }
    });
    return this.#captureOps;
  }

  #stopCapture(leg: MediaLeg): Promise<void> {
    this.#captureOps = this.#captureOps.then(async () => {
      if (!this.#capturing) return;
      this.#capturing = false;
      try {
        this.#pieces.push(await leg.captureStop());
      } catch (err) {
        this.#timeline.note(`recording incomplete: ${errorText(err)}`, 'error');
      }
    });
    return this.#captureOps;
  }

  #trace(direction: 'sent' | 'received', message: SipMessage, peer: HostPort): void {
    const retransmission = direction === 'sent' ? this.#retransmissions.sent(message) : this.#retransmissions.received(message);
    const arrow = direction === 'sent' ? '→' : '←';
    const cseq = getCSeq(message);
    const common = {
      type: 'sip' as const,
      direction,
      ...(cseq === undefined ? {} : { cseq: `${cseq.seq} ${cseq.method}` }),
      peer: formatHostPort(peer),
      ...(retransmission ? { retransmission: true as const } : {}),
    };
    const again = retransmission ? ' (retransmission)' : '';
    if (message.kind === 'request') {
      const text = message.method === 'INVITE' ? `${arrow} INVITE ${message.uri}` : `${arrow} ${message.method}`;
      this.#timeline.add({ ...common, method: message.method, uri: message.uri, text: `${text}${again}` });
      return;
    }
    const res = message;
    const forInvite = cseq?.method === 'INVITE';
    let detail = forInvite ? '' : cseq === undefined ? '' : ` (${cseq.method})`;
    let media: { codec: string; telephoneEvent: number | null; remote: string } | undefined;
    if (forInvite && res.status >= 200 && res.status < 300 && this.#offer !== undefined && !retransmission) {
      const n = negotiate(this.#offer, bodyText(res.body));
      if (n.ok) {
        detail = ` (${describeNegotiated(n.selected)})`;
        media = {
          codec: `${n.selected.codec}/${n.selected.clockRate}`,
          telephoneEvent: n.selected.telephoneEvent ?? null,
          remote: formatHostPort({ host: n.selected.remote.address, port: n.selected.remote.port }),
        };
      } else detail = ` (${n.detail})`;
      if (this.#answeredAt === undefined && getCallId(res) === this.#callId) {
        this.#answeredAt = this.#timeline.now();
        this.#status = res.status;
        this.#reason = res.reason;
      }
    } else if (forInvite && res.status >= 300 && getCallId(res) === this.#callId) {
      this.#status = res.status;
      this.#reason = res.reason;
    }
    this.#timeline.add({
      ...common,
      status: res.status,
      reason: res.reason,
      ...(media === undefined ? {} : { media }),
      text: `${arrow} ${res.status} ${res.reason}${detail}${again}`,
    });
  }

  async #cleanup(): Promise<void> {
    const leg = this.#leg;
    if (leg !== undefined) {
      try {
        this.#stats = await leg.close();
      } catch (err) {
        this.#timeline.note(`media close failed: ${errorText(err)}`, 'error');
      }
      if (this.#answeredAt !== undefined) {
        const s = this.#stats;
        const text =
          s === null
            ? 'media stopped'
            : `media stopped: ${s.packetsReceived} packets in, ${s.packetsLost} lost, jitter ${s.jitterMs.toFixed(1)} ms; ${s.packetsSent} packets out`;
        this.#timeline.add({ type: 'media', event: 'stopped', stats: s, text });
      }
    }
    if (this.#options.record !== undefined && this.#answeredAt !== undefined) await this.#writeRecording(this.#options.record);
    try {
      await this.#stack?.close();
    } catch (err) {
      this.#io.stderr(`dialtone: closing SIP: ${errorText(err)}`);
    }
    try {
      await this.#host?.close();
    } catch (err) {
      this.#io.stderr(`dialtone: closing media: ${errorText(err)}`);
    }
  }

  async #writeRecording(path: string): Promise<void> {
    const total = this.#pieces.reduce((n, p) => n + p.length, 0);
    const samples = new Int16Array(total);
    let at = 0;
    for (const p of this.#pieces) {
      samples.set(p, at);
      at += p.length;
    }
    const wav = new wavefile.WaveFile();
    wav.fromScratch(1, 8000, '16', samples);
    try {
      await writeFile(path, wav.toBuffer());
      const durationMs = Math.round(total / 8);
      this.#recording = { path, durationMs };
      this.#timeline.add({ type: 'recording', path, durationMs, text: `recorded ${(durationMs / 1000).toFixed(2)} s to ${path}` });
    } catch (err) {
      this.#error ??= `cannot write ${path}: ${errorText(err)}`;
      this.#timeline.note(`cannot write the recording: ${errorText(err)}`, 'error');
    }
  }

  #report(code: 0 | 1): void {
    const answered = this.#answeredAt !== undefined;
    const durationMs = answered ? Math.max(0, (this.#endedAt ?? this.#timeline.now()) - this.#answeredAt!) : 0;
    if (this.#options.json) {
      const report: CallReport = {
        target: this.#options.target,
        from: this.#options.from,
        callId: this.#callId,
        answered,
        status: this.#status,
        reason: this.#reason,
        setupMs: this.#answeredAt ?? null,
        durationMs,
        ended: this.#ended,
        codec: this.#selected === undefined ? null : `${this.#selected.codec}/${this.#selected.clockRate}`,
        telephoneEvent: this.#selected?.telephoneEvent ?? null,
        digitsSent: this.#digitsSent,
        digitsReceived: this.#digitsReceived,
        timeline: this.#timeline.entries,
        media: answered ? this.#stats : null,
        recording: this.#recording,
        error: this.#error,
        exitCode: code,
      };
      this.#io.stdout(JSON.stringify(report));
      return;
    }
    if (answered) {
      const by = this.#ended?.by === 'remote' ? 'the far end hung up' : this.#ended?.by === 'local' ? 'we hung up' : 'the call failed';
      const line = `call ${code === 0 ? 'ended' : 'failed'}: answered after ${this.#answeredAt} ms, lasted ${(durationMs / 1000).toFixed(2)} s, ${by}${this.#error === null ? '' : ` (${this.#error})`}`;
      this.#io.stdout(line);
    } else {
      const what = this.#status !== null && this.#status >= 300 ? `${this.#status} ${this.#reason ?? ''}`.trim() : (this.#error ?? 'no answer');
      this.#io.stdout(`call not answered: ${what}`);
    }
  }
}
