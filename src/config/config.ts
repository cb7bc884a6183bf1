import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Type, type Static } from '@sinclair/typebox';
import { Value } from '@sinclair/typebox/value';

/**
 * One typed configuration: defaults, then an optional JSON file, then environment
 * variables. The `DIALTONE_*` names are a public contract: tools outside the project
 * set them.
 */
export const ConfigSchema = Type.Object({
  mode: Type.Union([Type.Literal('development'), Type.Literal('production')]),
  dataDir: Type.String({ minLength: 1 }),
  bindAddress: Type.String({ minLength: 1 }),
  http: Type.Object({ port: Type.Integer({ minimum: 0, maximum: 65535 }) }),
  sip: Type.Object({ port: Type.Integer({ minimum: 0, maximum: 65535 }) }),
  rtp: Type.Object({
    minPort: Type.Integer({ minimum: 1024, maximum: 65535 }),
    maxPort: Type.Integer({ minimum: 1024, maximum: 65535 }),
  }),
  smpp: Type.Object({ port: Type.Integer({ minimum: 0, maximum: 65535 }) }),
  /** The URL the outside world reaches this node's HTTP server at. */
  publicUrl: Type.Optional(Type.String({ minLength: 1 })),
  /** A postgres:// URL; absent means SQLite in the data directory. */
  databaseUrl: Type.Optional(Type.String({ minLength: 1 })),
  account: Type.Object({
    sid: Type.Optional(Type.String({ minLength: 1 })),
    authToken: Type.Optional(Type.String({ minLength: 1 })),
  }),
  /** Calls at once on this node (inbound, API and Dial legs); over it a new one is refused (SIP 503). 0: no limit. */
  maxCalls: Type.Integer({ minimum: 0 }),
  logLevel: Type.Union(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].map((l) => Type.Literal(l))),
});

export type Config = Static<typeof ConfigSchema>;
export type LogLevel = Config['logLevel'];

export const DEFAULT_CONFIG: Config = {
  mode: 'development',
  dataDir: './data',
  bindAddress: '0.0.0.0',
  http: { port: 8080 },
  sip: { port: 5060 },
  rtp: { minPort: 20000, maxPort: 29999 },
  smpp: { port: 2775 },
  account: {},
  // No fixed cap: the media workers' backlog sheds load (telephony/capacity.ts); set one to match a licence or a trunk.
  maxCalls: 0,
  logLevel: 'info',
};

export class ConfigError extends Error {
  readonly code = 'config_invalid';
}

type Env = Readonly<Record<string, string | undefined>>;

function port(name: string, raw: string): number {
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a port number, not "${raw}"`);
  return Number(raw);
}

function count(name: string, raw: string): number {
  if (!/^\d+$/.test(raw)) throw new ConfigError(`${name} must be a whole number (0: no limit), not "${raw}"`);
  return Number(raw);
}

function portRange(name: string, raw: string): { minPort: number; maxPort: number } {
  const m = /^(\d+)\s*-\s*(\d+)$/.exec(raw);
  if (!m) throw new ConfigError(`${name} must be a range like 20000-29999, not "${raw}"`);
  const minPort = Number(m[1]);
  const maxPort = Number(m[2]);
  if (minPort > maxPort) throw new ConfigError(`${name}: ${minPort} is above ${maxPort}`);
  return { minPort, maxPort };
}

/** The environment's part of the configuration, as a partial overlay. */
function fromEnv(env: Env): DeepPartial<Config> {
  const out: DeepPartial<Config> = {};
  const set = (value: string | undefined, apply: (v: string) => void): void => {
    if (value !== undefined && value !== '') apply(value);
  };
  set(env.DIALTONE_MODE, (v) => (out.mode = v as Config['mode']));
  set(env.DIALTONE_DATA_DIR, (v) => (out.dataDir = v));
  set(env.DIALTONE_BIND_ADDRESS, (v) => (out.bindAddress = v));
  set(env.DIALTONE_HTTP_PORT, (v) => (out.http = { port: port('DIALTONE_HTTP_PORT', v) }));
  set(env.DIALTONE_SIP_PORT, (v) => (out.sip = { port: port('DIALTONE_SIP_PORT', v) }));
  set(env.DIALTONE_RTP_PORTS, (v) => (out.rtp = portRange('DIALTONE_RTP_PORTS', v)));
  set(env.DIALTONE_SMPP_PORT, (v) => (out.smpp = { port: port('DIALTONE_SMPP_PORT', v) }));
  set(env.DIALTONE_PUBLIC_URL, (v) => (out.publicUrl = v));
  set(env.DIALTONE_DATABASE_URL, (v) => {
    if (!/^postgres(ql)?:\/\//.test(v)) throw new ConfigError('DIALTONE_DATABASE_URL must be a postgres:// URL');
    out.databaseUrl = v;
  });
  set(env.DIALTONE_ACCOUNT_SID, (v) => (out.account = { ...out.account, sid: v }));
  set(env.DIALTONE_AUTH_TOKEN, (v) => (out.account = { ...out.account, authToken: v }));
  set(env.DIALTONE_MAX_CALLS, (v) => (out.maxCalls = count('DIALTONE_MAX_CALLS', v)));
  set(env.DIALTONE_LOG_LEVEL, (v) => (out.logLevel = v as Config['logLevel']));
  return out;
}

type DeepPartial<T> = { -readonly [K in keyof T]?: T[K] extends object ? DeepPartial<T[K]> : T[K] };

function merge<T>(base: T, overlay: DeepPartial<T> | undefined): T {
  if (overlay === undefined) return base;
  const out: Record<string, unknown> = { ...(base as Record<string, unknown>) };
  for (const [key, value] of Object.entries(overlay as Record<string, unknown>)) {
    const current = out[key];
    out[key] =
      value !== null && typeof value === 'object' && !Array.isArray(value) && current !== null && typeof current === 'object'
        ? merge(current, value as DeepPartial<typeof current>)
        : value;
  }
  return out as T;
}

export interface LoadConfigOptions {
  readonly env?: Env;
  /** A JSON file; defaults to `$DIALTONE_CONFIG` when set. */
  readonly file?: string;
  /** Overrides applied last (tests, CLI flags). */
  readonly overrides?: DeepPartial<Config>;
}

export function loadConfig(options: LoadConfigOptions = {}): Config {
  const env = options.env ?? process.env;
  const file = options.file ?? env.DIALTONE_CONFIG;
  let fromFile: DeepPartial<Config> | undefined;
  if (file !== undefined && file !== '') {
    let text: string;
    try {
      text = readFileSync(resolve(file), 'utf8');
    } catch (err) {
      throw new ConfigError(`cannot read config file ${file}: ${(err as Error).message}`);
    }
    try {
      fromFile = JSON.parse(text) as DeepPartial<Config>;
    } catch (err) {
      throw new ConfigError(`config file ${file} is not JSON: ${(err as Error).message}`);
    }
  }
  const config = merge(merge(merge(DEFAULT_CONFIG, fromFile), fromEnv(env)), options.overrides);
  if (!Value.Check(ConfigSchema, config)) {
    const first = [...Value.Errors(ConfigSchema, config)][0];
    throw new ConfigError(`invalid configuration at ${first?.path || '/'}: ${first?.message ?? 'unknown error'}`);
  }
  if (config.rtp.minPort > config.rtp.maxPort) throw new ConfigError('rtp.minPort is above rtp.maxPort');
  return config;
}
