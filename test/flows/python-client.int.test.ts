import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serverConfig } from '../../src/config.ts';
import { migrateToLatest } from '../../src/db/migrate.ts';
import { openStore } from '../../src/db/open.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { createSite } from '../../src/modules/sites/sites.service.ts';
import { startServer } from '../../src/server.ts';

const hasPythonRequests = spawnSync('python3', ['-c', 'import requests'], { stdio: 'ignore' }).status === 0;
if (!hasPythonRequests) console.warn('Python client test SKIPPED: python3 with the requests package is not installed.');

/**
 * The spec's own Python examples, run with python3 and requests against a real HTTPS server: a client
 * written from the vendor's documentation works with only the host changed. The self-signed
 * certificate is trusted through REQUESTS_CA_BUNDLE, as a site would install its own CA.
 */
describe.runIf(hasPythonRequests)('a Python client copied from the spec', () => {
  it('runs every example against Portcullis', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'portcullis-python-'));
    const store = openStore({ dataDir });
    await migrateToLatest(store.db);
    const { apiuser, apikey } = await createSite(store.db, { name: 'Python' }, systemClock);
    await store.close();
    const server = await startServer(serverConfig({ data: dataDir, host: '127.0.0.1', port: 0, logLevel: 'silent' }, {}), () => {});
    try {
      const run = await new Promise<{ status: number | null; output: string }>((resolve) => {
        const child = spawn('python3', [join(import.meta.dirname, '../python/spec_examples.py')], {
          env: {
            ...process.env,
            APIUSER: apiuser,
            APIKEY: apikey,
            HOST: `localhost:${server.port}`,
            REQUESTS_CA_BUNDLE: join(dataDir, 'tls', 'cert.pem'),
          },
        });
        let output = '';
        child.stdout.on('data', (chunk) => {
          output += chunk;
        });
        child.stderr.on('data', (chunk) => {
          output += chunk;
        });
        child.on('close', (status) => resolve({ status, output }));
      });
      expect(run.output).toMatch(/\d+ passed, 0 failed/);
      expect(run.status, run.output).toBe(0);
    } finally {
      await server.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
