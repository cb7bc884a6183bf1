/**
 * The recordings port: where a verb's recordings are kept and announced. The engine
 * asks for a new recording (a SID, the file the leg writes, the URL the application
 * gets), says how it ended, and queues recording status callbacks through it;
 * telephony/ implements it over the store, the data directory and the outbox.
 */

/** How a recording was made (Twilio's `RecordingSource`). */
export type RecordingSource = 'RecordVerb' | 'DialVerb' | 'Conference' | 'OutboundAPI' | 'StartCallRecordingAPI';

export interface RecordingSlot {
  /** `RE…` */
  readonly sid: string;
  /** The WAV file to write; its directory exists. */
  readonly path: string;
  /** `RecordingUrl`: the media URL without extension (`.wav`/`.mp3` may be appended). */
  readonly url: string;
  readonly startTime: Date;
}

export type RecordingEnd =
  | { readonly status: 'completed'; readonly durationSeconds: number; readonly channels: 1 | 2 }
  /** Nothing worth keeping: 16101 too short, 16102 silent. */
  | { readonly status: 'absent'; readonly errorCode: 16101 | 16102; readonly durationSeconds: number; readonly channels: 1 | 2 }
  | { readonly status: 'failed'; readonly errorCode?: number };

export interface CallbackRequest {
  readonly url: string;
  readonly method: 'GET' | 'POST';
  /** The recording's parameters; the call's AccountSid and CallSid are added. */
  readonly params: Readonly<Record<string, string>>;
}

/** The recordings of one call. */
export interface CallRecordings {
  begin(source: RecordingSource, channels: 1 | 2): Promise<RecordingSlot>;
  end(sid: string, end: RecordingEnd): Promise<void>;
  /** Queues a recording status callback for delivery; never delays the call. */
  notify(request: CallbackRequest): void;
}
