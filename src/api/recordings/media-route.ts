/**
 * A recording's audio at Twilio's media URL, `GET /2010-04-01/Accounts/{AccountSid}/Recordings/{RecordingSid}`
 * with `.wav` or no extension (WAV, as Twilio serves by default) or `.mp3` (encoded from
 * the WAV on the first request and kept beside it). Like Twilio's default, media URLs
 * need no credentials: the SIDs are the secret. The Recording resource itself (`.json`,
 * lists, delete) belongs to the REST API plugin, not to this route.
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { FastifyInstance } from 'fastify';
import type { Store } from '../../store/index.js';
import { recordingFile } from '../../telephony/call-recordings.js';
import { Mp3UnavailableError, RecordingMp3s } from '../../telephony/recording-mp3.js';
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
  summary: 'A recording’s audio (WAV, or MP3 with .mp3), at its media URL',
  params: {
    type: 'object',
    properties: { accountSid: { type: 'string' }, file: { type: 'string', description: 'The recording SID, with .wav, .mp3 or no extension (WAV)' } },
    required: ['accountSid', 'file'],
  },
  response: {
    200: {
      description: 'The audio: 8 kHz 16-bit PCM WAV, or MP3',
      content: { 'audio/x-wav': { schema: { type: 'string', format: 'binary' } }, 'audio/mpeg': { schema: { type: 'string', format: 'binary' } } },
    },
    404: { description: 'No such recording, not completed yet, or no WAV to encode as MP3', content: { 'application/json': { schema: TwilioError } } },
  },
} as const;

export async function recordingMediaRoute(app: FastifyInstance, options: RecordingMediaOptions): Promise<void> {
  const mp3s = new RecordingMp3s();
  app.get<{ Params: { accountSid: string; file: string } }>('/2010-04-01/Accounts/:accountSid/Recordings/:file', { schema: MEDIA_SCHEMA }, async (request, reply) => {
    const { accountSid, file } = request.params;
    const notFound = (): ApiError => new ApiError(404, 20404, `The requested resource ${request.url} was not found`);
    const match = MEDIA_FILE.exec(file);
    if (!match) throw notFound();
    const [, sid, extension = 'wav'] = match;
    const recording = await options.store.recordings.get(sid!, accountSid);
    if (!recording || recording.status !== 'completed' || recording.filePath === null) throw notFound();
    const wav = recordingFile(options.dataDir, recording);
    if (wav === undefined) throw notFound();
    let path = wav;
    if (extension === 'mp3') {
      try {
        path = await mp3s.fileFor(wav);
      } catch (err) {
        if (err instanceof Mp3UnavailableError) throw new ApiError(404, 20404, `Recording ${sid} is not available as MP3 (${err.message}); request ${sid}.wav`);
        throw err;
      }
    }
    const size = await stat(path).then(
      (s) => s.size,
      () => undefined,
    );
    if (size === undefined) throw notFound();
    return reply
      .type(extension === 'mp3' ? 'audio/mpeg' : 'audio/x-wav')
      .header('content-length', size)
      .header('content-disposition', `inline; filename="${sid}.${extension}"`)
      .send(createReadStream(path));
  });
}
