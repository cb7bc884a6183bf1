/**
 * A call's timeline: each request and response with timing, each verb started and ended,
 * SIP and media events, errors with their codes. What a developer reads when an
 * application misbehaves (`dialtone calls show CA…`). Writes never delay the call.
 */
export interface TimelineSink {
  append(type: string, data: Readonly<Record<string, unknown>>): void;
}

export interface TimelineOptions {
  /**
   * The sink writes entries in the order it is called (the store's batched call events
   * do): each entry is handed over at once, so that one call's entries share a write.
   * Otherwise an entry is handed over once the one before it is written.
   */
  readonly ordered?: boolean;
}

export class Timeline implements TimelineSink {
  readonly #sink: (type: string, data: Readonly<Record<string, unknown>>) => Promise<unknown> | void;
  readonly #onError: (err: unknown) => void;
  readonly #ordered: boolean;
  #pending: Promise<unknown> = Promise.resolve();

  constructor(
    sink: (type: string, data: Readonly<Record<string, unknown>>) => Promise<unknown> | void,
    onError: (err: unknown) => void = () => undefined,
    options: TimelineOptions = {},
  ) {
    this.#sink = sink;
    this.#onError = onError;
    this.#ordered = options.ordered === true;
  }

  /** Queues one entry; entries are written in order. */
  append(type: string, data: Readonly<Record<string, unknown>>): void {
    if (this.#ordered) {
      let written: Promise<unknown>;
      try {
        written = Promise.resolve(this.#sink(type, data)).catch(this.#onError);
      } catch (err) {
        this.#onError(err);
        return;
      }
      this.#pending = Promise.all([this.#pending, written]);
      return;
    }
    this.#pending = this.#pending.then(() => this.#sink(type, data)).catch(this.#onError);
  }

  /** Resolves once every entry queued so far is written. */
  flushed(): Promise<void> {
    return this.#pending.then(() => undefined);
  }
}
