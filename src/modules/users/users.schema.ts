import { type TSchema, Type } from 'typebox';
import { MAX_IDENTIFYING_LENGTH } from '../../domain/text-limits.ts';
import { BoolInput, DigitsInput, FlagParam, IdInput, IdentifyingText, NumericParam, RequiredText, TextParam, WireTime } from '../../http/schemas.ts';

const AccessLevelRef = Type.Object({
  id: Type.Integer({ description: 'The unique, system assigned id of the access level.' }),
  unid: Type.Integer({ description: 'The same id, under the name the spec shows.' }),
  name: Type.String({ description: 'The name of the access level.' }),
});

const HeldCredential = Type.Object({
  id: Type.Integer({ description: 'The unique, system assigned id of the credential.' }),
  name: Type.String({ description: 'The name of the credential.' }),
  card_num: Type.String({ description: 'The card number assigned to the credential.' }),
  credential_key: Type.String({ description: 'The credential registration key.' }),
  fob: Type.Boolean({ description: 'Whether the credential is a fob.' }),
});

/** A user as `GET /user` shows it. */
export const UserObject = Type.Object({
  id: Type.Integer({ description: 'The unique, system assigned id of the user' }),
  id_num: Type.String({ description: 'Unique id number to identify the user. Supplied by external system.' }),
  first_name: Type.String({ description: 'The first name of the user.' }),
  last_name: Type.String({ description: 'The last name of the user.' }),
  card_num: Type.String({ description: 'The card number assigned to the user (the user\'s first card; "" if none).' }),
  credential_key: Type.String({ description: 'The credential registration key assigned to the user.' }),
  email: Type.String({ description: 'The email address associated with the user.' }),
  phone: Type.String({ description: 'The phone number associated with the user.' }),
  pin: Type.String({ description: 'Whether the user has a PIN: "****" if so, "" if not. PINs are never shown.' }),
  access_effective: Type.String({
    description: 'The date/time when access is enabled for this user, ISO 8601 UTC; "" for none.',
    'x-datatype': 'date-time',
  }),
  access_expires: Type.String({
    description: 'The date/time when access is disabled for this user, ISO 8601 UTC; "" for none.',
    'x-datatype': 'date-time',
  }),
  enabled: Type.Boolean({ description: 'Whether the user is enabled.' }),
  accesslevels: Type.Array(AccessLevelRef, { description: 'An array of access level assignment objects associated with this user.' }),
  credentials: Type.Optional(
    Type.Array(HeldCredential, {
      description: 'With ?id= or ?id_num= only: an array of credential objects associated with this user, fobs included.',
    }),
  ),
  username: Type.Optional(Type.String({ description: "Extension, with ?privileged and ?installers only: the operator's login name." })),
  role: Type.Optional(Type.String({ description: 'Extension, with ?privileged and ?installers only: admin, manager or installer.' })),
});

export const UserQuery = Type.Object({
  id: Type.Optional(NumericParam('id', 'Only the cardholder with this id.')),
  id_num: Type.Optional(TextParam('id_num', 'Only the cardholder with this id_num.')),
  idnum: Type.Optional(TextParam('idnum', "The spelling of id_num the spec's example uses.")),
  missingcreds: Type.Optional(FlagParam('Only cardholders holding no credential.')),
  privileged: Type.Optional(FlagParam('Operators with the admin or manager role instead of cardholders.')),
  installers: Type.Optional(FlagParam('Operators with the installer role instead of cardholders.')),
});

/** `[{"id": n}, …]`; `{}` is read as the empty list the spec calls "an empty object". */
const AccessLevelsInput = Type.Union(
  [
    Type.Array(Type.Object({ id: IdInput('accesslevels id', 'The id of the access level.') }, { required: ['id'] })),
    Type.Object({}, { additionalProperties: false }),
  ],
  {
    description: 'An array of access level assignment objects, {"id": n}.',
    'x-error': 'Invalid accesslevels found (expected an array of {"id": n})',
    'x-datatype': 'array',
  },
);

const userFields = {
  id: IdInput('id', 'The unique, system assigned id of the user; -1 to create one.'),
  id_num: IdentifyingText('id_num', 'Unique id number to identify the user. Supplied by external system.'),
  first_name: RequiredText('first_name', 'The first name of the user.', { maxLength: MAX_IDENTIFYING_LENGTH }),
  last_name: RequiredText('last_name', 'The last name of the user.', { maxLength: MAX_IDENTIFYING_LENGTH }),
  card_num: DigitsInput('card_num', 'The card number assigned to the user; -1 removes every card (not fobs) of the user.'),
  email: IdentifyingText('email', 'The email address associated with the user.'),
  phone: RequiredText('phone', 'The phone number associated with the user.'),
  pin: DigitsInput('pin', 'The pin number associated with the user.'),
  access_effective: WireTime('access_effective', 'The date/time when access is enabled for this user.'),
  access_expires: WireTime('access_expires', 'The date/time when access is disabled for this user.'),
  enabled: BoolInput('enabled', 'Flag to enable / disable the user.'),
  accesslevels: AccessLevelsInput,
} satisfies Record<string, TSchema>;

/** One record of `POST /user`. */
export const UserCreate = Type.Object(userFields, {
  required: ['id', 'id_num', 'first_name', 'last_name', 'email', 'phone', 'pin'],
});

/** One record of `PUT /user`: every property but id is optional and only those sent change. */
export const UserUpdate = Type.Object({ ...userFields, id: IdInput('id', 'The unique, system assigned id of the user.') }, { required: ['id'] });

/** One record of `DELETE /user`. */
export const UserDelete = Type.Object({ id: IdInput('id', 'The unique, system assigned id of the user') }, { required: ['id'] });
