/**
 * The closed set of failures Portcullis reports. The domain throws these; each wire face decides how
 * a code looks on the wire (src/http/errors.ts maps codes to statuses, the face renders the body).
 */
export type ErrorCode =
  | 'unauthorized'
  | 'forbidden'
  | 'not_found'
  | 'method_not_allowed'
  | 'bad_request'
  | 'unparseable_body'
  | 'batch_too_large'
  | 'validation_failed'
  | 'payload_too_large'
  | 'unsupported_media_type'
  | 'https_required'
  | 'under_maintenance'
  | 'rate_limited'
  | 'store_unavailable'
  | 'not_ready'
  | 'internal';

/** One record of a batch that failed validation: every message about it, and what was sent. */
export interface RecordFailure {
  /** Position of the record in the submitted array. */
  index: number;
  messages: string[];
  input: unknown;
}

export class PortcullisError extends Error {
  readonly code: ErrorCode;
  readonly failures: RecordFailure[];
  readonly headers: Record<string, string>;

  constructor(code: ErrorCode, message: string, extra: { failures?: RecordFailure[]; headers?: Record<string, string> } = {}) {
    super(message);
    this.name = 'PortcullisError';
    this.code = code;
    this.failures = extra.failures ?? [];
    this.headers = extra.headers ?? {};
  }
}

/** What a 503 for an unreachable store asks the caller to wait before trying again. */
export const STORE_RETRY_AFTER_SECONDS = 1;

/** Factories, so every message of a kind reads the same wherever it is raised. */
export const ERRORS = {
  unauthorized: (message = 'Invalid API credentials.') => new PortcullisError('unauthorized', message),
  forbidden: (message: string) => new PortcullisError('forbidden', message),
  notFound: (message: string) => new PortcullisError('not_found', message),
  methodNotAllowed: (method: string, path: string, allowed: string[]) =>
    new PortcullisError('method_not_allowed', `Method ${method} is not allowed on ${path}.`, {
      headers: { allow: allowed.join(', ') },
    }),
  badRequest: (message: string) => new PortcullisError('bad_request', message),
  unparseableBody: () => new PortcullisError('unparseable_body', 'No data found or invalid JSON objects supplied. Could not parse input.'),
  bodyTooDeep: (maxDepth: number) => new PortcullisError('unparseable_body', `Could not parse input: JSON nested deeper than ${maxDepth} levels.`),
  bodyNotUtf8: () => new PortcullisError('unparseable_body', 'Could not parse input: the body is not valid UTF-8.'),
  batchTooLarge: (max: number) => new PortcullisError('batch_too_large', `Batch size exceeds maximum of ${max} objects.`),
  validationFailed: (failures: RecordFailure[]) =>
    new PortcullisError('validation_failed', 'Validation errors found. Batch has failed. Details provided.', {
      failures,
    }),
  payloadTooLarge: (limit: number) => new PortcullisError('payload_too_large', `Request body exceeds the limit of ${limit} bytes.`),
  unsupportedMediaType: () => new PortcullisError('unsupported_media_type', "Request body must be sent with Content-Type 'application/json'."),
  httpsRequired: () => new PortcullisError('https_required', 'HTTPS is required'),
  underMaintenance: (message: string) => new PortcullisError('under_maintenance', message),
  rateLimited: (max: number, windowSeconds: number, retryAfterSeconds: number) =>
    new PortcullisError(
      'rate_limited',
      `Rate limit exceeded: at most ${max} requests per ${windowSeconds} seconds; retry in ${retryAfterSeconds} seconds.`,
      { headers: { 'retry-after': String(retryAfterSeconds) } },
    ),
  /** The spec's "prevent simultaneous and overlapping POST operations", worded for the kind of caller. */
  writeInProgress: (caller: 'API key' | 'device' | 'operator') =>
    new PortcullisError('rate_limited', `Another write from this ${caller} is still running; retry when it completes.`, {
      headers: { 'retry-after': '1' },
    }),
  tooManyStreams: (scope: 'API key' | 'operator' | 'site', max: number) =>
    new PortcullisError('rate_limited', `Too many open event streams for this ${scope} (at most ${max}); close one first.`, {
      headers: { 'retry-after': '5' },
    }),
  /** The store cannot be reached: nothing was written, and the caller may retry in a moment. */
  storeUnavailable: () =>
    new PortcullisError('store_unavailable', 'The store is unavailable; nothing was changed. Retry shortly.', {
      headers: { 'retry-after': String(STORE_RETRY_AFTER_SECONDS) },
    }),
  notReady: (reason: string) =>
    new PortcullisError('not_ready', `Not ready: ${reason}.`, { headers: { 'retry-after': String(STORE_RETRY_AFTER_SECONDS) } }),
  internal: () => new PortcullisError('internal', 'An Unexpected Error has occurred. Request has been terminated and exception flagged.'),
} as const;
