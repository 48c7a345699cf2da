import { Type } from 'typebox';
import { MAX_ID } from '../../db/conventions.ts';
import { MAX_FREE_TEXT_LENGTH, MAX_IDENTIFYING_LENGTH } from '../../domain/text-limits.ts';

const ADDRESS = 'The logical address: building 1..9999, unit 0..99, floor 0..98, room 0..99; unique in the site.';

const LogicalAddress = Type.Object(
  {
    building: Type.Integer({ minimum: 1, maximum: 9999 }),
    unit: Type.Integer({ minimum: 0, maximum: 99 }),
    floor: Type.Integer({ minimum: 0, maximum: 98 }),
    room: Type.Integer({ minimum: 0, maximum: 99 }),
  },
  { description: ADDRESS },
);

export const ApartmentCreate = Type.Object(
  {
    // Checked by the service, so that any fault in it reads "Wrong Logical Address", as on the panel.
    apartment_address: Type.Unknown({ description: ADDRESS }),
    apartment_name: Type.String({
      pattern: '^\\S(.*\\S)?$',
      maxLength: MAX_IDENTIFYING_LENGTH,
      description: 'Non-empty, without leading or trailing spaces.',
    }),
    // null, as everywhere in the panel API, is "none": no count, no photo, no route.
    residents: Type.Optional(Type.Object({ count: Type.Optional(Type.Union([Type.Integer({ minimum: 0, maximum: MAX_ID }), Type.Null()])) })),
    photo_path: Type.Optional(
      Type.Union([Type.String({ maxLength: MAX_FREE_TEXT_LENGTH }), Type.Null()], { description: 'AA-14 only: photo for the apartment book.' }),
    ),
    route_path: Type.Optional(
      Type.Union([Type.String({ maxLength: MAX_FREE_TEXT_LENGTH }), Type.Null()], { description: 'AA-14 only: route image for the lift feature.' }),
    ),
  },
  { required: ['apartment_address', 'apartment_name'] },
);

/** An apartment as GET shows it. */
export const ApartmentObject = Type.Object({
  apartment_address: LogicalAddress,
  apartment_name: Type.String(),
  residents: Type.Object({ count: Type.Integer() }),
  photo_path: Type.String(),
  route_path: Type.String(),
  item_uid: Type.Integer(),
  link_id: Type.Union([Type.String(), Type.Null()]),
});

export const ApartmentUidParams = Type.Object({ uid: Type.String({ description: 'The apartment’s uid.' }) });
export const ApartmentUserParams = Type.Object({
  apartment_uid: Type.String({ description: 'The apartment’s uid.' }),
  user_uid: Type.String({ description: 'The user’s uid.' }),
});

export const UidAnswer = Type.Object({ uid: Type.Integer() });
export const EmptyAnswer = Type.Object({});
