import { type Static, type TSchema, Type } from 'typebox';
import { Value } from 'typebox/value';
import { DEFAULT_BODY_LIMIT } from './app.ts';
import { DEFAULT_RATE_LIMIT, type RateLimitSettings } from './http/plugins/rate-limit.ts';
import type { TargetPolicy } from './modules/webhooks/webhook-target.ts';

/** A setting's schema as this file reads it: where it may be given (a flag in commander's spelling, a variable), its default and its bounds. */
interface SettingSchema extends TSchema {
  type?: string;
  default?: unknown;
  flag?: string;
  env?: string;
  help: string;
  minimum?: number;
  maximum?: number;
  /** What a whole number counts, for messages. */
  unit?: string;
  pattern?: string;
  /** For messages, what a text with a `pattern` must be. */
  must?: string;
  /** A secret: a refused value is not repeated in the message (it would reach logs and terminals). */
  secret?: boolean;
  anyOf?: { const: string }[];
}

/**
 * Every setting of `portcullis`, in one schema: its type, its default, its flag and its variable. A flag
 * wins over the variable, the variable over the default; a value that does not fit stops the command
 * before it does anything, naming the flag or variable it came from. README's configuration table lists
 * the same names.
 */
export const SETTINGS = Type.Object({
  data: Type.String({ minLength: 1, default: './data', flag: '--data <dir>', env: 'PORTCULLIS_DATA', help: 'directory of the embedded store' }),
  databaseUrl: Type.Optional(
    Type.String({ flag: '--database-url <url>', env: 'DATABASE_URL', help: 'postgres://… to use PostgreSQL (default: $DATABASE_URL)' }),
  ),
  host: Type.String({
    minLength: 1,
    default: '0.0.0.0',
    flag: '--host <host>',
    env: 'PORTCULLIS_HOST',
    help: 'address to bind (default $PORTCULLIS_HOST or 0.0.0.0)',
  }),
  port: Type.Integer({
    minimum: 0,
    maximum: 65_535,
    default: 8443,
    flag: '--port <port>',
    env: 'PORTCULLIS_PORT',
    help: 'port to bind (default $PORTCULLIS_PORT or 8443)',
  }),
  tlsCert: Type.Optional(
    Type.String({ flag: '--tls-cert <file>', env: 'PORTCULLIS_TLS_CERT', help: 'PEM certificate (default: self-signed, made in <data>/tls)' }),
  ),
  tlsKey: Type.Optional(Type.String({ flag: '--tls-key <file>', env: 'PORTCULLIS_TLS_KEY', help: 'PEM private key for --tls-cert' })),
  trustedProxies: Type.String({
    default: '',
    flag: '--trusted-proxies <list>',
    env: 'PORTCULLIS_TRUSTED_PROXIES',
    help: 'behind a TLS-terminating proxy: its comma-separated addresses/CIDRs',
  }),
  bodyLimit: Type.Integer({
    minimum: 1,
    unit: 'byte',
    default: DEFAULT_BODY_LIMIT,
    flag: '--body-limit <bytes>',
    env: 'PORTCULLIS_BODY_LIMIT',
    help: `largest request body (default ${DEFAULT_BODY_LIMIT})`,
  }),
  logLevel: Type.Union(
    [
      Type.Literal('fatal'),
      Type.Literal('error'),
      Type.Literal('warn'),
      Type.Literal('info'),
      Type.Literal('debug'),
      Type.Literal('trace'),
      Type.Literal('silent'),
    ],
    {
      default: 'info',
      flag: '--log-level <level>',
      env: 'PORTCULLIS_LOG_LEVEL',
      help: 'pino log level: fatal, error, warn, info, debug, trace or silent (default info)',
    },
  ),
  rateLimit: Type.Integer({
    minimum: 0,
    default: DEFAULT_RATE_LIMIT.max,
    flag: '--rate-limit <requests>',
    env: 'PORTCULLIS_RATE_LIMIT',
    help: `requests per window for each API key, device, operator or address; 0: off (default ${DEFAULT_RATE_LIMIT.max})`,
  }),
  rateLimitWindow: Type.Integer({
    minimum: 1,
    unit: 'second',
    default: DEFAULT_RATE_LIMIT.windowMs / 1000,
    flag: '--rate-limit-window <seconds>',
    env: 'PORTCULLIS_RATE_LIMIT_WINDOW',
    help: `the rate limit window (default ${DEFAULT_RATE_LIMIT.windowMs / 1000})`,
  }),
  webhookAllowHttp: Type.Boolean({
    default: false,
    flag: '--webhook-allow-http',
    env: 'PORTCULLIS_WEBHOOK_ALLOW_HTTP',
    help: 'let webhooks deliver over plain http (default $PORTCULLIS_WEBHOOK_ALLOW_HTTP or no)',
  }),
  webhookAllowPrivate: Type.Boolean({
    default: false,
    flag: '--webhook-allow-private',
    env: 'PORTCULLIS_WEBHOOK_ALLOW_PRIVATE',
    help: 'let webhooks deliver to private, loopback and link-local addresses (default $PORTCULLIS_WEBHOOK_ALLOW_PRIVATE or no)',
  }),
  webhookKey: Type.Optional(
    Type.String({
      // 32 bytes in base64 (either alphabet, padding optional), as Node decodes it.
      pattern: '^[A-Za-z0-9+/_-]{43}=?$',
      must: '32 bytes in base64',
      secret: true,
      env: 'PORTCULLIS_WEBHOOK_KEY',
      help: 'the key that seals webhook secrets in the store (default: <data>/webhook.key, made on first use)',
    }),
  ),
  webhookLeaseMs: Type.Optional(
    Type.Integer({
      minimum: 1,
      unit: 'millisecond',
      env: 'PORTCULLIS_WEBHOOK_LEASE_MS',
      help: 'how long a dead process’s webhook queue waits before another takes it over',
    }),
  ),
  webhookRetentionDays: Type.Optional(
    Type.Integer({
      minimum: 1,
      unit: 'day',
      env: 'PORTCULLIS_WEBHOOK_RETENTION_DAYS',
      help: 'how many days finished webhook deliveries and their attempts are kept (default 30)',
    }),
  ),
  metricsToken: Type.Optional(
    Type.String({ minLength: 1, flag: '--metrics-token <token>', env: 'PORTCULLIS_METRICS_TOKEN', help: 'bearer token that opens /metrics' }),
  ),
});

export type Settings = Static<typeof SETTINGS>;
export type SettingName = keyof Settings;
/** What commander hands over: text from flags, true for a flag without a value. */
export type Flags = Partial<Record<SettingName, string | number | boolean>>;

/** A setting that does not fit its schema: the command stops, exit code 2. */
export class ConfigError extends Error {}

// TypeBox keeps the options it does not know (flag, env, help) on the schema as given.
const schemaOf = (name: SettingName) => SETTINGS.properties[name] as unknown as SettingSchema;

function describe({ type, minimum, maximum, unit, anyOf, must }: SettingSchema): string {
  if (must !== undefined) return must;
  if (type === 'integer') {
    return maximum === undefined ? `a whole number, at least ${minimum}${unit ? ` ${unit}` : ''}` : `a whole number from ${minimum} to ${maximum}`;
  }
  if (type === 'boolean') return 'true or false';
  if (anyOf) return `one of ${anyOf.map((s) => s.const).join(', ')}`;
  return 'not empty';
}

/** Text from a flag or the environment as the setting's type; anything else is left for the check to refuse. */
function fromText(schema: SettingSchema, text: string): unknown {
  if (schema.type === 'integer') return /^\d+$/.test(text) ? Number.parseInt(text, 10) : text;
  if (schema.type === 'boolean') return { true: true, '1': true, false: false, '0': false }[text] ?? text;
  return text;
}

/** One setting: from its flag, else its variable (unset or empty: absent), else its default. */
export function readSetting<N extends SettingName>(name: N, flags: Flags, env: NodeJS.ProcessEnv): Settings[N] {
  const schema = schemaOf(name);
  const fromFlag = flags[name];
  const fromEnv = schema.env === undefined || env[schema.env] === '' ? undefined : env[schema.env];
  const given = fromFlag ?? fromEnv;
  if (given === undefined) return schema.default as Settings[N];
  const value = typeof given === 'string' ? fromText(schema, given) : given;
  if (!Value.Check(schema, value)) {
    const source = fromFlag !== undefined ? (schema.flag ?? '').split(' ')[0] : schema.env;
    throw new ConfigError(`${source} must be ${describe(schema)}${schema.secret ? '' : `, got '${String(given)}'`}`);
  }
  return value as Settings[N];
}

/** One setting as this process is told it: the flag given here, else the process's environment, else the default. */
export function setting<N extends SettingName>(name: N, flags: Flags = {}): Settings[N] {
  return readSetting(name, flags, process.env);
}

/** A setting's flag and help for commander; undefined for a setting given only by the environment. */
export function settingFlag(name: SettingName): { flag: string; help: string } | undefined {
  const { flag, help } = schemaOf(name);
  return flag === undefined ? undefined : { flag, help };
}

/**
 * Everything `portcullis serve` is told.
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
  /** The key (32 bytes in base64) that seals webhook secrets; undefined: `<data>/webhook.key`. */
  webhookKey?: string | undefined;
  /** How long a dead process's webhook queue waits before another takes it over; undefined: the default. */
  webhookLeaseMs?: number | undefined;
  /** The bearer token that opens /metrics; undefined: no token. */
  metricsToken?: string | undefined;
  /** How many days finished webhook deliveries and their attempts are kept; undefined: the default. */
  webhookRetentionDays?: number | undefined;
}

export const DEFAULT_PORT = readSetting('port', {}, {});

export function serverConfig(flags: Flags, env = process.env): ServerConfig {
  const read = <N extends SettingName>(name: N) => readSetting(name, flags, env);
  const tlsCert = read('tlsCert');
  const tlsKey = read('tlsKey');
  if ((tlsCert === undefined) !== (tlsKey === undefined)) {
    throw new ConfigError('--tls-cert and --tls-key go together: give both or neither');
  }
  return {
    dataDir: read('data'),
    databaseUrl: read('databaseUrl') || undefined,
    host: read('host'),
    port: read('port'),
    tlsCert,
    tlsKey,
    trustedProxies: read('trustedProxies')
      .split(',')
      .map((s) => s.trim())
      .filter((s) => s !== ''),
    bodyLimit: read('bodyLimit'),
    logLevel: read('logLevel'),
    rateLimit: { max: read('rateLimit'), windowMs: read('rateLimitWindow') * 1000 },
    webhookPolicy: { allowHttp: read('webhookAllowHttp'), allowPrivate: read('webhookAllowPrivate') },
    webhookKey: read('webhookKey'),
    webhookLeaseMs: read('webhookLeaseMs'),
    metricsToken: read('metricsToken'),
    webhookRetentionDays: read('webhookRetentionDays'),
  };
}
