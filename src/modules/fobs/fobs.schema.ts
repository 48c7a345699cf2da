import { Type } from 'typebox';
import { DigitsInput, IdInput, IdentifyingText, NumericParam, TextParam, WireTime } from '../../http/schemas.ts';

/** A fob as `GET /fob` shows it. */
export const FobObject = Type.Object({
  id: Type.Integer({ description: 'The unique, system assigned id of the fob.' }),
  id_num: Type.String({ description: 'Unique id number to identify the fob. Supplied by external system.' }),
  name: Type.String({ description: 'The name of the fob.' }),
  card_num: Type.String({ description: 'The card number assigned to the fob.' }),
  credential_key: Type.String({ description: 'The credential registration key assigned to the fob.' }),
  enabled: Type.Boolean({ description: 'Indicates whether the fob is enabled.' }),
  access_effective: Type.String({
    description: 'The date/time when access is enabled for this fob, ISO 8601 UTC; "" for none.',
    'x-datatype': 'date-time',
  }),
  access_expires: Type.String({
    description: 'The date/time when access is disabled for this fob, ISO 8601 UTC; "" for none.',
    'x-datatype': 'date-time',
  }),
  accesslevels: Type.Array(
    Type.Object({
      id: Type.Integer({ description: 'The unique, system assigned id of the access level.' }),
      unid: Type.Integer({ description: 'The same id, under the name the spec shows.' }),
      name: Type.String({ description: 'The name of the access level.' }),
    }),
    { description: 'The access levels of the user the fob is assigned to; empty when unassigned.' },
  ),
});

export const FobQuery = Type.Object({
  id: Type.Optional(NumericParam('id', 'Only the fob with this id.')),
  id_num: Type.Optional(TextParam('id_num', 'Only fobs with this id_num.')),
  name: Type.Optional(TextParam('name', 'Only the fob with this name (case and spacing do not matter).')),
  card_num: Type.Optional(TextParam('card_num', 'Only the fob with this card number.')),
});

const fobFields = {
  name: IdentifyingText('name', 'The name of the fob; unique within the site.'),
  id_num: IdentifyingText('id_num', 'Id number to identify the fob. Supplied by external system.'),
  card_num: DigitsInput('card_num', 'The card number assigned to the fob.'),
  access_effective: WireTime('access_effective', 'The date/time when access is enabled for this fob.'),
  access_expires: WireTime('access_expires', 'The date/time when access is disabled for this fob.'),
};

/** One record of `POST /fob`. */
export const FobCreate = Type.Object(fobFields, { required: ['name', 'id_num'] });

/** One record of `PUT /fob`: only the properties sent change. */
export const FobUpdate = Type.Object(
  {
    id: IdInput('id', 'The unique, system assigned id of the fob.'),
    user_id: IdInput('user_id', 'The id of the user the fob is assigned to; 0 removes the assignment.'),
    ...fobFields,
  },
  { required: ['id'] },
);

/** One record of `DELETE /fob`. */
export const FobDelete = Type.Object({ id: IdInput('id', 'The unique, system assigned id of the fob.') }, { required: ['id'] });
