import { createHash } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/lib/clock.ts';
import { createOperator } from '../../src/modules/users/operators.service.ts';
import { DIALECTS, type Harness, type Response, createHarness } from '../harness.ts';

/**
 * The calls public BAS-IP clients make, as they make them (issue 13). SmartYard-Server's BasicHttpClient
 * sends `admin:<password>` as HTTP Basic, a JSON body encoded by PHP's json_encode with
 * JSON_UNESCAPED_UNICODE, and `Content-Type: application/json` only when there is a body.
 */
const basic = (username: string, password: string) => `Basic ${Buffer.from(`${username}:${password}`).toString('base64')}`;

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

describe.each(DIALECTS)('Public BAS-IP clients on %s', (dialect) => {
  let h: Harness;

  beforeEach(async () => {
    h = await createHarness(dialect);
    await createOperator(h.store.db, h.site.id, { username: 'admin', password: 'panel secret', role: 'admin' }, systemClock);
  });
  afterEach(async () => {
    await h.close();
  });

  /** A SmartYard request: the JSON text exactly as PHP writes it, or no body at all. */
  const smartYard = (method: Method, url: string, rawBody?: string): Promise<Response> =>
    h.request(method, `/api${url}`, {
      as: null,
      headers: { authorization: basic('admin', 'panel secret') },
      ...(rawBody === undefined ? {} : { rawBody }),
    });
  const expectOk = (response: Response) => {
    expect(response.status, response.text).toBe(200);
    return response.body;
  };
  const expectError = (response: Response, status: number, error: string) => {
    expect(response.status, response.text).toBe(status);
    expect(response.body).toEqual({ error });
  };
  const identifier = async (uid: number) => expectOk(await smartYard('GET', `/v1/access/identifier/item/${uid}`));

  describe('identifier validity as the clients send it', () => {
    it("accepts SmartYard's default payload: null limits, time nested in passes (Basip::getIdentifierValidPayload)", async () => {
      const body =
        '{"identifier_number":"00-00-00-1A-2B-3C-4D","identifier_owner":{"name":"0000001A2B3C4D","type":"owner"},"identifier_type":"card","lock":"first","valid":{"passes":{"is_permanent":true,"max_passes":null,"time":{"from":null,"is_permanent":true,"to":null}}}}';
      const { uid } = expectOk(await smartYard('POST', '/v1/access/identifier', body));
      const read = await identifier(uid);
      expect(read.identifier_number).toBe('00-00-00-1A-2B-3C-4D');
      expect(read.valid).toEqual({ time: { is_permanent: true, from: 0, to: 0 }, passes: { is_permanent: true, max_passes: 0 } });
    });

    it('accepts the AA07BD/CR02BD payload: time beside passes with null bounds, max_passes 0 with is_permanent', async () => {
      const body =
        '{"identifier_number":"12345","identifier_owner":{"name":"17","type":"owner"},"identifier_type":"inputCode","lock":"first","valid":{"passes":{"is_permanent":true,"max_passes":0},"time":{"from":null,"is_permanent":true,"to":null}}}';
      const { uid } = expectOk(await smartYard('POST', '/v1/access/identifier', body));
      expect((await identifier(uid)).valid).toEqual({ time: { is_permanent: true, from: 0, to: 0 }, passes: { is_permanent: true, max_passes: 0 } });
    });

    it('reads a time limit nested in passes as the validity period, and null as an open end', async () => {
      const nested = {
        identifier_type: 'card',
        identifier_number: '777',
        valid: { passes: { is_permanent: false, max_passes: 3, time: { is_permanent: false, from: 1700000000, to: null } } },
      };
      const { uid } = expectOk(await smartYard('POST', '/v1/access/identifier', JSON.stringify(nested)));
      const read = await identifier(uid);
      expect(read.valid).toEqual({ time: { is_permanent: false, from: 1700000000, to: 0 }, passes: { is_permanent: false, max_passes: 3 } });
      expect(read.additional).toEqual({ passes_left: 3 });

      // null max_passes means no limit, as is_permanent does; null from means no start.
      const patch = { valid: { time: { is_permanent: false, from: null, to: 1800000000 }, passes: { is_permanent: false, max_passes: null } } };
      expectOk(await smartYard('PATCH', `/v1/access/identifier/item/${uid}`, JSON.stringify(patch)));
      expect((await identifier(uid)).valid).toEqual({
        time: { is_permanent: false, from: 0, to: 1800000000 },
        passes: { is_permanent: true, max_passes: 0 },
      });
    });

    it('refuses two different validity periods, one beside passes and one inside', async () => {
      const body = {
        identifier_type: 'card',
        identifier_number: '778',
        valid: { time: { is_permanent: false, from: 1, to: 2 }, passes: { is_permanent: true, time: { is_permanent: true } } },
      };
      expectError(
        await smartYard('POST', '/v1/access/identifier', JSON.stringify(body)),
        400,
        'valid.time and valid.passes.time differ; send one validity period',
      );
    });

    it('accepts max_passes 0 on a limited identifier: it opens nothing until its passes are reset or raised', async () => {
      const body = { identifier_type: 'card', identifier_number: '779', valid: { passes: { is_permanent: false, max_passes: 0 } } };
      const { uid } = expectOk(await smartYard('POST', '/v1/access/identifier', JSON.stringify(body)));
      const read = await identifier(uid);
      expect(read.valid.passes).toEqual({ is_permanent: false, max_passes: 0 });
      expect(read.additional).toEqual({ passes_left: 0 });
    });
  });

  describe('one Portcullis, several sites, every client logging in as admin', () => {
    /** A second site with its own `admin`, whose password differs. */
    const secondSite = async () => {
      const other = await h.addSite('Second Site');
      await createOperator(h.store.db, other.site.id, { username: 'admin', password: 'other secret', role: 'admin' }, systemClock);
      return other.site.id;
    };
    const at = (siteId: number, url: string, password: string, rawBody?: string) =>
      h.request(rawBody === undefined ? 'GET' : 'POST', `/site/${siteId}/api${url}`, {
        as: null,
        headers: { authorization: basic('admin', password) },
        ...(rawBody === undefined ? {} : { rawBody }),
      });

    it('drives each site through its own base URL, /site/<id>: usernames are unique per site only', async () => {
      const other = await secondSite();
      const mine = expectOk(await at(h.site.id, '/v1/access/identifier', 'panel secret', '{"identifier_type":"card","identifier_number":"11"}'));
      const theirs = expectOk(await at(other, '/v1/access/identifier', 'other secret', '{"identifier_type":"card","identifier_number":"11"}'));
      expect(
        expectOk(await at(h.site.id, '/v1/access/identifier/items', 'panel secret')).list_items.map(
          (i: { identifier_uid: number }) => i.identifier_uid,
        ),
      ).toEqual([mine.uid]);
      expectError(await at(other, '/v1/access/identifier/items', 'panel secret'), 401, 'Log In');
      expect(
        expectOk(await at(other, '/v1/access/identifier/items', 'other secret')).list_items.map((i: { identifier_uid: number }) => i.identifier_uid),
      ).toEqual([theirs.uid]);
    });

    it('logs in with a token bound to the site of the URL, and refuses it under another site', async () => {
      const other = await secondSite();
      const md5 = (text: string) => createHash('md5').update(text).digest('hex').toUpperCase();
      const login = await h.request('GET', `/site/${other}/api/v1/login?username=admin&password=${md5('other secret')}`, { as: null });
      expect(login.status, login.text).toBe(200);
      const bearer = { authorization: `Bearer ${login.body.token as string}` };
      expect((await h.request('GET', `/site/${other}/api/v1/access/identifier/items`, { as: null, headers: bearer })).status).toBe(200);
      expectError(await h.request('GET', `/site/${h.site.id}/api/v1/access/identifier/items`, { as: null, headers: bearer }), 401, 'Log In');
      // A client that cannot be given a path names no site: an admin in two sites is then nobody.
      const bare = await h.request('GET', `/api/v1/login?username=admin&password=${md5('other secret')}`, { as: null });
      expectError(bare, 400, 'Wrong login or password');
      expectError(await h.request('GET', '/site/999/api/v1/login?username=admin&password=x', { as: null }), 400, 'Wrong login or password');
    });

    it('keeps a username unique within its site', async () => {
      await expect(
        createOperator(h.store.db, h.site.id, { username: 'ADMIN', password: 'long enough', role: 'manager' }, systemClock),
      ).rejects.toThrow('Username Already Exists: ADMIN');
    });

    it('answers /api/info with every field the panel documents and a stable, non-empty serial per site', async () => {
      const other = await secondSite();
      const info = expectOk(await h.request('GET', `/site/${other}/api/info`, { as: null }));
      expect(Object.keys(info).sort()).toEqual([
        'api_version',
        'commit',
        'device_model',
        'device_name',
        'device_serial_number',
        'device_type',
        'firmware_version',
        'framework_version',
        'frontend_version',
        'hybrid_enable',
      ]);
      expect(info.device_serial_number).toMatch(/^\S+$/);
      expect(info.hybrid_enable).toBe(false);
      expect(expectOk(await h.request('GET', `/site/${other}/api/info`, { as: null })).device_serial_number).toBe(info.device_serial_number);
      const mine = expectOk(await h.request('GET', `/site/${h.site.id}/api/info`, { as: null })).device_serial_number;
      const bare = expectOk(await h.request('GET', '/api/info', { as: null })).device_serial_number;
      expect(new Set([info.device_serial_number, mine, bare]).size).toBe(3);
      expect(bare).not.toBe('');
    });

    it('leaves a Lockt path under a site prefix unrouted: its API key names the site', async () => {
      expect((await h.request('GET', `/site/${h.site.id}/api/v1/door`)).status).toBe(404);
    });
  });

  describe("a client's scoped view: syncing cannot delete another client's cards", () => {
    /** SmartYard's account sees only what it made; the site's admin and a Lockt card live beside it. */
    const setUp = async () => {
      await createOperator(h.store.db, h.site.id, { username: 'smartyard', password: 'sync secret', role: 'admin', scope: 'own' }, systemClock);
      const lockt = await h.store.db
        .insertInto('credential')
        .values({ site_id: h.site.id, name: '555', card_num: '555', credential_key: 'AAAA-BBBB-CCCC-DDDD', created_at: Date.now() })
        .returning('id')
        .executeTakeFirstOrThrow();
      const admins = expectOk(await smartYard('POST', '/v1/access/identifier', '{"identifier_type":"card","identifier_number":"100"}')).uid as number;
      return { lockt: lockt.id, admins };
    };
    const asSync = (method: Method, url: string, rawBody?: string) =>
      h.request(method, `/api${url}`, {
        as: null,
        headers: { authorization: basic('smartyard', 'sync secret') },
        ...(rawBody === undefined ? {} : { rawBody }),
      });
    const uids = async (call: (method: Method, url: string) => Promise<Response>) =>
      (expectOk(await call('GET', '/v1/access/identifier/items?limit=50&page_number=1')).list_items as { identifier_uid: number }[]).map(
        (i) => i.identifier_uid,
      );

    it("lists, reads, changes and deletes only the account's own identifiers", async () => {
      const { lockt, admins } = await setUp();
      const mine = expectOk(await asSync('POST', '/v1/access/identifier', '{"identifier_type":"card","identifier_number":"200"}')).uid as number;
      expect(await uids(asSync)).toEqual([mine]);
      expect(await uids(smartYard)).toEqual([lockt, admins, mine]);
      for (const other of [lockt, admins]) {
        expect((await asSync('GET', `/v1/access/identifier/item/${other}`)).status).toBe(404);
        expect((await asSync('PATCH', `/v1/access/identifier/item/${other}`, '{"lock":"second"}')).status).toBe(404);
        expect((await asSync('DELETE', `/v1/access/identifier/item/${other}`)).status).toBe(404);
      }
      // SmartYard's deleteRfid(''): every uid it knows of, plus one it guessed.
      const deleted = expectOk(await asSync('DELETE', '/v1/access/identifier/items', JSON.stringify({ uid_items: [mine, lockt, admins] })));
      expect(deleted.result.map((r: { success: boolean }) => r.success)).toEqual([true, false, false]);
      expect(await uids(smartYard)).toEqual([lockt, admins]);
    });

    it("never takes over another's link_id, and a number stays unique across the site", async () => {
      await setUp();
      const link = '91c615e3-1040-4815-8ecb-039a18b756b5';
      expectOk(
        await smartYard(
          'POST',
          '/v1/access/identifier/items/link',
          JSON.stringify({ list_items: [{ link_id: link, identifier_type: 'card', identifier_number: '300' }] }),
        ),
      );
      const taken = expectOk(
        await asSync(
          'POST',
          '/v1/access/identifier/items/link',
          JSON.stringify({ list_items: [{ link_id: link, identifier_type: 'card', identifier_number: '301' }] }),
        ),
      );
      expect(taken.result).toEqual([{ link_id: link, success: false, extended_info: 'entity_not_found' }]);
      expect(expectOk(await asSync('GET', `/v1/access/identifier/items/link?link_id=${link}`)).list_items).toEqual([]);
      expectError(
        await asSync('POST', '/v1/access/identifier', '{"identifier_type":"card","identifier_number":"555"}'),
        400,
        'identifier_number is taken by another identifier: 555',
      );
    });
  });

  describe('the other public clients', () => {
    const digest = (text: string) => createHash('md5').update(text).digest('hex');

    it("logs in gilmetdinov/bas-ip-manager, whose digest is Python's str.capitalize() of the hex (mixed case)", async () => {
      // 'manager secret' hashes to f822…, so capitalize() really mixes the case: F822….
      await createOperator(h.store.db, h.site.id, { username: 'manager', password: 'manager secret', role: 'admin' }, systemClock);
      const hex = digest('manager secret');
      const capitalized = hex.charAt(0).toUpperCase() + hex.slice(1).toLowerCase();
      expect(capitalized).not.toBe(hex);
      const login = await h.request('GET', `/api/v1/login?username=manager&password=${capitalized}`, { as: null });
      expect(login.status, login.text).toBe(200);
      expect(login.body.token).toEqual(expect.any(String));
    });

    it('finds a card as Lexer25/basip_exe does, with both filter styles, sending Content-Type on a GET without a body', async () => {
      expectOk(
        await smartYard(
          'POST',
          '/v1/access/identifier',
          '{"identifier_owner":{"name":"1673","type":"owner"},"identifier_type":"card","identifier_number":"1673","lock":"all"}',
        ),
      );
      const headers = { authorization: basic('admin', 'panel secret'), 'content-type': 'application/json', accept: 'application/json' };
      const expression = await h.app.inject({
        method: 'GET',
        url: "/api/v1/access/identifier/items?page_number=1&limit=20&filter=identifier_number%20eq%20'1673'",
        headers,
      });
      const flat = await h.app.inject({
        method: 'GET',
        url: '/api/v1/access/identifier/items?filter_field=identifier_number&filter_type=equal&filter_format=string&filter_value=1673',
        headers,
      });
      for (const response of [expression, flat]) {
        expect(response.statusCode, response.body).toBe(200);
        expect(response.json().list_items.map((i: { identifier_number: string }) => i.identifier_number)).toEqual(['1673']);
      }
    });
  });

  describe('the panel envelope on every section of the panel API', () => {
    it.each(['device', 'network', 'syslog', 'forward', 'system', 'security', 'web', 'photo', 'sip'])(
      'answers {"error"} under /api/v1/%s/, routed or not',
      async (section) => {
        const response = await smartYard('GET', `/v1/${section}/no/such/setting`);
        expect(response.status).toBe(404);
        expect(Object.keys(response.body)).toEqual(['error']);
        const anonymous = await h.request('GET', `/api/v1/${section}/no/such/setting`, { as: null });
        expect(Object.keys(anonymous.body)).toEqual(['error']);
      },
    );

    it("keeps Portcullis's own device API in the Lockt envelope", async () => {
      for (const url of ['/api/v1/device/access', '/api/v1/device/events', '/api/v1/device/state', '/api/v1/device/commands/ack']) {
        const response = await h.request('POST', url, { as: null, body: {} });
        expect(response.status, url).toBe(401);
        expect(Object.keys(response.body), url).toEqual(['data']);
      }
      expect(Object.keys((await h.request('GET', '/api/v1/device/commands?wait=0', { as: null })).body)).toEqual(['data']);
    });
  });

  describe('list pages', () => {
    it('accepts any limit from 1 to 100: SmartYard pages its lists by 50 and call forwarding by 100', async () => {
      for (const number of ['1', '2', '3']) {
        expectOk(await smartYard('POST', '/v1/access/identifier', JSON.stringify({ identifier_type: 'card', identifier_number: number })));
      }
      const hundred = expectOk(await smartYard('GET', '/v1/access/identifier/items?limit=100&page_number=1'));
      expect(hundred.list_items).toHaveLength(3);
      expect(hundred.list_option.pagination).toMatchObject({ items_limit: 100, total_pages: 1 });
      const two = expectOk(await smartYard('GET', '/v1/access/identifier/items?limit=2&page_number=2'));
      expect(two.list_items.map((i: { identifier_number: string }) => i.identifier_number)).toEqual(['3']);
      expectError(await smartYard('GET', '/v1/access/identifier/items?limit=101'), 400, 'Wrong limit: 101 (expected 1 to 100)');
    });
  });

  describe('null as "none" in the other optional numbers and texts of the panel bodies', () => {
    it('creates an apartment with a null resident count, photo and route', async () => {
      const body =
        '{"apartment_address":{"building":1,"unit":1,"floor":1,"room":7},"apartment_name":"Flat 7","residents":{"count":null},"photo_path":null,"route_path":null}';
      const { uid } = expectOk(await smartYard('POST', '/v1/apartment', body));
      expect(expectOk(await smartYard('GET', `/v1/apartment/item/${uid}`)).apartment_name).toBe('Flat 7');
      const overflow = '{"apartment_address":{"building":1,"unit":1,"floor":1,"room":8},"apartment_name":"Flat 8","residents":{"count":2147483648}}';
      expect((await smartYard('POST', '/v1/apartment', overflow)).status).toBe(400);
    });

    it('opens in an emergency with a null unlock time', async () => {
      // No device drives a lock here: the body is read, and the answer is the panel's 400 for the lock.
      expectError(
        await smartYard('POST', '/v1/access/general/lock/open/emergency', '{"locks":[{"lock_number":1,"unlock_time":null}]}'),
        400,
        'No panel of the site drives lock 1',
      );
    });
  });

  describe('identifier limits out of range (issue 14, item 7)', () => {
    const OUT_OF_RANGE: [string, Record<string, unknown>, string][] = [
      [
        'to of 10^16',
        { time: { is_permanent: false, from: 0, to: 1e16 } },
        'valid.time.to must be Unix seconds from 0 to 253402300799: 10000000000000000',
      ],
      ['to of 10^30', { time: { is_permanent: false, from: 0, to: 1e30 } }, 'valid.time.to must be Unix seconds from 0 to 253402300799: 1e+30'],
      ['from of -1', { time: { is_permanent: false, from: -1, to: 5 } }, 'valid.time.from must be Unix seconds from 0 to 253402300799: -1'],
      [
        'nested to past year 9999',
        { passes: { is_permanent: true, time: { is_permanent: false, from: 0, to: 253402300800 } } },
        'valid.time.to must be Unix seconds from 0 to 253402300799: 253402300800',
      ],
      [
        'max_passes of 2^31',
        { passes: { is_permanent: false, max_passes: 2 ** 31 } },
        'valid.passes.max_passes must be from 0 to 2147483647: 2147483648',
      ],
      [
        'max_passes of 2^53+1',
        { passes: { is_permanent: false, max_passes: 2 ** 53 + 2 } },
        'valid.passes.max_passes must be from 0 to 2147483647: 9007199254740994',
      ],
      ['max_passes of -1', { passes: { is_permanent: false, max_passes: -1 } }, 'valid.passes.max_passes must be from 0 to 2147483647: -1'],
    ];

    it.each(OUT_OF_RANGE)('refuses %s on POST and PATCH /access/identifier, storing nothing', async (_name, valid, message) => {
      expectError(
        await smartYard('POST', '/v1/access/identifier', JSON.stringify({ identifier_type: 'card', identifier_number: '900', valid })),
        400,
        message,
      );
      const { uid } = expectOk(
        await smartYard('POST', '/v1/access/identifier', JSON.stringify({ identifier_type: 'card', identifier_number: '900' })),
      );
      expectError(await smartYard('PATCH', `/v1/access/identifier/item/${uid}`, JSON.stringify({ valid })), 400, message);
      expect((await identifier(uid)).valid).toEqual({ time: { is_permanent: true, from: 0, to: 0 }, passes: { is_permanent: true, max_passes: 0 } });
    });

    it.each(OUT_OF_RANGE)('reports %s per item on /access/identifier/items/link', async (_name, valid) => {
      const link = '91c615e3-1040-4815-8ecb-039a18b756b5';
      const body = { list_items: [{ link_id: link, identifier_type: 'card', identifier_number: '901', valid }] };
      const answer = expectOk(await smartYard('POST', '/v1/access/identifier/items/link', JSON.stringify(body)));
      expect(answer.result).toEqual([
        { link_id: link, success: false, extended_info: expect.stringMatching(/^(invalid_time_rules_settings|wrong_rule)$/) },
      ]);
      expect(expectOk(await smartYard('GET', `/v1/access/identifier/items/link?link_id=${link}`)).list_items).toEqual([]);
    });

    it('accepts the bounds themselves', async () => {
      const valid = { time: { is_permanent: false, from: 0, to: 253402300799 }, passes: { is_permanent: false, max_passes: 2147483647 } };
      const { uid } = expectOk(
        await smartYard('POST', '/v1/access/identifier', JSON.stringify({ identifier_type: 'card', identifier_number: '902', valid })),
      );
      expect((await identifier(uid)).valid).toEqual({
        time: { is_permanent: false, from: 0, to: 253402300799 },
        passes: { is_permanent: false, max_passes: 2147483647 },
      });
    });
  });
});
