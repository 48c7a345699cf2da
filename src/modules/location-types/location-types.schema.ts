import { Type } from 'typebox';
import { IdInput, IdentifyingText } from '../../http/schemas.ts';

/** A location type as `GET /locationtype` shows it. */
export const LocationTypeObject = Type.Object({
  id: Type.Integer({ description: 'The unique, system assigned id of the location type.' }),
  name: Type.String({ description: 'The name of the location type' }),
});

/** One record of `POST /locationtype` (extension). */
export const LocationTypeCreate = Type.Object(
  { name: IdentifyingText('name', 'The name of the location type; unique within the site.') },
  { required: ['name'] },
);

/** One record of `DELETE /locationtype` (extension). */
export const LocationTypeDelete = Type.Object({ id: IdInput('id', 'The unique, system assigned id of the location type.') }, { required: ['id'] });
