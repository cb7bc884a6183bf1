/**
 * Twilio `<Say voice>` names to the voices we have.
 *
 * Twilio's legacy voices (`man`, `woman`, `alice`) and its Amazon Polly and
 * Google voices (`Polly.Joanna`, `Polly.Matthew-Neural`,
 * `Google.en-US-Standard-C`, `Google.en-US-Chirp3-HD-Aoede`) are mapped to a
 * built-in voice of the same gender; the result carries a note saying what was
 * substituted, for the call's log. A name that is already one of the
 * provider's voice ids is used as is.
 */
import type { Voice, VoiceGender } from './provider.js';

export interface ResolvedVoice {
  /** The provider voice id to synthesize with. */
  readonly voice: string;
  /** The gender asked for (or assumed). */
  readonly gender: VoiceGender;
  /** Set when the requested voice was substituted: what and why. */
  readonly note: string | undefined;
}

/** Which built-in voice stands in for each kind of requested voice. */
export interface VoiceDefaults {
  /** Default male voice (US English). */
  readonly male: string;
  /** Default female voice. */
  readonly female: string;
  /** Male voice for British, Irish, Scottish, Welsh, Australian, NZ, Indian and South African English. */
  readonly maleBritish: string;
  /** The voice when none is named: Twilio's default is `man`. */
  readonly fallback: VoiceGender;
}

export const FLITE_VOICE_DEFAULTS: VoiceDefaults = Object.freeze({
  male: 'rms',
  female: 'slt',
  maleBritish: 'awb',
  fallback: 'male',
});

/** Polly voices by gender (the standard, neural, long-form and generative engines share names). */
const POLLY_FEMALE = new Set([
  'Aditi', 'Adriana', 'Amy', 'Aria', 'Arlet', 'Astrid', 'Ayanda', 'Bianca', 'Burcu', 'Camila', 'Carla', 'Carmen',
  'Celine', 'Chantal', 'Conchita', 'Danielle', 'Dora', 'Elin', 'Emma', 'Ewa', 'Filiz', 'Gabrielle', 'Gwyneth',
  'Hala', 'Hannah', 'Hiujin', 'Ida', 'Ines', 'Isabelle', 'Ivy', 'Jasmine', 'Jihye', 'Jitka', 'Joanna', 'Kajal',
  'Kazuha', 'Kendra', 'Kimberly', 'Laura', 'Lea', 'Lisa', 'Liv', 'Lotte', 'Lucia', 'Lupe', 'Maja', 'Marlene',
  'Mia', 'Mizuki', 'Naja', 'Niamh', 'Nicole', 'Ola', 'Olivia', 'Penelope', 'Raveena', 'Ruth', 'Salli',
  'Seoyeon', 'Sofie', 'Suvi', 'Tatyana', 'Tomoko', 'Vicki', 'Vitoria', 'Zeina', 'Zhiyu',
]);
const POLLY_MALE = new Set([
  'Adriano', 'Andres', 'Arthur', 'Brian', 'Cristiano', 'Daniel', 'Enrique', 'Geraint', 'Giorgio', 'Gregory',
  'Hans', 'Jacek', 'Jan', 'Joey', 'Justin', 'Karl', 'Kevin', 'Liam', 'Mads', 'Mathieu', 'Matthew', 'Maxim',
  'Miguel', 'Pedro', 'Remi', 'Ricardo', 'Ruben', 'Russell', 'Sergio', 'Stephen', 'Takumi', 'Thiago', 'Zayd',
]);
/** Polly voices that speak a British-family English. */
const POLLY_BRITISH = new Set(['Amy', 'Brian', 'Emma', 'Arthur', 'Geraint', 'Gwyneth', 'Niamh', 'Nicole', 'Olivia', 'Russell', 'Aditi', 'Raveena', 'Kajal', 'Ayanda', 'Aria']);

/** Google en-US Standard/Wavenet/Neural2/News/Studio/Polyglot letters by gender. */
const GOOGLE_EN_US_MALE_LETTERS = new Set(['A', 'B', 'D', 'I', 'J', 'M', 'N', 'Q']);
/** Chirp 3 HD voice names by gender. */
const CHIRP_FEMALE = new Set([
  'Achernar', 'Aoede', 'Autonoe', 'Callirrhoe', 'Despina', 'Erinome', 'Gacrux', 'Kore', 'Laomedeia', 'Leda',
  'Pulcherrima', 'Sulafat', 'Vindemiatrix', 'Zephyr',
]);
const CHIRP_MALE = new Set([
  'Achird', 'Algenib', 'Algieba', 'Alnilam', 'Charon', 'Enceladus', 'Fenrir', 'Iapetus', 'Orus', 'Puck',
  'Rasalgethi', 'Sadachbia', 'Sadaltager', 'Schedar', 'Umbriel', 'Zubenelgenubi',
]);

const BRITISH_LANGUAGES = /^en-(GB|IE|AU|NZ|IN|ZA|GB-WLS|SCT)$/i;

function pick(gender: VoiceGender, language: string | undefined, defaults: VoiceDefaults): string {
  if (gender === 'female') return defaults.female;
  return language !== undefined && BRITISH_LANGUAGES.test(language) ? defaults.maleBritish : defaults.male;
}

/**
 * Maps a `<Say voice>` (and `language`) to one of `available`. Never throws:
 * an unknown name falls back to the default voice with a note.
 */
export function resolveVoice(
  requested: string | undefined,
  language: string | undefined,
  available: readonly Voice[],
  defaults: VoiceDefaults = FLITE_VOICE_DEFAULTS,
): ResolvedVoice {
  const name = requested?.trim() ?? '';
  /** `spoken`: the language asked for, or the one the requested voice implies. */
  const result = (voice: string, gender: VoiceGender, note: string | undefined, spoken = language): ResolvedVoice => {
    const languageNote =
      spoken !== undefined && !/^en(-|$)/i.test(spoken) ? `; language ${spoken} is spoken with an English voice` : '';
    const fullNote = note === undefined && languageNote === '' ? undefined : `${note ?? `voice ${voice}`}${languageNote}`;
    return Object.freeze({ voice, gender, note: fullNote });
  };

  const own = available.find((v) => v.id === name);
  if (own !== undefined) return result(own.id, own.gender, undefined);

  const lower = name.toLowerCase();
  if (name === '' || lower === 'man') {
    const gender = name === '' ? defaults.fallback : 'male';
    return result(pick(gender, language, defaults), gender, undefined);
  }
  if (lower === 'woman' || lower === 'alice') {
    return result(pick('female', language, defaults), 'female', lower === 'alice' ? 'alice → built-in female voice' : undefined);
  }

  const polly = /^polly\.([a-z]+)(?:-(?:neural|generative|longform))?$/i.exec(name);
  if (polly !== null) {
    const base = polly[1]!.charAt(0).toUpperCase() + polly[1]!.slice(1).toLowerCase();
    const gender: VoiceGender | undefined = POLLY_FEMALE.has(base) ? 'female' : POLLY_MALE.has(base) ? 'male' : undefined;
    const lang = language ?? (POLLY_BRITISH.has(base) ? 'en-GB' : undefined);
    if (gender !== undefined) {
      const voice = pick(gender, lang, defaults);
      return result(voice, gender, `${name} is not available; using built-in ${gender} voice ${voice}`);
    }
    const voice = pick('female', lang, defaults);
    return result(voice, 'female', `${name} is not a known Polly voice; using built-in voice ${voice}`);
  }

  const google = /^google\.([a-z]{2,3}-[a-z]{2,4})-(.+)$/i.exec(name);
  if (google !== null) {
    const lang = language ?? google[1]!;
    const rest = google[2]!;
    let gender: VoiceGender | undefined;
    const chirp = /-([A-Za-z]+)$/.exec(rest)?.[1];
    if (chirp !== undefined && CHIRP_FEMALE.has(chirp)) gender = 'female';
    else if (chirp !== undefined && CHIRP_MALE.has(chirp)) gender = 'male';
    else {
      const letter = /-([A-Z])$/.exec(rest)?.[1];
      if (letter !== undefined && /^en-US$/i.test(google[1]!)) gender = GOOGLE_EN_US_MALE_LETTERS.has(letter) ? 'male' : 'female';
    }
    if (gender !== undefined) {
      const voice = pick(gender, lang, defaults);
      return result(voice, gender, `${name} is not available; using built-in ${gender} voice ${voice}`, lang);
    }
    const voice = pick('female', lang, defaults);
    return result(
      voice,
      'female',
      `${name} is not available and its gender is not known; using built-in voice ${voice}`,
      lang,
    );
  }

  const voice = pick(defaults.fallback, language, defaults);
  return result(voice, defaults.fallback, `unknown voice "${name}"; using built-in voice ${voice}`);
}
