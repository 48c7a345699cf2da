import type { PortcullisError } from '../../domain/errors.ts';

/**
 * The Lockt wire envelope. Reads answer `{"data": …}`; a write that fails with 400 answers
 * `{"result": [messages], "errors": [{"error": [...], "input_data": {...}}]}` as the spec shows; every
 * other failure answers `{"data": {"error": "…"}}`.
 */
export function data<T>(payload: T): { data: T } {
  return { data: payload };
}

const WRITE_METHODS = new Set(['POST', 'PUT', 'DELETE', 'PATCH']);

export function renderLocktError(error: PortcullisError, status: number, method: string): unknown {
  if (status === 400 && WRITE_METHODS.has(method)) {
    return {
      result: [error.message],
      errors: error.failures.map((f) => ({ error: f.messages, input_data: f.input })),
    };
  }
  return { data: { error: error.message } };
}
