/**
 * A recording's audio at Twilio's media URL, `GET /2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}`
 * with `.wav` or no extension (WAV, as Twilio serves by default). Like Twilio's default,
 * media URLs need no credentials: the SIDs are the secret. `.mp3` answers a Twilio-shaped
 * 404 (no MP3 encoder here yet). The Recording resource itself (`.json`, lists, delete)
 * belongs to the REST API plugin, not to this route.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/index.js';
import { recordingFile } from '../../telephony/call-recordings.js';
import { ApiError } from '../errors.js';

export interface RecordingMediaOptions {
  readonly store: Store;
  /** Recording rows hold paths relative to it. */
  readonly dataDir: string;
}

const MEDIA_FILE = /^(RE[0-9a-f]{32})(?:\.(wav|mp3))?$/;

const TwilioError = {
  type: 'object',
  properties: { code: { type: 'integer' }, message: { type: 'string' }, more_info: { type: 'string' }, status: { type: 'integer' } },
  required: ['code', 'message', 'more_info', 'status'],
} as const;

/** Documents the route (so /openapi.json covers every answer); the handler checks the file name itself. */
const MEDIA_SCHEMA = {
  tags: ['compatible'],
  summary: 'A recording’s audio (WAV), at its media URL',
  params: {
    type: 'object',
    properties: { accountSid: { type: 'string' }, file: { type: 'string', description: 'The recording SID, with .wav or no extension' } },
    required: ['accountSid', 'file'],
  },
  response: {
    200: { description: 'The audio, 8 kHz 16-bit PCM WAV', content: { 'audio/x-wav': { schema: { type: 'string', format: 'binary' } } } },
    404: { description: 'No such recording, not completed yet, or asked for as MP3', content: { 'application/json': { schema: TwilioError } } },
  },
} as const;

export async function recordingMediaRoute(app: FastifyInstance, options: RecordingMediaOptions): Promise<void> {
  app.get<{ Params: { accountSid: string; file: string } }>('/2010-04-01/Accounts/:accountSid/Recordings/:file', { schema: MEDIA_SCHEMA }, async (request, reply) => {
    const { accountSid, file } = request.params;
    const notFound = (): ApiError => new ApiError(404, 20404, `The requested resource ${request.url} was not found`);
    const match = MEDIA_FILE.exec(file);
    if (!match) throw notFound();
    const [, sid, extension = 'wav'] = match;
    const recording = await options.store.recordings.get(sid!, accountSid);
    if (!recording || recording.status !== 'completed' || recording.filePath === null) throw notFound();
    if (extension === 'mp3') {
      throw new ApiError(404, 20404, `Recording ${sid} is not available as MP3 on this server; request ${sid}.wav`);
    }
    const path = recordingFile(options.dataDir, recording);
    if (path === undefined) throw notFound();
    const size = await stat(path).then(
      (s) => s.size,
      () => undefined,
    );
    if (size === undefined) throw notFound();
    return reply
      .type('audio/x-wav')
      .header('content-length', size)
      .header('content-disposition', `inline; filename="${sid}.wav"`)
      .send(createReadStream(path));
  });
}
