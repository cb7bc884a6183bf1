import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildServer } from '../api/server.js';
import type { Config } from '../config/config.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { WebhookClient } from '../engine/webhook/client.js';
import { destinationGuard } from '../engine/webhook/guard.js';
import { WebhookOutbox } from '../events/outbox.js';
import { AudioUrlCache } from '../telephony/audio-url-cache.js';
import { MediaHost } from '../media/host.js';
import { createSipStack, type SipStack } from '../sip/index.js';
import { formatHostPort } from '../sip/transport/address.js';
import { openStore, type Store } from '../store/index.js';
import { ensureFirstStart, type FirstStart } from '../telephony/first-start.js';
import { DefaultDialPlan } from '../telephony/dial-plan.js';
import { Dialer } from '../telephony/dialer.js';
import { InboundCalls } from '../telephony/inbound.js';
import { ApiCalls } from '../telephony/api-calls.js';
import { CallCapacity } from '../telephony/capacity.js';
import { LiveCalls } from '../telephony/live-calls.js';
import { TelephonyCallControl } from '../api/compat/call-control.js';
import { SipClients } from '../telephony/sip-clients.js';
import { StoredTrunkRoutes } from '../telephony/trunks.js';
import { CallWhispers } from '../telephony/whisper.js';
import { findPocketsphinx } from '../speech/index.js';
import { createTextToSpeech } from '../tts/index.js';
import { VERSION } from './version.js';

export interface Runtime {
  readonly config: Config;
  readonly logger: Logger;
  readonly http: FastifyInstance;
  readonly store: Store;
  start(): Promise<StartInfo>;
  stop(): Promise<void>;
}

export interface StartInfo {
  readonly httpUrl: string;
  /** Where SIP listens (UDP and TCP on the same port). */
  readonly sip: { readonly host: string; readonly port: number };
  readonly firstStart: FirstStart;
}

/** The URL this node's own services (the demo application) are reached at. */
function localBase(config: Config, port: number): string {
  if (config.publicUrl) return config.publicUrl.replace(/\/+$/, '');
  const host = config.bindAddress === '0.0.0.0' || config.bindAddress === '::' ? '127.0.0.1' : config.bindAddress;
  return `http://${formatHostPort({ host, port })}`;
}

/**
 * The composition root: the one place where the real clock, sockets, store and logger
 * are made and handed to the parts that need them.
 */
export async function compose(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<Runtime> {
  await mkdir(config.dataDir, { recursive: true });
  const store = await openStore({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const live = new LiveCalls();
  let apiCalls: ApiCalls | undefined;
  const calls = new TelephonyCallControl({ store, calls: () => apiCalls, live });
  const http = await buildServer({ logger, version: VERSION, store, recordings: { dataDir: config.dataDir }, calls });
  let media: MediaHost | undefined;
  const tts = createTextToSpeech({ cacheDirectory: join(config.dataDir, 'prompts') });
  const audio = new AudioUrlCache();
  const found = findPocketsphinx();
  const speech = 'recognizer' in found ? found.recognizer : undefined;
  if ('missing' in found) logger.info({ reason: found.missing }, 'no speech recognizer: <Gather input="speech"> will listen for keys');
  const webhooks = new WebhookClient({ guard: destinationGuard({ mode: config.mode }), userAgent: `Dialtone/${VERSION}` });
  // Status callbacks: queued in the store, delivered by this loop (and by the next start, if we stop first).
  const outbox = new WebhookOutbox({ store, webhooks, logger: logger.child({ part: 'outbox' }) });
  let sip: SipStack | undefined;
  let inbound: InboundCalls | undefined;
  let clients: SipClients | undefined;
  return {
    config,
    logger,
    http,
    store,
    async start() {
      await http.listen({ port: config.http.port, host: config.bindAddress });
      const address = http.server.address();
      const port = typeof address === 'object' && address !== null ? address.port : config.http.port;
      const httpUrl = localBase(config, port);
      media = await MediaHost.start({
        bindAddress: config.bindAddress,
        ports: { min: config.rtp.minPort, max: config.rtp.maxPort },
        rtpTimeoutMs: 60_000,
        logger: logger.child({ part: 'media' }),
      });
      const capacity = new CallCapacity({ media, limits: { maxCalls: config.maxCalls }, logger: logger.child({ part: 'capacity' }) });
      const advertised = config.bindAddress === '0.0.0.0' || config.bindAddress === '::' ? '127.0.0.1' : config.bindAddress;
      sip = await createSipStack({
        bindAddress: config.bindAddress,
        udpPort: config.sip.port,
        tcpPort: config.sip.port,
        advertisedHost: advertised,
        logger: logger.child({ part: 'sip' }),
      });
      clients = new SipClients({ ua: sip.ua, store, logger: logger.child({ part: 'registrar' }) });
      const stack = sip;
      const plan = new DefaultDialPlan({
        ownsNumber: async (number, accountSid) => (await store.numbers.findByNumber(number))?.accountSid === accountSid,
        self: () => stack.address('UDP'),
        clients,
        trunks: new StoredTrunkRoutes(store.trunks),
      });
      const dialer = new Dialer({
        outbound: { ua: sip.ua, media, mediaAddress: advertised },
        plan,
        store,
        fromHost: advertised,
        logger: logger.child({ part: 'dial' }),
        capacity,
        whisper: new CallWhispers({
          store,
          webhooks,
          tts,
          audio,
          mode: config.mode,
          callbacks: outbox,
          recordings: { dataDir: config.dataDir, publicUrl: httpUrl },
          ...(speech ? { speech } : {}),
        }),
      });
      inbound = new InboundCalls({
        ua: sip.ua,
        media,
        store,
        webhooks,
        tts,
        audio,
        logger,
        mode: config.mode,
        mediaAddress: advertised,
        callbacks: outbox,
        dialer,
        recordings: { dataDir: config.dataDir, publicUrl: httpUrl },
        live,
        capacity,
        ...(speech ? { speech } : {}),
      });
      apiCalls = new ApiCalls({
        outbound: { ua: sip.ua, media, mediaAddress: advertised },
        plan,
        store,
        webhooks,
        tts,
        audio,
        logger: logger.child({ part: 'api-calls' }),
        mode: config.mode,
        live,
        fromHost: advertised,
        callbacks: outbox,
        dialer,
        recordings: { dataDir: config.dataDir, publicUrl: httpUrl },
        capacity,
        ...(speech ? { speech } : {}),
      });
      outbox.start();
      const sipAddress = sip.address('UDP');
      const firstStart = await ensureFirstStart(store, config, httpUrl);
      logger.info(
        { version: VERSION, mode: config.mode, http: httpUrl, dataDir: config.dataDir, database: store.db.dialect, account: firstStart.account.sid },
        'dialtone started',
      );
      return { httpUrl, sip: { host: sipAddress.host, port: sipAddress.port }, firstStart };
    },
    async stop() {
      await Promise.all(live.all().map((c) => c.hangup().catch(() => undefined)));
      await sip?.ua.hangupAll();
      await inbound?.drained();
      await apiCalls?.drained();
      await outbox.stop();
      await sip?.close();
      await http.close();
      await media?.close();
      await tts.close();
      await speech?.close();
      await audio.close();
      await webhooks.close();
      await store.close();
    },
  };
}
