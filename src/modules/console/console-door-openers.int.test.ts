import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleSignIns } from '../../../test/console.ts';
import { seedDoor } from '../../../test/factories/access.ts';
import { DIALECTS, type Harness, createHarness } from '../../../test/harness.ts';
import { fixedClock } from '../../lib/clock.ts';
import { createDevice } from '../devices/devices.service.ts';
import { createOperator } from '../users/operators.service.ts';

// Wednesday 2026-11-25 10:00 in Berlin (09:00 UTC).
const NOW = Date.UTC(2026, 10, 25, 9, 0, 0);
const basic = `Basic ${Buffer.from('panel-admin:panel secret').toString('base64')}`;

/**
 * "Who can open this door now" through a panel (docs/console.md): the holders of panel identifiers for
 * the door's lock, and what opens it to anyone (free access, the public code, an unlocked mode), each as
 * the access engine decides it for the devices driving the door.
 */
describe.each(DIALECTS)('operator console: who can open a panel door (%s)', (dialect) => {
  let h: Harness;
  const clock = fixedClock(NOW);
  const { operator } = consoleSignIns(() => h, clock, dialect);
  let gate: number;
  let lobby: number;
  let storeroom: number;
  let ada: number;
  let bob: number;

  const openers = async (door: number) => {
    const answer = await (await operator('manager')).get(`/console/api/doors/${door}/people`);
    expect(answer.status, answer.text).toBe(200);
    return answer.body;
  };
  const savePanelSetting = async (url: string, body: string) => {
    const response = await h.request('POST', `/api/v1/${url}`, { as: null, headers: { authorization: basic }, rawBody: body });
    expect(response.status, response.text).toBe(200);
  };

  beforeAll(async () => {
    h = await createHarness(dialect, { clock, timezone: 'Europe/Berlin' });
    await createOperator(h.store.db, h.site.id, { username: 'panel-admin', password: 'panel secret', role: 'admin' }, clock);
    gate = await seedDoor(h.store.db, h.site.id, 'Gate');
    lobby = await seedDoor(h.store.db, h.site.id, 'Lobby');
    storeroom = await seedDoor(h.store.db, h.site.id, 'Storeroom');
    // Gate on lock 1, Lobby on lock 2; the storeroom is no panel's.
    await createDevice(h.store.db, h.site, { name: 'Entrance Panel', doorIds: [gate, lobby] }, clock);
    const manager = await operator('manager');
    const person = async (first: string, pin: string) => {
      const created = await manager.send('POST', '/console/api/people', {
        first_name: first,
        last_name: 'Panel',
        id_num: `ID-${first}`,
        email: `${first.toLowerCase()}@example.com`,
        phone: '555-0100-400',
        pin,
        access_levels: [],
      });
      expect(created.status, created.text).toBe(200);
      return created.body.id as number;
    };
    ada = await person('Ada', '881234');
    bob = await person('Bob', '991234');
    const give = async (id: number, number: string, lock: string) =>
      expect((await manager.send('POST', `/console/api/people/${id}/identifiers`, { type: 'ukey', number, lock })).status).toBe(200);
    await give(ada, '5512', 'first');
    await give(bob, '6613', 'second');
  });
  afterAll(async () => h.close());

  it('lists the holders of a panel identifier for the door’s lock, by the panel identifier', async () => {
    expect(await openers(gate)).toEqual({
      anyone: [],
      people: [{ id: ada, name: 'Ada Panel', credential: 'ukey 5512', rule: 'the panel identifier, lock 1' }],
      next: null,
    });
    expect((await openers(lobby)).people).toEqual([{ id: bob, name: 'Bob Panel', credential: 'ukey 6613', rule: 'the panel identifier, lock 2' }]);
    // A door no panel drives: an identifier opens none of it.
    expect(await openers(storeroom)).toEqual({ anyone: [], people: [], next: null });
    // A disabled holder is left out, as the engine refuses them.
    const manager = await operator('manager');
    expect((await manager.send('PATCH', `/console/api/people/${ada}`, { enabled: false })).status).toBe(200);
    expect((await openers(gate)).people).toEqual([]);
    expect((await manager.send('PATCH', `/console/api/people/${ada}`, { enabled: true })).status).toBe(200);
  });

  it('says when the door opens to anyone: free access until its window ends, the public code, an unlocked mode', async () => {
    // 08:00 to 17:59 (the last minute open, whole) on Wednesdays, lock 1.
    await savePanelSetting(
      'access/freeaccess',
      `{"enable":true,"days":[{"lock":"first","enable":true,"time_from":${8 * 3600},"time_to":${17 * 3600 + 59 * 60},"day":"WED"}]}`,
    );
    await savePanelSetting('access/general/unlock/input/code', '{"input_code_enable":true,"input_code_number":4711}');
    const untilSix = Date.UTC(2026, 10, 25, 17, 0, 0);
    // Free access opens the gate to anyone (the public code too, by the same rule then), and Ada's own way
    // is covered by it.
    expect(await openers(gate)).toEqual({
      anyone: [{ who: 'anyone', rule: 'door mode unlocked: BAS-IP free access, lock 1, until 18:00', until: untilSix }],
      people: [],
      next: null,
    });
    expect(await openers(lobby)).toEqual({
      anyone: [{ who: 'anyone who types the public code', rule: 'the public unlock code, lock 2', until: null }],
      people: [{ id: bob, name: 'Bob Panel', credential: 'ukey 6613', rule: 'the panel identifier, lock 2' }],
      next: null,
    });
    expect((await openers(storeroom)).anyone).toEqual([]);

    // After the window, the gate opens to the public code and to Ada again.
    clock.set(untilSix);
    expect(await openers(gate)).toEqual({
      anyone: [{ who: 'anyone who types the public code', rule: 'the public unlock code, lock 1', until: null }],
      people: [{ id: ada, name: 'Ada Panel', credential: 'ukey 5512', rule: 'the panel identifier, lock 1' }],
      next: null,
    });
    clock.set(NOW);

    // A door unlocked by its mode opens to anyone, with or without a panel.
    const manager = await operator('manager');
    expect((await manager.send('POST', `/console/api/doors/${storeroom}/override`, { mode: 'unlocked', until: '2026-11-25 12:30:00' })).status).toBe(
      200,
    );
    expect((await openers(storeroom)).anyone).toEqual([
      {
        who: 'anyone',
        rule: expect.stringMatching(/^door mode unlocked: override by operator .+ until 12:30$/),
        until: Date.UTC(2026, 10, 25, 11, 30, 0),
      },
    ]);
    expect((await manager.send('DELETE', `/console/api/doors/${storeroom}/override`)).status).toBe(200);
    expect((await openers(storeroom)).anyone).toEqual([]);

    // Installers do not read people, nor this list.
    expect((await (await operator('installer')).get(`/console/api/doors/${gate}/people`)).status).toBe(403);
  });
});
