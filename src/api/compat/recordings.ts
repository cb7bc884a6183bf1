/**
 * Recordings: `Recordings.json` and `Calls/{CallSid}/Recordings.json` (list, newest
 * first), and each recording's resource (fetch, delete) at `Recordings/{Sid}.json` and
 * `Calls/{CallSid}/Recordings/{Sid}.json`. The audio is the media route's
 * (`Recordings/{Sid}` and `.wav`, api/recordings/media-route.ts); deleting a recording
 * removes its row and its file.
 */
import { rm } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Recording, RecordingFilter } from '../../store/index.js';
import { pathOf, principalOf, type CompatContext } from './context.js';
import { notFound } from './errors.js';
import { envelope, oldestFirst, pageInMemory, readPageRequest, storeQuery } from './paging.js';
import { one, readParams } from './params.js';
import { accountPath, rfc2822 } from './serialize.js';
import { timeBounds } from './time-filter.js';

/** The media route answers on Twilio's mount only. */
const MEDIA_MOUNT = '/2010-04-01';

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
    media_url: `${origin}${accountPath(MEDIA_MOUNT, r.accountSid)}/Recordings/${r.sid}`,
  };
}

function originOf(request: FastifyRequest): string {
  return `${request.protocol}://${request.host}`;
}

function newestFirst(a: Parameters<typeof oldestFirst>[0], b: Parameters<typeof oldestFirst>[1]): number {
  return oldestFirst(b, a);
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
    const rows = pageInMemory(await ctx.store.recordings.listByAccount(account.sid, filter), storeQuery(pageRequest), newestFirst);
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
    await ctx.store.recordings.remove(recording.sid, recording.accountSid);
    if (recording.filePath !== null && ctx.dataDir !== undefined) {
      const root = resolve(ctx.dataDir);
      const file = resolve(root, recording.filePath);
      const inside = relative(root, file);
      if (!inside.startsWith('..') && !isAbsolute(inside)) await rm(file, { force: true });
    }
    return reply.status(204).send();
  };

  app.get<List>('/Accounts/:AccountSid/Recordings.json', list);
  app.get<List>('/Accounts/:AccountSid/Calls/:CallSid/Recordings.json', list);
  app.get<Item>('/Accounts/:AccountSid/Recordings/:Sid.json', fetch);
  app.get<Item>('/Accounts/:AccountSid/Calls/:CallSid/Recordings/:Sid.json', fetch);
  app.delete<Item>('/Accounts/:AccountSid/Recordings/:Sid.json', remove);
  app.delete<Item>('/Accounts/:AccountSid/Calls/:CallSid/Recordings/:Sid.json', remove);
}
