/**
 * Recordings: `Recordings.json` and `Calls/{CallSid}/Recordings.json` (list, newest
 * first), and each recording's resource (fetch, delete) at `Recordings/{Sid}.json` and
 * `Calls/{CallSid}/Recordings/{Sid}.json`. The audio is the media route's
 * (`Recordings/{Sid}` and `.wav`, api/recordings/media-route.ts); deleting a recording
 * removes its row and its file.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Recording, RecordingFilter } from '../../store/index.js';
import { deleteRecording, recordingUrl } from '../../telephony/call-recordings.js';
import { pathOf, principalOf } from '../principal.js';
import type { CompatContext } from './context.js';
import { notFound } from './errors.js';
import { envelope, readPageRequest, storeQuery } from './paging.js';
import { one, readParams } from './params.js';
import { accountPath, rfc2822 } from './serialize.js';
import { timeBounds } from './time-filter.js';

/** Twilio's recording resource (`api.v2010.account.recording`). */
export function recordingJson(base: string, origin: string, r: Recording): Record<string, unknown> {
  const path = `${accountPath(base, r.accountSid)}/Recordings/${r.sid}`;
  return {
    account_sid: r.accountSid,
    api_version: '2010-04-01',
    call_sid: r.callSid,
    conference_sid: null,
    date_created: rfc2822(r.dateCreated),
    date_updated: rfc2822(r.dateUpdated),
    start_time: rfc2822(r.startTime),
    duration: r.duration === null ? null : String(r.duration),
    sid: r.sid,
    price: null,
    price_unit: 'USD',
    status: r.status,
    channels: r.channels,
    source: r.source,
    error_code: r.errorCode,
    uri: `${path}.json`,
    encryption_details: null,
    subresource_uris: {
      add_on_results: `${path}/AddOnResults.json`,
      transcriptions: `${path}/Transcriptions.json`,
    },
    // The media route answers on Twilio's mount only, whichever mount asked.
    media_url: recordingUrl(origin, r.accountSid, r.sid),
  };
}

function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

export async function recordingRoutes(app: FastifyInstance, ctx: CompatContext): Promise<void> {
  type List = { Params: { AccountSid: string; CallSid?: string } };
  type Item = { Params: { AccountSid: string; CallSid?: string; Sid: string } };

  const list = async (request: FastifyRequest<List>): Promise<unknown> => {
    const { account } = principalOf(request);
    const params = readParams(request.query);
    const pageRequest = readPageRequest(params);
    const created = timeBounds(params, 'DateCreated');
    const callSid = request.params.CallSid ?? one(params, 'CallSid');
    if (request.params.CallSid !== undefined && !(await ctx.store.calls.get(request.params.CallSid, account.sid))) throw notFound(pathOf(request));
    const filter: RecordingFilter = {
      ...(callSid ? { callSid } : {}),
      ...(created.after ? { createdAfter: created.after } : {}),
      ...(created.before ? { createdBefore: created.before } : {}),
    };
    const rows = await ctx.store.recordings.page(account.sid, filter, storeQuery(pageRequest));
    const origin = originOf(request);
    return envelope(request, params, pageRequest, 'recordings', rows, (r) => recordingJson(ctx.base, origin, r));
  };

  const find = async (request: FastifyRequest<Item>): Promise<Recording> => {
    const { account } = principalOf(request);
    const recording = await ctx.store.recordings.get(request.params.Sid, account.sid);
    if (!recording || (request.params.CallSid !== undefined && recording.callSid !== request.params.CallSid)) throw notFound(pathOf(request));
    return recording;
  };

  const fetch = async (request: FastifyRequest<Item>): Promise<unknown> => recordingJson(ctx.base, originOf(request), await find(request));

  const remove = async (request: FastifyRequest<Item>, reply: { status(code: number): { send(): unknown } }): Promise<unknown> => {
    const recording = await find(request);
    await deleteRecording(ctx.store, ctx.dataDir, recording);
    return reply.status(204).send();
  };

  app.get<List>('/Accounts/:AccountSid/Recordings.json', list);
  app.get<List>('/Accounts/:AccountSid/Calls/:CallSid/Recordings.json', list);
  app.get<Item>('/Accounts/:AccountSid/Recordings/:Sid.json', fetch);
  app.get<Item>('/Accounts/:AccountSid/Calls/:CallSid/Recordings/:Sid.json', fetch);
  app.delete<Item>('/Accounts/:AccountSid/Recordings/:Sid.json', remove);
  app.delete<Item>('/Accounts/:AccountSid/Calls/:CallSid/Recordings/:Sid.json', remove);
}
