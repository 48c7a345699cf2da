import { Type } from 'typebox';
import { IDENTIFIER_TYPES } from '../../domain/credential-numbers.ts';
import { MAX_IDENTIFYING_LENGTH } from '../../domain/text-limits.ts';

/**
 * The panel face's identifier bodies and answers. Bodies are checked by Fastify against these, so a
 * missing or mistyped field reads as the panel's "Wrong JSON body: …" (src/http/validation.ts); rules
 * that need the value (the number's form for its type, from before to) are the service's.
 */

export const OWNER_TYPES = ['owner', 'guest'] as const;
export const LOCKS = ['first', 'second', 'all'] as const;

const oneOf = (values: readonly string[], description: string) =>
  Type.Union(
    values.map((value) => Type.Literal(value)),
    { description },
  );

/** A link_id: a UUID, any case. */
export const LinkId = Type.String({
  pattern: '^[0-9A-Fa-f]{8}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{4}-[0-9A-Fa-f]{12}$',
  description: 'A UUID the client sets to refer to the entity.',
});

const Owner = Type.Object({
  name: Type.Optional(Type.String({ maxLength: MAX_IDENTIFYING_LENGTH, description: 'Who the identifier is for.' })),
  type: Type.Optional(oneOf(OWNER_TYPES, 'owner (default) or guest.')),
});

/** `null` is the panel API's "no limit" for every optional number or time (issue 13: SmartYard sends it). */
const Seconds = (description: string) =>
  Type.Union([Type.Integer(), Type.Null()], { description: `${description} null: open (no limit). 0..253402300799.` });

const ValidTime = Type.Object({
  is_permanent: Type.Boolean({ description: 'True: no time limit; from and to are ignored.' }),
  from: Type.Optional(Seconds('Unix seconds: access starts.')),
  to: Type.Optional(Seconds('Unix seconds: access ends (exclusive).')),
});

const Valid = Type.Object(
  {
    time: Type.Optional(ValidTime),
    passes: Type.Optional(
      Type.Object({
        is_permanent: Type.Boolean({ description: 'True: no limit on passes.' }),
        max_passes: Type.Optional(
          Type.Union([Type.Integer(), Type.Null()], {
            description: 'Passes allowed, 0..2147483647; required unless is_permanent; null: no limit.',
          }),
        ),
        time: Type.Optional(
          Type.Object(ValidTime.properties, {
            description: 'Where SmartYard-Server sends the validity period: read exactly as valid.time (both sent: they must agree).',
          }),
        ),
      }),
    ),
  },
  { description: 'Access restriction by time and passes; absent parts are permanent.' },
);

const identifierFields = {
  identifier_owner: Type.Optional(Owner),
  identifier_type: oneOf(IDENTIFIER_TYPES, 'card, ukey, inputCode, face_id, qr or license_plate.'),
  // Unique in the site, so an index holds it: the forms the service checks bound cards, ukeys and QR codes
  // but not input codes, faces or plates.
  identifier_number: Type.String({
    maxLength: MAX_IDENTIFYING_LENGTH,
    description:
      'card and ukey: [0-9]{1,10} or hex bytes separated by : or - (AA:BB:CC:DD); inputCode: digits; qr: a UUID; face_id, license_plate: any non-blank text.',
  }),
  lock: Type.Optional(oneOf(LOCKS, 'Which lock of a panel it opens: first, second or all (default).')),
  valid: Type.Optional(Valid),
};

/** `POST /access/identifier`. */
export const IdentifierCreate = Type.Object(identifierFields);

/** `PATCH /access/identifier/item/{uid}`: only the fields sent change. */
export const IdentifierUpdate = Type.Object({
  ...identifierFields,
  identifier_type: Type.Optional(identifierFields.identifier_type),
  identifier_number: Type.Optional(identifierFields.identifier_number),
});

/** One item of `POST /access/identifier/items/link`. */
export const IdentifierLinkItem = Type.Object({
  ...identifierFields,
  link_id: LinkId,
  apartment_link_id: Type.Optional(Type.Union([LinkId, Type.Null()], { description: "The apartment's link_id; null unbinds." })),
  time_profiles: Type.Optional(
    Type.Object({
      link_ids: Type.Array(LinkId, { description: 'The link_ids of the time profiles: these replace the attached ones.' }),
    }),
  ),
  additional: Type.Optional(
    Type.Object({
      passes_left: Type.Integer({ minimum: -1, description: 'Passes left, 0 to max_passes (-1: unlimited, ignored).' }),
    }),
  ),
});

export const IdentifierLinkUpsert = Type.Object({ list_items: Type.Array(IdentifierLinkItem) });
export const LinkIdsBody = Type.Object({ link_ids: Type.Array(LinkId) });
export const UidItemsBody = Type.Object({ uid_items: Type.Array(Type.Integer()) });
export const LinkIdQuery = Type.Object({
  link_id: Type.Optional(Type.String({ description: 'One link_id, or several separated by commas.' })),
});

const Uid = Type.Integer({ minimum: -1, description: '-1: none.' });
const NullableLinkId = Type.Union([Type.String(), Type.Null()]);

/** An identifier as a user's `identifiers` list shows it (the seed's shape, exactly). */
export const IdentifierEmbedded = Type.Object({
  identifier_uid: Uid,
  identifier_owner: Type.Object({ name: Type.String(), type: Type.String() }),
  identifier_type: Type.String(),
  identifier_number: Type.String(),
  lock: Type.String(),
  valid: Type.Object({
    time: Type.Object({ is_permanent: Type.Boolean(), from: Type.Integer(), to: Type.Integer() }),
    passes: Type.Object({ is_permanent: Type.Boolean(), max_passes: Type.Integer() }),
  }),
  apartment: Type.Object({
    uid: Uid,
    link_id: NullableLinkId,
    logical_address: Type.Union([
      Type.Object({ building: Type.Integer(), unit: Type.Integer(), floor: Type.Integer(), room: Type.Integer() }),
      Type.Null(),
    ]),
  }),
  time_profiles: Type.Object({ uid_items: Type.Array(Type.Integer()), link_ids: Type.Array(Type.String()), count: Type.Integer() }),
  additional: Type.Object({ passes_left: Type.Integer({ description: '-1 when passes are unlimited.' }) }),
});

/** An identifier on its own (`GET /access/identifier/item/{uid}`, lists): the embedded shape, its link_id and holder. */
export const IdentifierObject = Type.Object({
  ...IdentifierEmbedded.properties,
  link_id: NullableLinkId,
  user_uid: Type.Integer({ description: 'The user holding it; -1 for none.' }),
});

export const LinkResults = Type.Object({
  result: Type.Array(
    Type.Object({
      link_id: Type.String(),
      success: Type.Boolean(),
      extended_info: Type.String(),
    }),
  ),
});

export const UidResults = Type.Object({
  result: Type.Array(Type.Object({ uid: Type.Integer(), success: Type.Boolean(), extended_info: Type.String() })),
});
