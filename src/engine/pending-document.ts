/**
 * A document requested while the current one goes on (Apifonica's getInput controller,
 * dialects.md §9.4): the verbs that run meanwhile get a leg that `race` can stop, and the
 * first of the verb's end and the document's arrival wins. An answer without a document
 * (`undefined`) changes nothing: the verbs carry on as if nothing was asked.
 */
import { VerbInterruptedError } from './interruptible-leg.js';

const NEVER = new Promise<never>(() => undefined);

export class PendingDocument<D> {
  readonly #controller = new AbortController();
  readonly arrived: Promise<D | undefined>;

  constructor(arrived: Promise<D | undefined>) {
    this.arrived = arrived;
  }

  /** Aborts when the document arrived; verbs running meanwhile are stopped by it. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** The verb's outcome, or the document when it comes first: the verb is then stopped and waited for. */
  async race<O>(work: Promise<O>): Promise<{ readonly outcome: O } | { readonly document: D }> {
    const document = this.arrived.then((d) => (d === undefined ? NEVER : { document: d }));
    const first = await Promise.race([work.then((outcome) => ({ outcome })), document]);
    if ('outcome' in first) return first;
    this.#controller.abort();
    try {
      await work;
    } catch (err) {
      if (!(err instanceof VerbInterruptedError)) throw err;
    }
    return first;
  }
}
