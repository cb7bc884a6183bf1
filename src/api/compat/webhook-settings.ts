import type { WebhookSettings } from '../../store/index.js';
import { optionalMethod, optionalUrl, type Params } from './params.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** The voice and SMS URL fields numbers and applications share, from their Twilio parameter names. */
export function readWebhookSettings(params: Params): Partial<WebhookSettings> {
  const out: Partial<Mutable<WebhookSettings>> = {};
  const urls = [
    ['VoiceUrl', 'voiceUrl'],
    ['VoiceFallbackUrl', 'voiceFallbackUrl'],
    ['StatusCallback', 'statusCallback'],
    ['SmsUrl', 'smsUrl'],
    ['SmsFallbackUrl', 'smsFallbackUrl'],
  ] as const;
  for (const [param, field] of urls) {
    const value = optionalUrl(params, param);
    if (value !== undefined) out[field] = value;
  }
  const methods = [
    ['VoiceMethod', 'voiceMethod'],
    ['VoiceFallbackMethod', 'voiceFallbackMethod'],
    ['StatusCallbackMethod', 'statusCallbackMethod'],
    ['SmsMethod', 'smsMethod'],
    ['SmsFallbackMethod', 'smsFallbackMethod'],
  ] as const;
  for (const [param, field] of methods) {
    const value = optionalMethod(params, param);
    if (value !== undefined) out[field] = value;
  }
  return out;
}

/** The same fields in Twilio's snake_case answer. */
export function webhookSettingsJson(w: WebhookSettings): Record<string, unknown> {
  return {
    voice_url: w.voiceUrl,
    voice_method: w.voiceMethod,
    voice_fallback_url: w.voiceFallbackUrl,
    voice_fallback_method: w.voiceFallbackMethod,
    status_callback: w.statusCallback,
    status_callback_method: w.statusCallbackMethod,
    sms_url: w.smsUrl,
    sms_method: w.smsMethod,
    sms_fallback_url: w.smsFallbackUrl,
    sms_fallback_method: w.smsFallbackMethod,
  };
}
