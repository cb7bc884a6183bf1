/**
 * The text-to-speech port. A provider turns text into {@link Pcm8k} with one
 * of its voices; the engine never talks to a provider directly but through
 * `TextToSpeech` (`index.ts`), which maps Twilio voice names (`voices.ts`) and
 * caches prompts (`cache.ts`). Flite (`flite.ts`) is the built-in provider;
 * others (espeak-ng, a cloud service) implement the same interface.
 */
import type { Pcm8k } from '../media/audio/pcm.js';

export type VoiceGender = 'male' | 'female';

export interface Voice {
  /** The provider's id for the voice, passed back in {@link SynthesizeOptions.voice}. */
  readonly id: string;
  readonly gender: VoiceGender;
  /** BCP 47 language the voice speaks, e.g. "en-US". */
  readonly language: string;
  /** One line for people, e.g. "US English male (diphone, 8 kHz)". */
  readonly description: string;
}

export interface SynthesizeOptions {
  /** A voice id from the provider's {@link TtsProvider.voices}. */
  voice: string;
  /** BCP 47 language of the text (default: the voice's). Providers that speak one language ignore it. */
  language?: string;
  /** Abandons the request if it has not started yet (a started synthesis runs to its end). */
  signal?: AbortSignal;
}

export interface TtsProvider {
  /** Stable name, part of the prompt-cache key (e.g. "flite"). */
  readonly name: string;
  voices(): readonly Voice[];
  synthesize(text: string, options: SynthesizeOptions): Promise<Pcm8k>;
  /** Releases threads and files; later calls fail. */
  close(): Promise<void>;
}

/**
 * Why synthesis failed. Never reuse a retired code for another meaning.
 * - `unknown-voice`: the provider has no such voice (Twilio 13511).
 * - `empty-text`: nothing to say (13520).
 * - `text-too-long`: over the provider's limit (13521).
 * - `failed`: the engine itself failed.
 * - `closed`: the provider was closed.
 * - `aborted`: the caller's signal fired before synthesis started.
 */
export type TtsErrorCode = 'unknown-voice' | 'empty-text' | 'text-too-long' | 'failed' | 'closed' | 'aborted';

const TWILIO_CODES: Readonly<Record<TtsErrorCode, number | undefined>> = Object.freeze({
  'unknown-voice': 13511,
  'empty-text': 13520,
  'text-too-long': 13521,
  failed: undefined,
  closed: undefined,
  aborted: undefined,
});

export class TtsError extends Error {
  override readonly name = 'TtsError';
  readonly code: TtsErrorCode;
  /** Twilio's `<Say>` error code where one applies. */
  readonly twilioCode: number | undefined;

  constructor(code: TtsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.twilioCode = TWILIO_CODES[code];
  }
}
