import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo, type Socket, connect } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { errorFormatProblem } from '../fuzz/routes.ts';
import { DIALECTS, type Harness, createHarness } from '../harness.ts';

const SECURITY = {
  'x-content-type-options': 'nosniff',
  'strict-transport-security': 'max-age=31536000; includeSubDomains',
  'content-security-policy': "default-src 'none';frame-ancestors 'none'",
  'x-frame-options': 'DENY',
  'cache-control': 'no-store',
};

/** The status line, headers and body of a raw HTTP answer. */
function parseAnswer(raw: string): { status: number; headers: Record<string, string>; body: string } {
  const [head = '', body = ''] = raw.split('\r\n\r\n');
  const [statusLine = '', ...lines] = head.split('\r\n');
  const headers = Object.fromEntries(lines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body };
}

/** Sends bytes on a fresh connection and reads until the server closes it. */
function rawExchange(port: number, bytes: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    let received = '';
    socket.on('data', (chunk) => (received += chunk.toString('utf8')));
    socket.on('close', () => resolve(received));
    socket.on('error', reject);
  });
}

/**
 * Issue 14 item 13: answers that left the normal reply path (the hijacked event stream, and what Node's
 * HTTP parser refuses before Fastify sees a request) lacked the security and RateLimit headers and the
 * face's envelope.
 */
describe.each(DIALECTS)('answers outside the normal reply path on %s', (dialect) => {
  let h: Harness;
  let port: number;
  beforeEach(async () => {
    h = await createHarness(dialect, { rateLimit: { max: 50, windowMs: 60_000 } });
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    port = (h.app.server.address() as AddressInfo).port;
  });
  afterEach(async () => {
    await h.close();
  });

  it('the event stream carries the security and RateLimit headers', async () => {
    const headers = await new Promise<IncomingHttpHeaders>((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port, path: '/api/v1/events?stream', headers: { ...h.credentials } }, (res) => {
        resolve(res.headers);
        req.destroy();
      });
      req.on('error', reject);
      req.end();
    });
    expect(headers['content-type']).toMatch(/text\/event-stream/);
    expect(headers).toMatchObject({ ...SECURITY, 'ratelimit-limit': '50', 'ratelimit-remaining': '49' });
  });

  it.each([
    ['headers too large', 431, `GET /api/v1/door HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 'lockt'],
    ['headers too large on a BAS-IP path', 431, `GET /api/v1/access/users/list HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 'basip'],
    ['bytes that are not HTTP', 400, 'NOT HTTP AT ALL\r\n\r\n', 'lockt'],
  ] as const)('Node’s refusal of %s is %s with the headers and the face’s envelope', async (_what, status, bytes, face) => {
    const answer = parseAnswer(await rawExchange(port, bytes));
    expect(answer.status).toBe(status);
    expect(answer.headers).toMatchObject({ ...SECURITY, 'ratelimit-limit': '50' });
    expect(Number(answer.headers['ratelimit-remaining'])).toBeLessThan(50);
    expect(errorFormatProblem(face, JSON.parse(answer.body)), answer.body).toBeUndefined();
  });

  it('a request that does not arrive in time is 408 with the headers and the envelope', async () => {
    // Node's own timer checks only every 30 s; the refusal it raises then is the one emitted here.
    const serverSide = new Promise<Socket>((resolve) => h.app.server.once('connection', resolve));
    const client = connect(port, '127.0.0.1');
    let received = '';
    client.on('data', (chunk) => (received += chunk.toString('utf8')));
    const closed = new Promise((resolve) => client.on('close', resolve));
    const socket = await serverSide;
    h.app.server.emit('clientError', Object.assign(new Error('Request timeout'), { code: 'ERR_HTTP_REQUEST_TIMEOUT' }), socket);
    await closed;
    const answer = parseAnswer(received);
    expect(answer.status).toBe(408);
    expect(answer.headers).toMatchObject(SECURITY);
    expect(JSON.parse(answer.body)).toEqual({ data: { error: 'The request was not received in time.' } });
  });
});
