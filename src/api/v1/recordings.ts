import { Type } from '@sinclair/typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Recording } from '../../store/index.js';
import type { RecordingsTable, RecordingStatus } from '../../store/schema.js';
import { deleteRecording } from '../../telephony/call-recordings.js';
import { pathOf, principalOf } from '../principal.js';
import type { V1Context } from './context.js';
import { conflict, notFound } from './errors.js';
import { IsoDate, Nullable, checkIfMatch, type Resource } from './resource.js';
import { itemRoute, listRoute, removeRoute, type ItemParams } from './routes.js';
import type { WriteLock } from './write-lock.js';

const STATUSES: readonly RecordingStatus[] = ['in-progress', 'paused', 'stopped', 'processing', 'completed', 'absent', 'failed'];
/** A recorder still writes the file (or is about to): deleting it now would race the recorder. */
const BUSY = new Set<RecordingStatus>(['in-progress', 'paused', 'processing']);

/** Where the audio is served (api/recordings/media-route.ts); only a completed recording has it. */
function mediaPath(r: Recording): string | null {
  return r.status === 'completed' && r.filePath !== null ? `/2010-04-01/Accounts/${r.accountSid}/Recordings/${r.sid}.wav` : null;
}

export const RecordingResource: Resource<Recording, RecordingsTable> = {
  name: 'recordings',
  title: 'Recording',
  defaultSort: { field: 'date_created', direction: 'desc' },
  fields: {
    id: { schema: Type.String({ pattern: '^RE[0-9a-f]{32}$' }), column: 'sid' },
    account_id: { schema: Type.String(), column: 'account_sid' },
    call_id: { schema: Nullable(Type.String()), column: 'call_sid', nullable: true },
    status: { schema: Type.Union(STATUSES.map((s) => Type.Literal(s))), column: 'status' },
    channels: { schema: Type.Integer({ minimum: 1, maximum: 2 }), column: 'channels', kind: 'integer' },
    source: { schema: Type.String({ description: 'How it was made: RecordVerb, DialVerb, OutboundAPI, StartCallRecordingAPI…' }), column: 'source' },
    duration: { schema: Nullable(Type.Integer({ minimum: 0, description: 'Whole seconds, once completed' })), column: 'duration', kind: 'integer', nullable: true },
    start_time: { schema: IsoDate, column: 'start_time' },
    error_code: { schema: Nullable(Type.Integer({ description: '16101 too short, 16102 silent' })), column: 'error_code', kind: 'integer', nullable: true },
    media_url: {
      schema: Nullable(Type.String({ description: 'Path of the WAV audio on this server (same credentials), once completed; null before and when there is no audio' })),
    },
    date_created: { schema: IsoDate, column: 'date_created' },
    date_updated: { schema: IsoDate, column: 'date_updated' },
  },
  json: (r) => ({
    id: r.sid,
    account_id: r.accountSid,
    call_id: r.callSid,
    status: r.status,
    channels: r.channels,
    source: r.source,
    duration: r.duration,
    start_time: r.startTime,
    error_code: r.errorCode,
    media_url: mediaPath(r),
    date_created: r.dateCreated,
    date_updated: r.dateUpdated,
  }),
};

/** Recordings: list, fetch, and delete a finished one with its audio file. They are made by calls, never here. */
export async function recordingRoutes(app: FastifyInstance, ctx: V1Context, lock: WriteLock): Promise<void> {
  const get = (request: FastifyRequest, id: string) => ctx.store.recordings.get(id, principalOf(request).account.sid);
  listRoute(app, RecordingResource, (request, query) => ctx.store.recordings.query(principalOf(request).account.sid, query));
  itemRoute(app, RecordingResource, get);
  removeRoute(app, RecordingResource, 'Delete a recording and its audio file', async (request) => {
    const { id } = request.params as ItemParams;
    await lock.run(id, async () => {
      const recording = await get(request, id);
      if (!recording) throw notFound(pathOf(request));
      checkIfMatch(request, RecordingResource, recording);
      if (BUSY.has(recording.status)) {
        throw conflict(20009, `Cannot delete recording ${recording.sid} while it is ${recording.status}; stop it or wait until it has finished`);
      }
      await deleteRecording(ctx.store, ctx.dataDir, recording);
    });
  });
}
