/**
 * Ringback played to a caller while `<Dial>` rings (the `ringTone` attribute): one
 * cadence of a country's tone as 8 kHz PCM, looped by the media leg. Cadences from
 * ITU-T E.180 Supplement 2; countries not listed here ring like the US.
 */

interface Cadence {
  readonly frequencies: readonly number[];
  /** On, off, on, off… in ms. */
  readonly pattern: readonly number[];
}

const US: Cadence = { frequencies: [440, 480], pattern: [2000, 4000] };
const UK: Cadence = { frequencies: [400, 450], pattern: [400, 200, 400, 2000] };
const EUROPE: Cadence = { frequencies: [425], pattern: [1000, 4000] };

const CADENCES: Readonly<Record<string, Cadence>> = {
  us: US,
  'us-old': { frequencies: [440, 480], pattern: [2000, 4000] },
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

const RATE = 8000;
const cache = new Map<string, Int16Array>();

/** One cadence of the ringback of `country` (default and unknown: the US one). */
export function ringbackPcm(country = 'us'): Int16Array {
  const key = CADENCES[country] === undefined ? 'us' : country;
  const known = cache.get(key);
  if (known !== undefined) return known;
  const cadence = CADENCES[key]!;
  const total = cadence.pattern.reduce((a, b) => a + b, 0);
  const pcm = new Int16Array((total * RATE) / 1000);
  // About -16 dBFS per tone: audible, not harsh.
  const amplitude = (0.15 * 32767) / cadence.frequencies.length;
  let at = 0;
  cadence.pattern.forEach((ms, i) => {
    const n = (ms * RATE) / 1000;
    if (i % 2 === 0) {
      for (let s = 0; s < n; s++) {
        let v = 0;
        for (const f of cadence.frequencies) v += Math.sin((2 * Math.PI * f * s) / RATE);
        pcm[at + s] = Math.round(amplitude * v);
      }
    }
    at += n;
  });
  cache.set(key, pcm);
  return pcm;
}
