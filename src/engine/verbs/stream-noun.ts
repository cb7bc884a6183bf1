/**
 * The `<Stream>` noun, shared by `<Start>` and `<Connect>`: its attributes and
 * `<Parameter>`s as a `StreamRequest`, and its status callbacks (`stream-started`,
 * `stream-stopped`, `stream-error`) with Twilio's parameters.
 */
import type { TwimlNode } from '../../xml/index.js';
import type { StreamEnd, StreamRequest } from '../call-leg.js';
import type { VerbContext } from '../verb-context.js';

/** A `<Stream>` that cannot start: Twilio's code and why. */
export interface StreamRefusal {
  readonly code: number;
  readonly message: string;
}

/** The request a `<Stream>` makes, or why it cannot be made. */
export function streamRequest(noun: TwimlNode<'Stream'>, ctx: VerbContext): StreamRequest | StreamRefusal {
  const url = noun.attrs.url;
  if (url === undefined || url === '') return { code: 31923, message: '<Stream> needs a url (ws:// or wss://)' };
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return { code: 31923, message: `<Stream url="${url}"> is not an absolute URL` };
  }
  if (parsed.protocol !== 'wss:' && parsed.protocol !== 'ws:') {
    return { code: 31922, message: `<Stream url="${url}">: only wss:// (and ws:// on a trusted network) is supported` };
  }
  const customParameters: Record<string, string> = {};
  for (const child of noun.children) {
    if (child.name === 'Parameter' && child.attrs.name !== undefined) customParameters[child.attrs.name] = child.attrs.value ?? '';
  }
  return {
    url,
    ...(noun.attrs.name === undefined || noun.attrs.name === '' ? {} : { name: noun.attrs.name }),
    track: noun.attrs.track,
    customParameters,
    callSid: ctx.call.callSid,
    accountSid: ctx.call.accountSid,
  };
}

export function isRefusal(value: StreamRequest | StreamRefusal): value is StreamRefusal {
  return 'code' in value;
}

/** Sends the stream's status callback for `event`, when the noun asks for them. */
export function streamCallback(
  noun: TwimlNode<'Stream'>,
  ctx: VerbContext,
  streamSid: string,
  event: 'stream-started' | 'stream-stopped' | 'stream-error',
  error?: string,
): void {
  const url = noun.attrs.statusCallback;
  if (url === undefined || url === '') return;
  ctx.notify({
    kind: 'stream-callback',
    label: event,
    url: ctx.resolve(url),
    method: noun.attrs.statusCallbackMethod,
    params: {
      StreamSid: streamSid,
      // Twilio names an unnamed stream by its SID.
      StreamName: noun.attrs.name ?? streamSid,
      StreamEvent: event,
      ...(error === undefined ? {} : { StreamError: error }),
      Timestamp: new Date().toISOString(),
    },
  });
}

/** Notes a stream's end on the timeline and sends its last callback. */
export function streamEnded(noun: TwimlNode<'Stream'>, ctx: VerbContext, end: StreamEnd): void {
  if (end.reason === 'failed') {
    ctx.timeline.append('error', { code: end.errorCode ?? 31924, message: `media stream ${end.streamSid} failed: ${end.error ?? 'unknown error'}`, line: noun.line });
    streamCallback(noun, ctx, end.streamSid, 'stream-error', end.error ?? 'general_error');
  } else {
    streamCallback(noun, ctx, end.streamSid, 'stream-stopped');
  }
}
