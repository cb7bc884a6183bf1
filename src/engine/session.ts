/**
 * CallSession: runs a number's application on one call. It asks the application what
 * to do, reads the document, runs its verbs in order on the CallLeg, and follows
 * actions and redirects until the call ends. Failures go to the fallback URL with
 * ErrorCode and ErrorUrl; without one, the caller hears an apology (in development
 * mode, the actual reason) and the call ends. The end of a document hangs up (SEM-D4).
 */
import { readDocument, type ApifonicaVerb, type TwimlVerb, type XmlIssue } from '../xml/index.js';
import { CallEndedError, type CallLeg } from './call-leg.js';
import { interruptibleLeg } from './interruptible-leg.js';
import type { MessageOutbox } from './message-outbox.js';
import type { MessageQueue } from './message-queue.js';
import { callParams, type CallFacts, type CallStatusParam } from './params.js';
import type { CallRecordings } from './recordings.js';
import { PendingDocument } from './pending-document.js';
import type { Timeline } from './timeline.js';
import { resolveAgainst, type FetchRequest, type Notification, type VerbContext, type VerbOutcome } from './verb-context.js';
import { APIFONICA_VERBS } from './verbs/apifonica/index.js';
import { TWIML_VERBS } from './verbs/index.js';
import type { WebhookClient, WebhookResponse } from './webhook/client.js';
import { CookieJar } from './webhook/cookies.js';
import type { SpeechRecognizer } from '../speech/index.js';
import { WebhookError } from './webhook/errors.js';

export interface ApplicationRef {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly fallbackUrl?: string | null;
  readonly fallbackMethod?: 'GET' | 'POST';
  readonly dialect: 'twiml' | 'apifonica';
  /** The first document itself (the REST API's `Twiml`): run instead of fetching `url`, which relative URLs in it resolve against. */
  readonly twiml?: string;
  /** Parameters the first request adds to the call's (a `<Sip url>` whisper's SipCallId). */
  readonly params?: Readonly<Record<string, string>>;
}

export interface SessionDeps {
  readonly leg: CallLeg;
  readonly webhooks: WebhookClient;
  readonly timeline: Timeline;
  readonly authToken: string;
  /** Development mode tells the caller why the application failed. */
  readonly mode: 'development' | 'production';
  /** Where `<Record>` keeps its recordings; without it, recording verbs fail. */
  readonly recordings?: CallRecordings;
  /** What transcribes speech input; none: Gather listens for keys only. */
  readonly speech?: SpeechRecognizer;
  /** Where messages sent during the call are queued (Apifonica's sendMessage). */
  readonly messages?: MessageOutbox;
  /** Where the call's stream status callbacks are queued (the durable outbox); none sends none. */
  readonly callbacks?: MessageQueue;
  /**
   * What the end of the last document does: hang up (SEM-D4, the default), or leave the
   * call up for whoever runs the session (a whisper's end bridges the callee, SEM-X6).
   */
  readonly endOfDocument?: 'hangup' | 'keep-call';
}

type Dialect = ApplicationRef['dialect'];
type DocumentVerb = TwimlVerb | ApifonicaVerb;
type VerbHandler = (verb: DocumentVerb, ctx: VerbContext) => Promise<VerbOutcome>;

/** The verbs of each dialect, by name: the engine is the same, the dialect is data. */
const VERBS: Readonly<Record<Dialect, Readonly<Record<string, VerbHandler | undefined>>>> = {
  twiml: TWIML_VERBS as Readonly<Record<string, VerbHandler | undefined>>,
  apifonica: APIFONICA_VERBS as Readonly<Record<string, VerbHandler | undefined>>,
};

/** Verbs that only move to another document: a chain of them is a redirect loop. */
const REDIRECTS: ReadonlySet<string> = new Set(['Redirect', 'redirect']);

/** A document read and ready to run. */
interface Loaded {
  readonly dialect: Dialect;
  readonly verbs: readonly DocumentVerb[];
  readonly url: string;
}

/** How a document ended: a verb's outcome, or a document that arrived meanwhile and took over. */
type DocumentOutcome = VerbOutcome | { readonly type: 'replace'; readonly document: Loaded };

/** Documents fetched in a row with no verb that touched the call: a redirect loop. */
const MAX_IDLE_DOCUMENTS = 25;

export const APOLOGY = "We're sorry, an application error has occurred. Goodbye.";

interface Fetch {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly params?: Readonly<Record<string, string>>;
  readonly final?: boolean;
  /** The document itself, not fetched. */
  readonly twiml?: string;
}

/** A failure of one document, with Twilio's code and the sentence a developer needs. */
class DocumentError extends Error {
  constructor(
    readonly code: number,
    readonly url: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

export class CallSession {
  readonly #deps: SessionDeps;
  readonly #call: CallFacts;
  readonly #app: ApplicationRef;
  readonly #cookies = new CookieJar();
  #firstVerb = true;
  /** The call ended and the application is told after the fact (SEM-R6). */
  #over = false;
  /** The leg ended: a callback of a fork that outlives the document (closed with the media) tells so. */
  #ended = false;

  constructor(deps: SessionDeps, call: CallFacts, app: ApplicationRef) {
    this.#deps = deps;
    this.#call = call;
    this.#app = app;
    void deps.leg.ended.then(() => (this.#ended = true));
  }

  /** Runs until the call ends; never rejects. */
  async run(): Promise<void> {
    const { leg, timeline } = this.#deps;
    try {
      let next: Fetch | Loaded | undefined = {
        url: this.#app.url,
        method: this.#app.method,
        ...(this.#app.twiml === undefined ? {} : { twiml: this.#app.twiml }),
        ...(this.#app.params === undefined ? {} : { params: this.#app.params }),
      };
      let idle = 0;
      // A verb that returns a fetch after the caller left (Dial, Record) still has its action requested, and nothing it answers runs (SEM-R6, SEM-X4).
      let legEnded = false;
      void leg.ended.then(() => (legEnded = true));
      while (next !== undefined) {
        if (!('verbs' in next) && next.final) {
          await this.#requestAfterEnd(next);
          return;
        }
        const document: Loaded | undefined = 'verbs' in next ? next : await this.#load(next);
        if (document === undefined) return;
        const { outcome, touched } = await this.#runDocument(document);
        idle = touched ? 0 : idle + 1;
        if (idle > MAX_IDLE_DOCUMENTS) {
          await this.#fail(new DocumentError(11215, document.url, `${MAX_IDLE_DOCUMENTS} documents in a row did nothing but redirect`));
          return;
        }
        if (outcome.type === 'end') return;
        if (outcome.type === 'replace') next = outcome.document;
        else
          next =
            outcome.type === 'fetch'
              ? { url: outcome.url, method: outcome.method, ...(outcome.params ? { params: outcome.params } : {}), ...(legEnded ? { final: true } : {}) }
              : undefined;
      }
      timeline.append('document-end', {});
      if (this.#deps.endOfDocument !== 'keep-call') await leg.hangup();
    } catch (err) {
      if (err instanceof CallEndedError) {
        timeline.append('call-ended', { by: err.end.by });
        return;
      }
      timeline.append('error', { code: 12400, message: (err as Error).message });
      await leg.hangup().catch(() => undefined);
    }
  }

  #status(): CallStatusParam {
    if (this.#over || this.#ended) return 'completed';
    return this.#deps.leg.answered ? 'in-progress' : 'ringing';
  }

  /** SEM-R6: the caller hung up, yet the action is requested; what it answers is not run. */
  async #requestAfterEnd(request: Fetch): Promise<void> {
    this.#over = true;
    try {
      await this.#fetchDocument(request);
    } catch (err) {
      if (!(err instanceof DocumentError)) throw err;
    }
    this.#deps.timeline.append('call-ended', { by: 'caller' });
  }

  /** Fetches and reads one document; on failure, the fallback; on its failure, the apology. */
  async #load(request: Fetch): Promise<Loaded | undefined> {
    try {
      return await this.#fetchDocument(request);
    } catch (err) {
      const failure = err instanceof DocumentError ? err : new DocumentError(12400, request.url, (err as Error).message);
      const fallback = this.#app.fallbackUrl;
      if (fallback) {
        this.#deps.timeline.append('fallback', { code: failure.code, url: fallback });
        try {
          return await this.#fetchDocument(
            { url: fallback, method: this.#app.fallbackMethod ?? 'POST', params: { ...request.params, ErrorCode: String(failure.code), ErrorUrl: failure.url } },
          );
        } catch (fallbackErr) {
          const second = fallbackErr instanceof DocumentError ? fallbackErr : new DocumentError(12400, fallback, (fallbackErr as Error).message);
          await this.#fail(second);
          return undefined;
        }
      }
      await this.#fail(failure);
      return undefined;
    }
  }

  async #fetchDocument(request: Fetch): Promise<Loaded> {
    const { timeline } = this.#deps;
    if (request.twiml !== undefined) {
      timeline.append('document', { source: 'inline', length: request.twiml.length });
      return this.#read(request.url, request.twiml);
    }
    const params = callParams(this.#call, this.#status(), this.#app.dialect, request.params);
    let response: WebhookResponse;
    try {
      response = await this.#deps.webhooks.fetch({
        url: request.url,
        method: request.method,
        params,
        authToken: this.#deps.authToken,
        cookies: this.#cookies,
        expectDocument: true,
      });
    } catch (err) {
      if (err instanceof WebhookError) {
        timeline.append('request-failed', { url: request.url, method: request.method, code: err.code, message: err.message, status: err.status ?? null });
        throw new DocumentError(err.code, request.url, err.spoken());
      }
      throw err;
    }
    timeline.append('request', {
      url: request.url,
      method: request.method,
      status: response.status,
      contentType: response.contentType,
      durationMs: Math.round(response.durationMs),
      signed: response.signed ?? null,
      signature: response.signature ?? null,
      params,
    });
    const type = response.contentType;
    if (type.startsWith('audio/')) {
      // SEM-D8: an audio answer is played, then the call ends.
      return { dialect: 'twiml', verbs: [audioVerb(response.url)], url: response.url };
    }
    if (type !== '' && type !== 'text/xml' && type !== 'application/xml' && type !== 'text/html' && type !== 'text/plain') {
      throw new DocumentError(12300, response.url, `the application answered with content type ${type}, not XML`);
    }
    return this.#read(response.url, response.body);
  }

  /** Reads a document, fetched from `url` or handed over whole (the REST API's `Twiml`, which resolves against `url`). */
  #read(url: string, body: string | Uint8Array): Loaded {
    const { timeline } = this.#deps;
    const read = readDocument(body, { dialect: this.#app.dialect, kind: 'voice' });
    for (const w of read.warnings) timeline.append('warning', issueData(w));
    for (const e of read.errors) timeline.append('error', issueData(e));
    if (read.document === null) {
      const first = read.errors[0];
      throw new DocumentError(first?.code ?? 12100, url, `its document is not valid: ${first?.message ?? 'unreadable'}`);
    }
    const { document } = read;
    return { dialect: document.dialect, verbs: document.verbs, url };
  }

  async #runDocument(document: Loaded): Promise<{ outcome: DocumentOutcome; touched: boolean }> {
    const { leg, timeline } = this.#deps;
    const { url } = document;
    const table = VERBS[document.dialect];
    let touched = false;
    /** A document asked for meanwhile (getInput's controller); it may take over. */
    let pending: PendingDocument<Loaded> | undefined;
    for (const verb of document.verbs) {
      const handler = table[verb.name];
      if (handler === undefined) {
        timeline.append('warning', { code: 12200, message: `<${verb.name}> is not supported yet; skipped`, line: verb.line });
        continue;
      }
      const ctx: VerbContext = {
        leg: pending ? interruptibleLeg(leg, pending.signal) : leg,
        timeline,
        documentUrl: url,
        firstVerb: this.#firstVerb,
        resolve: (u) => resolveAgainst(url, u),
        ...(this.#deps.recordings ? { recordings: this.#deps.recordings } : {}),
        call: this.#call,
        ...(this.#deps.messages ? { messages: this.#deps.messages } : {}),
        ...(this.#deps.speech ? { speech: this.#deps.speech } : {}),
        notify: (callback) => this.#notify(callback),
      };
      this.#firstVerb = false;
      if (!REDIRECTS.has(verb.name)) touched = true;
      const started = performance.now();
      timeline.append('verb-start', { verb: verb.name, line: verb.line });
      const result = pending ? await pending.race(handler(verb, ctx)) : { outcome: await handler(verb, ctx) };
      if ('document' in result) {
        timeline.append('verb-end', { verb: verb.name, durationMs: Math.round(performance.now() - started), outcome: 'replaced' });
        return { outcome: { type: 'replace', document: result.document }, touched: true };
      }
      const { outcome } = result;
      timeline.append('verb-end', { verb: verb.name, durationMs: Math.round(performance.now() - started), outcome: outcome.type });
      if (outcome.type !== 'continue') return { outcome, touched };
      if (outcome.meanwhile) pending = this.#requestMeanwhile(outcome.meanwhile);
    }
    // The end of the document waits for an answer on its way: its document goes on with the call.
    const arrived = pending && (await Promise.race([pending.arrived, leg.ended.then(() => undefined)]));
    if (arrived !== undefined) return { outcome: { type: 'replace', document: arrived }, touched: true };
    return { outcome: { type: 'continue' }, touched };
  }

  /** Requests a document while the current one goes on; a failed or empty answer is no document. */
  #requestMeanwhile(request: FetchRequest): PendingDocument<Loaded> {
    const { timeline } = this.#deps;
    const fetch: Fetch = { url: request.url, method: request.method, ...(request.params ? { params: request.params } : {}) };
    return new PendingDocument(
      this.#fetchDocument(fetch).catch((err: unknown) => {
        // An empty answer means "no change"; anything else is a failure, and the document goes on all the same.
        const failure = err instanceof DocumentError ? err : new DocumentError(12400, request.url, (err as Error).message);
        if (failure.code !== 11770) timeline.append('warning', { code: failure.code, url: failure.url, message: `the answer to ${request.url} is not run: ${failure.reason}` });
        return undefined;
      }),
    );
  }

  /** Queues a signed request about the call whose answer nobody reads; the outbox notes its attempts on the timeline. */
  #notify(callback: Notification): void {
    const { timeline, callbacks } = this.#deps;
    if (callbacks === undefined) return;
    const { callSid, accountSid } = this.#call;
    const params = callParams(this.#call, this.#status(), this.#app.dialect, callback.params);
    callbacks
      .enqueue({ accountSid, orderKey: callSid, callSid, kind: callback.kind, label: callback.label, url: callback.url, method: callback.method, params })
      .catch((err: unknown) => timeline.append('callback-failed', { url: callback.url, method: callback.method, code: 11200, message: `not queued: ${(err as Error).message}` }));
  }

  /** The apology, then the end of the call (§7.1). */
  async #fail(error: DocumentError): Promise<void> {
    const { leg, timeline, mode } = this.#deps;
    timeline.append('application-error', { code: error.code, url: error.url, reason: error.reason });
    const text = mode === 'development' ? `An application error has occurred. ${capitalise(error.reason)} Goodbye.` : APOLOGY;
    try {
      await leg.answer();
      await leg.play({ kind: 'say', text, voice: 'man', language: 'en-US' }, { loop: 1 });
      await leg.hangup();
    } catch (err) {
      if (!(err instanceof CallEndedError)) throw err;
    }
  }
}

function capitalise(s: string): string {
  const t = s.trim().replace(/\.?$/, '.');
  return t.charAt(0).toUpperCase() + t.slice(1);
}

function issueData(i: XmlIssue): Record<string, unknown> {
  return { code: i.code, detail: i.detail ?? null, message: i.message, line: i.line, column: i.column };
}

/** An answer of audio is played like `<Play>` of its URL. */
function audioVerb(url: string): TwimlVerb {
  return { name: 'Play', line: 0, column: 0, text: url, attrs: { loop: 1 }, children: [] } as unknown as TwimlVerb;
}
