/**
 * A call's timeline: each request and response with timing, each verb started and ended,
 * SIP and media events, errors with their codes. What a developer reads when an
 * application misbehaves (`dialtone calls show CA…`). Writes never delay the call.
 */
export interface TimelineSink {
  append(type: string, data: Readonly<Record<string, unknown>>): void;
}

export class Timeline implements TimelineSink {
  readonly #sink: (type: string, data: Readonly<Record<string, unknown>>) => Promise<unknown> | void;
  readonly #onError: (err: unknown) => void;
  #pending: Promise<unknown> = Promise.resolve();

  constructor(sink: (type: string, data: Readonly<Record<string, unknown>>) => Promise<unknown> | void, onError: (err: unknown) => void = () => undefined) {
    this.#sink = sink;
    this.#onError = onError;
  }

  /** Queues one entry; entries are written in order, one at a time. */
  append(type: string, data: Readonly<Record<string, unknown>>): void {
    this.#pending = this.#pending.then(() => this.#sink(type, data)).catch(this.#onError);
  }

  /** Resolves once every entry queued so far is written. */
  flushed(): Promise<void> {
    return this.#pending.then(() => undefined);
  }
}
