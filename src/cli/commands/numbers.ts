import type { Config } from '../../config/config.js';
import type { PhoneNumber } from '../../store/index.js';
import { normaliseE164 } from '../../telephony/e164.js';
import { UsageError } from './validate.js';
import { withStore } from './with-store.js';

export interface NumbersIo {
  readonly stdout: (line: string) => void;
}

export interface AddNumberFlags {
  readonly voiceUrl?: string;
  readonly voiceMethod?: string;
  readonly fallbackUrl?: string;
  readonly statusCallback?: string;
  readonly smsUrl?: string;
  readonly dialect?: string;
  readonly account?: string;
  readonly json?: boolean;
}

function method(flag: string, value: string | undefined): 'GET' | 'POST' | undefined {
  if (value === undefined) return undefined;
  const upper = value.toUpperCase();
  if (upper !== 'GET' && upper !== 'POST') throw new UsageError(`${flag} must be GET or POST, not "${value}"`);
  return upper;
}

function url(flag: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  try {
    const u = new URL(value);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('scheme');
  } catch {
    throw new UsageError(`${flag} must be an http(s) URL, not "${value}"`);
  }
  return value;
}

function e164(value: string): string {
  const n = normaliseE164(value);
  if (n === undefined) throw new UsageError(`"${value}" is not a phone number (E.164, like +15550100)`);
  return n;
}

function describeNumber(n: PhoneNumber): string {
  const voice = n.voiceUrl ? `${n.voiceMethod} ${n.voiceUrl}` : 'no voice URL';
  const extras = [
    n.voiceFallbackUrl && `fallback ${n.voiceFallbackUrl}`,
    n.statusCallback && `status ${n.statusCallback}`,
    n.smsUrl && `sms ${n.smsMethod} ${n.smsUrl}`,
    n.dialect !== 'twiml' && n.dialect,
  ].filter(Boolean);
  return `${n.phoneNumber}  ${n.sid}  ${voice}${extras.length ? `  (${extras.join(', ')})` : ''}`;
}

export async function runNumbersAdd(config: Config, number: string, flags: AddNumberFlags, io: NumbersIo): Promise<number> {
  const dialect = flags.dialect ?? 'twiml';
  if (dialect !== 'twiml' && dialect !== 'apifonica') throw new UsageError(`--dialect must be twiml or apifonica, not "${dialect}"`);
  const input = {
    phoneNumber: e164(number),
    voiceUrl: url('--voice-url', flags.voiceUrl) ?? null,
    voiceMethod: method('--voice-method', flags.voiceMethod) ?? 'POST',
    voiceFallbackUrl: url('--fallback-url', flags.fallbackUrl) ?? null,
    statusCallback: url('--status-callback', flags.statusCallback) ?? null,
    smsUrl: url('--sms-url', flags.smsUrl) ?? null,
    dialect: dialect as 'twiml' | 'apifonica',
  } as const;
  return withStore(
    config,
    async (store, accountSid) => {
      const added = await store.numbers.add(accountSid, input);
      io.stdout(flags.json ? JSON.stringify(added) : `added ${describeNumber(added)}`);
      return 0;
    },
    flags.account,
  );
}

export async function runNumbersList(config: Config, flags: { json?: boolean; account?: string }, io: NumbersIo): Promise<number> {
  return withStore(
    config,
    async (store, accountSid) => {
      const numbers = await store.numbers.list(accountSid);
      if (flags.json) io.stdout(JSON.stringify(numbers));
      else if (numbers.length === 0) io.stdout('no numbers');
      else for (const n of numbers) io.stdout(describeNumber(n));
      return 0;
    },
    flags.account,
  );
}

export async function runNumbersRemove(config: Config, numberOrSid: string, flags: { account?: string }, io: NumbersIo): Promise<number> {
  const key = /^PN[0-9a-f]{32}$/.test(numberOrSid) ? numberOrSid : e164(numberOrSid);
  return withStore(
    config,
    async (store, accountSid) => {
      const removed = await store.numbers.remove(key, accountSid);
      io.stdout(removed ? `removed ${key}` : `no number ${key}`);
      return removed ? 0 : 1;
    },
    flags.account,
  );
}

export async function runCallsList(config: Config, flags: { json?: boolean; account?: string; limit?: string }, io: NumbersIo): Promise<number> {
  const limit = Number(flags.limit ?? 20);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new UsageError('--limit must be a whole number from 1 to 1000');
  return withStore(
    config,
    async (store, accountSid) => {
      const calls = await store.calls.list(accountSid, {}, limit);
      if (flags.json) io.stdout(JSON.stringify(calls));
      else if (calls.length === 0) io.stdout('no calls');
      else for (const c of calls) io.stdout(`${c.sid}  ${c.dateCreated}  ${c.direction}  ${c.from} → ${c.to}  ${c.status}${c.duration !== null ? `  ${c.duration}s` : ''}`);
      return 0;
    },
    flags.account,
  );
}

export async function runCallsShow(config: Config, sid: string, flags: { json?: boolean; account?: string }, io: NumbersIo): Promise<number> {
  return withStore(
    config,
    async (store, accountSid) => {
      const call = await store.calls.get(sid, accountSid);
      if (!call) {
        io.stdout(`no call ${sid}`);
        return 1;
      }
      const timeline = await store.callEvents.list(sid);
      if (flags.json) {
        io.stdout(JSON.stringify({ ...call, timeline }));
      } else {
        io.stdout(`${call.sid}  ${call.direction}  ${call.from} → ${call.to}  ${call.status}`);
        for (const e of timeline) io.stdout(`  ${e.at}  #${e.seq}  ${e.type}  ${JSON.stringify(e.data)}`);
      }
      return 0;
    },
    flags.account,
  );
}
