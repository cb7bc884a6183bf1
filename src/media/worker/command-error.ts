/**
 * How a worker refuses a command: a {@link CommandError} thrown by a handler
 * becomes the `{ code, message }` of the reply. Anything else thrown is a bug
 * and is reported as `internal`.
 */
import type { MediaErrorCode, WireError } from '../protocol.js';

export class CommandError extends Error {
  override readonly name = 'CommandError';
  readonly code: MediaErrorCode;

  constructor(code: MediaErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }
}

/** The wire form of anything a handler threw. */
export function toWireError(error: unknown): WireError {
  if (error instanceof CommandError) return { code: error.code, message: error.message };
  if (error instanceof Error) return { code: 'internal', message: `${error.name}: ${error.message}` };
  return { code: 'internal', message: String(error) };
}

export function invalid(message: string): CommandError {
  return new CommandError('invalid-command', message);
}
