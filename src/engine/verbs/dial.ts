import type { TwimlNode } from '../../xml/index.js';
import type { DialOptions, DialResult, DialTarget } from '../call-leg.js';
import { CONTINUE, END, type VerbContext, type VerbOutcome } from '../verb-context.js';
import { planDialRecording } from './dial-recording.js';

type DialNoun = TwimlNode<'Dial'>['children'][number];

/**
 * `<Dial>`: rings a number, a SIP URI or a client (the text, or up to 10 nouns at once)
 * and bridges the caller to whoever answers first (SEM-X1, SEM-X2). The call is answered
 * first (SEM-A1) unless `answerOnBridge`, which keeps it ringing until the callee answers
 * (SEM-A5). With `action`, the outcome is requested there and its document replaces the
 * rest of this one (SEM-X3); without, the next verb runs (SEM-X4). If the caller hung up
 * meanwhile, the action is still requested and its answer ignored. With `record`, the
 * dialled call is recorded (dial-recording.ts) and the action gets the recording too.
 *
 * A noun's `url` (whisper) runs on the callee's leg before the bridge (the dialer does it).
 *
 * Not done here yet: the Conference/Queue/other nouns (skipped with a warning).
 */
export async function dial(verb: TwimlNode<'Dial'>, ctx: VerbContext): Promise<VerbOutcome> {
  const { attrs } = verb;
  if (ctx.call.direction === 'outbound-dial') {
    // A dialled call's own document (a whisper) may not dial: Twilio's 13201 ends that call.
    ctx.timeline.append('error', { code: 13201, message: 'Cannot Dial out from a Dial Call Segment: a whisper may not <Dial>; the callee is dropped', line: verb.line });
    await ctx.leg.hangup();
    return END;
  }
  const targets = dialTargets(verb, ctx);
  if (targets.length === 0) {
    ctx.timeline.append('warning', { code: 13215, message: '<Dial> has nothing this engine can dial; skipped', line: verb.line });
    return CONTINUE;
  }
  if (!attrs.answerOnBridge) await ctx.leg.answer();
  const recording = planDialRecording(verb, ctx);
  const options: DialOptions = {
    callerId: attrs.callerId ?? '',
    timeoutMs: attrs.timeout * 1000,
    timeLimitMs: attrs.timeLimit * 1000,
    hangupOnStar: attrs.hangupOnStar,
    answerOnBridge: attrs.answerOnBridge,
    record: recording?.request.channels ?? 'none',
    ...(recording ? { recording: recording.request } : {}),
    ...(attrs.ringTone !== undefined ? { ringTone: attrs.ringTone } : {}),
  };
  let result: DialResult;
  try {
    result = await ctx.leg.dial(targets, options);
  } catch (err) {
    await recording?.finish(undefined).catch(() => undefined);
    throw err;
  }
  noteDialResult(ctx, result);
  const recorded = (await recording?.finish(result)) ?? {};
  if (attrs.action === undefined) return result.callerHungUp === true ? END : CONTINUE;
  const params = { ...actionParams(result, targets.some((t) => t.kind === 'sip')), ...recorded };
  return { type: 'fetch', url: ctx.resolve(attrs.action), method: attrs.method, params };
}

/** The dial's outcome on the timeline (Apifonica's makeCall notes it the same). */
export function noteDialResult(ctx: VerbContext, result: DialResult): void {
  ctx.timeline.append('dial-result', {
    status: result.status,
    childCallSid: result.childCallSid ?? null,
    durationSeconds: result.durationSeconds,
    sipResponseCode: result.sipResponseCode ?? null,
    callerHungUp: result.callerHungUp === true,
  });
}

/** The parameters of the Dial action request (dialects.md §5.4); the SIP ones only when a `<Sip>` was dialled. */
export function actionParams(result: DialResult, sip: boolean): Record<string, string> {
  const params: Record<string, string> = { DialCallStatus: result.status, DialBridged: result.bridged === true ? 'true' : 'false' };
  if (result.childCallSid !== undefined) params.DialCallSid = result.childCallSid;
  if (result.status === 'completed' || result.status === 'answered') params.DialCallDuration = String(result.durationSeconds);
  if (sip) {
    if (result.sipCallId !== undefined) params.DialSipCallId = result.sipCallId;
    if (result.sipResponseCode !== undefined) params.DialSipResponseCode = String(result.sipResponseCode);
  }
  return params;
}

function dialTargets(verb: TwimlNode<'Dial'>, ctx: VerbContext): DialTarget[] {
  if (verb.children.length === 0) {
    const text = verb.text.trim();
    if (text === '') return [];
    return [/^sips?:/i.test(text) ? { kind: 'sip', address: text } : { kind: 'number', address: text }];
  }
  const out: DialTarget[] = [];
  for (const noun of verb.children) {
    const target = nounTarget(noun, ctx);
    if (target !== undefined) out.push(target);
  }
  return out;
}

function nounTarget(noun: DialNoun, ctx: VerbContext): DialTarget | undefined {
  switch (noun.name) {
    case 'Number':
      return {
        kind: 'number',
        address: noun.text,
        ...(noun.attrs.sendDigits ? { sendDigits: noun.attrs.sendDigits } : {}),
        ...whisper(noun.attrs.url, noun.attrs.method, ctx),
      };
    case 'Sip':
      return {
        kind: 'sip',
        address: noun.text,
        ...(noun.attrs.username !== undefined ? { username: noun.attrs.username } : {}),
        ...(noun.attrs.password !== undefined ? { password: noun.attrs.password } : {}),
        ...whisper(noun.attrs.url, noun.attrs.method, ctx),
      };
    case 'Client': {
      const identity = noun.children.find((c) => c.name === 'Identity')?.text ?? noun.text;
      return identity === '' ? undefined : { kind: 'client', address: identity, ...whisper(noun.attrs.url, noun.attrs.method, ctx) };
    }
    default:
      ctx.timeline.append('warning', { code: 13215, message: `<Dial><${noun.name}> is not supported yet; skipped`, line: noun.line });
      return undefined;
  }
}

/** A noun's `url` and `method`: the whisper run on the callee's leg before the bridge, its URL resolved against this document. */
function whisper(url: string | undefined, method: 'GET' | 'POST', ctx: VerbContext): Pick<DialTarget, 'whisper'> {
  return url === undefined || url.trim() === '' ? {} : { whisper: { url: ctx.resolve(url.trim()), method } };
}
