import type { TwimlNode } from '../../xml/index.js';
import { CONTINUE, type VerbContext, type VerbOutcome } from '../verb-context.js';

/** A number a message can go to or come from: E.164, `+` optional as in the REST API. */
const PHONE_NUMBER = /^\+?[1-9]\d{1,14}$/;

/**
 * `<Sms>` (dialects.md §3.12, SEM-O3): queues a message from `from` (default: the number
 * called) to `to` (default: the caller) with the element's text, then goes on with the
 * call; with `action`, the call goes on with the document there instead, requested with
 * SmsSid and SmsStatus (`sending`, or `invalid` when nothing could be queued). Like
 * Apifonica's sendMessage it leaves the call as it is (no answer); delivery, and the
 * `statusCallback` with `sent`/`failed`, are the messaging part's.
 */
export async function sms(verb: TwimlNode<'Sms'>, ctx: VerbContext): Promise<VerbOutcome> {
  const { attrs } = verb;
  const outbox = ctx.messages;
  const body = verb.text;
  const from = attrs.from ?? ctx.call.to;
  const to = attrs.to ?? ctx.call.from;
  const problem = unsendable(body, from, to);
  let sid = '';
  if (outbox === undefined || problem !== undefined) {
    const { code, message } = problem ?? { code: 12200, message: 'there is no message outbox here' };
    ctx.timeline.append('warning', { code, message: `<Sms>: ${message}; no message sent`, line: verb.line });
  } else {
    ({ sid } = await outbox.queue({
      accountSid: ctx.call.accountSid,
      from,
      to,
      body,
      ...(attrs.statusCallback !== undefined ? { statusCallback: ctx.resolve(attrs.statusCallback) } : {}),
    }));
    ctx.timeline.append('message', { sid, from, to, status: 'queued' });
  }
  if (attrs.action === undefined) return CONTINUE;
  return {
    type: 'fetch',
    url: ctx.resolve(attrs.action),
    method: attrs.method,
    params: { SmsSid: sid, SmsStatus: sid === '' ? 'invalid' : 'sending' },
  };
}

/** Why no message can be queued, with Twilio's code for it; undefined when one can. */
function unsendable(body: string, from: string, to: string): { code: number; message: string } | undefined {
  if (body.trim() === '') return { code: 14103, message: 'the message has no text' };
  if (!PHONE_NUMBER.test(to)) return { code: 14101, message: `to ${JSON.stringify(to)} is not a phone number` };
  if (!PHONE_NUMBER.test(from)) return { code: 14102, message: `from ${JSON.stringify(from)} is not a phone number` };
  return undefined;
}
