import { errorFields } from './error-fields.ts';

/**
 * Whether a store error means the store cannot be reached right now (a refused, lost or timed-out
 * connection, a server shutting down or starting up, a database file that is locked or cannot be
 * written), rather than a fault of the statement. Such a failure is answered 503 with Retry-After, and
 * an access decision it touches is a denial (docs/faults.md).
 */
export function isStoreUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; typeof current === 'object' && current !== null && depth < 5; depth++) {
    const { code, message, cause } = errorFields(current);
    if (code !== undefined && UNAVAILABLE_CODE.test(code)) return true;
    if (message !== undefined && LOST_CONNECTION_MESSAGE.test(message)) return true;
    current = cause;
  }
  return false;
}

/**
 * PostgreSQL's class 08 (connection exception), 57P01–57P03 (shut down by an administrator, a crash,
 * or not yet accepting connections), 53300 (too many connections); the socket's own errors; SQLite's
 * busy, locked, I/O, full and cannot-open codes.
 */
const UNAVAILABLE_CODE =
  /^(08\w{3}|57P0[1-3]|53300|ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH|ENOTFOUND|EAI_AGAIN|SQLITE_(BUSY|LOCKED|IOERR|FULL|CANTOPEN)\w*)$/;

/** What node-postgres says, without a code, when a connection ends under a query or cannot be made in time. */
const LOST_CONNECTION_MESSAGE =
  /^(Connection terminated|Client has encountered a connection error|timeout exceeded when trying to connect|Client was closed and is not queryable)/;
