/**
 * A view of a CallLeg for verbs that a document arriving meanwhile may stop (Apifonica's
 * getInput controller): once `signal` aborts, the prompt or digit wait in progress ends
 * (the signal goes down to the leg in PlayOptions/CollectOptions, so the audio stops
 * too) and every call rejects with `VerbInterruptedError`, so the verb unwinds without
 * touching the call again. A Proxy, so that methods the port gains later pass through.
 */
import type { CallLeg, CollectOptions, EchoOptions, PlayOptions } from './call-leg.js';

export class VerbInterruptedError extends Error {
  readonly code = 'verb_interrupted';
  constructor() {
    super('a new document replaced this one');
  }
}

/** Which argument of a method carries options that take a signal. */
const SIGNAL_ARGUMENT: Readonly<Record<string, number>> = { play: 1, collectDigits: 0, echo: 0 };

export function interruptibleLeg(leg: CallLeg, signal: AbortSignal): CallLeg {
  const stopped = new Promise<never>((_, reject) => {
    const stop = (): void => reject(new VerbInterruptedError());
    if (signal.aborted) stop();
    else signal.addEventListener('abort', stop, { once: true });
  });
  stopped.catch(() => undefined);
  return new Proxy(leg, {
    get(target, property) {
      // The target as receiver: the leg's getters read its own #private fields.
      const value: unknown = Reflect.get(target, property, target);
      if (typeof value !== 'function' || property === 'hasBufferedDigits') return value;
      return (...args: unknown[]): unknown => {
        if (signal.aborted) return Promise.reject(new VerbInterruptedError());
        const at = typeof property === 'string' ? SIGNAL_ARGUMENT[property] : undefined;
        if (at !== undefined) args[at] = { ...(args[at] as PlayOptions | CollectOptions | EchoOptions), signal };
        const result: unknown = (value as (...a: unknown[]) => unknown).apply(target, args);
        return result instanceof Promise ? Promise.race([result, stopped]) : result;
      };
    },
  });
}
