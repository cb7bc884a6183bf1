/**
 * Offline speech recognition with Debian's pocketsphinx (`pocketsphinx` and
 * `pocketsphinx-en-us`): one `pocketsphinx_continuous` process per utterance, on a
 * 16 kHz WAV in a private temporary directory that is removed afterwards.
 *
 * The packaged acoustic model is wideband US English only, so telephone audio is
 * upsampled first. With `hints`, the search is a JSGF grammar of exactly those phrases
 * (words missing from the dictionary would make pocketsphinx fail, so phrases holding
 * one are left out): on telephone audio this is what gives usable results. Without
 * hints it is the general n-gram model, which on 8 kHz audio is a demonstration at best.
 * Nothing is downloaded: the model is what the package installed.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { WAV_HEADER_BYTES, writeWavHeader } from '../media/audio/wav-header.js';
import { SpeechError, type RecognizeOptions, type SpeechRecognizer, type Transcript } from './recognizer.js';
import { upsample2x } from './upsample.js';

/** Where Debian's `pocketsphinx-en-us` puts the model. */
export const DEBIAN_MODEL_DIR = '/usr/share/pocketsphinx/model/en-us';
const BINARY = 'pocketsphinx_continuous';
const MODEL_RATE = 16000;

export interface PocketsphinxOptions {
  /** The `pocketsphinx_continuous` executable (default: found on PATH). */
  readonly binary?: string;
  /** Holds `en-us/` (acoustic model), `cmudict-en-us.dict` and `en-us.lm.bin`. */
  readonly modelDir?: string;
  /** A recognition that takes longer is stopped (default 15 s). */
  readonly timeoutMs?: number;
  /** Processes at once; more utterances wait their turn (default 2). */
  readonly concurrency?: number;
}

/** Finds the binary and the model: the recognizer, or why there is none. */
export function findPocketsphinx(options: PocketsphinxOptions = {}): { readonly recognizer: PocketsphinxRecognizer } | { readonly missing: string } {
  const binary = options.binary ?? onPath(BINARY);
  if (binary === undefined || !existsSync(binary)) return { missing: `${BINARY} is not installed (Debian: apt-get install pocketsphinx)` };
  const modelDir = options.modelDir ?? DEBIAN_MODEL_DIR;
  for (const part of ['en-us', 'cmudict-en-us.dict', 'en-us.lm.bin']) {
    if (!existsSync(join(modelDir, part))) return { missing: `no pocketsphinx model at ${modelDir} (Debian: apt-get install pocketsphinx-en-us)` };
  }
  return { recognizer: new PocketsphinxRecognizer({ ...options, binary, modelDir }) };
}

function onPath(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir !== '' && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

export class PocketsphinxRecognizer implements SpeechRecognizer {
  readonly name = 'pocketsphinx';
  readonly #binary: string;
  readonly #modelDir: string;
  readonly #timeoutMs: number;
  readonly #concurrency: number;
  #dir: Promise<string> | undefined;
  #dictionary: Promise<ReadonlySet<string>> | undefined;
  #next = 0;
  #running = 0;
  readonly #waiting: (() => void)[] = [];
  readonly #children = new Set<ReturnType<typeof spawn>>();
  #closed = false;

  constructor(options: PocketsphinxOptions & { readonly binary: string; readonly modelDir: string }) {
    this.#binary = options.binary;
    this.#modelDir = options.modelDir;
    this.#timeoutMs = options.timeoutMs ?? 15_000;
    this.#concurrency = Math.max(1, options.concurrency ?? 2);
  }

  supports(language: string): boolean {
    return /^en(-|$)/i.test(language);
  }

  async recognize(pcm: Int16Array, options: RecognizeOptions): Promise<Transcript | null> {
    if (this.#closed) throw new SpeechError('closed', 'pocketsphinx: recognizer closed');
    await this.#turn();
    try {
      return await this.#recognize(pcm, options);
    } finally {
      this.#running--;
      this.#waiting.shift()?.();
    }
  }

  async close(): Promise<void> {
    this.#closed = true;
    for (const child of this.#children) child.kill('SIGKILL');
    for (const wake of this.#waiting.splice(0)) wake();
    if (this.#dir !== undefined) await rm(await this.#dir, { recursive: true, force: true }).catch(() => undefined);
  }

  /** Waits until fewer than `concurrency` recognitions run. */
  async #turn(): Promise<void> {
    while (this.#running >= this.#concurrency) await new Promise<void>((wake) => this.#waiting.push(wake));
    if (this.#closed) throw new SpeechError('closed', 'pocketsphinx: recognizer closed');
    this.#running++;
  }

  async #recognize(pcm: Int16Array, options: RecognizeOptions): Promise<Transcript | null> {
    const dir = await (this.#dir ??= mkdtemp(join(tmpdir(), 'dialtone-speech-')));
    const id = this.#next++;
    const wav = join(dir, `${id}.wav`);
    const gram = join(dir, `${id}.gram`);
    const grammar = options.hints.length > 0 ? jsgfGrammar(options.hints, await this.#words()) : undefined;
    try {
      await writeFile(wav, wideband(pcm));
      if (grammar !== undefined) await writeFile(gram, grammar);
      const search = grammar !== undefined ? ['-jsgf', gram] : ['-lm', join(this.#modelDir, 'en-us.lm.bin')];
      const args = [
        ...['-hmm', join(this.#modelDir, 'en-us'), '-dict', join(this.#modelDir, 'cmudict-en-us.dict')],
        ...search,
        ...['-samprate', String(MODEL_RATE), '-infile', wav, '-time', 'yes', '-logfn', '/dev/null'],
      ];
      return parseTimedOutput(await this.#run(args));
    } finally {
      await Promise.all([rm(wav, { force: true }), rm(gram, { force: true })]);
    }
  }

  #run(args: readonly string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.#binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
      this.#children.add(child);
      let out = '';
      let err = '';
      child.stdout.setEncoding('utf8').on('data', (chunk: string) => (out += chunk));
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => (err = (err + chunk).slice(-2000)));
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new SpeechError('timeout', `pocketsphinx took longer than ${this.#timeoutMs} ms`));
      }, this.#timeoutMs);
      child.on('error', (error) => {
        clearTimeout(timer);
        this.#children.delete(child);
        reject(new SpeechError('failed', `pocketsphinx could not start: ${error.message}`, { cause: error }));
      });
      child.on('close', (code, signal) => {
        clearTimeout(timer);
        this.#children.delete(child);
        if (code === 0) resolve(out);
        else reject(new SpeechError(this.#closed ? 'closed' : 'failed', `pocketsphinx exited with ${code ?? signal}: ${lastLine(err)}`));
      });
    });
  }

  /** The dictionary's words, read once (134,000 lines): a grammar may only use these. */
  #words(): Promise<ReadonlySet<string>> {
    this.#dictionary ??= readFile(join(this.#modelDir, 'cmudict-en-us.dict'), 'utf8').then((text) => {
      const words = new Set<string>();
      for (const line of text.split('\n')) {
        const word = line.slice(0, line.indexOf(' ')).replace(/\(\d+\)$/, '');
        if (word !== '') words.add(word);
      }
      return words;
    });
    return this.#dictionary;
  }
}

/** 8 kHz PCM as a 16 kHz mono 16-bit WAV file. */
function wideband(pcm: Int16Array): Buffer {
  const samples = upsample2x(pcm);
  const bytes = Buffer.alloc(WAV_HEADER_BYTES + samples.length * 2);
  writeWavHeader(bytes, samples.length * 2, 1, MODEL_RATE);
  for (let i = 0; i < samples.length; i++) bytes.writeInt16LE(samples[i]!, WAV_HEADER_BYTES + 2 * i);
  return bytes;
}

/** A phrase as the dictionary spells it: lower case, words of letters and apostrophes. */
export function normalizePhrase(phrase: string): string[] {
  return phrase
    .toLowerCase()
    .replace(/[^a-z' ]+/g, ' ')
    .split(' ')
    .map((w) => w.replace(/^'+|'+$/g, ''))
    .filter((w) => w !== '');
}

/** A JSGF grammar accepting any one of the phrases whose words are all in `words`; undefined when none is. */
export function jsgfGrammar(hints: readonly string[], words: ReadonlySet<string>): string | undefined {
  const phrases = new Set<string>();
  for (const hint of hints) {
    const phrase = normalizePhrase(hint);
    if (phrase.length > 0 && phrase.every((w) => words.has(w))) phrases.add(phrase.join(' '));
  }
  if (phrases.size === 0) return undefined;
  return `#JSGF V1.0;\ngrammar hints;\npublic <hint> = ${[...phrases].join(' | ')};\n`;
}

/** Filler entries in `-time yes` output: silence, sentence marks, noises. */
const FILLER = /^(<s>|<\/s>|<sil>|\[NOISE\]|\+\+.*\+\+|\[.*\])$/;

/**
 * Reads `pocketsphinx_continuous -time yes` output: per utterance, a line of words, then
 * a line per word with its start, end and posterior. The transcript is every utterance's
 * words; the confidence is the mean posterior of the words (fillers left out).
 */
export function parseTimedOutput(output: string): Transcript | null {
  const words: string[] = [];
  const posteriors: number[] = [];
  for (const line of output.split('\n')) {
    const fields = line.trim().split(/\s+/);
    if (fields.length !== 4) continue;
    const [word, start, end, posterior] = fields as [string, string, string, string];
    const p = Number(posterior);
    if (!Number.isFinite(Number(start)) || !Number.isFinite(Number(end)) || !Number.isFinite(p)) continue;
    if (FILLER.test(word)) continue;
    words.push(word.replace(/\(\d+\)$/, ''));
    posteriors.push(Math.min(1, Math.max(0, p)));
  }
  if (words.length === 0) return null;
  // Four places, as Twilio sends it.
  const confidence = Math.round((posteriors.reduce((a, b) => a + b, 0) / posteriors.length) * 10_000) / 10_000;
  return { text: words.join(' '), confidence };
}

function lastLine(text: string): string {
  const lines = text.trim().split('\n');
  return lines[lines.length - 1] ?? '';
}
