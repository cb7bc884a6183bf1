/**
 * Posts one recording status callback (`recordingStatusCallback`), signed like every
 * webhook. Kept to one function so that it can move into the durable webhook outbox:
 * today it is sent once, and a failure is only reported.
 */
import type { WebhookClient } from './webhook/client.js';
import { WebhookError } from './webhook/errors.js';

export interface RecordingStatusCallback {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  /** AccountSid, CallSid and the Recording* parameters (dialects.md §5.5). */
  readonly params: Readonly<Record<string, string>>;
  readonly authToken: string;
}

export type CallbackOutcome =
  | { readonly ok: true; readonly status: number; readonly durationMs: number }
  | { readonly ok: false; readonly code: number; readonly message: string };

/** Sends the callback; resolves with what happened, never rejects. */
export async function postRecordingStatus(webhooks: WebhookClient, callback: RecordingStatusCallback): Promise<CallbackOutcome> {
  try {
    const response = await webhooks.fetch({ url: callback.url, method: callback.method, params: callback.params, authToken: callback.authToken });
    return { ok: true, status: response.status, durationMs: Math.round(response.durationMs) };
  } catch (err) {
    if (err instanceof WebhookError) return { ok: false, code: err.code, message: err.message };
    return { ok: false, code: 11200, message: (err as Error).message };
  }
}
