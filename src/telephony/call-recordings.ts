/**
 * The recordings of one call, as the engine's recordings port: each is a row in the
 * store and a WAV file under the data directory (`recordings/AC…/RE….wav`), reachable
 * at Twilio's media URL (`{public URL}/2010-04-01/Accounts/AC…/Recordings/RE…`).
 * Status callbacks are queued in the call's outbox, which delivers them after the call
 * if need be and notes each attempt on the timeline.
 */
import { mkdir, rm } from 'node:fs/promises';
import { isAbsolute, join, posix, relative, resolve } from 'node:path';
import type { CallbackRequest, CallRecordings, RecordingEnd, RecordingSlot, RecordingSource } from '../engine/recordings.js';
import type { MessageQueue } from '../engine/message-queue.js';
import { newSid, type Recording, type Store } from '../store/index.js';
import { mp3PathOf } from './recording-mp3.js';

export interface CallRecordingsDeps {
  readonly store: Store;
  readonly dataDir: string;
  /** The base of the URLs applications are given, without a trailing slash. */
  readonly publicUrl: string;
  readonly accountSid: string;
  readonly callSid: string;
  /** Where status callbacks are queued (the durable outbox); none sends none. */
  readonly callbacks?: MessageQueue;
  /** Told when a callback could not be queued. */
  readonly note: (type: string, data: Readonly<Record<string, unknown>>) => void;
}

/** `RecordingUrl`: Twilio's media URL of a recording, without extension. */
export function recordingUrl(publicUrl: string, accountSid: string, sid: string): string {
  return `${publicUrl.replace(/\/+$/, '')}/2010-04-01/Accounts/${accountSid}/Recordings/${sid}`;
}

/** Where a recording's file lives, relative to the data directory. */
export function recordingFilePath(accountSid: string, sid: string): string {
  return posix.join('recordings', accountSid, `${sid}.wav`);
}

/**
 * A recording's file as an absolute path, or undefined when it has none or its stored
 * path would lead out of the data directory (a row is not trusted to stay inside).
 */
export function recordingFile(dataDir: string, recording: Pick<Recording, 'filePath'>): string | undefined {
  if (recording.filePath === null) return undefined;
  const root = resolve(dataDir);
  const file = resolve(root, recording.filePath);
  const inside = relative(root, file);
  return inside === '' || inside.startsWith('..') || isAbsolute(inside) ? undefined : file;
}

/** Deletes a recording: its row, and its file when there is a data directory to find it in. */
export async function deleteRecording(store: Pick<Store, 'recordings'>, dataDir: string | undefined, recording: Recording): Promise<void> {
  await store.recordings.remove(recording.sid, recording.accountSid);
  const file = dataDir === undefined ? undefined : recordingFile(dataDir, recording);
  if (file !== undefined) await Promise.all([rm(file, { force: true }), rm(mp3PathOf(file), { force: true })]);
}

export class StoredCallRecordings implements CallRecordings {
  readonly #deps: CallRecordingsDeps;

  constructor(deps: CallRecordingsDeps) {
    this.#deps = deps;
  }

  async begin(source: RecordingSource, channels: 1 | 2): Promise<RecordingSlot> {
    const { store, dataDir, accountSid, callSid, publicUrl } = this.#deps;
    const sid = newSid('RE');
    const relative = recordingFilePath(accountSid, sid);
    await mkdir(join(dataDir, 'recordings', accountSid), { recursive: true });
    const startTime = new Date();
    await store.recordings.create({ sid, accountSid, callSid, source, channels, status: 'in-progress', startTime: startTime.toISOString(), filePath: relative });
    return { sid, path: join(dataDir, relative), url: recordingUrl(publicUrl, accountSid, sid), startTime };
  }

  async end(sid: string, end: RecordingEnd): Promise<void> {
    const { store, dataDir, accountSid } = this.#deps;
    if (end.status === 'completed') {
      await store.recordings.update(sid, { status: 'completed', duration: end.durationSeconds, channels: end.channels });
      return;
    }
    // Nothing worth keeping: the row says why, the file goes.
    await rm(join(dataDir, recordingFilePath(accountSid, sid)), { force: true });
    await store.recordings.update(sid, {
      status: end.status,
      filePath: null,
      ...(end.errorCode === undefined ? {} : { errorCode: end.errorCode }),
      ...(end.status === 'absent' ? { duration: end.durationSeconds, channels: end.channels } : {}),
    });
  }

  notify(request: CallbackRequest): void {
    const { callbacks, accountSid, callSid, note } = this.#deps;
    if (callbacks === undefined) return;
    const params: Readonly<Record<string, string>> = { AccountSid: accountSid, CallSid: callSid, ...request.params };
    const status = params.RecordingStatus ?? 'recording';
    callbacks
      .enqueue({ accountSid, orderKey: callSid, callSid, kind: 'recording-callback', label: status, url: request.url, method: request.method, params })
      .catch((err: unknown) => note('recording-callback', { url: request.url, method: request.method, status, ok: false, message: `not queued: ${(err as Error).message}` }));
  }
}
