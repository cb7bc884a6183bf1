/**
 * Errors of the media runtime, as the main thread sees them. Each has a stable
 * `code` (see `MediaErrorCode` in `protocol.ts`) to branch on; errors that
 * happen inside a worker cross the boundary as `{ code, message }` and are
 * rebuilt here by {@link mediaErrorFromWire}.
 */
import type { MediaErrorCode, WireError } from './protocol.js';

export type { MediaErrorCode };

export class MediaError extends Error {
  override readonly name: string = 'MediaError';
  readonly code: MediaErrorCode;

  constructor(code: MediaErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
  }

  /** The `{ code, message }` form that crosses a worker boundary. */
  toWire(): WireError {
    return { code: this.code, message: this.message };
  }
}

/** The worker that owned the leg (or was to answer the request) exited. */
export class MediaWorkerDiedError extends MediaError {
  override readonly name = 'MediaWorkerDiedError';
  readonly workerIndex: number;
  /** The thread's exit code, or null when it has not been reported. */
  readonly exitCode: number | null;

  constructor(workerIndex: number, exitCode: number | null, options?: { cause?: unknown }) {
    super('worker-died', `media worker ${workerIndex} died (exit code ${exitCode ?? 'unknown'})`, options);
    this.workerIndex = workerIndex;
    this.exitCode = exitCode;
  }
}

/** Every port pair in the worker's range is taken. */
export class PortsExhaustedError extends MediaError {
  override readonly name = 'PortsExhaustedError';
  constructor(message: string) {
    super('ports-exhausted', message);
  }
}

export class LegNotFoundError extends MediaError {
  override readonly name = 'LegNotFoundError';
  constructor(message: string) {
    super('leg-not-found', message);
  }
}

/** A command on a leg that was closed (by `close()` or with its worker). */
export class LegClosedError extends MediaError {
  override readonly name = 'LegClosedError';
  constructor(message: string) {
    super('leg-closed', message);
  }
}

export class InvalidMediaCommandError extends MediaError {
  override readonly name = 'InvalidMediaCommandError';
  constructor(message: string) {
    super('invalid-command', message);
  }
}

/** Two legs in different workers cannot be bridged; create the second with `colocateWith`. */
export class CrossWorkerBridgeError extends MediaError {
  override readonly name = 'CrossWorkerBridgeError';
  constructor(message: string) {
    super('cross-worker-bridge', message);
  }
}

export class MediaHostClosedError extends MediaError {
  override readonly name = 'MediaHostClosedError';
  constructor(message = 'the media host is closed') {
    super('host-closed', message);
  }
}

export class MediaTimeoutError extends MediaError {
  override readonly name = 'MediaTimeoutError';
  constructor(message: string) {
    super('timeout', message);
  }
}

/** Rebuilds an error that came from a worker. */
export function mediaErrorFromWire(wire: WireError): MediaError {
  switch (wire.code) {
    case 'ports-exhausted':
      return new PortsExhaustedError(wire.message);
    case 'leg-not-found':
      return new LegNotFoundError(wire.message);
    case 'leg-closed':
      return new LegClosedError(wire.message);
    case 'invalid-command':
      return new InvalidMediaCommandError(wire.message);
    case 'cross-worker-bridge':
      return new CrossWorkerBridgeError(wire.message);
    case 'host-closed':
      return new MediaHostClosedError(wire.message);
    case 'timeout':
      return new MediaTimeoutError(wire.message);
    default:
      return new MediaError(wire.code, wire.message);
  }
}
