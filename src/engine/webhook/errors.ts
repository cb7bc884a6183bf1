/**
 * Why a webhook request failed, with Twilio's code for it and whether the number's
 * fallback URL applies (every document fetch failure does; status callbacks never do,
 * which the caller decides).
 */
export type WebhookFailure =
  | 'invalid-url'
  | 'refused-destination'
  | 'dns'
  | 'connect-timeout'
  | 'connection-refused'
  | 'connection-failed'
  | 'response-timeout'
  | 'tls'
  | 'too-many-redirects'
  | 'http-status'
  | 'body-too-large'
  | 'empty-body'
  | 'protocol';

const CODES: Readonly<Record<WebhookFailure, number>> = {
  'invalid-url': 11100,
  'refused-destination': 11200,
  dns: 11210,
  'connect-timeout': 11201,
  'connection-refused': 11202,
  'connection-failed': 11205,
  'response-timeout': 11203,
  tls: 11220,
  'too-many-redirects': 11215,
  'http-status': 11200,
  'body-too-large': 11750,
  'empty-body': 11770,
  protocol: 11206,
};

export class WebhookError extends Error {
  readonly code: number;

  constructor(
    readonly failure: WebhookFailure,
    message: string,
    readonly url: string,
    /** The HTTP status when the server answered. */
    readonly status?: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = CODES[failure];
  }

  /** One sentence a caller can hear in development mode: what went wrong, where. */
  spoken(): string {
    let where = 'the application';
    try {
      const u = new URL(this.url);
      where = `the application at ${u.hostname}${u.port ? ` port ${u.port}` : ''}`;
    } catch {
      // keep the generic name
    }
    switch (this.failure) {
      case 'http-status':
        return `${where} answered ${this.status}.`;
      case 'connection-refused':
        return `${where} refused the connection.`;
      case 'connect-timeout':
      case 'response-timeout':
        return `${where} did not answer in time.`;
      case 'dns':
        return `the host name of ${where} could not be found.`;
      case 'empty-body':
        return `${where} answered with an empty document.`;
      case 'body-too-large':
        return `${where} answered with a document larger than 64 kilobytes.`;
      case 'refused-destination':
        return `${where} is on an address that production mode does not call.`;
      default:
        return `the request to ${where} failed: ${this.message}.`;
    }
  }
}
