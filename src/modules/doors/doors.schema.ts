import { Type } from 'typebox';
import { PagingQuery } from '../../http/paging.ts';
import { BoolInput, IdInput, IdentifyingText, NumericParam, TextParam } from '../../http/schemas.ts';

/** A door as `GET /door` shows it. */
export const DoorObject = Type.Object({
  id: Type.Integer({ description: 'The unique, system assigned id of the door.' }),
  type: Type.String({ description: 'Text description of the door type: always "Access Controlled Door".' }),
  name: Type.String({ description: 'The name of the door' }),
  location: Type.String({ description: 'The name of the location of the door; "" when it has none.' }),
  enabled: Type.Boolean({ description: 'Indicates whether the door is currently enabled or disabled.' }),
  controller: Type.String({ description: 'The name of the controller to which the door is attached: "Portcullis".' }),
});

/** `GET /door`: the whole list, or the doors one cardholder may open. */
export const DoorQuery = Type.Object({
  ...PagingQuery,
  user_id: Type.Optional(NumericParam('user_id', 'List the doors this cardholder (by system id) reaches through all assigned access levels.')),
  id_num: Type.Optional(TextParam('id_num', 'List the doors this cardholder (by ID number) reaches through all assigned access levels.')),
});

/** A door's location: its id, or null or "" for none (the list shows "" for a door without a location). */
const LocationRef = (description: string) =>
  Type.Union([IdInput('location', description), Type.Null(), Type.Literal('')], {
    description: `${description} null or "" for none.`,
    'x-error': 'Non-Numeric location found',
    'x-datatype': 'integer',
  });

/** One record of `POST /door`. */
export const DoorCreate = Type.Object(
  {
    name: IdentifyingText('name', 'The name of the door; unique within the site.'),
    location: Type.Optional(LocationRef('Extension: the id of the location of the door.')),
    enabled: Type.Optional(BoolInput('enabled', 'Extension: whether the door is enabled. Defaults to true.')),
  },
  { required: ['name'] },
);

/** One record of `PUT /door` (extension): only the properties supplied change. */
export const DoorUpdate = Type.Object(
  {
    id: IdInput('id', 'The unique, system assigned id of the door to update.'),
    name: Type.Optional(IdentifyingText('name', 'The new name of the door; unique within the site.')),
    location: Type.Optional(LocationRef('The id of the new location of the door.')),
    enabled: Type.Optional(BoolInput('enabled', 'Whether the door is enabled.')),
  },
  { required: ['id'] },
);

/** One record of `DELETE /door`. */
export const DoorDelete = Type.Object({ id: IdInput('id', 'The unique system assigned id of the door.') }, { required: ['id'] });
