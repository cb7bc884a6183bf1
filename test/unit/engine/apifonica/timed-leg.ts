import type { CollectOptions, CollectResult, PlayEnd, PlayOptions, Prompt } from '../../../../src/engine/call-leg.js';
import { type Clock, systemClock } from '../../../../src/sip/clock.js';
import { RecordingCallLeg } from '../../../support/recording-call-leg.js';

/**
 * The test kit, with silence that lasts as long as it says (so a document arriving
 * meanwhile finds a verb still running) and a record of what each digit wait asked for.
 * On a virtual clock the silences take no real time where only their length matters.
 */
export class TimedLeg extends RecordingCallLeg {
  readonly collects: CollectOptions[] = [];
  /** Silences that ran to their end. */
  silencesDone = 0;
  readonly #clock: Clock;

  constructor(clock: Clock = systemClock) {
    super();
    this.#clock = clock;
  }

  override async play(prompt: Prompt, options: PlayOptions): Promise<PlayEnd> {
    const end = await super.play(prompt, options);
    if (prompt.kind === 'silence') {
      await new Promise<void>((resolve, reject) => {
        const timer = this.#clock.setTimeout(resolve, prompt.durationMs);
        options.signal?.addEventListener('abort', () => {
          this.#clock.clearTimeout(timer);
          reject(options.signal?.reason);
        });
      });
      this.silencesDone++;
    }
    return end;
  }

  override async collectDigits(options: CollectOptions): Promise<CollectResult> {
    const { signal: _signal, ...rest } = options;
    this.collects.push(rest);
    return super.collectDigits(options);
  }
}
