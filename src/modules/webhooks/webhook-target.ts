import { lookup as dnsLookup } from 'node:dns';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { LookupFunction } from 'node:net';
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
  dnsLookup(hostname, { ...options, all: true }, (error, addresses) => {
    if (error) return callback(error, '', 0);
    const list = addresses as unknown as { address: string; family: number }[];
    const refused = list.find((a) => !isPublic(a.address));
    if (refused) return callback(Object.assign(new Error(`${hostname} resolves to a non-public address ${refused.address}`), { code: 'EWEBHOOKPRIVATE' }), '', 0);
    if (options.all) return (callback as unknown as (e: null, a: typeof list) => void)(null, list);
    const first = list[0] as { address: string; family: number };
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

/**
 * POSTs one signed delivery. No redirect is followed (a 3xx is a failed attempt), the whole exchange
 * times out after `timeoutMs`, at most 64 KiB of the answer is read, and never throws.
 */
export function postDelivery(
  url: string,
  headers: Record<string, string>,
  body: string,
  { policy, timeoutMs, signal }: { policy: TargetPolicy; timeoutMs: number; signal: AbortSignal },
): Promise<PostResult> {
  const started = performance.now();
  const problem = targetProblem(url, policy);
  if (problem) return Promise.resolve({ latencyMs: 0, error: problem, responseHead: '' });
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<PostResult, 'latencyMs'>) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      request.destroy();
      resolve({ ...result, latencyMs: Math.round(performance.now() - started) });
    };
    const send = new URL(url).protocol === 'https:' ? httpsRequest : httpRequest;
    const request = send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'Portcullis-Webhooks', ...headers, 'content-length': String(Buffer.byteLength(body)) },
      signal,
      ...(policy.allowPrivate ? {} : { lookup: publicOnlyLookup }),
    });
    const timer = setTimeout(() => finish({ error: `timed out after ${timeoutMs} ms`, responseHead: '' }), timeoutMs);
    request.on('error', (error) => finish({ error: error.message, responseHead: '' }));
    request.on('response', (response) => {
      const chunks: Buffer[] = [];
      let read = 0;
      const done = () => {
        const head = Buffer.concat(chunks).subarray(0, LOGGED_RESPONSE_BYTES).toString('utf8');
        finish({ status: response.statusCode ?? 0, error: '', responseHead: head });
      };
      response.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        read += chunk.length;
        if (read >= MAX_RESPONSE_BYTES) done();
      });
      response.on('end', done);
      response.on('error', done);
    });
    request.end(body);
  });
}
