import type { ApifonicaNode } from '../../../xml/index.js';
import { CONTINUE, type VerbContext, type VerbOutcome } from '../../verb-context.js';

/**
 * `<sendMessage>` during a call (dialects.md §9.9): queues an SMS from `from` (default: the
 * number called) to `to` (default: the caller) with the `text` attribute or the element's
 * text. The message is stored queued; delivery, and the notices to `controller_url` or
 * `controller_app`'s controller, are the messaging part's. It does not answer the call.
 */
export async function sendMessage(verb: ApifonicaNode<'sendMessage'>, ctx: VerbContext): Promise<VerbOutcome> {
  const { attrs } = verb;
  const body = attrs.text ?? verb.text;
  if (ctx.messages === undefined) {
    ctx.timeline.append('warning', { code: 12200, message: '<sendMessage> is not available here: no message outbox; skipped', line: verb.line });
    return CONTINUE;
  }
  if (body === '') {
    ctx.timeline.append('warning', { code: 12200, message: '<sendMessage> has no text; skipped', line: verb.line });
    return CONTINUE;
  }
  const from = attrs.from ?? ctx.call.to;
  const to = attrs.to ?? ctx.call.from;
  const { sid } = await ctx.messages.queue({
    accountSid: ctx.call.accountSid,
    from,
    to,
    body,
    ...(attrs.controller_url !== undefined ? { statusCallback: ctx.resolve(attrs.controller_url) } : {}),
    ...(attrs.controller_app !== undefined ? { applicationSid: attrs.controller_app } : {}),
  });
  ctx.timeline.append('message', { sid, from, to, status: 'queued' });
  return CONTINUE;
}
