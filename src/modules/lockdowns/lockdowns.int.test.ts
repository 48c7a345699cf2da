import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { seedDoors, seedSchedule, seedUserWithCard } from '../../../test/factories/access.ts';
import { seedAccessLevel } from '../../../test/factories/places.ts';
import { itRequiresApiKey } from '../../../test/common-route-tests.ts';
import { DIALECTS, type DeviceCaller, type Harness, createHarness } from '../../../test/harness.ts';

describe.each(DIALECTS)('/lockdown on %s', (dialect) => {
  let h: Harness;
  let front: number;
  let back: number;
  let device: DeviceCaller;
  beforeEach(async () => {
    h = await createHarness(dialect);
    [front, back] = await seedDoors(h.store.db, h.site.id, ['Front', 'Back']);
    device = await h.device({ doorIds: [front, back] });
  });
  afterEach(async () => {
    await h.close();
  });

  const create = (lockdowns: object[]) => h.request('POST', '/api/v1/lockdown', { body: { lockdowns } });
  const act = (action: 'start' | 'clear', lockdowns: object[]) => h.request('POST', `/api/v1/lockdown/${action}`, { body: { lockdowns } });
  /** The mode of each door the device's latest mode command names. */
  const commandedModes = async () => {
    const commands = (await device.request('GET', '/api/v1/device/commands?wait=0')).body.data as {
      command: string;
      door_id: number;
      mode: string;
    }[];
    return Object.fromEntries(commands.filter((c) => c.command === 'mode').map((c) => [c.door_id, c.mode]));
  };

  itRequiresApiKey(() => h, 'GET', '/api/v1/lockdown');
  itRequiresApiKey(() => h, 'POST', '/api/v1/lockdown/start', { lockdowns: [{ name: 'Fire drill' }] });
  itRequiresApiKey(() => h, 'POST', '/api/v1/lockdown/clear', { lockdowns: [{ name: 'Fire drill' }] });

  it('creates plans and lists them', async () => {
    const level = await h.request('POST', '/api/v1/accesslevel', { body: { accesslevels: [{ name: 'Guards' }] } });
    expect(level.status).toBe(200);
    const [guards] = (await h.request('GET', '/api/v1/accesslevel')).body.data;
    const created = await create([
      { name: 'Fire drill', priority: 10, responders: [guards.id], auto_revert_seconds: 600 },
      { name: 'Back only', mode: 'egress', door_ids: [String(back)] },
    ]);
    expect(created.body).toEqual({ data: { submitted: 2, inserted: 2, updated: 0, errors: 0 } });
    expect((await h.request('GET', '/api/v1/lockdowns')).body.data).toEqual([
      {
        id: expect.any(Number),
        name: 'Fire drill',
        mode: 'lockdown',
        priority: 10,
        scope: 'site',
        location_id: null,
        door_ids: [],
        responders: [guards.id],
        auto_revert_seconds: 600,
        active: false,
        active_since: null,
        active_until: null,
        active_by: null,
      },
      expect.objectContaining({ name: 'Back only', mode: 'egress', priority: 0, scope: 'doors', door_ids: [back], responders: [] }),
    ]);
  });

  it('refuses a taken name, unknown doors, locations and levels, and a bad mode or priority', async () => {
    await create([{ name: 'Fire drill' }]);
    const response = await create([
      { name: 'fire drill' },
      { name: 'A', door_ids: [999999] },
      { name: 'B', location_id: 999999 },
      { name: 'C', responders: [999999] },
      { name: 'D', mode: 'panic' },
      { name: 'E', priority: 5000 },
      { name: 'F', door_ids: [front], location_id: 1 },
    ]);
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { error: string[] }) => e.error)).toEqual([
      ['Lockdown Plan Name Already Exists: fire drill'],
      ['Invalid door id: 999999'],
      ['Invalid location_id: 999999'],
      ['Invalid responder access level id: 999999'],
      ['Invalid mode found (expected lockdown or egress): panic'],
      ['Invalid priority found (expected an integer from -1000 to 1000): 5000'],
      ['Only one of location_id and door_ids may be given', 'Invalid location_id: 1'],
    ]);
  });

  it('starts a plan by name: every door is told its mode, the start is an event and in the audit trail', async () => {
    await create([{ name: 'Fire drill', priority: 10 }]);
    const started = await act('start', [{ name: 'FIRE DRILL' }]);
    expect(started.body).toEqual({ data: { submitted: 1, processed: 1, errors: 0 } });
    expect(await commandedModes()).toEqual({ [front]: 'locked', [back]: 'locked' });
    const [plan] = (await h.request('GET', '/api/v1/lockdown')).body.data;
    expect(plan).toMatchObject({ active: true, active_by: `API key ${h.credentials.apiuser}`, active_since: expect.any(String) });
    const [event] = (await h.request('GET', '/api/v1/events')).body.data;
    expect(event).toMatchObject({ code: 92, code_text: 'Lockdown Started', category: 7, category_text: 'Door Mode' });
    expect(event.detail).toBe(`Lockdown 'Fire drill' (priority 10) started by API key ${h.credentials.apiuser}; 2 doors.`);
    const [audit] = (await h.request('GET', '/api/v1/audit')).body.data;
    expect(audit).toMatchObject({ resource: 'lockdowns', action: 'process', record_ids: [plan.id] });
    const again = await act('start', [{ id: plan.id }]);
    expect(again.body).toEqual({ data: { submitted: 1, processed: 0, errors: 0 } });
    const refused = await h.request('DELETE', '/api/v1/lockdown', { body: { lockdowns: [{ id: plan.id }] } });
    expect(refused.body.errors[0].error).toEqual(['Lockdown plan Fire drill is started; clear it first']);
  });

  it('lets the higher priority win, and clearing it reveals the next', async () => {
    await create([
      { name: 'Evacuate', mode: 'egress', priority: 20, door_ids: [back] },
      { name: 'Lock all', priority: 5 },
    ]);
    await act('start', [{ name: 'Lock all' }, { name: 'Evacuate' }]);
    expect(await commandedModes()).toEqual({ [front]: 'locked', [back]: 'unlocked' });
    await act('clear', [{ name: 'Evacuate' }]);
    expect(await commandedModes()).toEqual({ [front]: 'locked', [back]: 'locked' });
    await act('clear', [{ name: 'Lock all' }]);
    expect(await commandedModes()).toEqual({ [front]: 'access_controlled', [back]: 'access_controlled' });
    const codes = (await h.request('GET', '/api/v1/events')).body.data.map((e: { code: number }) => e.code);
    expect(codes).toEqual([93, 93, 92, 92]);
  });

  it('makes every covered door deny at once, but for the plan’s responders, and clearing it lets them in again', async () => {
    const db = h.store.db;
    const always = await seedSchedule(db, h.site.id, 'Always');
    const staff = await seedAccessLevel(db, h.site.id, 'Staff', [front], { scheduleId: always });
    const guards = await seedAccessLevel(db, h.site.id, 'Guards', [front], { scheduleId: always });
    for (const [name, level, card] of [
      ['Ann', staff, '1001'],
      ['Gus', guards, '2002'],
    ] as const) {
      await seedUserWithCard(db, h.site.id, name, level, { number: card, key: `K${card}` });
    }
    const decide = async (card: string) =>
      (await device.request('POST', '/api/v1/device/access', { body: { door_id: front, card_num: card } })).body.data;
    expect((await decide('1001')).granted).toBe(true);
    await create([{ name: 'Fire drill', priority: 10, responders: [guards] }]);
    await act('start', [{ name: 'Fire drill' }]);
    expect(await decide('1001')).toMatchObject({ granted: false, subcode: 118 });
    expect((await decide('2002')).granted).toBe(true);
    await act('clear', [{ name: 'Fire drill' }]);
    expect((await decide('1001')).granted).toBe(true);
  });

  it('refuses an unknown plan, a record with neither or both of id and name, and another site’s plan', async () => {
    const other = await h.addSite('Other');
    await h.request('POST', '/api/v1/lockdown', { body: { lockdowns: [{ name: 'Theirs' }] }, as: other.credentials });
    const response = await act('start', [{ name: 'Theirs' }, {}, { id: 1, name: 'x' }, { id: 999999 }]);
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { error: string[] }) => e.error)).toEqual([
      ['Invalid lockdown plan name: Theirs'],
      ['Exactly one of id and name is required'],
      ['Exactly one of id and name is required'],
      ['Invalid lockdown plan id: 999999'],
    ]);
    expect(await commandedModes()).toEqual({});
  });
});
