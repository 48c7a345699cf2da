import { type Static, Type } from 'typebox';
import { nameKey } from '../../domain/names.ts';
import { operatorCall } from '../../http/basip/routes.ts';
import { runBatch } from '../../http/batch.ts';
import { operatorOf } from '../../http/plugins/operator-auth.ts';
import type { Clock } from '../../lib/clock.ts';
import { changeAccessLevels, createAccessLevels, removeAccessLevels } from '../access-levels/access-levels.operations.ts';
import { levelIdsByNameKey } from '../access-levels/access-levels.repository.ts';
import type { AppContext, TypedApp } from '../module.ts';
import { changeSchedules, createSchedules, removeSchedules } from '../schedules/schedules.operations.ts';
import { DAY_COLUMNS, nameKeyOwners } from '../schedules/schedules.repository.ts';
import { TimeProfileUpdate } from '../time-profiles/time-profiles.basip.schema.ts';
import { updateTimeProfile } from '../time-profiles/time-profiles.service.ts';
import { levelList, levelPage, scheduleList, scheduleWeekView } from './console-access-levels.service.ts';
import { IdParams, batchCallerOf, idOf } from './console-params.ts';

const JSON_API = { auth: 'console', capability: 'access.manage' } as const;
const tags = ['console'];
const hide = true;

/** A level's doors as the grid sends them: each door in the level with the schedule it opens on. */
const LevelDoors = Type.Array(Type.Object({ door_id: Type.Integer(), schedule_id: Type.Integer() }, { required: ['door_id', 'schedule_id'] }), {
  maxItems: 5000,
});
const LevelCreate = Type.Object(
  { name: Type.String({ maxLength: 200 }), doors: Type.Optional(LevelDoors) },
  { required: ['name'], additionalProperties: false },
);
const LevelUpdate = Type.Partial(Type.Object({ name: Type.String({ maxLength: 200 }), doors: LevelDoors }, { additionalProperties: false }));
const ScheduleFields = {
  name: Type.String({ maxLength: 200 }),
  days: Type.Array(Type.Boolean(), { minItems: 7, maxItems: 7, description: 'Monday first.' }),
  start: Type.String({ maxLength: 8 }),
  stop: Type.String({ maxLength: 8 }),
};
const ScheduleCreate = Type.Object(ScheduleFields, { required: ['name', 'days', 'start', 'stop'], additionalProperties: false });
const ScheduleUpdate = Type.Partial(Type.Object(ScheduleFields, { additionalProperties: false }));
const WeekQuery = Type.Object({
  date: Type.Optional(Type.String({ maxLength: 10, description: "A day of the week to show (YYYY-MM-DD on the site's clocks); none: this week." })),
});

type LevelBody = Partial<Static<typeof LevelUpdate>>;
type ScheduleBody = Partial<Static<typeof ScheduleUpdate>>;

/** The grid's level as a record of the Lockt access-level writes (POST and PUT /accesslevel), so every rule and message is theirs. */
const levelRecord = ({ name, doors }: LevelBody) => ({
  ...(name !== undefined ? { name } : {}),
  ...(doors !== undefined ? { doors: doors.map((door) => ({ id: door.door_id, schedule_id: door.schedule_id })) } : {}),
});

/** The form's schedule as a record of the Lockt schedule writes: days as d0 (Monday) … d6. */
const scheduleRecord = ({ days, ...rest }: ScheduleBody) => ({
  ...rest,
  ...(days !== undefined ? Object.fromEntries(DAY_COLUMNS.map((column, index) => [column, days[index] === true ? 1 : 0])) : {}),
});

/** The signed-in operator as the caller of a batch write, its call, and its site. */
function writerOf(request: Parameters<typeof operatorOf>[0], clock: Clock) {
  const operator = operatorOf(request);
  const { caller: by, call } = batchCallerOf(operator, clock);
  return { by, call, site: operator.site };
}

/** Access levels as a door × schedule grid, schedules and time profiles in a week view, a time profile's rule (managers and admins). */
export function accessRoutes(app: TypedApp, context: AppContext): void {
  levelRoutes(app, context);
  scheduleRoutes(app, context);
}

function levelRoutes(app: TypedApp, { db, clock }: AppContext): void {
  const caller = (request: Parameters<typeof operatorOf>[0]) => writerOf(request, clock);
  const levelId = (id: number | string) => idOf(id, 'access level');

  app.get('/console/api/access/levels', { config: JSON_API, schema: { tags, hide } }, async (request) => ({
    levels: await levelList(db, operatorOf(request).site),
  }));

  app.get('/console/api/access/levels/:id', { config: JSON_API, schema: { tags, hide, params: IdParams } }, async (request) =>
    levelPage(db, operatorOf(request).site, levelId(request.params.id)),
  );

  app.post('/console/api/access/levels', { config: JSON_API, schema: { tags, hide, body: LevelCreate } }, async (request) => {
    const { by, call, site } = caller(request);
    await runBatch(db, createAccessLevels, { accesslevels: [levelRecord(request.body)] }, by, call);
    return { id: (await levelIdsByNameKey(db, site.id, [nameKey(request.body.name)])).get(nameKey(request.body.name)) };
  });

  app.patch('/console/api/access/levels/:id', { config: JSON_API, schema: { tags, hide, params: IdParams, body: LevelUpdate } }, async (request) => {
    const { by, call } = caller(request);
    const id = levelId(request.params.id);
    await runBatch(db, changeAccessLevels, { accesslevels: [{ id, ...levelRecord(request.body) }] }, by, call);
    return { id };
  });

  app.delete('/console/api/access/levels/:id', { config: JSON_API, schema: { tags, hide, params: IdParams } }, async (request) => {
    const { by, call } = caller(request);
    await runBatch(db, removeAccessLevels, { accesslevels: [{ id: levelId(request.params.id) }] }, by, call);
    return {};
  });
}

function scheduleRoutes(app: TypedApp, { db, clock }: AppContext): void {
  const caller = (request: Parameters<typeof operatorOf>[0]) => writerOf(request, clock);
  const scheduleId = (id: number | string) => idOf(id, 'schedule');

  app.get('/console/api/access/schedules', { config: JSON_API, schema: { tags, hide } }, async (request) => ({
    schedules: await scheduleList(db, operatorOf(request).site),
  }));

  app.get(
    '/console/api/access/schedules/:id/week',
    { config: JSON_API, schema: { tags, hide, params: IdParams, querystring: WeekQuery } },
    async (request) => scheduleWeekView(db, operatorOf(request).site, scheduleId(request.params.id), request.query.date, clock.now()),
  );

  app.post('/console/api/access/schedules', { config: JSON_API, schema: { tags, hide, body: ScheduleCreate } }, async (request) => {
    const { by, call, site } = caller(request);
    await runBatch(db, createSchedules, { schedules: [scheduleRecord(request.body)] }, by, call);
    return { id: (await nameKeyOwners(db, site.id, [nameKey(request.body.name)])).get(nameKey(request.body.name)) };
  });

  app.patch(
    '/console/api/access/schedules/:id',
    { config: JSON_API, schema: { tags, hide, params: IdParams, body: ScheduleUpdate } },
    async (request) => {
      const { by, call } = caller(request);
      const id = scheduleId(request.params.id);
      await runBatch(db, changeSchedules, { schedules: [{ id, ...scheduleRecord(request.body) }] }, by, call);
      return { id };
    },
  );

  // A time profile's rule through the panel face's own write (its checks, messages and audit entry).
  app.patch(
    '/console/api/access/time-profiles/:id',
    { config: JSON_API, schema: { tags, hide, params: IdParams, body: TimeProfileUpdate } },
    async (request) => {
      const id = idOf(request.params.id, 'time profile');
      await updateTimeProfile(db, operatorCall(request, clock), id, request.body);
      return { id };
    },
  );

  app.delete('/console/api/access/schedules/:id', { config: JSON_API, schema: { tags, hide, params: IdParams } }, async (request) => {
    const { by, call } = caller(request);
    await runBatch(db, removeSchedules, { schedules: [{ id: scheduleId(request.params.id) }] }, by, call);
    return {};
  });
}
