/**
 * `CallLeg.listen` over a media leg: the worker records the caller's audio to a
 * temporary WAV in utterance mode (the silence timeout counts only after the voice,
 * whose start it reports), and this reads the file back as PCM when the utterance is
 * over, then removes it. The engine decides how long to wait for the voice.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallEndedError, type CallEnd, type Listening, type ListenOptions, type Utterance } from '../engine/call-leg.js';
import type { MediaLeg } from '../media/host.js';
import type { RecordingInfo, RecordStopReason } from '../media/protocol.js';

/** The canonical header the recorder writes before the samples. */
const WAV_HEADER_BYTES = 44;

let directory: Promise<string> | undefined;

/** One directory per process for the files of utterances being heard. */
function utteranceDirectory(): Promise<string> {
  directory ??= mkdtemp(join(tmpdir(), 'dialtone-listen-'));
  return directory;
}

export async function listenOnMedia(
  media: MediaLeg,
  callEnded: Promise<CallEnd>,
  options: ListenOptions,
  note: (type: string, data: Readonly<Record<string, unknown>>) => void,
): Promise<Listening> {
  const id = randomUUID();
  const path = join(await utteranceDirectory(), `${id}.wav`);
  let voiceHeard = false;
  let stoppedByUs = false;
  let settle!: (stopped: { reason: RecordStopReason; info: RecordingInfo | null }) => void;
  const finished = new Promise<{ reason: RecordStopReason; info: RecordingInfo | null }>((resolve) => (settle = resolve));
  /** Settles when listening is over, however it ended (by itself, stopped, the call gone). */
  let over!: () => void;
  const done = new Promise<void>((resolve) => (over = resolve));
  void finished.then(over);
  let heard!: () => void;
  const voice = new Promise<void>((resolve) => (heard = resolve));
  const onStopped = (recordId: string, reason: RecordStopReason, info: RecordingInfo | null): void => {
    if (recordId !== id) return;
    detach();
    settle({ reason, info });
  };
  const onVoice = (recordId: string): void => {
    if (recordId !== id || voiceHeard) return;
    voiceHeard = true;
    note('media', { event: 'voice-started' });
    heard();
  };
  const detach = (): void => {
    media.off('recordstopped', onStopped);
    media.off('recordvoice', onVoice);
  };
  media.on('recordstopped', onStopped);
  media.on('recordvoice', onVoice);
  try {
    await media.startRecord(id, path, { mode: 'inbound', silenceTimeoutMs: options.endSilenceMs, maxDurationMs: options.maxMs, silenceFrom: 'voice' });
  } catch (error) {
    detach();
    throw error;
  }

  const read = async (info: RecordingInfo, reason: Utterance['reason']): Promise<Utterance> => {
    try {
      return { pcm: await samples(path), voicedMs: info.voicedMs ?? 0, reason };
    } finally {
      await rm(path, { force: true });
    }
  };
  const hungUp = callEnded.then((end) => {
    throw new CallEndedError(end);
  });
  hungUp.catch(() => undefined);
  const utterance = (async (): Promise<Utterance> => {
    const { reason, info } = await finished;
    if (stoppedByUs) return new Promise<never>(() => undefined);
    if (reason === 'closed' || info === null) {
      await rm(path, { force: true });
      if (reason === 'closed') throw new CallEndedError(await callEnded);
      throw new Error('listening failed: the utterance could not be recorded');
    }
    return read(info, reason === 'silence' ? 'silence' : 'max-length');
  })();
  const ended = Promise.race([utterance, hungUp]);
  ended.catch(() => undefined);

  return {
    async voice(timeoutMs: number): Promise<boolean> {
      if (voiceHeard) return true;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), timeoutMs)));
      try {
        return await Promise.race([voice.then(() => true), timedOut, done.then(() => voiceHeard), hungUp]);
      } finally {
        clearTimeout(timer);
      }
    },
    ended,
    async soFar(): Promise<Int16Array> {
      return samples(path).catch(() => new Int16Array(0));
    },
    async stop(): Promise<Utterance> {
      stoppedByUs = true;
      over();
      // When it had just ended by itself, its event carries the file.
      const info = await media.stopRecord(id).catch(async () => (await finished).info);
      detach();
      if (info === null) {
        await rm(path, { force: true });
        throw new CallEndedError(await callEnded);
      }
      return read(info, 'stopped');
    },
  };
}

/** The samples of the recorder's WAV, complete or still being written (its header sizes are patched last). */
async function samples(path: string): Promise<Int16Array> {
  const bytes = await readFile(path);
  const count = Math.max(0, Math.floor((bytes.length - WAV_HEADER_BYTES) / 2));
  const pcm = new Int16Array(count);
  for (let i = 0; i < count; i++) pcm[i] = bytes.readInt16LE(WAV_HEADER_BYTES + 2 * i);
  return pcm;
}
