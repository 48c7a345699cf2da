import { Type } from 'typebox';
import { FlagParam, IdInput } from '../../http/schemas.ts';

/** A door of a delegate level as `GET /delegate` shows it. */
const DelegateDoor = Type.Object({
  id: Type.Integer({ description: 'The unique, system assigned id of the door.' }),
  name: Type.String({ description: 'The name of the door.' }),
});

const ShownTime = (description: string) =>
  Type.String({
    description: `${description} \`YYYY-MM-DD HH:MM:SS\` in the site's time zone; "" when none.`,
    'x-datatype': 'timestamp',
  });

/** A delegate access level as `GET /delegate` shows it. */
export const DelegateObject = Type.Object({
  id: Type.Integer({ description: 'The unique, system assigned id of the delegate access level.' }),
  name: Type.String({ description: 'The name of the delegate access level: delegate_ and 32 hexadecimal digits.' }),
  access_effective: ShownTime('The date/time when access is enabled for this delegate.'),
  access_expires: ShownTime('The date/time when access is disabled for this delegate.'),
  doors: Type.Array(DelegateDoor, { description: 'An array of abbreviated Door objects containing Door ID and Name only.' }),
});

/** A delegation's bound: required, unlike the optional times elsewhere, so a blank one is "Missing or blank". */
const DelegationTime = (field: string, description: string) =>
  Type.String({
    pattern: '\\S',
    description: `${description} \`YYYY-MM-DD HH:MM:SS\` in the site's time zone, or ISO 8601 with an offset.`,
    'x-error': `Invalid ${field} date found`,
    'x-datatype': 'date-time',
  });

/** The one record `POST /delegate` takes. */
export const DelegateCreate = Type.Object({
  from_user_id: IdInput('from_user_id', 'The user_id of the individual granting delegate access.'),
  to_user_id: IdInput('to_user_id', 'The user_id of the individual receiving delegate access.'),
  access_effective: DelegationTime('access_effective', 'The date/time when access is enabled for this delegate.'),
  access_expires: DelegationTime('access_expires', 'The date/time when access is disabled for this delegate; not in the past.'),
  doors: Type.Array(Type.Object({ id: IdInput('door id', 'The id of a door the giver holds.') }), {
    minItems: 1,
    description:
      'An array of doors which the delegating user is assigning access to the receiving user: only doors the giver ' +
      'holds through access levels of their own, not through delegation.',
    'x-error': 'Invalid doors found (expected [{"id": door id}, …])',
    'x-datatype': 'array',
  }),
});

export const DelegatePostQuery = Type.Object({
  purge: Type.Optional(FlagParam('Delete every delegate level whose access_expires has passed, instead of creating one; any body is ignored.')),
});
