/**
 * A "voice agent" for tests: a real `ws` WebSocket server on 127.0.0.1 that
 * accepts Media Streams connections, keeps every message each one sent, and
 * lets the test answer with audio, marks and clear, the way an application
 * built on Twilio's Media Streams does. Audio helpers turn PCM into the
 * base64 µ-law the protocol carries and back.
 */
import type { AddressInfo } from 'node:net';
import { WebSocketServer, type WebSocket } from 'ws';
import { decodeUlaw, encodeUlaw } from '../../src/media/codec/g711.js';

/** A message from Dialtone, as parsed JSON. */
export type StreamMessage = Record<string, unknown> & { readonly event: string };

export class AgentConnection {
  readonly messages: StreamMessage[] = [];
  readonly path: string;
  readonly #socket: WebSocket;
  readonly #waiters = new Set<() => void>();
  readonly closed: Promise<number>;

  constructor(socket: WebSocket, path: string) {
    this.#socket = socket;
    this.path = path;
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as StreamMessage);
      for (const wake of [...this.#waiters]) wake();
    });
    this.closed = new Promise((resolve) => socket.on('close', (code) => {
      for (const wake of [...this.#waiters]) wake();
      resolve(code);
    }));
  }

  of(event: string): StreamMessage[] {
    return this.messages.filter((m) => m.event === event);
  }

  /** Resolves once `condition` holds over the messages; rejects after `timeoutMs`. */
  until(condition: (messages: StreamMessage[]) => boolean, timeoutMs = 10_000, what = 'messages'): Promise<void> {
    if (condition(this.messages)) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        const events = this.messages.map((m) => m.event);
        reject(new Error(`no ${what} within ${timeoutMs} ms; got ${events.length} messages: ${[...new Set(events)].join(', ')}`));
      }, timeoutMs);
      const check = (): void => {
        if (!condition(this.messages)) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve();
      };
      this.#waiters.add(check);
    });
  }

  /** The received audio of one track, decoded, in chunk order. */
  audio(track: 'inbound' | 'outbound' = 'inbound'): Int16Array {
    const frames = this.of('media')
      .map((m) => m.media as { track: string; chunk: string; payload: string })
      .filter((m) => m.track === track)
      .sort((a, b) => Number(a.chunk) - Number(b.chunk));
    const bytes = Buffer.concat(frames.map((m) => Buffer.from(m.payload, 'base64')));
    const pcm = new Int16Array(bytes.length);
    decodeUlaw(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.length), pcm);
    return pcm;
  }

  send(message: object): void {
    this.#socket.send(JSON.stringify(message));
  }

  /** Sends `pcm` as media messages of `chunkSamples` each. */
  sendAudio(streamSid: string, pcm: Int16Array, chunkSamples = 800): void {
    for (let i = 0; i < pcm.length; i += chunkSamples) {
      this.send({ event: 'media', streamSid, media: { payload: toUlawBase64(pcm.subarray(i, i + chunkSamples)) } });
    }
  }

  close(code = 1000): void {
    this.#socket.close(code);
  }
}

export class VoiceAgent {
  readonly connections: AgentConnection[] = [];
  readonly #server: WebSocketServer;
  readonly #waiters = new Set<() => void>();

  private constructor(server: WebSocketServer) {
    this.#server = server;
    server.on('connection', (socket, request) => {
      this.connections.push(new AgentConnection(socket, request.url ?? '/'));
      for (const wake of [...this.#waiters]) wake();
    });
  }

  static async start(): Promise<VoiceAgent> {
    const server = new WebSocketServer({ host: '127.0.0.1', port: 0 });
    await new Promise<void>((resolve) => server.once('listening', resolve));
    return new VoiceAgent(server);
  }

  get port(): number {
    return (this.#server.address() as AddressInfo).port;
  }

  url(path = '/agent'): string {
    return `ws://127.0.0.1:${this.port}${path}`;
  }

  /** The `n`th connection (0-based), waiting for it. */
  connection(n = 0, timeoutMs = 10_000): Promise<AgentConnection> {
    const found = this.connections[n];
    if (found) return Promise.resolve(found);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(check);
        reject(new Error(`no WebSocket connection #${n} within ${timeoutMs} ms`));
      }, timeoutMs);
      const check = (): void => {
        const c = this.connections[n];
        if (!c) return;
        clearTimeout(timer);
        this.#waiters.delete(check);
        resolve(c);
      };
      this.#waiters.add(check);
    });
  }

  async stop(): Promise<void> {
    for (const client of this.#server.clients) client.terminate();
    await new Promise<void>((resolve) => this.#server.close(() => resolve()));
  }
}

export function toUlawBase64(pcm: Int16Array): string {
  const ulaw = new Uint8Array(pcm.length);
  encodeUlaw(pcm, ulaw);
  return Buffer.from(ulaw).toString('base64');
}

export function sine(hz: number, ms: number, amplitude = 8000): Int16Array {
  const out = new Int16Array((ms * 8000) / 1000);
  for (let i = 0; i < out.length; i++) out[i] = Math.round(amplitude * Math.sin((2 * Math.PI * hz * i) / 8000));
  return out;
}
