/**
 * Ringback played to a caller while `<Dial>` rings (the `ringTone` attribute): one
 * cadence of a country's tone as 8 kHz PCM, looped by the media leg. Cadences from
 * ITU-T E.180 Supplement 2; countries not listed here ring like the US, and so does
 * 'us-old' (its old cadence is the US one). Each cadence is made once, in shared memory, so
 * the media worker plays it without a copy per `<Dial>` and countries that share it share it.
 */
import { type Pcm8k, samplesForMs, sharePcm } from '../media/audio/pcm.js';
import { ToneGenerator } from '../media/source/tone.js';

interface Cadence {
  readonly frequencies: readonly [number] | readonly [number, number];
  /** On, off, on, off… in ms. */
  readonly pattern: readonly number[];
}

const US: Cadence = { frequencies: [440, 480], pattern: [2000, 4000] };
const UK: Cadence = { frequencies: [400, 450], pattern: [400, 200, 400, 2000] };
const EUROPE: Cadence = { frequencies: [425], pattern: [1000, 4000] };

const CADENCES: Readonly<Record<string, Cadence>> = {
  us: US,
  'us-old': US,
  ca: US,
  uk: UK,
  au: UK,
  nz: UK,
  ie: UK,
  de: EUROPE,
  at: { frequencies: [420], pattern: [1000, 5000] },
  ch: EUROPE,
  nl: EUROPE,
  be: EUROPE,
  es: { frequencies: [425], pattern: [1500, 3000] },
  it: EUROPE,
  fr: { frequencies: [440], pattern: [1500, 3500] },
  se: { frequencies: [425], pattern: [1000, 5000] },
  no: EUROPE,
  dk: EUROPE,
  fi: EUROPE,
  pl: EUROPE,
  cz: EUROPE,
  pt: EUROPE,
  gr: EUROPE,
  hu: { frequencies: [425], pattern: [1250, 3750] },
  ru: { frequencies: [425], pattern: [800, 3200] },
  jp: { frequencies: [400], pattern: [1000, 2000] },
  cn: { frequencies: [450], pattern: [1000, 4000] },
  in: { frequencies: [400, 450], pattern: [400, 200, 400, 2000] },
};

/** dBm0 per tone: a pair at -19 (the North American level), a single tone as loud as the pair together. */
const LEVEL_DBM0 = { 1: -13, 2: -19 } as const;

const cache = new Map<Cadence, Pcm8k>();

/** One cadence of the ringback of `country` (default and unknown: the US one). */
export function ringbackPcm(country = 'us'): Pcm8k {
  const cadence = CADENCES[country] ?? US;
  const known = cache.get(cadence);
  if (known !== undefined) return known;
  const total = cadence.pattern.reduce((a, b) => a + b, 0);
  const pcm = new Int16Array(samplesForMs(total));
  const tone = new ToneGenerator({ frequencies: cadence.frequencies, levelDbm0: LEVEL_DBM0[cadence.frequencies.length] });
  let at = 0;
  cadence.pattern.forEach((ms, i) => {
    const n = samplesForMs(ms);
    if (i % 2 === 0) {
      tone.reset();
      tone.fill(pcm, n, at);
    }
    at += n;
  });
  const shared = sharePcm(pcm);
  cache.set(cadence, shared);
  return shared;
}
