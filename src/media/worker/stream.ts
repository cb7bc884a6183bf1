/**
 * A media stream of one leg, inside the worker that runs the leg: a WebSocket
 * client speaking Twilio's Media Streams protocol (see `stream/twilio-messages.ts`).
 *
 * The WebSocket lives here, beside the RTP it mirrors, so that the 50 frames a
 * second per track go from the leg's tick to the socket without crossing to the
 * main thread; the main thread only starts and stops streams and hears when one
 * opened or ended. Each tick the leg hands over this tick's received and sent
 * frames as µ-law (`frame`), digits as they are detected (`dtmf`), and, on a
 * bidirectional stream, takes the application's audio to play (`readPlayout`).
 *
 * A WebSocket that falls behind (the application reads slower than real time)
 * loses frames rather than growing the worker's memory: a frame is dropped
 * while more than {@link MAX_BUFFERED_BYTES} wait to be written.
 */
import WebSocket from 'ws';
import { decodeUlaw } from '../codec/g711.js';
import type { StartStreamCommand, StreamCounts, StreamEndReason, MediaEvent } from '../protocol.js';
import { PlayoutQueue } from '../stream/playout-queue.js';
import {
  connectedMessage,
  dtmfMessage,
  markMessage,
  mediaMessage,
  parseInbound,
  startMessage,
  stopMessage,
  type StreamTrackName,
} from '../stream/twilio-messages.js';
import { invalid } from './command-error.js';

const FRAME_BYTES = 160;
const FRAME_MS = 20;
/** Frames are dropped while this much is waiting in the socket. */
const MAX_BUFFERED_BYTES = 512 * 1024;
/** The largest message an application may send (a few minutes of audio in one go). */
const MAX_PAYLOAD_BYTES = 8 * 1024 * 1024;
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;

export interface StreamContext {
  emit(event: MediaEvent): void;
}

/** Checks a startStream command's own fields; throws `invalid-command`. */
function checkStreamCommand(command: StartStreamCommand): void {
  if (typeof command.streamId !== 'string' || command.streamId === '') throw invalid('startStream: streamId is required');
  let url: URL;
  try {
    url = new URL(command.url);
  } catch {
    throw invalid(`startStream: url ${JSON.stringify(command.url)} is not a URL`);
  }
  if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw invalid(`startStream: url must be ws:// or wss://, not ${url.protocol}`);
  if (command.tracks !== 'inbound' && command.tracks !== 'outbound' && command.tracks !== 'both') {
    throw invalid(`startStream: tracks ${JSON.stringify(command.tracks)}`);
  }
  const start = command.start as StartStreamCommand['start'] | undefined;
  if (typeof start?.accountSid !== 'string' || typeof start.callSid !== 'string' || typeof start.customParameters !== 'object') {
    throw invalid('startStream: start needs accountSid, callSid and customParameters');
  }
}

export class LegStream {
  readonly streamId: string;
  readonly bidirectional: boolean;
  readonly wantsInbound: boolean;
  readonly wantsOutbound: boolean;
  readonly #command: StartStreamCommand;
  readonly #ctx: StreamContext;
  readonly #legId: string;
  readonly #socket: WebSocket;
  readonly #queue = new PlayoutQueue();
  readonly #frame = new Uint8Array(FRAME_BYTES);
  readonly #reached: string[] = [];
  #sequence = 0;
  #open = false;
  #ended = false;
  #ticks = 0;
  #inboundChunk = 0;
  #outboundChunk = 0;
  #mediaSent = 0;
  #mediaReceived = 0;
  #marksEchoed = 0;
  #framesDropped = 0;

  constructor(legId: string, command: StartStreamCommand, ctx: StreamContext) {
    checkStreamCommand(command);
    this.#legId = legId;
    this.streamId = command.streamId;
    this.bidirectional = command.bidirectional === true;
    this.wantsInbound = command.tracks !== 'outbound';
    this.wantsOutbound = command.tracks !== 'inbound';
    this.#command = command;
    this.#ctx = ctx;
    this.#socket = new WebSocket(command.url, {
      handshakeTimeout: command.connectTimeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS,
      perMessageDeflate: false,
      maxPayload: MAX_PAYLOAD_BYTES,
      followRedirects: false,
    });
    this.#socket.on('open', () => this.#onOpen());
    this.#socket.on('message', (data: WebSocket.RawData, isBinary: boolean) => this.#onMessage(data, isBinary));
    this.#socket.on('close', (code: number, reason: Buffer) => this.#end('remote-closed', closeText(code, reason)));
    this.#socket.on('error', (error: Error) => this.#end('failed', error.message));
    this.#socket.on('unexpected-response', (_request, response) => {
      this.#end('failed', `the WebSocket server answered HTTP ${response.statusCode} instead of upgrading`);
      this.#socket.terminate();
    });
  }

  get ended(): boolean {
    return this.#ended;
  }

  /** True once the WebSocket is open and until the stream ends: only then are frames sent. */
  get open(): boolean {
    return this.#open;
  }

  /** True while the application's audio waits to be played (bidirectional only). */
  get playing(): boolean {
    return !this.#queue.empty;
  }

  /**
   * This tick's audio: `rx` what the leg received (null when nothing arrived),
   * `tx` what it sent; both 160 bytes of µ-law. Sent as one `media` message per
   * track the stream carries, then the marks this tick's playout reached.
   */
  frame(rx: Uint8Array | null, tx: Uint8Array | null): void {
    if (!this.#open) return;
    const timestamp = this.#ticks++ * FRAME_MS;
    if (this.wantsInbound && rx !== null) this.#sendMedia('inbound', ++this.#inboundChunk, timestamp, rx);
    if (this.wantsOutbound && tx !== null) this.#sendMedia('outbound', ++this.#outboundChunk, timestamp, tx);
    // Marks reached by this tick's playout go after the frame that played the audio before them.
    const reached = this.#reached;
    if (reached.length > 0) {
      for (const name of reached) this.#sendMark(name);
      reached.length = 0;
    }
  }

  /** Fills `dst` (160 samples) with the application's next 20 ms; false when it has sent none. */
  readPlayout(dst: Int16Array): boolean {
    if (!this.bidirectional || this.#ended) return false;
    const played = this.#queue.read(this.#frame, this.#reached);
    if (played) decodeUlaw(this.#frame, dst, 0, FRAME_BYTES);
    return played;
  }

  /** A digit the leg received. */
  dtmf(digit: string): void {
    if (this.#open) this.#send(dtmfMessage(++this.#sequence, this.streamId, digit));
  }

  /** Ends the stream from our side: `stop`, then the WebSocket closes. */
  stop(reason: 'stopped' | 'leg-closed'): void {
    if (this.#ended) return;
    if (this.#open) {
      this.#send(stopMessage(++this.#sequence, this.streamId, this.#command.start));
      this.#socket.close(1000);
      // A peer that never answers the close handshake is cut off.
      setTimeout(() => this.#socket.terminate(), 2000).unref();
    } else {
      this.#socket.terminate();
    }
    this.#end(reason);
  }

  counts(): StreamCounts {
    return { mediaSent: this.#mediaSent, mediaReceived: this.#mediaReceived, marksEchoed: this.#marksEchoed, framesDropped: this.#framesDropped };
  }

  #onOpen(): void {
    if (this.#ended) return;
    this.#open = true;
    const tracks: StreamTrackName[] = this.wantsInbound && this.wantsOutbound ? ['inbound', 'outbound'] : this.wantsInbound ? ['inbound'] : ['outbound'];
    this.#send(connectedMessage());
    this.#send(startMessage(++this.#sequence, this.streamId, this.#command.start, tracks));
    this.#ctx.emit({ type: 'streamStarted', legId: this.#legId, streamId: this.streamId });
  }

  #onMessage(data: WebSocket.RawData, isBinary: boolean): void {
    if (this.#ended || !this.bidirectional || isBinary) return;
    // ws hands a Buffer (its default binaryType, "nodebuffer"): decoded in place, not copied first.
    const text = Array.isArray(data) ? Buffer.concat(data).toString('utf8') : data.toString('utf8');
    const message = parseInbound(text);
    switch (message.kind) {
      case 'media':
        this.#mediaReceived++;
        if (!this.#queue.push(message.ulaw)) this.#framesDropped += Math.ceil(message.ulaw.length / FRAME_BYTES);
        return;
      case 'mark':
        this.#queue.mark(message.name);
        return;
      case 'clear':
        for (const name of this.#queue.clear()) this.#sendMark(name);
        return;
      default:
        // Invalid or unknown messages are ignored, as Twilio does; the call goes on.
        return;
    }
  }

  #sendMedia(track: StreamTrackName, chunk: number, timestamp: number, ulaw: Uint8Array): void {
    if (this.#socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.#framesDropped++;
      return;
    }
    const payload = Buffer.from(ulaw.buffer, ulaw.byteOffset, FRAME_BYTES).toString('base64');
    this.#send(mediaMessage(++this.#sequence, this.streamId, track, chunk, timestamp, payload));
    this.#mediaSent++;
  }

  #sendMark(name: string): void {
    this.#marksEchoed++;
    this.#send(markMessage(++this.#sequence, this.streamId, name));
  }

  #send(text: string): void {
    if (this.#socket.readyState !== WebSocket.OPEN) return;
    this.#socket.send(text);
  }

  #end(reason: StreamEndReason, message?: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#open = false;
    this.#queue.clear();
    this.#ctx.emit({
      type: 'streamEnded',
      legId: this.#legId,
      streamId: this.streamId,
      reason,
      ...(message === undefined || message === '' ? {} : { message }),
      counts: this.counts(),
    });
  }
}

function closeText(code: number, reason: Buffer): string {
  const text = reason.toString('utf8');
  return text === '' ? `closed with code ${code}` : `closed with code ${code}: ${text}`;
}
