import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { RESOURCE_MODULES } from '../../src/modules/index.ts';
import type { ResourceModule } from '../../src/modules/module.ts';
import { DIALECTS, type Harness, createHarness } from '../harness.ts';
import { OPERATOR_PASSWORD, bearer, seedCallers } from './callers.ts';

/**
 * A write that runs until the test lets it finish: `arrived` once its handler runs, then `finish()`;
 * `hungUp` once the server has seen its connection close.
 */
function heldWrite() {
  let arrive = () => {};
  let finish = () => {};
  let hangUp = () => {};
  const arrived = new Promise<void>((resolve) => {
    arrive = resolve;
  });
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const hungUp = new Promise<void>((resolve) => {
    hangUp = resolve;
  });
  return { arrive, arrived, finish, finished, hangUp, hungUp };
}

/** Polls `probe` until it holds, for at most two seconds (a bounded wait, not a timing). */
async function eventually(probe: () => Promise<boolean>): Promise<boolean> {
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline) {
    if (await probe()) return true;
    await sleep(20);
  }
  return probe();
}

const busy = (caller: string) => `Another write from this ${caller} is still running; retry when it completes.`;

describe.each(DIALECTS)('one write at a time per caller on %s', (dialect) => {
  let h: Harness;
  let callers: Awaited<ReturnType<typeof seedCallers>>;
  let held = heldWrite();
  // One held write per face and kind of caller; `{"fail": true}` makes it end in an internal error.
  const holding: ResourceModule = {
    name: 'held-writes',
    register(app) {
      const routes = [
        ['/api/v1/held', 'api_key'],
        ['/api/v1/device/held', 'device'],
        ['/api/v1/access/held', 'operator'],
      ] as const;
      for (const [url, auth] of routes) {
        app.post(url, { config: { auth } }, async (request, reply) => {
          reply.raw.once('close', held.hangUp);
          held.arrive();
          await held.finished;
          if ((request.body as { fail?: boolean } | undefined)?.fail) throw new Error('the write failed');
          return { data: { done: true } };
        });
      }
    },
  };

  beforeEach(async () => {
    held = heldWrite();
    h = await createHarness(dialect, { modules: [...RESOURCE_MODULES, holding], oneWriteAtATime: true });
    callers = await seedCallers(h);
  });
  afterEach(async () => {
    held.finish();
    await h.close();
  });

  const locationType = (name: string) => ({ body: { locationtypes: [{ name }] } });
  const listen = async () => {
    await h.app.listen({ host: '127.0.0.1', port: 0 });
    return (h.app.server.address() as AddressInfo).port;
  };

  it('refuses an API key’s second write at once while its first runs, and lets reads and other keys through', async () => {
    const first = h.request('POST', '/api/v1/held', { body: {} });
    await held.arrived;

    const second = await h.request('POST', '/api/v1/locationtype', locationType('Wing'));
    expect(second.status).toBe(429);
    expect(second.body).toEqual({ data: { error: busy('API key') } });
    expect(second.headers['retry-after']).toBe('1');
    expect((await h.request('PUT', '/api/v1/door', { body: { doors: [{ id: 1, name: 'Gate' }] } })).status).toBe(429);
    expect((await h.request('DELETE', '/api/v1/locationtype', { body: { locationtypes: [{ id: 1 }] } })).status).toBe(429);
    expect((await h.request('GET', '/api/v1/locationtype')).status).toBe(200);
    expect((await h.request('POST', '/api/v1/locationtype', { as: callers.otherKey, ...locationType('Hall') })).status).toBe(200);

    held.finish();
    expect((await first).status).toBe(200);
    const after = await h.request('POST', '/api/v1/locationtype', locationType('Wing'));
    expect(after.status, after.text).toBe(200);
  });

  it('frees the key when the write fails, and a refused write never holds it', async () => {
    const failing = h.request('POST', '/api/v1/held', { body: { fail: true } });
    await held.arrived;
    expect((await h.request('POST', '/api/v1/locationtype', locationType('Wing'))).status).toBe(429);
    held.finish();
    expect((await failing).status).toBe(500);

    const invalid = await h.request('POST', '/api/v1/locationtype', locationType(''));
    expect(invalid.status).toBe(400);
    const unparseable = await h.request('POST', '/api/v1/locationtype', { rawBody: '{"locationtypes":' });
    expect(unparseable.status).toBe(400);
    expect((await h.request('POST', '/api/v1/locationtype', locationType('Wing'))).status).toBe(200);
  });

  // A write that is refused when the key is held and answered 400 (nothing written) when it is free.
  const probe = async () => (await h.request('POST', '/api/v1/locationtype', locationType(''))).status;

  it('keeps holding a write whose client hung up until the write itself ends, so a retry cannot overlap it', async () => {
    const port = await listen();
    const request = httpRequest({
      host: '127.0.0.1',
      port,
      method: 'POST',
      path: '/api/v1/held',
      headers: { ...h.credentials, 'content-type': 'application/json' },
    });
    request.on('error', () => undefined);
    request.end('{}');
    await held.arrived;
    request.destroy();
    await held.hungUp;
    expect(await probe()).toBe(429);

    held.finish();
    expect(await eventually(async () => (await probe()) === 400)).toBe(true);
  });

  it('frees the key when the connection closes while the body is still arriving', async () => {
    const port = await listen();
    const partialWrite = () => {
      const socket = connect(port, '127.0.0.1');
      socket.on('error', () => undefined);
      const sent = { socket, answered: false };
      socket.once('data', () => {
        sent.answered = true;
      });
      socket.write(
        'POST /api/v1/locationtype HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: 100\r\n' +
          `apiuser: ${h.credentials.apiuser}\r\napikey: ${h.credentials.apikey}\r\n\r\n{"locationtypes":`,
      );
      return sent;
    };
    // A probe that is running when the partial write arrives holds the key, so the partial write is the one
    // refused (answered at once); then it is sent again.
    let partial = partialWrite();
    const holding = await eventually(async () => {
      if (partial.answered) {
        partial.socket.destroy();
        partial = partialWrite();
      }
      return (await probe()) === 429;
    });
    expect(holding).toBe(true);
    partial.socket.destroy();
    expect(await eventually(async () => (await probe()) === 400)).toBe(true);
  });

  it('holds a device’s writes but never its access decisions: a door always gets an answer', async () => {
    const asDevice = bearer(callers.device.key);
    const first = h.request('POST', '/api/v1/device/held', { as: null, headers: asDevice, body: {} });
    await held.arrived;

    const state = await h.request('POST', '/api/v1/device/state', {
      as: null,
      headers: asDevice,
      body: { door_id: callers.doorId, battery_level: 0.5, online: true, door_open: false },
    });
    expect(state.status).toBe(429);
    expect(state.body).toEqual({ data: { error: busy('device') } });
    const decision = await h.request('POST', '/api/v1/device/access', {
      as: null,
      headers: asDevice,
      body: { door_id: callers.doorId, card_num: '1' },
    });
    expect(decision.status, decision.text).toBe(200);
    expect(decision.body.data.granted).toBe(false);
    const panel = await h.request('POST', `/api/v1/panel/${callers.device.key}/access`, {
      as: null,
      body: { identifier_number: '1', identifier_type: 'card' },
    });
    expect(panel.status, panel.text).toBe(200);
    expect((await h.request('GET', '/api/v1/device/commands?wait=0', { as: null, headers: asDevice })).status).toBe(200);

    held.finish();
    expect((await first).status).toBe(200);
  });

  it('holds an operator account across its sessions and HTTP Basic, in the BAS-IP error format', async () => {
    const first = h.request('POST', '/api/v1/access/held', { as: null, headers: bearer(callers.token), body: {} });
    await held.arrived;

    const second = await h.request('POST', '/api/v1/apartment', { as: null, headers: bearer(callers.token), body: {} });
    expect(second.status).toBe(429);
    expect(second.body).toEqual({ error: busy('operator') });
    const basic = { authorization: `Basic ${Buffer.from(`admin:${OPERATOR_PASSWORD}`).toString('base64')}` };
    expect((await h.request('POST', '/api/v1/apartment', { as: null, headers: basic, body: {} })).status).toBe(429);
    const patch = await h.request('PATCH', '/api/v1/access/identifier/item/1', { as: null, headers: bearer(callers.token), body: {} });
    expect(patch.status).toBe(429);
    expect((await h.request('GET', '/api/v1/apartment/items', { as: null, headers: bearer(callers.token) })).status).toBe(200);

    held.finish();
    expect((await first).status).toBe(200);
  });
});
