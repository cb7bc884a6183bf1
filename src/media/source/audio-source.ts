/**
 * The source interface, re-exported from `types.ts` (the media worker's
 * definition) so the sources here and the worker's player share one type.
 * `PcmSource`, `SilenceSource` and `ToneSource` also leave `dst` untouched
 * when they return false.
 */
export type { AudioSource } from './types.js';
