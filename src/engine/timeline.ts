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

  /** `sink` must write entries in the order it is called (the store's call events do): each is handed over at once. */
  constructor(sink: (type: string, data: Readonly<Record<string, unknown>>) => Promise<unknown> | void, onError: (err: unknown) => void = () => undefined) {
    this.#sink = sink;
    this.#onError = onError;
  }

  /** Queues one entry; entries are written in order. */
  append(type: string, data: Readonly<Record<string, unknown>>): void {
    let written: Promise<unknown>;
    try {
      written = Promise.resolve(this.#sink(type, data)).catch(this.#onError);
    } catch (err) {
      this.#onError(err);
      return;
    }
    this.#pending = Promise.all([this.#pending, written]);
  }

  /** Resolves once every entry queued so far is written. */
  flushed(): Promise<void> {
    return this.#pending.then(() => undefined);
  }
}
