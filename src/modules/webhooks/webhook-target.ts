import { lookup as dnsLookup } from 'node:dns';
import { type ClientRequest, Agent as HttpAgent, type RequestOptions, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
import { urlToHttpOptions } from 'node:url';
import ipaddr from 'ipaddr.js';

/** What serve allows as a webhook target (`--webhook-allow-http`, `--webhook-allow-private`). */
export interface TargetPolicy {
  allowHttp: boolean;
  allowPrivate: boolean;
}

/** Only the public internet: every ipaddr.js range but `unicast` is private, loopback, link-local, reserved… */
function isPublic(address: string): boolean {
  if (!ipaddr.isValid(address)) return false;
  const parsed = ipaddr.process(address);
  return parsed.range() === 'unicast';
}

/** Why this URL may not be a target under the policy, or undefined. Names resolved later are checked at connect. */
export function targetProblem(url: string, policy: TargetPolicy): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `Invalid url found: ${url}`;
  }
  if (parsed.protocol !== 'https:' && !(parsed.protocol === 'http:' && policy.allowHttp)) {
    return `Invalid url found (must be https): ${url}`;
  }
  if (parsed.username !== '' || parsed.password !== '') return `Invalid url found (no credentials in the URL): ${url}`;
  const host = parsed.hostname.replace(/^\[|\]$/g, '');
  if (!policy.allowPrivate && ipaddr.isValid(host) && !isPublic(host)) {
    return `Invalid url found (private, loopback or link-local address): ${url}`;
  }
  return undefined;
}

/** Resolves as usual, but refuses to connect to a non-public address: DNS cannot smuggle a target in. */
const publicOnlyLookup: LookupFunction = (hostname, options, callback) => {
  dnsLookup(hostname, { ...options, all: true }, (error, list) => {
    if (error) return callback(error, '', 0);
    const refused = list.find((a) => !isPublic(a.address));
    if (refused)
      return callback(
        Object.assign(new Error(`${hostname} resolves to a non-public address ${refused.address}`), { code: 'EWEBHOOKPRIVATE' }),
        '',
        0,
      );
    if (options.all) return callback(null, list);
    const [first] = list;
    if (!first) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
    return callback(null, first.address, first.family);
  });
};

export interface PostResult {
  /** Undefined when no response came. */
  status?: number;
  latencyMs: number;
  error: string;
  responseHead: string;
}

/** The most of a response body read; the rest is dropped with the connection. */
export const MAX_RESPONSE_BYTES = 64 * 1024;
/** How much of it the delivery log keeps. */
const LOGGED_RESPONSE_BYTES = 1024;

/** How long an idle connection to a receiver is kept, unless the receiver's Keep-Alive header says less. */
const IDLE_CONNECTION_MS = 4_000;

/**
 * Connections kept open between deliveries, per receiver: a new connection (and over HTTPS a new TLS
 * handshake) for every delivery had made each one cost several round trips, and a subscription's
 * deliveries go one after another. A connection reused is one whose address was checked when it opened.
 */
export class DeliveryConnections {
  readonly http = new HttpAgent({ keepAlive: true, timeout: IDLE_CONNECTION_MS });
  readonly https = new HttpsAgent({ keepAlive: true, timeout: IDLE_CONNECTION_MS });
  /**
   * The requests in flight, cut by close(): kept here rather than each given an AbortSignal, whose
   * listener per request was a tenth of the sending thread's cost per delivery.
   */
  readonly inFlight = new Set<ClientRequest>();
  closed = false;

  /** Cuts the requests in flight (each ends as a failed attempt) and drops the kept connections. */
  close(): void {
    this.closed = true;
    for (const request of this.inFlight) request.destroy(new Error('cut by shutdown'));
    this.inFlight.clear();
    this.http.destroy();
    this.https.destroy();
  }
}

/**
 * A target the policy allows, parsed into request options once for a run of deliveries rather than once
 * per delivery, with the lookup that refuses non-public addresses unless the policy allows them.
 */
export interface Target {
  https: boolean;
  request: RequestOptions;
}

/** The target of a URL, or why the policy refuses it. */
export function targetOf(url: string, policy: TargetPolicy): Target | string {
  const problem = targetProblem(url, policy);
  if (problem) return problem;
  const parsed = new URL(url);
  return {
    https: parsed.protocol === 'https:',
    request: { ...urlToHttpOptions(parsed), method: 'POST', ...(policy.allowPrivate ? {} : { lookup: publicOnlyLookup }) },
  };
}

interface PostOptions {
  timeoutMs: number;
  connections: DeliveryConnections;
}

/**
 * POSTs one signed delivery. No redirect is followed (a 3xx is a failed attempt), the whole exchange
 * times out after `timeoutMs`, at most 64 KiB of the answer is read, and never throws.
 */
export function postDelivery(target: Target, headers: Record<string, string>, body: string, options: PostOptions): Promise<PostResult> {
  const started = performance.now();
  return postOnce(target, headers, body, options, started + options.timeoutMs, true).then((result) => ({
    ...result,
    latencyMs: Math.round(performance.now() - started),
  }));
}

function postOnce(
  target: Target,
  headers: Record<string, string>,
  body: string,
  options: PostOptions,
  /** performance.now() by which the answer must be in, a retry on a new connection included. */
  deadline: number,
  mayRetryStale: boolean,
): Promise<Omit<PostResult, 'latencyMs'>> {
  const { timeoutMs, connections } = options;
  if (connections.closed) return Promise.resolve({ error: 'cut by shutdown', responseHead: '' });
  return new Promise((resolve) => {
    let settled = false;
    /** `keep`: the answer was read whole, so its connection can serve the next delivery. */
    const finish = (result: Omit<PostResult, 'latencyMs'>, keep = false) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      connections.inFlight.delete(request);
      if (!keep) request.destroy();
      resolve(result);
    };
    const send = target.https ? httpsRequest : httpRequest;
    const request = send({
      ...target.request,
      headers: {
        'content-type': 'application/json',
        'user-agent': 'Portcullis-Webhooks',
        ...headers,
        'content-length': String(Buffer.byteLength(body)),
      },
      agent: target.https ? connections.https : connections.http,
    });
    connections.inFlight.add(request);
    const timer = setTimeout(() => finish({ error: `timed out after ${timeoutMs} ms`, responseHead: '' }), Math.max(0, deadline - performance.now()));
    request.on('error', (error: NodeJS.ErrnoException) => {
      // A kept connection the receiver closed while idle fails before anything was answered: that says
      // nothing of the receiver, so the delivery goes again once, on a new connection.
      if (mayRetryStale && request.reusedSocket && error.code === 'ECONNRESET' && !connections.closed && !settled) {
        settled = true;
        clearTimeout(timer);
        connections.inFlight.delete(request);
        resolve(postOnce(target, headers, body, options, deadline, false));
        return;
      }
      finish({ error: error.message, responseHead: '' });
    });
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let read = 0;
      const done = (whole: boolean) => {
        const head = Buffer.concat(chunks).subarray(0, LOGGED_RESPONSE_BYTES).toString('utf8');
        finish({ status: response.statusCode ?? 0, error: '', responseHead: head }, whole);
      };
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        read += chunk.length;
        if (read >= MAX_RESPONSE_BYTES) done(false);
      });
      response.on('end', () => done(true));
      response.on('error', () => done(false));
    });
    request.end(body);
  });
}
