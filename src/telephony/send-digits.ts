import type { MediaLeg } from '../media/host.js';

/**
 * `sendDigits` as Twilio spells it (a `<Number sendDigits>`, the API's SendDigits, `<Play
 * digits>`): the media leg sends each run of digits, `w` waits 0.5 s and `W` 1 s between
 * runs. Each run is waited for until it has gone out; nothing more is sent once `ended` settles.
 */
export async function sendDigitRuns(media: MediaLeg, digits: string, ended: Promise<unknown>): Promise<void> {
  let over = false;
  const end = ended.then(() => {
    over = true;
  });
  for (const part of digits.split(/([wW]+)/)) {
    if (over) return;
    if (part === '') continue;
    if (/^[wW]+$/.test(part)) {
      let ms = 0;
      for (const c of part) ms += c === 'w' ? 500 : 1000;
      await Promise.race([new Promise((r) => setTimeout(r, ms)), end]);
      continue;
    }
    const sent = new Promise<void>((resolve) => media.once('digitssent', () => resolve()));
    await media.sendDigits(part);
    await Promise.race([sent, end]);
  }
}
