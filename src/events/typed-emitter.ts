/**
 * A small event emitter generic over an event map `{ name: [args] }`, so that
 * `on('digit', (event) => …)` is checked against what the emitter sends.
 *
 * Listeners run in registration order. {@link TypedEmitter.safeEmit} catches a
 * listener that throws and logs it, so one broken listener never stops the
 * others or the code that emitted (a media event loop, a SIP transaction).
 * There is no special `error` event: an event named `error` is an ordinary one.
 */

/** The logging a {@link TypedEmitter} does; a pino `Logger` fits. */
export interface EmitterLogger {
  error(details: object, message: string): void;
}

/** Writes to stderr through `console.error`. */
export const consoleEmitterLogger: EmitterLogger = Object.freeze({
  error(details: object, message: string): void {
    console.error(message, details);
  },
});

export type Listener<A extends unknown[]> = (...args: A) => void;

interface Registration {
  /** A `Listener<E[K]>` for the event it is registered under. */
  readonly fn: unknown;
  readonly once: boolean;
}

export interface TypedEmitterOptions {
  /** Where a throwing listener is reported (default: console.error). */
  logger?: EmitterLogger;
  /** Names the emitter in those reports, e.g. "MediaLeg". */
  name?: string;
}

export class TypedEmitter<E extends Record<keyof E, unknown[]>> {
  readonly #listeners = new Map<keyof E, Registration[]>();
  readonly #logger: EmitterLogger;
  readonly #name: string;

  constructor(options: TypedEmitterOptions = {}) {
    this.#logger = options.logger ?? consoleEmitterLogger;
    this.#name = options.name ?? this.constructor.name;
  }

  on<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    return this.#add(event, listener, false);
  }

  once<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    return this.#add(event, listener, true);
  }

  /** Removes one registration of `listener` (the earliest). */
  off<K extends keyof E>(event: K, listener: Listener<E[K]>): this {
    const list = this.#listeners.get(event);
    if (!list) return this;
    const index = list.findIndex((r) => r.fn === listener);
    if (index >= 0) list.splice(index, 1);
    if (list.length === 0) this.#listeners.delete(event);
    return this;
  }

  removeAllListeners(event?: keyof E): this {
    if (event === undefined) this.#listeners.clear();
    else this.#listeners.delete(event);
    return this;
  }

  listenerCount(event: keyof E): number {
    return this.#listeners.get(event)?.length ?? 0;
  }

  /**
   * Calls every listener of `event` with `args`; a listener that throws is
   * logged and the others still run. Returns true when there was a listener.
   */
  safeEmit<K extends keyof E>(event: K, ...args: E[K]): boolean {
    const list = this.#listeners.get(event);
    if (!list || list.length === 0) return false;
    // A copy: listeners may add or remove listeners while we iterate.
    const snapshot = list.slice();
    for (const registration of snapshot) {
      if (registration.once) {
        const index = list.indexOf(registration);
        if (index >= 0) list.splice(index, 1);
      }
      try {
        (registration.fn as Listener<E[K]>)(...args);
      } catch (error) {
        this.#logger.error({ err: error, emitter: this.#name, event: String(event) }, 'event listener threw');
      }
    }
    if (list.length === 0) this.#listeners.delete(event);
    return true;
  }

  #add<K extends keyof E>(event: K, listener: Listener<E[K]>, once: boolean): this {
    let list = this.#listeners.get(event);
    if (!list) {
      list = [];
      this.#listeners.set(event, list);
    }
    list.push({ fn: listener, once });
    return this;
  }
}
