import { ApiError } from '../errors.js';

/**
 * The Twilio error codes the compatible API answers with. Codes follow Twilio where it
 * has one for the case; 20001 is the fallback for a parameter with no code of its own.
 */
export class AuthenticateError extends ApiError {
  /** Twilio's challenge; clients that retry with credentials look for it. */
  static readonly CHALLENGE = 'Basic realm="Twilio API"';

  constructor(message = 'Authenticate') {
    super(401, 20003, message);
  }
}

export function notFound(path: string): ApiError {
  return new ApiError(404, 20404, `The requested resource ${path} was not found`);
}

export function invalidParameter(name: string, detail: string): ApiError {
  return new ApiError(400, 20001, `Invalid parameter ${name}: ${detail}`);
}

export function invalid(code: number, message: string): ApiError {
  return new ApiError(400, code, message);
}

/** Deleting a call or message that has not finished. */
export function stillInProgress(what: string): ApiError {
  return new ApiError(409, 20009, `Cannot delete ${what} before it is complete`);
}

export function accountNotActive(sid: string): ApiError {
  return new ApiError(401, 20005, `Account ${sid} is not active`);
}

export function idempotencyConflict(key: string): ApiError {
  return new ApiError(409, 20409, `A request with Idempotency-Key ${key} is still in progress; retry shortly`);
}
