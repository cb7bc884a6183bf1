/**
 * Text-to-speech for `<Say>`: a provider (Flite by default) behind the prompt
 * cache, with Twilio voice names mapped to the provider's voices.
 *
 * ```ts
 * const tts = createTextToSpeech({ cacheDirectory: 'data/prompts' });
 * const { pcm, note } = await tts.say('Hello, this is Dialtone.', { voice: 'Polly.Joanna' });
 * leg.play(new PcmSource(pcm, { label: 'say' }));
 * ```
 */
import type { Pcm8k } from '../media/audio/pcm.js';
import { PromptCache, type PromptCacheOptions } from './cache.js';
import { FliteProvider, type FliteOptions } from './flite.js';
import type { TtsProvider } from './provider.js';
import { FLITE_VOICE_DEFAULTS, type VoiceDefaults, resolveVoice } from './voices.js';

export { PromptCache, promptKeyHash } from './cache.js';
export type { PromptCacheOptions, PromptCacheStats, PromptKey } from './cache.js';
export { FLITE_VOICES, FliteProvider } from './flite.js';
export type { FliteOptions, FliteStats } from './flite.js';
export { TtsError } from './provider.js';
export type { SynthesizeOptions, TtsErrorCode, TtsProvider, Voice, VoiceGender } from './provider.js';
export { FLITE_VOICE_DEFAULTS, resolveVoice } from './voices.js';
export type { ResolvedVoice, VoiceDefaults } from './voices.js';

export interface SayOptions {
  /** A Twilio voice name (`man`, `woman`, `alice`, `Polly.Joanna`, `Google.…`) or a provider voice id. */
  voice?: string;
  /** BCP 47 language, as in `<Say language>`. */
  language?: string;
  /** Abandons this request's wait (a shared synthesis still completes for the cache). */
  signal?: AbortSignal;
}

export interface SpokenPrompt {
  readonly pcm: Pcm8k;
  /** The provider voice that spoke. */
  readonly voice: string;
  readonly provider: string;
  /** Set when the requested voice or language was substituted; log it on the call. */
  readonly note: string | undefined;
}

export interface TextToSpeechOptions {
  provider: TtsProvider;
  cache?: PromptCache;
  /** Which provider voices stand in for Twilio's (default: Flite's rms / slt / awb). */
  voiceDefaults?: VoiceDefaults;
}

export class TextToSpeech {
  readonly provider: TtsProvider;
  readonly cache: PromptCache;
  readonly #defaults: VoiceDefaults;

  constructor(options: TextToSpeechOptions) {
    this.provider = options.provider;
    this.cache = options.cache ?? new PromptCache();
    this.#defaults = options.voiceDefaults ?? FLITE_VOICE_DEFAULTS;
  }

  /** Speaks `text` (through the cache). Rejects with `TtsError`. */
  async say(text: string, options: SayOptions = {}): Promise<SpokenPrompt> {
    const resolved = resolveVoice(options.voice, options.language, this.provider.voices(), this.#defaults);
    const pcm = await this.cache.get(this.provider, text, {
      voice: resolved.voice,
      ...(options.language === undefined ? {} : { language: options.language }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    return Object.freeze({ pcm, voice: resolved.voice, provider: this.provider.name, note: resolved.note });
  }

  async close(): Promise<void> {
    await this.cache.idle();
    await this.provider.close();
  }
}

export interface CreateTextToSpeechOptions extends PromptCacheOptions {
  /** Where cached prompts are kept on disk (omit: memory only). Same as `directory`. */
  cacheDirectory?: string;
  flite?: FliteOptions;
}

/** The embedded default: Flite in a worker thread behind a prompt cache. */
export function createTextToSpeech(options: CreateTextToSpeechOptions = {}): TextToSpeech {
  const directory = options.cacheDirectory ?? options.directory;
  const cache = new PromptCache({
    ...(directory === undefined ? {} : { directory }),
    ...(options.maxMemoryBytes === undefined ? {} : { maxMemoryBytes: options.maxMemoryBytes }),
  });
  return new TextToSpeech({ provider: new FliteProvider(options.flite), cache });
}
