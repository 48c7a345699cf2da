import { DEFAULT_BODY_LIMIT } from './app.ts';
import { DEFAULT_RATE_LIMIT, type RateLimitSettings } from './http/plugins/rate-limit.ts';
import type { TargetPolicy } from './modules/webhooks/webhook-target.ts';

/**
 * Everything `portcullis serve` can be told, from flags first and the environment second.
 * README's configuration table lists the same names.
 */
export interface ServerConfig {
  dataDir: string;
  databaseUrl?: string | undefined;
  host: string;
  port: number;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  /** Non-empty: a TLS-terminating proxy sits in front, and these are its addresses or CIDR ranges. */
  trustedProxies: string[];
  bodyLimit: number;
  logLevel: string;
  /** Requests per window for each caller; `max` 0 turns the limit off. */
  rateLimit: RateLimitSettings;
  /** Webhook targets allowed beyond public HTTPS (docs/webhooks.md). */
  webhookPolicy: TargetPolicy;
  /** How long a dead process's webhook queue waits before another takes it over; undefined: the default. */
  webhookLeaseMs?: number | undefined;
  /** Set: `GET /metrics` answers a scraper that presents it as a bearer token; unset: no /metrics. */
  metricsToken?: string | undefined;
}

export const DEFAULT_PORT = 8443;

export interface ServeFlags {
  data: string;
  databaseUrl?: string | undefined;
  host?: string | undefined;
  port?: number | undefined;
  tlsCert?: string | undefined;
  tlsKey?: string | undefined;
  trustedProxies?: string | undefined;
  bodyLimit?: number | undefined;
  logLevel?: string | undefined;
  rateLimit?: number | undefined;
  /** Seconds. */
  rateLimitWindow?: number | undefined;
  webhookAllowHttp?: boolean | undefined;
  webhookAllowPrivate?: boolean | undefined;
  metricsToken?: string | undefined;
}

function envNumber(name: string, env: NodeJS.ProcessEnv): number | undefined {
  const value = env[name];
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number, got '${value}'`);
  return Number.parseInt(value, 10);
}

function envFlag(name: string, env: NodeJS.ProcessEnv): boolean {
  const value = env[name];
  if (value === undefined || value === '' || value === 'false' || value === '0') return false;
  if (value === 'true' || value === '1') return true;
  throw new Error(`${name} must be true or false, got '${value}'`);
}

export function serverConfig(flags: ServeFlags, env = process.env): ServerConfig {
  const tlsCert = flags.tlsCert ?? env.PORTCULLIS_TLS_CERT;
  const tlsKey = flags.tlsKey ?? env.PORTCULLIS_TLS_KEY;
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    throw new Error('--tls-cert and --tls-key go together: give both or neither');
  }
  const proxies = (flags.trustedProxies ?? env.PORTCULLIS_TRUSTED_PROXIES ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const windowSeconds = flags.rateLimitWindow ?? envNumber('PORTCULLIS_RATE_LIMIT_WINDOW', env) ?? DEFAULT_RATE_LIMIT.windowMs / 1000;
  if (windowSeconds < 1) throw new Error('--rate-limit-window must be at least 1 second');
  return {
    dataDir: flags.data,
    databaseUrl: flags.databaseUrl || undefined,
    host: flags.host ?? env.PORTCULLIS_HOST ?? '0.0.0.0',
    port: flags.port ?? envNumber('PORTCULLIS_PORT', env) ?? DEFAULT_PORT,
    tlsCert,
    tlsKey,
    trustedProxies: proxies,
    bodyLimit: flags.bodyLimit ?? envNumber('PORTCULLIS_BODY_LIMIT', env) ?? DEFAULT_BODY_LIMIT,
    logLevel: flags.logLevel ?? env.PORTCULLIS_LOG_LEVEL ?? 'info',
    rateLimit: {
      max: flags.rateLimit ?? envNumber('PORTCULLIS_RATE_LIMIT', env) ?? DEFAULT_RATE_LIMIT.max,
      windowMs: windowSeconds * 1000,
    },
    webhookPolicy: {
      allowHttp: flags.webhookAllowHttp ?? envFlag('PORTCULLIS_WEBHOOK_ALLOW_HTTP', env),
      allowPrivate: flags.webhookAllowPrivate ?? envFlag('PORTCULLIS_WEBHOOK_ALLOW_PRIVATE', env),
    },
    webhookLeaseMs: envNumber('PORTCULLIS_WEBHOOK_LEASE_MS', env),
    metricsToken: flags.metricsToken || env.PORTCULLIS_METRICS_TOKEN || undefined,
  };
}
