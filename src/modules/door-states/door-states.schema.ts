import { Type } from 'typebox';

/** A door's state as `GET /doorstate` shows it. */
export const DoorStateObject = Type.Object({
  id: Type.Integer({ description: 'The unique, system assigned id of the door.' }),
  name: Type.String({ description: 'The name of the door' }),
  battery_level: Type.Union([Type.Number(), Type.Null()], {
    description: 'The battery level of the door expressed as a decimal (0 to 1); null until its device reports one.',
  }),
  mode: Type.Union([Type.String(), Type.Null()], {
    description: 'Extension: the door mode its device last said it applied (docs/door-modes.md); null until it says.',
  }),
});
