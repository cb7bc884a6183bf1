/**
 * Twilio's error codes for a media stream that failed, from the worker's
 * description of the failure (twilio.com/docs/api/errors/319xx).
 */
export function streamErrorCode(message: string | undefined): number {
  const text = message ?? '';
  if (/ECONNREFUSED|ENOTFOUND|EAI_AGAIN|EHOSTUNREACH|ENETUNREACH/.test(text)) return 31902;
  if (/timed? ?out|ETIMEDOUT/i.test(text)) return 31901;
  if (/certificate|SSL|TLS|EPROTO/i.test(text)) return 31910;
  if (/HTTP \d{3}|Unexpected server response|handshake/i.test(text)) return 31920;
  return 31924;
}
