import { Type } from 'typebox';
import { MAX_FREE_TEXT_LENGTH, MAX_IDENTIFYING_LENGTH } from '../../domain/text-limits.ts';
import { IdentifierEmbedded, LinkId } from '../credentials/identifiers.basip.schema.ts';

/**
 * The panel face's user bodies and answers, as the seed (`basip-user-entity.txt`) shows a user. A body
 * field that is missing or of the wrong type reads as the panel's "Wrong JSON body: …"; an empty
 * `auth_factors` has its own message, from the service.
 */

export const AUTH_FACTORS = ['face_id', 'card', 'input_code', 'qr', 'license_plate'] as const;

const userFields = {
  name: Type.String({
    pattern: '\\S',
    maxLength: MAX_IDENTIFYING_LENGTH,
    description: 'The user\'s name, "First Last": split on the last space into first and last name.',
  }),
  info: Type.String({ maxLength: MAX_FREE_TEXT_LENGTH, description: 'Additional information.' }),
  auth_factors: Type.Array(
    Type.Union(
      AUTH_FACTORS.map((factor) => Type.Literal(factor)),
      { description: 'face_id, card, input_code, qr or license_plate.' },
    ),
    { description: 'The kinds of identifier the user may use when is_custom_user_access is true; at least one.' },
  ),
  lock_number: Type.Union([Type.Literal(0), Type.Literal(1), Type.Literal(2)], { description: '0 both locks, 1 the first, 2 the second.' }),
  is_custom_user_access: Type.Boolean({ description: 'When true, only the auth_factors open doors for this user.' }),
};

/** `POST /access/users/item`: the name is required. */
export const BasipUserCreate = Type.Object({
  name: userFields.name,
  info: Type.Optional(userFields.info),
  auth_factors: Type.Optional(userFields.auth_factors),
  lock_number: Type.Optional(userFields.lock_number),
  is_custom_user_access: Type.Optional(userFields.is_custom_user_access),
});

/** `PATCH /access/users/item/{uid}`: only the fields sent change. */
export const BasipUserUpdate = Type.Object({
  name: Type.Optional(userFields.name),
  info: Type.Optional(userFields.info),
  auth_factors: Type.Optional(userFields.auth_factors),
  lock_number: Type.Optional(userFields.lock_number),
  is_custom_user_access: Type.Optional(userFields.is_custom_user_access),
});

/** `POST /access/users/items/link`. */
export const BasipUserLinkUpsert = Type.Object({
  list_items: Type.Array(Type.Object({ ...BasipUserCreate.properties, link_id: LinkId })),
});

export const UserLinkIds = Type.Object({ link_ids: Type.Array(LinkId) });

const NullableString = Type.Union([Type.String(), Type.Null()]);

const ApartmentEmbedded = Type.Object({
  apartment_address: Type.Object({ building: Type.Integer(), unit: Type.Integer(), floor: Type.Integer(), room: Type.Integer() }),
  apartment_name: Type.String(),
  residents: Type.Object({ count: Type.Integer() }),
  photo_path: Type.String(),
  route_path: Type.String(),
  item_uid: Type.Integer(),
  link_id: NullableString,
});

const TimeProfileEmbedded = Type.Object({
  item_uid: Type.Integer(),
  name: Type.String(),
  link_id: NullableString,
  time_options: Type.Unknown({ description: 'is_all_day, date_from, date_to (Unix seconds, wall clock of the site).' }),
  repeat_options: Type.Unknown({ description: 'repeat_enable and repeat_format, as the time profile was written.' }),
});

/** A user as `GET /access/users/item/{uid}` shows it: the seed's fields. */
export const BasipUserObject = Type.Object({
  auth_factors: Type.Array(Type.String()),
  item_uid: Type.Integer(),
  link_id: NullableString,
  name: Type.String(),
  lock_number: Type.Integer(),
  is_custom_user_access: Type.Boolean(),
  info: Type.String(),
  identifiers: Type.Array(IdentifierEmbedded),
  apartments: Type.Array(ApartmentEmbedded),
  timeprofiles: Type.Array(TimeProfileEmbedded),
});

export const UserWriteAnswer = Type.Object({ has_dublicates: Type.Boolean({ description: 'True when another user has the same name.' }) });
export const UserCreateAnswer = Type.Object({ item_uid: Type.Integer(), has_dublicates: Type.Boolean() });

export const UserLinkResults = Type.Object({
  result: Type.Array(
    Type.Object({
      link_id: Type.String(),
      success: Type.Boolean(),
      extended_info: Type.String(),
      has_dublicates: Type.Optional(Type.Boolean()),
    }),
  ),
});
