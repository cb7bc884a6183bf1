/**
 * The speech recognizer port: what `<Gather input="speech">` asks of an engine. An
 * utterance is cut by the call (voice, then silence) and handed over whole, as the
 * caller's 8 kHz audio; a provider turns it into words. Providers: Debian's pocketsphinx
 * (offline, where installed); an external engine can implement the same interface.
 */

export interface RecognizeOptions {
  /** BCP-47 tag (`en-US`). */
  readonly language: string;
  /** Phrases the caller is expected to say (Gather `hints`, already split). */
  readonly hints: readonly string[];
}

export interface Transcript {
  readonly text: string;
  /** 0–1: how sure the engine is of the words (Twilio's `Confidence`). */
  readonly confidence: number;
}

export interface SpeechRecognizer {
  /** Names the engine on the call's timeline. */
  readonly name: string;
  /** Whether it can recognize this language at all. */
  supports(language: string): boolean;
  /** Recognizes 8 kHz mono PCM; null when it heard no words. Rejects with `SpeechError`. */
  recognize(pcm: Int16Array, options: RecognizeOptions): Promise<Transcript | null>;
  /** Stops any recognition under way and removes its files. */
  close(): Promise<void>;
}

export type SpeechErrorCode = 'failed' | 'timeout' | 'closed';

export class SpeechError extends Error {
  constructor(
    readonly code: SpeechErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'SpeechError';
  }
}

/**
 * The phrases of a `hints` attribute: comma-separated, trimmed, empty ones dropped.
 * Class tokens (`$OOV_CLASS_DIGIT_SEQUENCE`) name Google's word classes, which no
 * offline engine here has; they are dropped too.
 */
export function splitHints(hints: string | undefined): string[] {
  if (hints === undefined) return [];
  return hints
    .split(',')
    .map((h) => h.trim())
    .filter((h) => h !== '' && !h.startsWith('$'));
}
