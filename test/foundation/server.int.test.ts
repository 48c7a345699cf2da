import { mkdtempSync, rmSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../src/app.ts';
import { serverConfig } from '../../src/config.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openStore } from '../../src/db/open.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { createSite } from '../../src/modules/sites/sites.service.ts';
import { type RunningServer, startServer } from '../../src/server.ts';

interface Answer {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

function get(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const secure = url.startsWith('https:');
  return new Promise((resolve, reject) => {
    const send = secure ? httpsRequest : httpRequest;
    const req = send(url, { headers, ...(secure ? { rejectUnauthorized: false } : {}) }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body, headers: res.headers }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('portcullis serve over a real socket', () => {
  let dataDir: string;
  let server: RunningServer;
  const said: string[] = [];
  let credentials: { apiuser: string; apikey: string };

  beforeAll(async () => {
    dataDir = mkdtempSync(join(tmpdir(), 'portcullis-serve-'));
    const store = openStore({ dataDir });
    await migrateToLatest(store.db);
    const created = await createSite(store.db, { name: 'Served' }, systemClock);
    credentials = { apiuser: created.apiuser, apikey: created.apikey };
    await store.close();
    server = await startServer(serverConfig({ data: dataDir, host: '127.0.0.1', port: 0, logLevel: 'silent' }, {}), (line) => said.push(line));
  });

  afterAll(async () => {
    await server.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('speaks HTTPS with a self-signed certificate whose fingerprint it prints', async () => {
    const answer = await get(`https://127.0.0.1:${server.port}/api/v1/ping`, credentials);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body).data.message).toBe('pong');
    expect(said.join('\n')).toMatch(/SHA-256 fingerprint ([0-9A-F]{2}:){31}[0-9A-F]{2}/);
  });

  it('refuses plain HTTP on the same port with 403 in the envelope', async () => {
    const answer = await get(`http://127.0.0.1:${server.port}/api/v1/ping`, credentials);
    expect(answer.status).toBe(403);
    expect(JSON.parse(answer.body)).toEqual({ data: { error: 'HTTPS is required' } });
  });

  it('keeps its certificate across restarts', async () => {
    const fingerprint = said.find((line) => line.includes('fingerprint'));
    const again = await startServer(serverConfig({ data: dataDir, host: '127.0.0.1', port: 0, logLevel: 'silent' }, {}), (line) => said.push(line));
    await again.close();
    expect(said.filter((line) => line === fingerprint)).toHaveLength(2);
  });
});

describe('behind a TLS-terminating proxy', () => {
  it('believes X-Forwarded-Proto only from a trusted proxy address', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-proxy-'));
    const store = openStore({ dataDir });
    await migrateToLatest(store.db);
    const { apiuser, apikey } = await createSite(store.db, { name: 'Proxied' }, systemClock);
    const app = await buildApp({ db: store.db, trustedProxies: ['10.0.0.1'] });
    const call = (remoteAddress: string, proto?: string) =>
      app.inject({
        method: 'GET',
        url: '/api/v1/ping',
        remoteAddress,
        headers: { apiuser, apikey, ...(proto ? { 'x-forwarded-proto': proto } : {}) },
      });
    expect((await call('10.0.0.1', 'https')).statusCode).toBe(200);
    const plain = await call('10.0.0.1');
    expect(plain.statusCode).toBe(403);
    expect(plain.json()).toEqual({ data: { error: 'HTTPS is required' } });
    expect((await call('192.0.2.7', 'https')).statusCode).toBe(403);
    await app.close();
    await store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('refuses half a TLS configuration', () => {
    expect(() => serverConfig({ data: '.', tlsCert: 'cert.pem' }, {})).toThrow(/--tls-cert and --tls-key go together/);
  });
});
