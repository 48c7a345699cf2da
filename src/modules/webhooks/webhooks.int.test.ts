import { randomBytes } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { itRequiresApiKey } from '../../../test/common-route-tests.ts';
import { seedDoor } from '../../../test/factories/access.ts';
import { runCli } from '../../../test/cli-runner.ts';
import { DIALECTS, type Harness, createHarness } from '../../../test/harness.ts';
import { type Answer, startReceiver, until } from '../../../test/webhooks/receiver.ts';
import { systemClock } from '../../lib/clock.ts';
import { createDevice } from '../devices/devices.service.ts';
import type { Store } from '../../db/open.ts';
import { openSecret } from './webhook-secrets.ts';
import type { DeliverySettings } from './webhook-worker.ts';

/** What openTestStore adds to a store at run time: where it lives, so the CLI can reach it. */
type TestStore = Store & { dataDir: string; databaseUrl?: string; pgSchema?: string };

/** Short waits, so a retry or a give-up happens within a test; the rules are the same as serve's. */
const FAST: Partial<DeliverySettings> = { pollMs: 20, retryBaseMs: 40, retryCapMs: 200, timeoutMs: 2_000, stopGraceMs: 200 };
const OPEN = { allowHttp: true, allowPrivate: true };

describe.each(DIALECTS)('/webhook on %s', (dialect) => {
  let h: Harness;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let door: number;
  let deviceKey: string;

  const start = async (answer?: Answer, deliver: Partial<DeliverySettings> = {}) => {
    receiver = await startReceiver(answer);
    h = await createHarness(dialect, { webhooks: { key: randomBytes(32), policy: OPEN, deliver: { ...FAST, ...deliver } } });
    door = await seedDoor(h.store.db, h.site.id, 'Front');
    deviceKey = (await createDevice(h.store.db, h.site, { name: 'Panel', doorIds: [door] }, systemClock)).deviceKey;
  };
  afterEach(async () => {
    await h.close();
    await receiver.close();
  });

  const subscribe = async (fields: Record<string, unknown> = {}) => {
    const response = await h.request('POST', '/api/v1/webhook', { body: { webhooks: [{ url: receiver.url, ...fields }] } });
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    return response.body.shown_once[0] as { id: number; secret: string };
  };
  /** A denied decision through the device API: its event goes through the shared commit. */
  const decide = async () => {
    const response = await h.request('POST', '/api/v1/device/access', {
      as: null,
      headers: { authorization: `Bearer ${deviceKey}` },
      body: { door_id: door, card_num: '999' },
    });
    expect(response.status).toBe(200);
    return response.body.data.event_id as number;
  };
  const attempts = async (query = '') => (await h.request('GET', `/api/v1/webhook/deliveries${query}`)).body.data as Record<string, any>[];

  describe('subscriptions', () => {
    beforeEach(() => start());
    itRequiresApiKey(() => h, 'GET', '/api/v1/webhook');
    itRequiresApiKey(() => h, 'POST', '/api/v1/webhook', { webhooks: [{ url: 'https://example.com' }] });
    itRequiresApiKey(() => h, 'GET', '/api/v1/webhook/deliveries');

    it('creates with a secret shown once, lists without it, updates, rotates and deletes', async () => {
      const created = await h.request('POST', '/api/v1/webhook', { body: { webhooks: [{ url: receiver.url, codes: [48], doors: [door] }] } });
      expect(created.body).toEqual({
        data: { submitted: 1, inserted: 1, updated: 0, errors: 0 },
        shown_once: [{ id: expect.any(Number), secret: expect.stringMatching(/^whsec_[A-Za-z0-9+/=]{40,}$/) }],
      });
      const { id, secret } = created.body.shown_once[0];
      const list = await h.request('GET', '/api/v1/webhook');
      expect(list.body.data).toEqual([
        {
          id,
          url: receiver.url,
          codes: [48],
          categories: [],
          doors: [door],
          enabled: true,
          disabled_reason: '',
          previous_secret_until: null,
          created: expect.any(String),
          updated: expect.any(String),
        },
      ]);
      expect(list.text).not.toContain(secret);
      const stored = await h.store.db.selectFrom('webhook').select('secret').executeTakeFirstOrThrow();
      expect(stored.secret).not.toContain(secret.slice(6));

      const rotated = await h.request('PUT', '/api/v1/webhook', {
        body: { webhooks: [{ id, rotate_secret: true, overlap_hours: 2, enabled: 'false', codes: [] }] },
      });
      expect(rotated.body.shown_once).toEqual([{ id, secret: expect.stringMatching(/^whsec_/) }]);
      expect(rotated.body.shown_once[0].secret).not.toBe(secret);
      const after = (await h.request('GET', '/api/v1/webhook')).body.data[0];
      expect(after).toMatchObject({ enabled: false, codes: [], previous_secret_until: expect.any(String) });

      const removed = await h.request('DELETE', '/api/v1/webhook', { body: { webhooks: [{ id }] } });
      expect(removed.body).toEqual({ data: { submitted: 1, deleted: 1, errors: 0 } });
      expect((await h.request('GET', '/api/v1/webhook')).body.data).toEqual([]);
    });

    it('names every problem of every record, in the spec’s style', async () => {
      const response = await h.request('POST', '/api/v1/webhook', {
        body: { webhooks: [{ url: 'ftp://x' }, { url: receiver.url, codes: [999], categories: ['a'], doors: [424242] }, { codes: [48] }] },
      });
      expect(response.status).toBe(400);
      expect(response.body.errors).toEqual([
        { error: ['Invalid url found (must be https): ftp://x'], input_data: { url: 'ftp://x' } },
        {
          error: ['Invalid categories found (expected a list of numbers): ["a"]', 'Invalid event code found: 999', 'Invalid Door id: 424242'],
          input_data: expect.any(Object),
        },
        { error: ['Missing or blank url'], input_data: { codes: [48] } },
      ]);
      const unknown = await h.request('PUT', '/api/v1/webhook', { body: { webhooks: [{ id: 77 }] } });
      expect(unknown.body.errors).toEqual([{ error: ['Invalid Webhook id: 77'], input_data: { id: 77 } }]);
      const badQuery = await h.request('GET', '/api/v1/webhook/deliveries?from=yesterday');
      expect(badQuery.status).toBe(400);
      expect(badQuery.body).toEqual({ data: { error: 'Invalid from date found: yesterday' } });
    });

    it('never shows another site’s webhooks or deliveries', async () => {
      await subscribe();
      const other = await h.addSite('Other');
      expect((await h.request('GET', '/api/v1/webhook', { as: other.credentials })).body).toEqual({ data: [] });
      const [{ id }] = (await h.request('GET', '/api/v1/webhook')).body.data;
      const response = await h.request('DELETE', '/api/v1/webhook', { body: { webhooks: [{ id }] }, as: other.credentials });
      expect(response.body.errors[0].error).toEqual([`Invalid Webhook id: ${id}`]);
    });
  });

  describe('CLI', () => {
    beforeEach(() => start());
    /** The CLI pointed at the store the app uses: the SQLite file, or the PostgreSQL schema. */
    const cli = (...args: string[]) => {
      const { dataDir, databaseUrl, pgSchema } = h.store as TestStore;
      const site = ['--site', String(h.site.id), '--json'];
      if (!databaseUrl) return runCli([...args, ...site, '--data', dataDir]);
      const url = new URL(databaseUrl);
      url.searchParams.set('options', `-c search_path=${pgSchema}`);
      return runCli([...args, ...site, '--data', dataDir, '--database-url', url.toString()]);
    };

    it('create prints the secret once; list, rotate, disable and delete act on the same subscriptions', async () => {
      const refused = await cli('webhook', 'create', '--url', receiver.url);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`Invalid url found (must be https): ${receiver.url}`);
      const created = await cli('webhook', 'create', '--url', receiver.url, '--codes', '48,49', '--allow-http', '--allow-private');
      expect(created.code, created.stderr).toBe(0);
      const { id, secret } = JSON.parse(created.stdout);
      expect(secret).toMatch(/^whsec_/);
      const listed = await cli('webhook', 'list');
      expect(listed.stdout).not.toContain(secret);
      expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ id, codes: [48, 49], enabled: true })]);
      const rotated = JSON.parse((await cli('webhook', 'rotate', '--webhook', String(id))).stdout);
      expect(rotated.secret).not.toBe(secret);
      expect((await cli('webhook', 'disable', '--webhook', String(id))).code).toBe(0);
      expect((await h.request('GET', '/api/v1/webhook')).body.data[0]).toMatchObject({ id, enabled: false });
      expect((await cli('webhook', 'delete', '--webhook', String(id))).code).toBe(0);
      expect((await h.request('GET', '/api/v1/webhook')).body.data).toEqual([]);
      const missing = await cli('webhook', 'delete', '--webhook', String(id));
      expect(missing.stderr).toContain(`Invalid Webhook id: ${id}`);
    });

    it('takes the key and targets serve is given, from its settings, and stops on a value that does not fit them', async () => {
      const key = randomBytes(32);
      vi.stubEnv('PORTCULLIS_WEBHOOK_KEY', key.toString('base64'));
      vi.stubEnv('PORTCULLIS_WEBHOOK_ALLOW_HTTP', 'true');
      vi.stubEnv('PORTCULLIS_WEBHOOK_ALLOW_PRIVATE', '1');
      try {
        const created = await cli('webhook', 'create', '--url', receiver.url);
        expect(created.code, created.stderr).toBe(0);
        const { id, secret } = JSON.parse(created.stdout);
        const stored = await h.store.db.selectFrom('webhook').select('secret').where('id', '=', id).executeTakeFirstOrThrow();
        expect(openSecret(key, stored.secret)).toBe(secret);
        const bad: [string, string, string][] = [
          // The key is a secret: a refused one is not repeated.
          ['PORTCULLIS_WEBHOOK_KEY', randomBytes(16).toString('base64'), 'PORTCULLIS_WEBHOOK_KEY must be 32 bytes in base64'],
          ['PORTCULLIS_WEBHOOK_ALLOW_HTTP', 'maybe', "PORTCULLIS_WEBHOOK_ALLOW_HTTP must be true or false, got 'maybe'"],
        ];
        // Each bad value stays set: the targets are read before the key, so the second is the one refused.
        for (const [name, value, message] of bad) {
          vi.stubEnv(name, value);
          expect(await cli('webhook', 'create', '--url', receiver.url)).toEqual({ code: 2, stdout: '', stderr: `portcullis: ${message}\n` });
        }
      } finally {
        vi.unstubAllEnvs();
      }
    });
  });

  describe('delivery', () => {
    it('delivers each decision’s event, signed per Standard Webhooks, as /events shows it plus site and type', async () => {
      await start();
      const { secret } = await subscribe();
      const eventId = await decide();
      const [got] = await until('the delivery', () => receiver.received.length === 1 && receiver.received);
      const payload = new Webhook(secret).verify(got!.body, {
        'webhook-id': got!.id,
        'webhook-timestamp': got!.timestamp,
        'webhook-signature': got!.signature,
      });
      const [listed] = (await h.request('GET', `/api/v1/events?id=${eventId - 1}`)).body.data;
      expect(payload).toEqual({ type: 'event.49', site: { id: h.site.id, name: 'Test Site' }, data: listed });
      const [attempt] = await until('the log', async () => (await attempts()).length === 1 && attempts());
      expect(attempt).toMatchObject({ event_id: eventId, delivery_state: 'delivered', status: 200, response: 'answer 200', error: '' });
    });

    it('holds deliveries back while decisions queue for the store, for heldMostMs at most, so a sustained overload slows them but never stops them', async () => {
      await start(undefined, { heldMostMs: 300 });
      await subscribe();
      // Bursts of fifty decisions at once: a shared commit carries each, so the store stays busy for as long
      // as they go on, and they go on until something has been delivered. A hold without its bound would
      // deliver nothing before the bursts stop.
      let bursts = 0;
      while (receiver.received.length === 0) {
        if (++bursts > 100) throw new Error('nothing delivered while decisions kept queueing');
        await Promise.all(Array.from({ length: 50 }, () => decide()));
      }
      const decided = await h.store.db
        .selectFrom('event')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow();
      await until('every event delivered', () => receiver.received.length >= Number(decided.n));
    });

    it('sends only what the filters ask for', async () => {
      await start();
      await subscribe({ codes: [48] });
      await subscribe({ categories: [2], doors: [door] });
      await decide();
      await until('one delivery', () => receiver.received.length === 1);
      const deliveries = await h.store.db.selectFrom('webhook_delivery').select('webhook_id').execute();
      expect(deliveries).toHaveLength(1);
    });

    it('retries a failing receiver with backoff, in order, and the log tells each attempt', async () => {
      await start((_got, index) => (index < 2 ? 500 : 200));
      await subscribe();
      const first = await decide();
      const second = await decide();
      await until('both delivered', () => new Set(receiver.received.map((r) => r.id)).size === 2);
      const order = receiver.received.map((r) => JSON.parse(r.body).data.id as number);
      expect(order).toEqual([first, first, first, second]);
      const log = await until('four attempts logged', async () => (await attempts()).length === 4 && attempts());
      expect(log.map((a) => a.status)).toEqual([500, 500, 200, 200]);
      // Backoff, not a loop: the second retry waited at least half of twice the base.
      const [a, b, c] = log.map((l) => Date.parse(l.time));
      expect(c! - b!).toBeGreaterThanOrEqual(40);
      expect(b! - a!).toBeGreaterThanOrEqual(20);
    });

    it('backs off from a receiver that is down, logging why each attempt failed, and delivers once it is back', async () => {
      await start();
      await subscribe();
      await receiver.close();
      const eventId = await decide();
      const log = await until('three attempts', async () => {
        const rows = await attempts();
        return rows.length >= 3 && rows;
      });
      expect(log.slice(0, 3).map((a) => [a.status, a.delivery_state])).toEqual([
        [null, 'pending'],
        [null, 'pending'],
        [null, 'pending'],
      ]);
      expect(log[0]?.error).toMatch(/ECONNREFUSED/);
      const [a, b, c] = log.map((l) => Date.parse(l.time));
      expect(b! - a!).toBeGreaterThanOrEqual(20);
      expect(c! - b!).toBeGreaterThanOrEqual(40);
      receiver = await startReceiver(undefined, receiver.port);
      const [got] = await until('delivered once back', () => receiver.received.length === 1 && receiver.received);
      expect(JSON.parse(got!.body).data.id).toBe(eventId);
      const settled = await until('logged as delivered', async () => {
        const rows = await attempts();
        return rows.at(-1)?.status === 200 && rows;
      });
      expect(settled.every((a) => a.delivery_state === 'delivered')).toBe(true);
    });

    it('disables a subscription at a 410, and records why as an event', async () => {
      await start(() => 410);
      const { id } = await subscribe();
      await decide();
      const hook = await until('disabled', async () => {
        const [row] = (await h.request('GET', '/api/v1/webhook')).body.data;
        return row.enabled === false && row;
      });
      expect(hook).toMatchObject({ id, disabled_reason: 'the receiver answered 410 Gone' });
      const events = (await h.request('GET', '/api/v1/events')).body.data as Record<string, unknown>[];
      expect(events.find((e) => e.code === 80)).toMatchObject({
        code_text: 'Webhook Disabled',
        category: 6,
        detail: expect.stringContaining('410 Gone'),
      });
    });

    it('gives up after sustained failure and disables; a timeout is a failure', async () => {
      // Long enough after the event for retries even on a loaded machine, where the first attempt can come
      // late (it waits for the sending thread to start).
      await start(() => 'hang', { timeoutMs: 100, giveUpAfterMs: 5_000 });
      await subscribe();
      await decide();
      await until('disabled', async () => (await h.request('GET', '/api/v1/webhook')).body.data[0].enabled === false);
      const log = await attempts();
      expect(log.length).toBeGreaterThanOrEqual(2);
      expect(log[0]).toMatchObject({ status: null, error: 'timed out after 100 ms' });
      expect(log.at(-1)).toMatchObject({ delivery_state: 'failed' });
      expect((await h.request('GET', '/api/v1/webhook')).body.data[0].disabled_reason).toBe('deliveries failed for 0 hours');
    });

    it('redelivers one delivery, or a time range, with the same webhook-id', async () => {
      await start();
      const { id } = await subscribe();
      await decide();
      await until('delivered', () => receiver.received.length === 1);
      const [logged] = await until('logged', async () => (await attempts()).length === 1 && attempts());
      const delivery_id = logged?.delivery_id;
      const one = await h.request('POST', '/api/v1/webhook/redeliver', { body: { redeliveries: [{ delivery_id }] } });
      expect(one.body).toEqual({ data: { submitted: 1, processed: 1, errors: 0 } });
      await until('redelivered', () => receiver.received.length === 2);
      const range = await h.request('POST', '/api/v1/webhook/redeliver', {
        body: { redeliveries: [{ webhook_id: id, from: '2000-01-01T00:00:00Z', to: '2999-01-01T00:00:00Z' }, { delivery_id: 99999 }, {}] },
      });
      expect(range.status).toBe(400);
      expect(range.body.errors.map((e: { error: string[] }) => e.error[0])).toEqual([
        'Invalid delivery_id: 99999',
        'Missing delivery_id, or webhook_id with from and to',
      ]);
      const ok = await h.request('POST', '/api/v1/webhook/redeliver', {
        body: { redeliveries: [{ webhook_id: id, from: '2000-01-01T00:00:00Z', to: '2999-01-01T00:00:00Z' }] },
      });
      expect(ok.body.data.processed).toBe(1);
      await until('redelivered again', () => receiver.received.length === 3);
      expect(new Set(receiver.received.map((r) => r.id)).size).toBe(1);
    });

    it('sends again a delivery redelivered while its attempt is in flight', async () => {
      let answer = () => {};
      const held = new Promise<void>((resolve) => {
        answer = resolve;
      });
      await start((_got, index) => (index === 0 ? { status: 200, when: held } : 200), { timeoutMs: 60_000 });
      await subscribe();
      await decide();
      await until('the attempt in flight', () => receiver.received.length === 1);
      const [delivery] = await h.store.db.selectFrom('webhook_delivery').select('id').execute();
      const again = await h.request('POST', '/api/v1/webhook/redeliver', { body: { redeliveries: [{ delivery_id: delivery?.id }] } });
      expect(again.body.data.processed).toBe(1);
      answer();
      await until('sent again', () => receiver.received.length === 2);
      const log = await until('both attempts logged as delivered', async () => {
        const logged = await attempts();
        return logged.length === 2 && logged.every((a) => a.delivery_state === 'delivered') && logged;
      });
      expect(log.map((a) => a.status)).toEqual([200, 200]);
      expect(new Set(receiver.received.map((r) => r.id)).size).toBe(1);
    });

    it('deletes finished deliveries and their attempts once past retention, in batches; newer and pending ones stay', async () => {
      const HOUR = 3_600_000;
      // A look every 20 ms, two deliveries per statement: the four old ones take batches in turn.
      await start(undefined, { retainMs: HOUR, pruneEveryMs: 20, pruneBatch: 2 });
      const { id } = await subscribe();
      const events = [await decide(), await decide(), await decide(), await decide(), await decide(), await decide()];
      await until('all delivered', async () => (await attempts()).filter((a) => a.delivery_state === 'delivered').length === events.length);
      const deliveries = await h.store.db.selectFrom('webhook_delivery').select(['id', 'event_id']).orderBy('event_id').execute();
      const [oldA, oldB, oldFailed, oldC, recent, stillPending] = deliveries.map((d) => d.id);
      const longAgo = Date.now() - 2 * HOUR;
      await h.store.db.updateTable('webhook_delivery').set({ done_at: longAgo }).where('id', 'in', [oldA!, oldB!, oldC!]).execute();
      await h.store.db.updateTable('webhook_delivery').set({ state: 'failed', done_at: longAgo }).where('id', '=', oldFailed!).execute();
      // Pending for hours (a receiver down, say), and not due for a while: retention never touches it.
      await h.store.db
        .updateTable('webhook_delivery')
        .set({ state: 'pending', done_at: null, created_at: longAgo, next_at: Date.now() + HOUR })
        .where('id', '=', stillPending!)
        .execute();

      const left = await until('the old ones deleted', async () => {
        const rows = await h.store.db.selectFrom('webhook_delivery').select(['id', 'state']).orderBy('id').execute();
        return rows.length === 2 && rows;
      });
      expect(left).toEqual([
        { id: recent, state: 'delivered' },
        { id: stillPending, state: 'pending' },
      ]);
      const logged = await attempts(`?webhook_id=${id}`);
      expect(new Set(logged.map((a) => a.delivery_id))).toEqual(new Set([recent, stillPending]));
      const orphans = await h.store.db
        .selectFrom('webhook_attempt')
        .select('delivery_id')
        .where('delivery_id', 'in', [oldA!, oldB!, oldFailed!, oldC!])
        .execute();
      expect(orphans).toEqual([]);
    });

    it('signs with both secrets during a rotation’s overlap', async () => {
      await start();
      const { id, secret: old } = await subscribe();
      const rotated = await h.request('PUT', '/api/v1/webhook', { body: { webhooks: [{ id, rotate_secret: true }] } });
      const fresh = rotated.body.shown_once[0].secret as string;
      await decide();
      const [got] = await until('the delivery', () => receiver.received.length === 1 && receiver.received);
      expect(got!.signature.split(' ')).toHaveLength(2);
      for (const secret of [old, fresh]) {
        expect(() =>
          new Webhook(secret).verify(got!.body, { 'webhook-id': got!.id, 'webhook-timestamp': got!.timestamp, 'webhook-signature': got!.signature }),
        ).not.toThrow();
      }
    });
  });

  describe('safety', () => {
    it('refuses plain http and private addresses unless serve allows them', async () => {
      receiver = await startReceiver();
      h = await createHarness(dialect, { webhooks: { key: randomBytes(32), policy: { allowHttp: false, allowPrivate: false }, deliver: false } });
      const response = await h.request('POST', '/api/v1/webhook', {
        body: {
          webhooks: [
            { url: receiver.url },
            { url: 'https://127.0.0.1/x' },
            { url: 'https://[::1]/x' },
            { url: 'https://10.1.2.3/' },
            { url: 'https://169.254.169.254/' },
            { url: 'https://user:pw@example.com/' },
          ],
        },
      });
      expect(response.body.errors.map((e: { error: string[] }) => e.error[0])).toEqual([
        `Invalid url found (must be https): ${receiver.url}`,
        'Invalid url found (private, loopback or link-local address): https://127.0.0.1/x',
        'Invalid url found (private, loopback or link-local address): https://[::1]/x',
        'Invalid url found (private, loopback or link-local address): https://10.1.2.3/',
        'Invalid url found (private, loopback or link-local address): https://169.254.169.254/',
        'Invalid url found (no credentials in the URL): https://user:pw@example.com/',
      ]);
    });
  });
});
