import type { TwimlNode } from '../../xml/index.js';
import { CONTINUE, type VerbContext, type VerbOutcome } from '../verb-context.js';
import { isRefusal, streamCallback, streamEnded, streamRequest } from './stream-noun.js';

/**
 * `<Connect><Stream>`: a bidirectional media stream. The caller's audio goes to the
 * WebSocket and what the application sends back is played to the caller, until the
 * WebSocket closes (or cannot open). Then the call continues with `action` when given,
 * else with the next verb. Other `<Connect>` nouns (rooms, AI agents) are not run yet.
 */
export async function connect(verb: TwimlNode<'Connect'>, ctx: VerbContext): Promise<VerbOutcome> {
  await ctx.leg.answer();
  const noun = verb.children.find((child) => child.name === 'Stream');
  for (const other of verb.children) {
    if (other.name !== 'Stream') {
      ctx.timeline.append('warning', { code: 12200, message: `<Connect><${other.name}> is not supported yet; skipped`, line: other.line });
    }
  }
  if (noun !== undefined && noun.name === 'Stream') {
    const request = streamRequest(noun, ctx);
    if (isRefusal(request)) {
      ctx.timeline.append('error', { code: request.code, message: request.message, line: noun.line });
    } else {
      if (request.track !== 'inbound_track') {
        ctx.timeline.append('warning', { code: 12200, message: `<Connect><Stream track="${request.track}">: a bidirectional stream carries the inbound track only`, line: noun.line });
      }
      const end = await ctx.leg.connectStream(request, { started: (sid) => streamCallback(noun, ctx, sid, 'stream-started') });
      ctx.timeline.append('stream', { event: 'connect-end', streamSid: end.streamSid, reason: end.reason, error: end.error ?? null });
      streamEnded(noun, ctx, end);
    }
  }
  if (verb.attrs.action !== undefined) return { type: 'fetch', url: ctx.resolve(verb.attrs.action), method: verb.attrs.method };
  return CONTINUE;
}
