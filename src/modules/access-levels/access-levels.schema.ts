import { Type } from 'typebox';
import { PagingQuery } from '../../http/paging.ts';
import { BoolInput, IdInput, IdentifyingText, TextParam } from '../../http/schemas.ts';

/** A door of a level as `GET /accesslevel` shows it. */
const LevelDoor = Type.Object({
  id: Type.Integer({ description: 'The unique, system assigned id of the door.' }),
  name: Type.String({ description: 'The name of the door.' }),
  schedule_id: Type.Union([Type.Integer(), Type.Null()], {
    description: 'The schedule on which the level opens the door; null on delegate levels, which open it throughout their window.',
  }),
});

const FIRST_IN = 'Extension: true: its holders may be a door’s first person in (docs/door-modes.md); defaults to false.';

/** An access level as `GET /accesslevel` shows it. */
export const AccessLevelObject = Type.Object({
  id: Type.Integer({ description: 'The unique, system assigned id of the access level.' }),
  name: Type.String({ description: 'The name of the access level.' }),
  doors: Type.Array(LevelDoor, {
    description: 'An array of abbreviated Door objects: id, name and schedule_id. Empty when the level has no doors.',
  }),
  first_person_in: Type.Optional(Type.Boolean({ description: `${FIRST_IN} Shown only when true.` })),
});

/** One door of a level as written: which door, on which schedule. */
const LevelDoorInput = Type.Object({
  id: IdInput('door id', 'The id of a door of this site.'),
  schedule_id: IdInput('schedule_id', 'The id of a schedule of this site on which the level opens the door.'),
});

const LevelDoorsInput = Type.Array(LevelDoorInput, {
  description: 'An array of abbreviated Door objects containing Door ID and Schedule ID only; a door appears at most once.',
  'x-error': 'Invalid doors found (expected [{"id": door id, "schedule_id": schedule id}, …])',
  'x-datatype': 'array',
});

/** One record of `POST /accesslevel`. */
export const AccessLevelCreate = Type.Object({
  name: IdentifyingText('name', 'The name of the access level; unique within the site.'),
  doors: Type.Optional(LevelDoorsInput),
  first_person_in: Type.Optional(BoolInput('first_person_in', FIRST_IN)),
});

/** One record of `PUT /accesslevel` (extension): what is supplied changes, the rest stays. */
export const AccessLevelUpdate = Type.Object({
  id: IdInput('id', 'The unique, system assigned id of the access level.'),
  name: Type.Optional(IdentifyingText('name', 'The new name of the access level; unique within the site.')),
  doors: Type.Optional(LevelDoorsInput),
  first_person_in: Type.Optional(BoolInput('first_person_in', FIRST_IN)),
});

/** One record of `DELETE /accesslevel`. */
export const AccessLevelDelete = Type.Object({
  id: IdInput('id', 'The unique, system assigned id of the access level.'),
});

export const AccessLevelQuery = Type.Object({
  name: Type.Optional(TextParam('name', 'Return only the access level with this name (case-insensitive).')),
  ...PagingQuery,
});
