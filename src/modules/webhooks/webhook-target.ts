import { lookup as dnsLookup } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { Client, type Dispatcher } from 'undici';

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
 * A target the policy allows, checked and parsed once for a run of deliveries rather than once per
 * delivery: its origin (one kept connection each) and the path posted to.
 */
export interface Target {
  origin: string;
  path: string;
}

/** The target of a URL, or why the policy refuses it. */
export function targetOf(url: string, policy: TargetPolicy): Target | string {
  const problem = targetProblem(url, policy);
  if (problem) return problem;
  const parsed = new URL(url);
  return { origin: parsed.origin, path: `${parsed.pathname}${parsed.search}` };
}

/**
 * The connections kept open between deliveries: one undici `Client` per receiver's origin, since a
 * subscription's deliveries go one after another. undici rather than `node:http`: the sending thread's
 * CPU per delivery was about 230 µs with `http.request` and about 135 µs with undici (docs/performance.md),
 * and at one delivery per decision that CPU is taken from the decisions. A connection opens only to an
 * address the policy allows (checked at connect, so DNS cannot smuggle a private target in).
 */
export class DeliveryConnections {
  private readonly clients = new Map<string, Client>();
  /** The requests in flight, each with how to cut it, so close() can end them. */
  private readonly inFlight = new Set<(reason: Error) => void>();
  closed = false;

  constructor(private readonly policy: TargetPolicy) {}

  clientOf(origin: string): Client {
    let client = this.clients.get(origin);
    if (client === undefined) {
      client = new Client(origin, {
        keepAliveTimeout: IDLE_CONNECTION_MS,
        connect: this.policy.allowPrivate ? {} : { lookup: publicOnlyLookup },
      });
      this.clients.set(origin, client);
    }
    return client;
  }

  track(cut: (reason: Error) => void): () => void {
    this.inFlight.add(cut);
    return () => this.inFlight.delete(cut);
  }

  /** Cuts the requests in flight (each ends as a failed attempt) and drops the kept connections. */
  close(): void {
    this.closed = true;
    for (const cut of this.inFlight) cut(new Error('cut by shutdown'));
    this.inFlight.clear();
    for (const client of this.clients.values()) void client.destroy().catch(() => undefined);
    this.clients.clear();
  }
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

/** Errors of a kept connection the receiver closed while it was idle, before it answered anything. */
const STALE_CONNECTION = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);

type Outcome = Omit<PostResult, 'latencyMs'>;

function postOnce(
  target: Target,
  headers: Record<string, string>,
  body: string,
  options: PostOptions,
  /** performance.now() by which the answer must be in, a retry on a new connection included. */
  deadline: number,
  mayRetryStale: boolean,
): Promise<Outcome> {
  const { connections } = options;
  if (connections.closed) return Promise.resolve({ error: 'cut by shutdown', responseHead: '' });
  return new Promise((resolve) => {
    const remaining = Math.max(0, deadline - performance.now());
    const retry = mayRetryStale ? () => postOnce(target, headers, body, options, deadline, false) : undefined;
    const attempt = new Attempt(resolve, options, remaining, retry);
    connections.clientOf(target.origin).dispatch(
      {
        origin: target.origin,
        path: target.path,
        method: 'POST',
        headers: { 'content-type': 'application/json', 'user-agent': 'Portcullis-Webhooks', ...headers },
        body,
        headersTimeout: remaining,
        bodyTimeout: remaining,
      },
      attempt,
    );
  });
}

/** One POST in flight, as undici's handler: what has come back of it, and its end (once). */
class Attempt implements Dispatcher.DispatchHandler {
  private settled = false;
  private controller: Dispatcher.DispatchController | undefined;
  /** Why the request was cut before undici gave its controller: it is cut as soon as it does. */
  private cutEarly: Error | undefined;
  private status: number | undefined;
  private readonly chunks: Buffer[] = [];
  private read = 0;
  private readonly timer: NodeJS.Timeout;
  private readonly untrack: () => void;

  constructor(
    private readonly resolve: (outcome: Outcome | Promise<Outcome>) => void,
    private readonly options: PostOptions,
    remainingMs: number,
    /** Sends again on a new connection; undefined once that has been done. */
    private readonly retry: (() => Promise<Outcome>) | undefined,
  ) {
    this.untrack = options.connections.track((reason) => this.fail(reason));
    this.timer = setTimeout(() => this.fail(new Error(`timed out after ${options.timeoutMs} ms`)), remainingMs);
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.cutEarly) controller.abort(this.cutEarly);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number): void {
    this.status = statusCode;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
    this.read += chunk.length;
    // The rest of a long answer is not read: the connection goes with it.
    if (this.read >= MAX_RESPONSE_BYTES) {
      this.finish(this.answered());
      this.cut(new Error('answer longer than 64 KiB'));
    }
  }

  onResponseEnd(): void {
    this.finish(this.answered());
  }

  onResponseError(_controller: Dispatcher.DispatchController, error: Error & { code?: string }): void {
    // A kept connection the receiver closed while idle fails before anything was answered: that says
    // nothing of the receiver, so the delivery goes again once, on a new connection.
    const stale = this.status === undefined && STALE_CONNECTION.has(error.code ?? '');
    if (this.retry && stale && !this.settled && !this.options.connections.closed) {
      this.end(this.retry());
      return;
    }
    this.finish({ error: error.message, responseHead: '' });
  }

  /** Ends the attempt as failed, and cuts its request. */
  private fail(reason: Error): void {
    this.finish({ error: reason.message, responseHead: '' });
    this.cut(reason);
  }

  private cut(reason: Error): void {
    if (this.controller) this.controller.abort(reason);
    else this.cutEarly = reason;
  }

  private answered(): Outcome {
    const head = Buffer.concat(this.chunks).subarray(0, LOGGED_RESPONSE_BYTES).toString('utf8');
    return { status: this.status ?? 0, error: '', responseHead: head };
  }

  private finish(outcome: Outcome): void {
    if (!this.settled) this.end(outcome);
  }

  private end(outcome: Outcome | Promise<Outcome>): void {
    this.settled = true;
    clearTimeout(this.timer);
    this.untrack();
    this.resolve(outcome);
  }
}
