/**
 * Errors the HTTP edge answers with, in Twilio's error JSON shape
 * (`{ code, message, more_info, status }`), which every dialect's clients parse.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    /** Sent as `Retry-After` (seconds) when the server is refusing for a while (429, 503). */
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }

  toJSON(): { code: number; message: string; more_info: string; status: number } {
    return { code: this.code, message: this.message, more_info: `https://www.twilio.com/docs/errors/${this.code}`, status: this.status };
  }
}
