/** The parts of a thrown store error that say what went wrong; drivers throw objects of several classes. */
export interface ErrorFields {
  code?: string;
  message?: string;
  cause?: unknown;
}

/** Reads a thrown value's `code`, `message` and `cause` where they are present and of the expected kind. */
export function errorFields(error: unknown): ErrorFields {
  if (typeof error !== 'object' || error === null) return {};
  const fields: ErrorFields = {};
  if ('code' in error && typeof error.code === 'string') fields.code = error.code;
  if ('message' in error && typeof error.message === 'string') fields.message = error.message;
  if ('cause' in error) fields.cause = error.cause;
  return fields;
}
