import { Type, type TSchema } from '@sinclair/typebox';
import { WEBHOOK_COLUMNS, WEBHOOK_METHOD_KEYS, WEBHOOK_URL_KEYS, type WebhookSettings } from '../../store/index.js';
import { Nullable, type Field } from './resource.js';

/** An http(s) URL with a host; null clears it. */
export const Url = Type.String({ pattern: '^https?://[^\\s/?#]+[^\\s]*$', maxLength: 2048, description: 'An http or https URL' });
export const Method = Type.Union([Type.Literal('GET'), Type.Literal('POST')]);
export const DialectSchema = Type.Union([Type.Literal('twiml'), Type.Literal('apifonica')], {
  description: 'The XML dialect the documents at these URLs are written in',
});

type Columns = (typeof WEBHOOK_COLUMNS)[keyof typeof WEBHOOK_COLUMNS];

/** The voice and SMS URL fields numbers and applications share, as resource fields. */
export function webhookFields<Row extends Record<Columns, unknown>>(): Record<string, Field<Row>> {
  const out: Record<string, Field<Row>> = {};
  for (const key of WEBHOOK_URL_KEYS) out[WEBHOOK_COLUMNS[key]] = { schema: Nullable(Url), column: WEBHOOK_COLUMNS[key], nullable: true };
  for (const key of WEBHOOK_METHOD_KEYS) out[WEBHOOK_COLUMNS[key]] = { schema: Method, column: WEBHOOK_COLUMNS[key] };
  out.dialect = { schema: DialectSchema, column: 'dialect' };
  return out;
}

/** The same fields as optional body properties. */
export function webhookBodyProperties(): Record<string, TSchema> {
  const out: Record<string, TSchema> = {};
  for (const key of WEBHOOK_URL_KEYS) out[WEBHOOK_COLUMNS[key]] = Type.Optional(Nullable(Url));
  for (const key of WEBHOOK_METHOD_KEYS) out[WEBHOOK_COLUMNS[key]] = Type.Optional(Method);
  out.dialect = Type.Optional(DialectSchema);
  return out;
}

export function webhookJson(w: WebhookSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key of [...WEBHOOK_URL_KEYS, ...WEBHOOK_METHOD_KEYS]) out[WEBHOOK_COLUMNS[key]] = w[key];
  out.dialect = w.dialect;
  return out;
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export function readWebhookBody(body: Record<string, unknown>): Partial<WebhookSettings> {
  const out: Partial<Mutable<WebhookSettings>> = {};
  for (const key of WEBHOOK_URL_KEYS) if (body[WEBHOOK_COLUMNS[key]] !== undefined) out[key] = body[WEBHOOK_COLUMNS[key]] as string | null;
  for (const key of WEBHOOK_METHOD_KEYS) if (body[WEBHOOK_COLUMNS[key]] !== undefined) out[key] = body[WEBHOOK_COLUMNS[key]] as 'GET' | 'POST';
  if (body.dialect !== undefined) out.dialect = body.dialect as WebhookSettings['dialect'];
  return out;
}
