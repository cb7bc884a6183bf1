/**
 * Status callbacks of real calls: the engine's CallProgress fed with what telephony
 * knows — the number's StatusCallback, the SIP outcome, and the media leg's
 * receive statistics for AudioInMos.
 */
import type { CallEnd } from '../engine/call-leg.js';
import type { CallFacts } from '../engine/params.js';
import { CallProgress, numberStatusCallback, type CallOutcome, type StatusCallbackConfig } from '../engine/status-callbacks.js';
import type { MessageQueue } from '../engine/message-queue.js';
import type { LegStats } from '../media/protocol.js';
import type { PhoneNumber } from '../store/index.js';
import type { CallStatus } from '../store/schema.js';

export interface ProgressLogger {
  warn(details: object, message: string): void;
}

/** A CallProgress for a call to `number`, or undefined when it has no StatusCallback (or there is no queue). */
export function inboundProgress(
  queue: MessageQueue | undefined,
  number: Pick<PhoneNumber, 'statusCallback' | 'statusCallbackMethod' | 'dialect'>,
  call: CallFacts,
  logger: ProgressLogger,
): CallProgress | undefined {
  const config = numberStatusCallback(number);
  return queue && config ? callProgress(queue, config, number.dialect, call, logger) : undefined;
}

/** A CallProgress on any callback config (REST-created calls, Dial's child legs). */
export function callProgress(
  queue: MessageQueue,
  config: StatusCallbackConfig,
  dialect: 'twiml' | 'apifonica',
  call: CallFacts,
  logger: ProgressLogger,
): CallProgress {
  return new CallProgress({
    call,
    config,
    dialect,
    queue,
    onError: (err) => logger.warn({ err, callSid: call.callSid }, 'status callback could not be queued'),
  });
}

/**
 * The score of the audio we received, from the leg's RTP loss and jitter (the media
 * worker's E-model, `media/quality/mos.ts`). No packets received means nothing was
 * measured, and no score.
 */
export function audioInMos(stats: LegStats | null): number | undefined {
  if (stats === null || stats.packetsReceived === 0) return undefined;
  return stats.mos;
}

/** The final callback's facts of an ended call. */
export function callOutcome(
  status: CallStatus,
  durationSeconds: number,
  end: CallEnd | undefined,
  answered: boolean,
  stats: LegStats | null,
): CallOutcome {
  const final = status === 'busy' || status === 'no-answer' || status === 'failed' || status === 'canceled' ? status : 'completed';
  const mos = audioInMos(stats);
  const sip = answered ? 200 : end?.sipStatus;
  return {
    status: final,
    durationSeconds,
    ...(end !== undefined ? { endedBy: end.by } : {}),
    ...(mos !== undefined ? { audioInMos: mos } : {}),
    ...(sip !== undefined ? { sipResponseCode: sip } : {}),
  };
}
