import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { seedDoor } from '../factories/access.ts';
import { DIALECTS, type Harness, createHarness } from '../harness.ts';
import { type Received, startReceiver, until } from './receiver.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { createDevice } from '../../src/modules/devices/devices.service.ts';

/**
 * docs/webhooks.md shows integrators how to verify a delivery in TypeScript and in Python. These tests run
 * the snippets exactly as the page has them (read from it, so the two cannot drift) against real signed
 * deliveries of a real server: each must accept a genuine delivery and refuse a changed body, a forged
 * signature and the wrong secret.
 */
const DOC = readFileSync(new URL('../../docs/webhooks.md', import.meta.url), 'utf8');

/** The fenced block of `language` under the heading that starts with `heading`. */
function snippet(heading: string, language: string): string {
  const section = DOC.slice(DOC.indexOf(heading));
  const match = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(section);
  if (!match?.[1]) throw new Error(`docs/webhooks.md has no ${language} block under "${heading}"`);
  return match[1];
}

const PYTHON = snippet('### Verifying (Python', 'python');
const TYPESCRIPT = snippet('### Verifying (TypeScript', 'ts');

/** A delivery as a receiver would check it: its headers and its raw body, perhaps altered. */
interface Check {
  secret: string;
  headers: Record<string, string>;
  body: string;
}

const headersOf = (got: Received) => ({ 'webhook-id': got.id, 'webhook-timestamp': got.timestamp, 'webhook-signature': got.signature });
const run = promisify(execFile);

/** Runs the Python snippet with python3 on each check; for each, "ok" or why it refused. */
async function pythonVerdicts(checks: Check[]): Promise<string[]> {
  const driver = `
import json, sys
for check in json.load(sys.stdin):
    try:
        verified(check["secret"], check["headers"], check["body"].encode("utf-8"))
        print("ok")
    except ValueError as error:
        print(f"refused: {error}")
`;
  const child = run('python3', ['-c', `${PYTHON}\n${driver}`]);
  child.child.stdin?.end(JSON.stringify(checks));
  const { stdout } = await child;
  return stdout.trim().split('\n');
}

/** Imports the TypeScript snippet as a module of its own, with `secret` in its environment; its `verified`. */
async function typescriptVerifier(secret: string): Promise<(body: string, headers: Record<string, string>) => unknown> {
  // Beside this test, so that 'standardwebhooks' resolves as it would in an integrator's project.
  const file = join(import.meta.dirname, `.doc-snippet-${process.pid}-${randomBytes(4).toString('hex')}.ts`);
  writeFileSync(file, TYPESCRIPT);
  process.env.PORTCULLIS_WEBHOOK_SECRET = secret;
  try {
    const module = (await import(file)) as { verified: (body: string, headers: Record<string, string>) => unknown };
    return module.verified;
  } finally {
    delete process.env.PORTCULLIS_WEBHOOK_SECRET;
    rmSync(file);
  }
}

describe.each(DIALECTS)('the verification snippets of docs/webhooks.md on %s', (dialect) => {
  let h: Harness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  afterEach(async () => {
    await h.close();
    await receiver.close();
  });

  it('accept real deliveries (signed by two secrets during a rotation) and refuse altered ones', async () => {
    receiver = await startReceiver();
    h = await createHarness(dialect, {
      webhooks: { key: randomBytes(32), policy: { allowHttp: true, allowPrivate: true }, deliver: { pollMs: 20 } },
    });
    const door = await seedDoor(h.store.db, h.site.id, 'Front');
    const { deviceKey } = await createDevice(h.store.db, h.site, { name: 'Panel', doorIds: [door] }, systemClock);
    const created = await h.request('POST', '/api/v1/webhook', { body: { webhooks: [{ url: receiver.url }] } });
    const { id, secret: old } = created.body.shown_once[0] as { id: number; secret: string };
    const rotated = await h.request('PUT', '/api/v1/webhook', { body: { webhooks: [{ id, rotate_secret: true }] } });
    const fresh = rotated.body.shown_once[0].secret as string;
    const decision = await h.request('POST', '/api/v1/device/access', {
      as: null,
      headers: { authorization: `Bearer ${deviceKey}` },
      body: { door_id: door, card_num: '999' },
    });
    expect(decision.status).toBe(200);
    const [got] = await until('the delivery', () => receiver.received.length === 1 && receiver.received);
    const delivery = got as Received;
    expect(delivery.signature.split(' ')).toHaveLength(2);

    const headers = headersOf(delivery);
    const tampered = delivery.body.replace('"card_num":"999"', '"card_num":"998"');
    expect(tampered).not.toBe(delivery.body);
    const wrongSecret = `whsec_${randomBytes(24).toString('base64')}`;
    const forged = { ...headers, 'webhook-signature': `v1,${randomBytes(32).toString('base64')}` };

    expect(
      await pythonVerdicts([
        { secret: fresh, headers, body: delivery.body },
        { secret: old, headers, body: delivery.body },
        { secret: fresh, headers, body: tampered },
        { secret: fresh, headers: forged, body: delivery.body },
        { secret: wrongSecret, headers, body: delivery.body },
      ]),
    ).toEqual(['ok', 'ok', 'refused: no valid webhook-signature', 'refused: no valid webhook-signature', 'refused: no valid webhook-signature']);

    const verified = await typescriptVerifier(fresh);
    expect(verified(delivery.body, headers)).toEqual(JSON.parse(delivery.body));
    expect(() => verified(tampered, headers)).toThrow(/signature/i);
    expect(() => verified(delivery.body, forged)).toThrow(/signature/i);
    const withOld = await typescriptVerifier(old);
    expect(withOld(delivery.body, headers)).toEqual(JSON.parse(delivery.body));
    expect(() => withOld(tampered, headers)).toThrow(/signature/i);
  });
});
