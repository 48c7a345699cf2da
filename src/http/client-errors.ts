import type { Socket } from 'node:net';
import { STATUS_CODES } from 'node:http';
import { ERRORS } from '../domain/errors.ts';
import { renderBasipError } from './basip/envelope.ts';
import { faceOfUrl } from './faces.ts';
import { renderLocktError } from './lockt/envelope.ts';
import { SECURITY_HEADERS } from './plugins/security-headers.ts';

/** What the client address has left of its budget, counting this answer; undefined with rate limits off. */
export type AddressBudget = (address: string) => Promise<{ limit: number; remaining: number; resetSeconds: number }>;

/** Filled in once the rate limits are installed (they are registered after Fastify is constructed). */
export interface AddressBudgetHolder {
  check?: AddressBudget | undefined;
}

const ANSWERS: Record<string, { status: number; message: string }> = {
  ERR_HTTP_REQUEST_TIMEOUT: { status: 408, message: 'The request was not received in time.' },
  HPE_HEADER_OVERFLOW: { status: 431, message: 'Request header fields are too large.' },
};
const MALFORMED = { status: 400, message: 'The request is not well-formed HTTP.' };

/** The request target of the first line Node could not finish reading, when it got that far. */
function requestTarget(rawPacket: unknown): string {
  if (!Buffer.isBuffer(rawPacket)) return '/';
  const firstLine = rawPacket.subarray(0, 8_192).toString('latin1').split('\r\n', 1)[0] ?? '';
  return firstLine.split(' ')[1] ?? '/';
}

/**
 * Answers what Node's HTTP parser refuses before Fastify sees a request (headers too large, a request
 * that never finished arriving, bytes that are not HTTP) as every other refusal is answered: the security
 * headers, the address's RateLimit headers (the refusal counts against it) and the body in the face's
 * format, Lockt unless the request line names a BAS-IP path. Replaces Fastify's default, whose body is
 * its own `{"error","message","statusCode"}`.
 */
export function clientErrorHandler(budget: AddressBudgetHolder) {
  return (error: Error & { code?: string; rawPacket?: unknown }, socket: Socket): void => {
    if (error.code === 'ECONNRESET' || socket.destroyed) return;
    const { status, message } = ANSWERS[error.code ?? ''] ?? MALFORMED;
    const refusal = ERRORS.badRequest(message);
    const face = faceOfUrl(requestTarget(error.rawPacket));
    const body = JSON.stringify(face === 'basip' ? renderBasipError(refusal) : renderLocktError(refusal, status, 'GET'));
    const answer = (limits: Record<string, string | number>) => {
      if (socket.writable) {
        const headers = {
          ...SECURITY_HEADERS,
          ...limits,
          'content-type': 'application/json; charset=utf-8',
          'content-length': Buffer.byteLength(body),
          connection: 'close',
        };
        const lines = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
        socket.write(`HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\n${lines.join('')}\r\n${body}`);
      }
      socket.destroy(error);
    };
    if (!budget.check) {
      answer({});
      return;
    }
    budget
      .check(socket.remoteAddress ?? '')
      .then(({ limit, remaining, resetSeconds }) =>
        answer({ 'ratelimit-limit': limit, 'ratelimit-remaining': remaining, 'ratelimit-reset': resetSeconds }),
      )
      .catch(() => answer({}));
  };
}
