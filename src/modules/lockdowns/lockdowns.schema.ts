import { Type } from 'typebox';
import { IdInput, IdentifyingText } from '../../http/schemas.ts';

export const LOCKDOWN_MODES = ['lockdown', 'egress'] as const;

/** A lockdown plan as `GET /lockdown` shows it. */
export const LockdownObject = Type.Object({
  id: Type.Integer({ description: 'The unique, system assigned id of the plan.' }),
  name: Type.String({ description: 'The name of the plan.' }),
  mode: Type.String({ description: 'lockdown: its doors are locked; egress: its doors are unlocked.' }),
  priority: Type.Integer({ description: 'Of several started plans covering a door, the highest priority decides.' }),
  scope: Type.String({ description: 'site, location or doors.' }),
  location_id: Type.Union([Type.Integer(), Type.Null()], { description: 'The location whose doors it covers (scope location).' }),
  door_ids: Type.Array(Type.Integer(), { description: 'The doors it covers (scope doors); empty otherwise.' }),
  responders: Type.Array(Type.Integer(), { description: 'Access levels whose holders still pass a lockdown.' }),
  auto_revert_seconds: Type.Union([Type.Integer(), Type.Null()], { description: 'A start clears itself this long after; null: until cleared.' }),
  active: Type.Boolean({ description: 'Whether the plan is started.' }),
  active_since: Type.Union([Type.String(), Type.Null()], { description: 'When it was started, in the site’s time zone.', 'x-datatype': 'date-time' }),
  active_until: Type.Union([Type.String(), Type.Null()], { description: 'When a started plan clears itself.', 'x-datatype': 'date-time' }),
  active_by: Type.Union([Type.String(), Type.Null()], { description: 'Who started it.' }),
});

const IdList = (field: string, description: string) =>
  Type.Array(IdInput(field, description), { description, 'x-error': `Invalid ${field} found (expected a list of ids)`, 'x-datatype': 'array' });

/** One record of `POST /lockdown` (extension). */
export const LockdownCreate = Type.Object(
  {
    name: IdentifyingText('name', 'The name of the plan; unique within the site.'),
    mode: Type.Optional(
      Type.Union(
        LOCKDOWN_MODES.map((m) => Type.Literal(m)),
        { description: 'lockdown (the default) or egress.', 'x-error': 'Invalid mode found (expected lockdown or egress)', 'x-datatype': 'string' },
      ),
    ),
    priority: Type.Optional(
      Type.Integer({
        minimum: -1000,
        maximum: 1000,
        description: 'From -1000 to 1000; defaults to 0.',
        'x-error': 'Invalid priority found (expected an integer from -1000 to 1000)',
      }),
    ),
    location_id: Type.Optional(IdInput('location_id', 'Cover the doors of this location; without it and door_ids, the whole site.')),
    door_ids: Type.Optional(IdList('door_ids', 'Cover these doors; without it and location_id, the whole site.')),
    responders: Type.Optional(IdList('responders', 'Access levels whose holders still pass while it is a started lockdown.')),
    auto_revert_seconds: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 7 * 86_400,
        description: 'A start clears itself this many seconds later (at most a week); absent: until cleared.',
        'x-error': 'Invalid auto_revert_seconds found (expected an integer from 1 to 604800)',
      }),
    ),
  },
  { required: ['name'] },
);

/** One record of `DELETE /lockdown` (extension). */
export const LockdownDelete = Type.Object({ id: IdInput('id', 'The plan to delete; a started plan must be cleared first.') }, { required: ['id'] });

/** One record of `POST /lockdown/start` and `/lockdown/clear` (extension): a plan by id or by name. */
export const LockdownAction = Type.Object({
  id: Type.Optional(IdInput('id', 'The plan; or its name.')),
  name: Type.Optional(IdentifyingText('name', 'The name of the plan; or its id.')),
});
