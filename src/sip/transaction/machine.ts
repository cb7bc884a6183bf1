/**
 * What the four transaction state machines share: the current state, dispatch of an
 * input to the current state's function, timers that feed their expiry back as inputs,
 * and sends whose failure comes back as a `transport-error` input. A subclass holds
 * only its states (`steps`) and what happens on entering one (`entered`).
 */
import type { SipMessage } from '../message/index.js';
import type { TransportError } from '../transport/errors.js';
import { type SipTimers, TimerSet, resolveTimers } from './timers.js';
import { type TransactionOptions, asTransportError } from './types.js';

/** Inputs every transaction takes. */
type CommonInput = { readonly type: 'terminate' } | { readonly type: 'transport-error'; readonly error: TransportError };

export abstract class TransactionMachine<S extends string, I extends { readonly type: string }, T extends string> {
  readonly timers: SipTimers;
  readonly reliable: boolean;
  protected readonly options: TransactionOptions;
  protected readonly timerSet: TimerSet<T>;
  /** Each live state as a function from an input to the next state. */
  protected abstract readonly steps: { readonly [K in Exclude<S, 'terminated'>]: (input: I) => S };
  /** The input each timer feeds back when it expires. */
  protected abstract readonly timerInputs: Readonly<Record<T, I>>;
  #state: S;

  constructor(initial: S, options: TransactionOptions) {
    this.#state = initial;
    this.options = options;
    this.timers = resolveTimers(options.timers);
    this.reliable = options.reliable;
    this.timerSet = new TimerSet(options.clock);
  }

  get state(): S {
    return this.#state;
  }

  /** Feed one input. Inputs after Terminated are ignored. */
  handle(input: I): void {
    const from = this.#state;
    if (from === 'terminated') return;
    const next = this.steps[from as Exclude<S, 'terminated'>](input);
    if (next !== from) this.moveTo(next);
  }

  /** End the transaction now. */
  terminate(): void {
    this.handle(input<I>({ type: 'terminate' }));
  }

  /** Enter a state and run its entry actions. */
  protected moveTo(next: S): void {
    this.#state = next;
    this.entered(next);
  }

  protected abstract entered(state: S): void;

  protected arm(name: T, ms: number): void {
    const expired = this.timerInputs[name];
    this.timerSet.arm(name, ms, () => this.handle(expired));
  }

  /** Send; a failure comes back as a `transport-error` input. */
  protected transmit(message: SipMessage): void {
    this.options.send(message).catch((err: unknown) => this.handle(input<I>({ type: 'transport-error', error: asTransportError(err) })));
  }
}

/** Every machine's input union contains the common inputs; this says so to the compiler. */
function input<I>(common: CommonInput): I {
  return common as unknown as I;
}
