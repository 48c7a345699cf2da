import type { ErrorCode } from '../domain/errors.ts';

/** The HTTP status of each failure; the only place statuses are chosen for errors. */
export const STATUS_OF: Record<ErrorCode, number> = {
  unauthorized: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  bad_request: 400,
  unparseable_body: 400,
  batch_too_large: 400,
  validation_failed: 400,
  payload_too_large: 413,
  unsupported_media_type: 415,
  https_required: 403,
  under_maintenance: 503,
  rate_limited: 429,
  store_unavailable: 503,
  not_ready: 503,
  internal: 500,
};
