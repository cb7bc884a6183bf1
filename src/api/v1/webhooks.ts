import { Type, type TSchema } from '@sinclair/typebox';
import type { WebhookSettings } from '../../store/index.js';
import { Nullable, type Field } from './resource.js';

/** An http(s) URL with a host; null clears it. */
export const Url = Type.String({ pattern: '^https?://[^\\s/?#]+[^\\s]*$', maxLength: 2048, description: 'An http or https URL' });
export const Method = Type.Union([Type.Literal('GET'), Type.Literal('POST')]);
export const DialectSchema = Type.Union([Type.Literal('twiml'), Type.Literal('apifonica')], {
  description: 'The XML dialect the documents at these URLs are written in',
});

const URLS = [
  ['voice_url', 'voiceUrl', 'voice_url'],
  ['voice_fallback_url', 'voiceFallbackUrl', 'voice_fallback_url'],
  ['status_callback', 'statusCallback', 'status_callback'],
  ['sms_url', 'smsUrl', 'sms_url'],
  ['sms_fallback_url', 'smsFallbackUrl', 'sms_fallback_url'],
] as const;
const METHODS = [
  ['voice_method', 'voiceMethod', 'voice_method'],
  ['voice_fallback_method', 'voiceFallbackMethod', 'voice_fallback_method'],
  ['status_callback_method', 'statusCallbackMethod', 'status_callback_method'],
  ['sms_method', 'smsMethod', 'sms_method'],
  ['sms_fallback_method', 'smsFallbackMethod', 'sms_fallback_method'],
] as const;

type Columns = 'voice_url' | 'voice_method' | 'voice_fallback_url' | 'voice_fallback_method' | 'status_callback' | 'status_callback_method' | 'sms_url' | 'sms_method' | 'sms_fallback_url' | 'sms_fallback_method' | 'dialect';

/** The voice and SMS URL fields numbers and applications share, as resource fields. */
export function webhookFields<Row extends Record<Columns, unknown>>(): Record<string, Field<Row>> {
  const out: Record<string, Field<Row>> = {};
  for (const [field, , column] of URLS) out[field] = { schema: Nullable(Url), column, nullable: true };
  for (const [field, , column] of METHODS) out[field] = { schema: Method, column };
  out.dialect = { schema: DialectSchema, column: 'dialect' };
  return out;
}

/** The same fields as optional body properties. */
export function webhookBodyProperties(): Record<string, TSchema> {
  const out: Record<string, TSchema> = {};
  for (const [field] of URLS) out[field] = Type.Optional(Nullable(Url));
  for (const [field] of METHODS) out[field] = Type.Optional(Method);
  out.dialect = Type.Optional(DialectSchema);
  return out;
}

export function webhookJson(w: WebhookSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [field, key] of URLS) out[field] = w[key];
  for (const [field, key] of METHODS) out[field] = w[key];
  out.dialect = w.dialect;
  return out;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function readWebhookBody(body: Record<string, unknown>): Partial<WebhookSettings> {
  const out: Partial<Mutable<WebhookSettings>> = {};
  for (const [field, key] of URLS) if (body[field] !== undefined) out[key] = body[field] as string | null;
  for (const [field, key] of METHODS) if (body[field] !== undefined) out[key] = body[field] as 'GET' | 'POST';
  if (body.dialect !== undefined) out.dialect = body.dialect as WebhookSettings['dialect'];
  return out;
}
