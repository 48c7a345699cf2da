import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConsoleOperator, consoleSignIns } from '../../../test/console.ts';
import { grantAccessLevel, seedDoor, seedOneDayTimeProfile, seedSchedule, seedUser } from '../../../test/factories/access.ts';
import { seedAccessLevel } from '../../../test/factories/people.ts';
import { DIALECTS, type Harness, createHarness } from '../../../test/harness.ts';
import { fixedClock } from '../../lib/clock.ts';
import { formatSiteTime } from '../../lib/site-time.ts';
import { addUser, insertApartment } from '../apartments/apartments.repository.ts';
import { attachUserTimeProfile } from '../time-profiles/time-profiles.repository.ts';

const START = Date.UTC(2026, 11, 4, 9, 0, 0);
const HOUR = 60 * 60 * 1000;

/**
 * A person's page beyond details and levels (docs/console.md): credentials of every kind through the face
 * that owns each (fobs through /fob's operations, BAS-IP identifiers through the panel face's service),
 * the PIN, the access window through the Lockt user write, apartment, time profiles and delegations, and
 * anonymizing with a typed confirmation through the privacy service.
 */
describe.each(DIALECTS)('operator console: a person’s credentials, window, relations and anonymizing (%s)', (dialect) => {
  let h: Harness;
  const clock = fixedClock(START);
  const { operator } = consoleSignIns(() => h, clock, dialect);
  let manager: ConsoleOperator;
  let sequence = 0;

  /** A person made through the console's own write, with a PIN and a Lockt card. */
  async function person(first: string, last = 'Tester'): Promise<number> {
    sequence += 1;
    const created = await manager.send('POST', '/console/api/people', {
      first_name: first,
      last_name: last,
      id_num: `P-${sequence}`,
      email: `person${sequence}@example.com`,
      phone: '555-0100-400',
      pin: `77${String(1000 + sequence)}`,
      card_num: `880${String(1000 + sequence)}`,
    });
    expect(created.status, created.text).toBe(200);
    return created.body.id;
  }

  const extras = async (id: number) => {
    const answer = await manager.get(`/console/api/people/${id}/extras`);
    expect(answer.status, answer.text).toBe(200);
    return answer.body;
  };

  beforeAll(async () => {
    h = await createHarness(dialect, { clock });
    manager = await operator('manager');
  });
  afterAll(async () => h.close());

  it('needs a session, the CSRF token on every write, and people.read to read or people.write to change', async () => {
    const id = await person('Ada');
    expect((await h.request('GET', `/console/api/people/${id}/extras`, { as: null })).status).toBe(401);
    const writes: [method: 'POST' | 'DELETE', url: string, body?: unknown][] = [
      ['POST', `/console/api/people/${id}/fobs`, { name: 'Fob A', id_num: 'F-A' }],
      ['POST', `/console/api/people/${id}/identifiers`, { type: 'ukey', number: '1234' }],
      ['DELETE', `/console/api/people/${id}/pin`],
      ['POST', `/console/api/people/${id}/anonymize`, { confirmation: 'Ada Tester' }],
      ['DELETE', '/console/api/fobs/1'],
      ['DELETE', '/console/api/identifiers/1'],
      ['POST', '/console/api/identifiers/1/passes/reset'],
    ];
    const installer = await operator('installer');
    expect((await installer.get(`/console/api/people/${id}/extras`)).status).toBe(403);
    for (const [method, url, body] of writes) {
      expect((await manager.send(method, url, body, { csrf: null })).status, `${method} ${url} without CSRF`).toBe(403);
      expect((await installer.send(method, url, body)).status, `${method} ${url} as installer`).toBe(403);
    }
    expect((await extras(id)).credentials).toHaveLength(1);
    expect((await manager.get('/console/api/people/99999999999/extras')).status).toBe(404);
    expect((await manager.get('/console/api/people/4000/extras')).body.data.error).toBe('No person with id 4000.');
  });

  it('adds and revokes a fob through /fob’s operations, with their messages', async () => {
    const id = await person('Fay');
    const added = await manager.send('POST', `/console/api/people/${id}/fobs`, { name: 'Blue fob', id_num: 'FOB-1', card_num: '4401' });
    expect(added.status, added.text).toBe(200);
    const fob = (await extras(id)).credentials.find((c: { kind: string }) => c.kind === 'fob');
    expect(fob).toMatchObject({ id: added.body.id, kind: 'fob', name: 'Blue fob', number: '4401', passes: null });
    const listed = await h.request('GET', `/api/v1/fob?id=${added.body.id}`);
    expect(listed.body.data[0]).toMatchObject({ name: 'Blue fob', card_num: '4401' });

    const other = await person('Gus');
    const again = await manager.send('POST', `/console/api/people/${other}/fobs`, { name: 'blue  FOB', id_num: 'FOB-2', card_num: '4402' });
    expect(again.status).toBe(400);
    expect(again.body.errors[0].error).toEqual(['Fob Name Already Exists: blue  FOB']);
    const taken = await manager.send('POST', `/console/api/people/${other}/fobs`, { name: 'Red fob', id_num: 'FOB-3', card_num: '4401' });
    expect(taken.body.errors[0].error).toEqual(['Card Number Already Exists: 4401']);
    expect((await extras(other)).credentials.filter((c: { kind: string }) => c.kind === 'fob')).toEqual([]);
    expect((await manager.send('POST', '/console/api/people/4000/fobs', { name: 'Lost fob', id_num: 'FOB-4' })).status).toBe(404);
    expect((await h.request('GET', '/api/v1/fob?name=Lost fob')).body.data).toEqual([]);

    expect((await manager.send('DELETE', `/console/api/fobs/${added.body.id}`)).status).toBe(200);
    expect((await extras(id)).credentials.map((c: { kind: string }) => c.kind)).toEqual(['card']);
    const card = (await extras(other)).credentials[0];
    const notFob = await manager.send('DELETE', `/console/api/fobs/${card.id}`);
    expect(notFob.body.errors[0].error).toEqual([`Credential id ${card.id} is not a Fob; delete it through /credential`]);
  });

  it('adds BAS-IP identifiers of each kind (a second card among them) with pass limits, refills and revokes them', async () => {
    const id = await person('Ida');
    const kinds = [
      { type: 'card', number: '99001' },
      { type: 'ukey', number: 'AA:BB:CC:DD', lock: 'first' },
      { type: 'inputCode', number: '2468', max_passes: 3 },
      { type: 'qr', number: '0f8fad5b-d9cb-469f-a165-70867728950e' },
      { type: 'face_id', number: 'face-of-ida' },
      { type: 'license_plate', number: 'AB12 CDE' },
    ];
    for (const body of kinds) {
      const added = await manager.send('POST', `/console/api/people/${id}/identifiers`, body);
      expect(added.status, added.text).toBe(200);
    }
    const held = (await extras(id)).credentials;
    expect(held.map((c: { kind: string; type: string }) => `${c.kind}:${c.type}`)).toEqual([
      'card:card',
      'identifier:card',
      'identifier:ukey',
      'identifier:inputCode',
      'identifier:qr',
      'identifier:face_id',
      'identifier:license_plate',
    ]);
    const code = held.find((c: { type: string }) => c.type === 'inputCode');
    expect(code.passes).toEqual({ max: 3, left: 3 });
    expect(held.find((c: { type: string }) => c.type === 'ukey').lock).toBe('first');
    // The panel face sees them as the user's.
    const panel = await h.operator('admin');
    const user = await panel.request('GET', `/api/v1/access/users/item/${id}`);
    expect(user.body.identifiers.map((i: { identifier_number: string }) => i.identifier_number)).toContain('2468');

    await h.store.db.updateTable('credential').set({ passes_left: 1 }).where('id', '=', code.id).execute();
    expect((await extras(id)).credentials.find((c: { id: number }) => c.id === code.id).passes).toEqual({ max: 3, left: 1 });
    expect((await manager.send('POST', `/console/api/identifiers/${code.id}/passes/reset`)).status).toBe(200);
    expect((await extras(id)).credentials.find((c: { id: number }) => c.id === code.id).passes).toEqual({ max: 3, left: 3 });

    const wrong = await manager.send('POST', `/console/api/people/${id}/identifiers`, { type: 'qr', number: 'not a uuid' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.result).toEqual(['Wrong identifier_number for qr: not a uuid (expected a UUID)']);
    const taken = await manager.send('POST', `/console/api/people/${id}/identifiers`, { type: 'ukey', number: '99001' });
    expect(taken.body.result).toEqual(['identifier_number is taken by another identifier: 99001']);
    const passes = await manager.send('POST', `/console/api/people/${id}/identifiers`, { type: 'ukey', number: '5555', max_passes: -1 });
    expect(passes.body.result[0]).toMatch(/^valid\.passes\.max_passes must be from 0 to /);
    expect((await manager.send('POST', `/console/api/people/${id}/identifiers`, { type: 'pigeon', number: '1' })).status).toBe(400);
    expect((await manager.send('POST', '/console/api/people/4000/identifiers', { type: 'ukey', number: '7777' })).status).toBe(404);
    expect(await h.store.db.selectFrom('credential').select('id').where('card_num', 'in', ['5555', '7777']).execute()).toEqual([]);
    expect((await extras(id)).credentials).toHaveLength(7);

    expect((await manager.send('DELETE', `/console/api/identifiers/${code.id}`)).status).toBe(200);
    expect((await manager.send('DELETE', `/console/api/identifiers/${code.id}`)).status).toBe(404);
    expect((await extras(id)).credentials).toHaveLength(6);
  });

  it('clears a PIN and sets one again through the user write, with its messages', async () => {
    const id = await person('Pia');
    expect((await manager.get(`/console/api/people/${id}`)).body.has_pin).toBe(true);
    expect((await manager.send('DELETE', `/console/api/people/${id}/pin`)).status).toBe(200);
    expect((await manager.get(`/console/api/people/${id}`)).body.has_pin).toBe(false);
    const audit = await h.store.db.selectFrom('audit').select(['action', 'record_ids']).where('action', '=', 'clear_pin').execute();
    expect(audit).toHaveLength(1);
    const short = await manager.send('PATCH', `/console/api/people/${id}`, { pin: '12' });
    expect(short.status).toBe(400);
    expect(short.body.errors[0].error[0]).toMatch(/^Invalid pin length found/);
    expect((await manager.send('PATCH', `/console/api/people/${id}`, { pin: '864209' })).status).toBe(200);
    expect((await manager.get(`/console/api/people/${id}`)).body.has_pin).toBe(true);
    expect((await manager.send('DELETE', '/console/api/people/4000/pin')).status).toBe(404);
  });

  it('shows and changes the access window in the site’s zone through the user write', async () => {
    const id = await person('Win');
    expect((await extras(id)).access_window).toEqual({ effective: '', expires: '' });
    const from = formatSiteTime(START + HOUR, 'UTC');
    const to = formatSiteTime(START + 48 * HOUR, 'UTC');
    const set = await manager.send('PATCH', `/console/api/people/${id}`, { access_effective: from, access_expires: to });
    expect(set.status, set.text).toBe(200);
    expect((await extras(id)).access_window).toEqual({ effective: from, expires: to });
    expect((await manager.get(`/console/api/people/${id}`)).body).toMatchObject({
      access_effective: START + HOUR,
      access_expires: START + 48 * HOUR,
    });
    const bad = await manager.send('PATCH', `/console/api/people/${id}`, { access_effective: 'next Tuesday' });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].error).toContain('Invalid access_effective date found: next Tuesday');
    expect((await manager.send('PATCH', `/console/api/people/${id}`, { access_effective: '', access_expires: '' })).status).toBe(200);
    expect((await extras(id)).access_window).toEqual({ effective: '', expires: '' });
  });

  it('shows apartments, time profiles and delegations given and received', async () => {
    const giver = await person('Gil');
    const receiver = await person('Rae');
    const door = await seedDoor(h.store.db, h.site.id, 'Lab');
    const level = await seedAccessLevel(h.store.db, h.site.id, 'Lab staff');
    const always = await seedSchedule(h.store.db, h.site.id, 'Always open');
    await h.store.db
      .insertInto('access_level_door')
      .values({ access_level_id: level, door_id: door, schedule_id: always, site_id: h.site.id })
      .execute();
    await grantAccessLevel(h.store.db, h.site.id, giver, level);
    const delegated = await h.request('POST', '/api/v1/delegate', {
      body: {
        delegates: [
          {
            from_user_id: giver,
            to_user_id: receiver,
            access_effective: formatSiteTime(START, 'UTC'),
            access_expires: formatSiteTime(START + 2 * HOUR, 'UTC'),
            doors: [{ id: door }],
          },
        ],
      },
    });
    expect(delegated.status, delegated.text).toBe(200);
    const apartment = await insertApartment(h.store.db, {
      site_id: h.site.id,
      building: 1,
      unit: 2,
      floor: 3,
      room: 14,
      name: 'Flat 14',
      created_at: START,
    });
    await addUser(h.store.db, h.site.id, apartment, receiver);
    const profile = await seedOneDayTimeProfile(h.store.db, h.site.id, 'Weekdays');
    await attachUserTimeProfile(h.store.db, h.site.id, receiver, profile);

    const received = await extras(receiver);
    expect(received.apartments).toEqual([{ id: apartment, name: 'Flat 14', building: 1, unit: 2, floor: 3, room: 14 }]);
    expect(received.time_profiles).toEqual([{ id: profile, name: 'Weekdays' }]);
    const delegation = {
      from: { id: giver, name: 'Gil Tester' },
      to: { id: receiver, name: 'Rae Tester' },
      effective: formatSiteTime(START, 'UTC'),
      expires: formatSiteTime(START + 2 * HOUR, 'UTC'),
      doors: [{ id: door, name: 'Lab' }],
    };
    expect(received.delegations).toEqual([{ id: expect.any(Number), ...delegation }]);
    const given = await extras(giver);
    expect(given.delegations).toEqual(received.delegations);
    expect(given).toMatchObject({ apartments: [], time_profiles: [] });
  });

  it('anonymizes only once the full name is typed, then shows the anonymized record', async () => {
    const id = await person('Nora', 'Quinn');
    expect((await extras(id)).anonymize_confirmation).toBe('Nora Quinn');
    for (const typed of ['', 'Nora', 'Nora Quin']) {
      const refused = await manager.send('POST', `/console/api/people/${id}/anonymize`, { confirmation: typed });
      expect(refused.status).toBe(400);
      expect(refused.body.result).toEqual(['To anonymize this person, type Nora Quinn to confirm.']);
    }
    expect((await manager.send('POST', `/console/api/people/${id}/anonymize`, {})).status).toBe(400);
    expect((await manager.get(`/console/api/people/${id}`)).body).toMatchObject({ first_name: 'Nora', last_name: 'Quinn' });

    const done = await manager.send('POST', `/console/api/people/${id}/anonymize`, { confirmation: '  nora   QUINN ' });
    expect(done.status, done.text).toBe(200);
    expect(done.body).toEqual({ user_id: id, anonymized: true, events: 0 });
    const shown = (await manager.get(`/console/api/people/${id}`)).body;
    expect(shown).toMatchObject({ first_name: 'Anonymized', last_name: `User ${id}`, email: '', has_pin: false });
    expect((await extras(id)).anonymize_confirmation).toBe(`Anonymized User ${id}`);
    const audit = await h.store.db.selectFrom('audit').select('actor').where('action', '=', 'anonymize').execute();
    expect(audit).toEqual([{ actor: manager.username }]);
    expect((await manager.send('POST', '/console/api/people/4000/anonymize', { confirmation: 'Nobody' })).status).toBe(404);
  });

  it('asks for the word ANONYMIZE where a person has no name to type', async () => {
    const nameless = await seedUser(h.store.db, h.site.id, '');
    await h.store.db.updateTable('user').set({ last_name: '' }).where('id', '=', nameless).execute();
    expect((await extras(nameless)).anonymize_confirmation).toBe('ANONYMIZE');
    expect((await manager.send('POST', `/console/api/people/${nameless}/anonymize`, { confirmation: '' })).body.result).toEqual([
      'To anonymize this person, type ANONYMIZE to confirm.',
    ]);
    expect((await manager.send('POST', `/console/api/people/${nameless}/anonymize`, { confirmation: 'anonymize' })).status).toBe(200);
    expect((await manager.get(`/console/api/people/${nameless}`)).body.last_name).toBe(`User ${nameless}`);
  });
});
