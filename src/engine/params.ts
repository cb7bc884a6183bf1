/**
 * The parameters every request about a call carries (dialects.md §5.1), in the names
 * the application's dialect expects: PascalCase for the TwiML family, snake_case for
 * Apifonica (§5.16).
 */
import type { FormParams } from './webhook/sign.js';

export interface CallFacts {
  readonly callSid: string;
  readonly accountSid: string;
  readonly from: string;
  readonly to: string;
  readonly direction: 'inbound' | 'outbound-api' | 'outbound-dial';
  readonly apiVersion: string;
  readonly forwardedFrom?: string | null;
  readonly callerName?: string | null;
  readonly parentCallSid?: string | null;
}

export type CallStatusParam = 'queued' | 'initiated' | 'ringing' | 'in-progress' | 'completed' | 'busy' | 'failed' | 'no-answer' | 'canceled';

const APIFONICA_NAMES: Readonly<Record<string, string>> = {
  CallSid: 'call_sid',
  AccountSid: 'account_sid',
  From: 'from',
  To: 'to',
  CallStatus: 'status',
  ApiVersion: 'api_version',
  Direction: 'direction',
  ForwardedFrom: 'forwarded_from',
  CallerName: 'caller_name',
  ParentCallSid: 'parent_call_sid',
  Digits: 'digits',
  ErrorCode: 'error_code',
  ErrorUrl: 'error_url',
};

function snake(name: string): string {
  return APIFONICA_NAMES[name] ?? name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase();
}

/** The standard voice request parameters, plus `extra` (Digits, ErrorCode, ...). */
export function callParams(
  call: CallFacts,
  status: CallStatusParam,
  dialect: 'twiml' | 'apifonica',
  extra: Readonly<Record<string, string>> = {},
): FormParams {
  const base: Record<string, string> = {
    CallSid: call.callSid,
    AccountSid: call.accountSid,
    From: call.from,
    To: call.to,
    CallStatus: status,
    ApiVersion: call.apiVersion,
    Direction: call.direction,
    Caller: call.from,
    Called: call.to,
  };
  if (call.forwardedFrom) base.ForwardedFrom = call.forwardedFrom;
  if (call.callerName) base.CallerName = call.callerName;
  if (call.parentCallSid) base.ParentCallSid = call.parentCallSid;
  Object.assign(base, extra);
  if (dialect === 'twiml') return base;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) if (k !== 'Caller' && k !== 'Called') out[snake(k)] = v;
  return out;
}
