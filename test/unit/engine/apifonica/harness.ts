/**
 * Runs a CallSession for an Apifonica application on a test kit leg, against a real HTTP
 * application whose documents each test sets per path (a body, or a function of the
 * request). Shared by the per-command tests in this folder.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { MessageOutbox } from '../../../../src/engine/message-outbox.js';
import { CallSession, type ApplicationRef } from '../../../../src/engine/session.js';
import { Timeline } from '../../../../src/engine/timeline.js';
import { WebhookClient } from '../../../../src/engine/webhook/client.js';
import { destinationGuard } from '../../../../src/engine/webhook/guard.js';
import type { CallLeg } from '../../../../src/engine/call-leg.js';

export const TOKEN = 'token-0123456789';
export const CALL = {
  callSid: 'CA' + '1'.repeat(32),
  accountSid: 'AC' + '2'.repeat(32),
  from: '+15550199',
  to: '+15550100',
  direction: 'inbound',
  apiVersion: '2010-04-01',
} as const;

export interface Hit {
  readonly path: string;
  readonly method: string;
  readonly params: Record<string, string>;
}

export interface Reply {
  readonly status?: number;
  readonly type?: string;
  readonly body: string;
  /** Answer after this long (the controller thinks), ms. */
  readonly delayMs?: number;
}

export type Route = Reply | ((hit: Hit) => Reply);

export interface TimelineEntry {
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
}

export class ApifonicaApp {
  readonly routes = new Map<string, Route>();
  readonly hits: Hit[] = [];
  readonly webhooks = new WebhookClient({ guard: destinationGuard({ mode: 'development' }) });
  #base = '';
  readonly #server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const url = new URL(req.url!, this.#base);
      const params = req.method === 'GET' ? Object.fromEntries(url.searchParams) : Object.fromEntries(new URLSearchParams(body));
      const hit = { path: url.pathname, method: req.method!, params };
      this.hits.push(hit);
      const route = this.routes.get(url.pathname);
      const reply = typeof route === 'function' ? route(hit) : route;
      const send = (): void => {
        if (!reply) {
          res.statusCode = 404;
          res.end('not here');
          return;
        }
        res.statusCode = reply.status ?? 200;
        res.setHeader('content-type', reply.type ?? 'text/xml');
        res.end(reply.body);
      };
      if (reply?.delayMs) setTimeout(send, reply.delayMs);
      else send();
    });
  });

  url(path: string): string {
    return `${this.#base}${path}`;
  }

  start(): Promise<void> {
    return new Promise((r) =>
      this.#server.listen(0, '127.0.0.1', () => {
        this.#base = `http://127.0.0.1:${(this.#server.address() as AddressInfo).port}`;
        r();
      }),
    );
  }

  async stop(): Promise<void> {
    await this.webhooks.close();
    await new Promise<void>((r) => this.#server.close(() => r()));
  }

  reset(): void {
    this.routes.clear();
    this.hits.length = 0;
  }

  /** The document of an Apifonica application: the header and `<response>` around `body`. */
  static doc(body: string): Reply {
    return { body: `<?xml version="1.0" encoding="UTF-8"?>\n<response>${body}</response>` };
  }

  async run(leg: CallLeg, options: { path?: string; ref?: Partial<ApplicationRef>; messages?: MessageOutbox } = {}): Promise<TimelineEntry[]> {
    const events: TimelineEntry[] = [];
    const timeline = new Timeline((type, data) => void events.push({ type, data }));
    const session = new CallSession(
      { leg, webhooks: this.webhooks, timeline, authToken: TOKEN, mode: 'development', ...(options.messages ? { messages: options.messages } : {}) },
      CALL,
      { url: this.url(options.path ?? '/voice'), method: 'POST', dialect: 'apifonica', ...options.ref },
    );
    await session.run();
    await timeline.flushed();
    return events;
  }
}

export const doc = ApifonicaApp.doc;

/** The verbs the session ran, in order. */
export function verbsRun(events: readonly TimelineEntry[]): unknown[] {
  return events.filter((e) => e.type === 'verb-start').map((e) => e.data.verb);
}
