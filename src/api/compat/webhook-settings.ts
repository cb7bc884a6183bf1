import { WEBHOOK_COLUMNS, WEBHOOK_METHOD_KEYS, WEBHOOK_URL_KEYS, type WebhookSettings } from '../../store/index.js';
import { optionalMethod, optionalUrl, type Params } from './params.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** A setting's Twilio parameter name: `voiceUrl` is `VoiceUrl`. */
export function webhookParam(key: keyof WebhookSettings): string {
  return key[0]!.toUpperCase() + key.slice(1);
}

/** The voice and SMS URL fields numbers and applications share, from their Twilio parameter names (URLs checked first). */
export function readWebhookSettings(params: Params): Partial<WebhookSettings> {
  const out: Partial<Mutable<WebhookSettings>> = {};
  for (const key of WEBHOOK_URL_KEYS) {
    const value = optionalUrl(params, webhookParam(key));
    if (value !== undefined) out[key] = value;
  }
  for (const key of WEBHOOK_METHOD_KEYS) {
    const value = optionalMethod(params, webhookParam(key));
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** The same fields in Twilio's snake_case answer (Twilio has no dialect). */
export function webhookSettingsJson(w: WebhookSettings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, column] of Object.entries(WEBHOOK_COLUMNS) as [keyof WebhookSettings, string][]) if (key !== 'dialect') out[column] = w[key];
  return out;
}
