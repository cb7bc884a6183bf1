import type { TwimlNode } from '../../xml/index.js';
import { CONTINUE, type VerbContext, type VerbOutcome } from '../verb-context.js';
import { suppression } from './denoise.js';
import { isRefusal, streamCallback, streamEnded, streamRequest } from './stream-noun.js';

/**
 * `<Start>`: starts forks that run beside the rest of the call, and goes on at once.
 * `<Stream>` sends the call's audio to a WebSocket (Media Streams); other forks
 * (Siprec, Transcription, Recording) are not run yet and are reported; `<Suppression>`
 * turns on noise reduction (see denoise.ts). With `action`,
 * the call continues with the document at that URL instead of the next verb.
 */
export async function start(verb: TwimlNode<'Start'>, ctx: VerbContext): Promise<VerbOutcome> {
  await ctx.leg.answer();
  for (const noun of verb.children) {
    if (noun.name === 'Suppression') {
      await suppression(noun, ctx, true);
      continue;
    }
    if (noun.name !== 'Stream') {
      ctx.timeline.append('warning', { code: 12200, message: `<Start><${noun.name}> is not supported yet; skipped`, line: noun.line });
      continue;
    }
    const request = streamRequest(noun, ctx);
    if (isRefusal(request)) {
      ctx.timeline.append('error', { code: request.code, message: request.message, line: noun.line });
      continue;
    }
    const handle = await ctx.leg.startStream(request);
    ctx.timeline.append('stream', { event: 'start', streamSid: handle.streamSid, name: request.name ?? null, url: request.url, track: request.track });
    void handle.started.then((opened) => opened && streamCallback(noun, ctx, handle.streamSid, 'stream-started'));
    void handle.ended.then((end) => streamEnded(noun, ctx, end));
  }
  if (verb.attrs.action !== undefined) return { type: 'fetch', url: ctx.resolve(verb.attrs.action), method: verb.attrs.method };
  return CONTINUE;
}
