import { randomInt, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MAX_IDENTIFYING_LENGTH as LIMIT } from '../../src/domain/text-limits.ts';
import { systemClock } from '../../src/lib/clock.ts';
import { passwordDigest } from '../../src/lib/passwords.ts';
import { createOperator } from '../../src/modules/users/operators.service.ts';
import { sendInBothModes } from '../factories/places.ts';
import { DIALECTS, type Harness, createHarness } from '../harness.ts';

/**
 * Text that an index holds (names, id_num, email, identifier numbers) is at most LIMIT characters on both
 * faces (src/domain/text-limits.ts): at the limit it is stored, even as 4-byte characters that do not
 * compress, which is the most a PostgreSQL index entry can be asked to hold; one character over, the
 * record is refused naming the field and the value, and nothing is written.
 */

/** `length` characters of 4 bytes each in UTF-8, random so that no store compresses them, and caseless. */
const wide = (length: number) => Array.from({ length }, () => String.fromCodePoint(0x20000 + randomInt(0xa6e0))).join('');
/** An email address of `length` characters. */
const email = (length: number) => `${'a'.repeat(length - '@example.com'.length)}@example.com`;
/** How a message quotes a long value: its first 77 characters and "...". */
const quoted = (value: string) => `${Array.from(value).slice(0, 77).join('')}...`;

type Ids = Record<'locationType' | 'location' | 'door' | 'schedule' | 'level' | 'user' | 'fob', number>;

interface LocktCase {
  what: string;
  method: 'POST' | 'PUT';
  url: string;
  node: string;
  field: string;
  record: (value: string, ids: Ids) => Record<string, unknown>;
  value?: (length: number) => string;
}

const newUser = (fields: Record<string, unknown>) => ({
  id: -1,
  id_num: 'U-new',
  first_name: 'Nia',
  last_name: 'New',
  email: 'new@example.com',
  phone: '5551234567',
  pin: '4321',
  ...fields,
});

const LOCKT: LocktCase[] = [
  {
    what: 'POST /locationtype name',
    method: 'POST',
    url: '/api/v1/locationtype',
    node: 'locationtypes',
    field: 'name',
    record: (name) => ({ name }),
  },
  {
    what: 'POST /location name',
    method: 'POST',
    url: '/api/v1/location',
    node: 'locations',
    field: 'name',
    record: (name, ids) => ({ name, locationtype: ids.locationType }),
  },
  {
    what: 'PUT /location name',
    method: 'PUT',
    url: '/api/v1/location',
    node: 'locations',
    field: 'name',
    record: (name, ids) => ({ id: ids.location, name }),
  },
  { what: 'POST /door name', method: 'POST', url: '/api/v1/door', node: 'doors', field: 'name', record: (name) => ({ name }) },
  { what: 'PUT /door name', method: 'PUT', url: '/api/v1/door', node: 'doors', field: 'name', record: (name, ids) => ({ id: ids.door, name }) },
  {
    what: 'POST /schedule name',
    method: 'POST',
    url: '/api/v1/schedule',
    node: 'schedules',
    field: 'name',
    record: (name) => ({ name, d0: 1, start: '08:00:00', stop: '18:00:00' }),
  },
  {
    what: 'PUT /schedule name',
    method: 'PUT',
    url: '/api/v1/schedule',
    node: 'schedules',
    field: 'name',
    record: (name, ids) => ({ id: ids.schedule, name }),
  },
  { what: 'POST /accesslevel name', method: 'POST', url: '/api/v1/accesslevel', node: 'accesslevels', field: 'name', record: (name) => ({ name }) },
  {
    what: 'PUT /accesslevel name',
    method: 'PUT',
    url: '/api/v1/accesslevel',
    node: 'accesslevels',
    field: 'name',
    record: (name, ids) => ({ id: ids.level, name }),
  },
  { what: 'POST /user id_num', method: 'POST', url: '/api/v1/user', node: 'users', field: 'id_num', record: (idNum) => newUser({ id_num: idNum }) },
  {
    what: 'POST /user email',
    method: 'POST',
    url: '/api/v1/user',
    node: 'users',
    field: 'email',
    record: (value) => newUser({ email: value }),
    value: email,
  },
  {
    what: 'PUT /user email',
    method: 'PUT',
    url: '/api/v1/user',
    node: 'users',
    field: 'email',
    record: (value, ids) => ({ id: ids.user, email: value }),
    value: email,
  },
  { what: 'POST /fob name', method: 'POST', url: '/api/v1/fob', node: 'fobs', field: 'name', record: (name) => ({ name, id_num: 'F-new' }) },
  {
    what: 'POST /fob id_num',
    method: 'POST',
    url: '/api/v1/fob',
    node: 'fobs',
    field: 'id_num',
    record: (idNum) => ({ name: 'Fob new', id_num: idNum }),
  },
  { what: 'PUT /fob name', method: 'PUT', url: '/api/v1/fob', node: 'fobs', field: 'name', record: (name, ids) => ({ id: ids.fob, name }) },
];

describe.each(DIALECTS)('text an index holds, on the Lockt face, on %s', (dialect) => {
  let h: Harness;
  let ids: Ids;
  beforeEach(async () => {
    h = await createHarness(dialect);
    const write = async (url: string, node: string, record: object) => {
      const response = await h.request('POST', url, { body: { [node]: [record] } });
      expect(response.status, response.text).toBe(200);
      return (await h.request('GET', url)).body.data[0].id as number;
    };
    const locationType = await write('/api/v1/locationtype', 'locationtypes', { name: 'Type 1' });
    ids = {
      locationType,
      location: await write('/api/v1/location', 'locations', { name: 'Location 1', locationtype: locationType }),
      door: await write('/api/v1/door', 'doors', { name: 'Door 1' }),
      schedule: await write('/api/v1/schedule', 'schedules', { name: 'Schedule 1', start: '08:00:00', stop: '18:00:00' }),
      level: await write('/api/v1/accesslevel', 'accesslevels', { name: 'Level 1' }),
      user: await write('/api/v1/user', 'users', newUser({ id_num: 'U1', email: 'u1@example.com' })),
      fob: await write('/api/v1/fob', 'fobs', { name: 'Fob 1', id_num: 'F1' }),
    };
  });
  afterEach(async () => {
    await h.close();
  });

  it.each(LOCKT)('$what: refuses one character over the limit in both batch modes, writing nothing; stores the limit', async (c) => {
    const value = c.value ?? wide;
    const list = async () => (await h.request('GET', c.url)).body.data;
    const before = await list();
    const over = c.record(value(LIMIT + 1), ids);
    const { failed, partial } = await sendInBothModes(h, c.method, c.url, c.node, [over], list);
    const errors = [
      { error: [`Invalid ${c.field} length found (at most ${LIMIT} characters): ${quoted(over[c.field] as string)}`], input_data: over },
    ];
    expect(failed.body.errors).toEqual(errors);
    expect(partial.body).toEqual({ data: expect.objectContaining({ submitted: 1, errors: 1 }), errors });
    expect(await list()).toEqual(before);

    const atLimit = value(LIMIT);
    const accepted = await h.request(c.method, c.url, { body: { [c.node]: [c.record(atLimit, ids)] } });
    expect(accepted.status, accepted.text).toBe(200);
    expect(accepted.body.data.errors).toBe(0);
    expect(JSON.stringify(await list())).toContain(atLimit);
  });

  it('writes the other records of a batch beside one too long when validate_fails_batch is false', async () => {
    const long = wide(LIMIT + 1);
    const response = await h.request('POST', '/api/v1/door', {
      body: { doors: [{ name: 'Door 2' }, { name: long }, { name: 'Door 3' }], options: { validate_fails_batch: false } },
    });
    expect(response.status, response.text).toBe(200);
    expect(response.body).toEqual({
      data: { submitted: 3, inserted: 2, updated: 0, errors: 1 },
      errors: [{ error: [`Invalid name length found (at most ${LIMIT} characters): ${quoted(long)}`], input_data: { name: long } }],
    });
    const names = (await h.request('GET', '/api/v1/door')).body.data.map((d: { name: string }) => d.name);
    expect(names).toEqual(['Door 1', 'Door 2', 'Door 3']);
  });

  it('shows the limit in /object and in OpenAPI', async () => {
    const described = (await h.request('GET', '/api/v1/object?type=door_create')).body.data;
    expect(described).toContainEqual({
      property: 'name',
      datatype: 'string',
      description: `The name of the door; unique within the site. At most ${LIMIT} characters.`,
    });
    const spec = (await h.request('GET', '/api/v1/openapi.json', { as: null })).body;
    const body = spec.paths['/api/v1/door'].post.requestBody.content['application/json'].schema;
    expect(body.properties.doors.items.properties.name.maxLength).toBe(LIMIT);
  });
});

interface BasipCase {
  what: string;
  method: 'POST' | 'PATCH';
  /** The path written to, given the uids of the seeded time profile and identifier. */
  url: (uids: { profile: number; identifier: number }) => string;
  /** Where the long value goes in the body, as the message names it. */
  at: string;
  body: (value: string) => Record<string, unknown>;
  /** The list the write shows in. */
  list: string;
  value?: (length: number) => string;
}

const dayProfile = (name: string) => ({
  name,
  time_options: { is_all_day: true, date_from: 1601884800, date_to: 1601920800 },
  repeat_options: { repeat_enable: false },
});
const PROFILES = '/api/v1/access/timeprofile/items?limit=50';
const IDENTIFIERS = '/api/v1/access/identifier/items?limit=50';

const BASIP: BasipCase[] = [
  { what: 'POST /access/timeprofile name', method: 'POST', url: () => '/api/v1/access/timeprofile', at: 'name', body: dayProfile, list: PROFILES },
  {
    what: 'PATCH /access/timeprofile/item name',
    method: 'PATCH',
    url: ({ profile }) => `/api/v1/access/timeprofile/item/${profile}`,
    at: 'name',
    body: (name) => ({ name }),
    list: PROFILES,
  },
  {
    what: 'POST /access/identifier face_id number',
    method: 'POST',
    url: () => '/api/v1/access/identifier',
    at: 'identifier_number',
    body: (number) => ({ identifier_type: 'face_id', identifier_number: number }),
    list: IDENTIFIERS,
  },
  {
    what: 'POST /access/identifier inputCode number',
    method: 'POST',
    url: () => '/api/v1/access/identifier',
    at: 'identifier_number',
    body: (number) => ({ identifier_type: 'inputCode', identifier_number: number }),
    list: IDENTIFIERS,
    value: (length) => Array.from({ length }, () => randomInt(10)).join(''),
  },
  {
    what: 'PATCH /access/identifier/item number',
    method: 'PATCH',
    url: ({ identifier }) => `/api/v1/access/identifier/item/${identifier}`,
    at: 'identifier_number',
    body: (number) => ({ identifier_number: number }),
    list: IDENTIFIERS,
  },
  {
    what: 'POST /access/identifier/items/link number',
    method: 'POST',
    url: () => '/api/v1/access/identifier/items/link',
    at: 'list_items.0.identifier_number',
    body: (number) => ({ list_items: [{ link_id: randomUUID(), identifier_type: 'license_plate', identifier_number: number }] }),
    list: IDENTIFIERS,
  },
];

describe.each(DIALECTS)('text an index holds, on the BAS-IP face, on %s', (dialect) => {
  let h: Harness;
  let admin: Record<string, string>;
  let uids: { profile: number; identifier: number };
  beforeEach(async () => {
    h = await createHarness(dialect);
    await createOperator(h.store.db, h.site.id, { username: 'boss', password: 'correct horse', role: 'admin' }, systemClock);
    const login = await h.request('GET', `/api/v1/login?username=boss&password=${passwordDigest('correct horse')}`, { as: null });
    admin = { authorization: `Bearer ${login.body.token as string}` };
    const write = async (url: string, body: object) => {
      const response = await h.request('POST', url, { as: null, headers: admin, body });
      expect(response.status, response.text).toBe(200);
      return response.body.uid as number;
    };
    uids = {
      profile: await write('/api/v1/access/timeprofile', dayProfile('Day 1')),
      identifier: await write('/api/v1/access/identifier', { identifier_type: 'license_plate', identifier_number: 'AB 123' }),
    };
  });
  afterEach(async () => {
    await h.close();
  });

  it.each(BASIP)('$what: refuses one character over the limit, writing nothing; stores the limit', async (c) => {
    const value = c.value ?? wide;
    const send = (text: string) => h.request(c.method, c.url(uids), { as: null, headers: admin, body: c.body(text) });
    const list = async () => (await h.request('GET', c.list, { as: null, headers: admin })).body.list_items;
    const before = await list();
    const over = value(LIMIT + 1);
    const refused = await send(over);
    expect(refused.status, refused.text).toBe(400);
    expect(refused.body).toEqual({ error: `Wrong JSON body: value \`${c.at}\` was longer than ${LIMIT} characters: ${quoted(over)}` });
    expect(await list()).toEqual(before);

    const atLimit = value(LIMIT);
    const accepted = await send(atLimit);
    expect(accepted.status, accepted.text).toBe(200);
    expect(JSON.stringify(await list())).toContain(atLimit);
  });

  it('shows the limit in OpenAPI', async () => {
    const spec = (await h.request('GET', '/api/v1/openapi.json', { as: null })).body;
    const schemaOf = (path: string) => spec.paths[path].post.requestBody.content['application/json'].schema;
    expect(schemaOf('/api/v1/access/timeprofile').properties.name.maxLength).toBe(LIMIT);
    expect(schemaOf('/api/v1/access/identifier').properties.identifier_number.maxLength).toBe(LIMIT);
  });
});
