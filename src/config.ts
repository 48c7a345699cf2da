import { DEFAULT_BODY_LIMIT } from './app.ts';

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
}

function envNumber(name: string): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value)) throw new Error(`${name} must be a whole number, got '${value}'`);
  return Number.parseInt(value, 10);
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
  return {
    dataDir: flags.data,
    databaseUrl: flags.databaseUrl || undefined,
    host: flags.host ?? env.PORTCULLIS_HOST ?? '0.0.0.0',
    port: flags.port ?? envNumber('PORTCULLIS_PORT') ?? DEFAULT_PORT,
    tlsCert,
    tlsKey,
    trustedProxies: proxies,
    bodyLimit: flags.bodyLimit ?? envNumber('PORTCULLIS_BODY_LIMIT') ?? DEFAULT_BODY_LIMIT,
    logLevel: flags.logLevel ?? env.PORTCULLIS_LOG_LEVEL ?? 'info',
  };
}
