import { Type } from 'typebox';
import { BoolInput, IdInput, IdentifyingText } from '../../http/schemas.ts';

/** A location as `GET /location` shows it. */
export const LocationObject = Type.Object({
  id: Type.Integer({ description: 'The unique, system assigned id of the location.' }),
  name: Type.String({ description: 'The name of the location' }),
  type: Type.String({ description: 'The type of the location: the name of its location type.' }),
  enabled: Type.Boolean({ description: 'Indicates whether the location is currently enabled or disabled.' }),
});

/** One record of `POST /location`. */
export const LocationCreate = Type.Object(
  {
    name: IdentifyingText('name', 'The name of the location; unique within the site.'),
    locationtype: IdInput('locationtype', 'Reference to the id of the location type for this location.'),
  },
  { required: ['name', 'locationtype'] },
);

/** One record of `PUT /location` (extension): only the properties supplied change. */
export const LocationUpdate = Type.Object(
  {
    id: IdInput('id', 'The unique, system assigned id of the location to update.'),
    name: Type.Optional(IdentifyingText('name', 'The new name of the location; unique within the site.')),
    locationtype: Type.Optional(IdInput('locationtype', 'The id of the new location type for this location.')),
    enabled: Type.Optional(BoolInput('enabled', 'Whether the location is enabled.')),
  },
  { required: ['id'] },
);

/** One record of `DELETE /location` (extension). */
export const LocationDelete = Type.Object({ id: IdInput('id', 'The unique, system assigned id of the location.') }, { required: ['id'] });
