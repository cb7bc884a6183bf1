/** Speech recognition: the recognizer port and its providers. */
export { SpeechError, splitHints } from './recognizer.js';
export type { RecognizeOptions, SpeechErrorCode, SpeechRecognizer, Transcript } from './recognizer.js';
export { DEBIAN_MODEL_DIR, PocketsphinxRecognizer, findPocketsphinx } from './pocketsphinx.js';
export type { PocketsphinxOptions } from './pocketsphinx.js';
